package plan

import (
	"slices"
	"strings"
	"testing"

	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/packages"
)

func TestArches(t *testing.T) {
	tests := []struct {
		in   []string
		want []string
		err  string
	}{
		{[]string{"amd64,arm64"}, []string{"amd64", "arm64"}, ""},
		{[]string{"x86_64", "aarch64", "amd64"}, []string{"amd64", "arm64"}, ""},
		{[]string{" arm64 , "}, []string{"arm64"}, ""},
		{[]string{"riscv64"}, nil, `unknown architecture "riscv64" (use amd64 or arm64)`},
		{nil, nil, "no architecture given (use --arch amd64,arm64)"},
	}
	for _, tt := range tests {
		got, err := Arches(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("Arches(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Arches(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestMake(t *testing.T) {
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	f, err := packages.Parse("packages.yaml", []byte(`common: [curl]
apt: [nfs-common]
yum: [nfs-utils]
debian12: [containerd.io=1.6.32-1]
bookworm: ["extra-{{ .Arch }}"]
trixie: [only-trixie]
`))
	if err != nil {
		t.Fatal(err)
	}
	targets, err := Make(f, cat, []string{"debian12"}, []string{"amd64", "arm64"})
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 2 || targets[0].String() != "debian12/amd64" || targets[1].String() != "debian12/arm64" {
		t.Fatalf("targets = %v", targets)
	}
	var specs []string
	for _, r := range targets[1].Requests {
		specs = append(specs, r.Spec)
	}
	if want := []string{"curl", "nfs-common", "containerd.io=1.6.32-1", "extra-arm64"}; !slices.Equal(specs, want) {
		t.Errorf("debian12/arm64 requests = %v, want %v", specs, want)
	}
}

func TestMakeErrors(t *testing.T) {
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, yaml string
		distros    []string
		want       string
	}{
		{"unknown distro", "common: [curl]\n", []string{"debian99"}, `unknown distro "debian99"`},
		{"no distro", "common: [curl]\n", nil, "no distro given"},
		{"unknown key", "common: [curl]\ndebain12: [x]\n", []string{"debian12"}, `packages.yaml:2:1: unknown key "debain12"`},
		{"nothing selected", "yum: [nfs-utils]\n", []string{"debian12"}, "debian12/amd64: packages.yaml selects no package for keys common, apt, debian, debian12, bookworm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := packages.Parse("packages.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Make(f, cat, tt.distros, []string{"amd64"})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}
