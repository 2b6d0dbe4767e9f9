package distros

import (
	"slices"
	"strings"
	"testing"
)

func TestSourcesFor(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		distro, arch, mirror string
		wantMirror           string
		want                 []string
	}{
		{distro: "debian12", arch: "amd64"},
		{distro: "debian12", arch: "arm64", mirror: "http://mirror.test/debian", wantMirror: "http://mirror.test/debian"},
		{
			distro: "ubuntu2204", arch: "amd64", wantMirror: "http://archive.ubuntu.com/ubuntu",
			want: []string{
				"deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://archive.ubuntu.com/ubuntu jammy main restricted universe multiverse",
				"deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://archive.ubuntu.com/ubuntu jammy-updates main restricted universe multiverse",
				"deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://archive.ubuntu.com/ubuntu jammy-security main restricted universe multiverse",
			},
		},
		{
			// arm64 lives on the ports archive, whatever the build machine's image names.
			distro: "ubuntu2404", arch: "arm64", wantMirror: "http://ports.ubuntu.com/ubuntu-ports",
			want: []string{
				"deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://ports.ubuntu.com/ubuntu-ports noble main restricted universe multiverse",
				"deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://ports.ubuntu.com/ubuntu-ports noble-updates main restricted universe multiverse",
				"deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://ports.ubuntu.com/ubuntu-ports noble-security main restricted universe multiverse",
			},
		},
		{
			// --mirror replaces the mirror of every architecture.
			distro: "ubuntu1804", arch: "arm64", mirror: "http://mirror.test/ubuntu", wantMirror: "http://mirror.test/ubuntu",
			want: []string{
				"deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://mirror.test/ubuntu bionic main restricted universe multiverse",
				"deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://mirror.test/ubuntu bionic-updates main restricted universe multiverse",
				"deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://mirror.test/ubuntu bionic-security main restricted universe multiverse",
			},
		},
		{
			distro: "debian10", arch: "arm64", wantMirror: "http://archive.debian.org/debian",
			want: []string{
				"deb http://archive.debian.org/debian buster main",
				"deb http://archive.debian.org/debian buster-updates main",
				"deb http://archive.debian.org/debian-security buster/updates main",
			},
		},
		{
			// The release moves to the given mirror; security stays in the archive.
			distro: "debian9", arch: "amd64", mirror: "http://mirror.test/debian", wantMirror: "http://mirror.test/debian",
			want: []string{
				"deb http://mirror.test/debian stretch main",
				"deb http://mirror.test/debian stretch-updates main",
				"deb http://archive.debian.org/debian-security stretch/updates main",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.distro+"/"+tt.arch, func(t *testing.T) {
			d, err := c.Get(tt.distro)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.MirrorFor(tt.arch, tt.mirror); got != tt.wantMirror {
				t.Errorf("MirrorFor = %q, want %q", got, tt.wantMirror)
			}
			got, err := d.SourcesFor(tt.arch, tt.mirror)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("SourcesFor =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestCheckValidUntil(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"debian9": false, "debian10": false, "debian11": true, "debian12": true, "ubuntu2404": true} {
		d, err := c.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.ChecksValidUntil(); got != want {
			t.Errorf("%s: ChecksValidUntil = %v, want %v", name, got, want)
		}
	}
}

func TestSourcesErrors(t *testing.T) {
	const head = "name: x\nos: x\nversion: '1'\nmanager: apt\ncodename: c\nimage: i\npath: p\narches: {amd64: amd64, arm64: arm64}\n"
	tests := []struct{ name, yaml, want string }{
		{"mirror for an arch it lacks", "mirror: http://m.test/x\nmirrors: {riscv64: http://m.test/y}\n",
			"x.yaml: mirrors: riscv64 is not one of the distro's arches"},
		{"bad mirror", "mirror: archive/debian\n",
			`x.yaml: mirror: "archive/debian" is not an http://, https:// or file: URL`},
		{"bad per-arch mirror", "mirrors: {arm64: 'http:///ports'}\n",
			`x.yaml: mirrors.arm64: "http:///ports" has no host (want http://HOST/PATH)`},
		{"sources need a mirror", "mirrors: {arm64: http://m.test/ports}\nsources: ['deb {{.Mirror}} c main']\n",
			"x.yaml: sources[0] uses {{.Mirror}}, but x has no mirror for amd64 (set mirror or mirrors.amd64)"},
		{"unknown variable", "mirror: http://m.test/x\nsources: ['deb {{.Mirorr}} c main']\n",
			`x.yaml: sources[0]: template: sources:1:6: executing "sources" at <.Mirorr>: map has no entry for key "Mirorr"`},
		{"template syntax", "mirror: http://m.test/x\nsources: ['deb {{.Mirror} c main']\n",
			"x.yaml: sources[0]: template: sources:1: bad character U+007D '}'"},
		{"not a boolean", "check-valid-until: sometimes\n",
			"x.yaml: yaml: unmarshal errors:\n  line 9: cannot unmarshal !!str `sometimes` into bool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(head+tt.yaml))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestCheckMirrorURL(t *testing.T) {
	for u, want := range map[string]string{
		"http://127.0.0.1:8080/debian": "",
		"https://mirror.test/ubuntu":   "",
		"file:/srv/mirror/debian":      "",
		"mirror.test/debian":           `"mirror.test/debian" is not an http://, https:// or file: URL`,
		"ftp://mirror.test/debian":     `"ftp://mirror.test/debian" is not an http://, https:// or file: URL`,
		"http:/debian":                 `"http:/debian" has no host (want http://HOST/PATH)`,
		"file:":                        `"file:" has no path (want file:/PATH)`,
		"http://mirror.test/a b":       `"http://mirror.test/a b" contains white space`,
	} {
		err := CheckMirrorURL(u)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("CheckMirrorURL(%q) = %q, want %q", u, got, want)
		}
	}
}

func TestNamesOrder(t *testing.T) {
	c := &Catalog{byName: map[string]Distro{}}
	for _, n := range []string{"ubuntu2404", "debian10", "debian9", "ubuntu1804", "centos7", "debian13"} {
		c.byName[n] = Distro{Name: n}
	}
	want := []string{"centos7", "debian9", "debian10", "debian13", "ubuntu1804", "ubuntu2404"}
	if got := c.Names(); !slices.Equal(got, want) {
		t.Errorf("Names = %v, want %v", got, want)
	}
}

func TestOtherKeys(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	// The anchors' keys for distributions the catalog may not build.
	for _, k := range []string{"redhat9", "kylin", "openeuler", "oracle8", "tencentos31", "bigcloud2110", "fedora34", "centos8"} {
		if !c.IsKnownKey(k) {
			t.Errorf("%q is not a known key", k)
		}
	}
	for _, k := range []string{"redhat99", "kylinn", "optional", "repobuild"} {
		if c.IsKnownKey(k) {
			t.Errorf("%q is a known key", k)
		}
	}
}
