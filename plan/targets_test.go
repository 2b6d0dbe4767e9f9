package plan

import (
	"strings"
	"testing"

	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/packages"
)

// TestMakeFileTargets checks the distros and arches packages.yaml names
// under "repobuild:": the defaults of --distro and --arch, each overridden
// by the flag on its own.
func TestMakeFileTargets(t *testing.T) {
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	const both = "repobuild:\n  distros: [debian12, rocky9]\n  arches: [x86_64, arm64]\ncommon: [curl]\n"
	tests := []struct {
		name, yaml      string
		names, arches   []string
		want, wantError string
	}{
		{"the file's", both, nil, nil, "debian12/amd64 debian12/arm64 rocky9/amd64 rocky9/arm64", ""},
		{"--distro wins", both, []string{"ubuntu2204"}, nil, "ubuntu2204/amd64 ubuntu2204/arm64", ""},
		{"--arch wins", both, nil, []string{"arm64"}, "debian12/arm64 rocky9/arm64", ""},
		{"one distro, default arch", "repobuild:\n  distros: debian13\ncommon: [curl]\n", nil, nil, "debian13/amd64", ""},
		{"unknown distro", "repobuild:\n  distros: [debian12, debian99]\ncommon: [curl]\n", nil, nil, "",
			`packages.yaml:2:23: distros: unknown distro "debian99" (known: `},
		// Checked even when --distro overrides: the file is wrong either way.
		{"unknown distro, overridden", "repobuild:\n  distros: [debain12]\ncommon: [curl]\n", []string{"debian12"}, nil, "",
			`packages.yaml:2:13: distros: unknown distro "debain12"`},
		{"unknown arch", "repobuild:\n  distros: [debian12]\n  arches: [amd64, riscv64]\ncommon: [curl]\n", nil, nil, "",
			`packages.yaml:3:19: arches: unknown architecture "riscv64" (use amd64 or arm64)`},
		{"neither", "common: [curl]\n", nil, nil, "",
			"no distro given: use --distro, or name them in packages.yaml under repobuild: distros: (see `repobuild distros`)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := packages.Parse("packages.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			targets, err := Make(f, cat, tt.names, tt.arches)
			if tt.wantError != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantError) {
					t.Errorf("error = %v\nwant %s…", err, tt.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tg := range targets {
				got = append(got, tg.String())
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("targets = %v, want %s", got, tt.want)
			}
		})
	}
}
