package repoconf

import (
	"path/filepath"
	"testing"

	"github.com/repobuild/repobuild/internal/golden"
)

// check compares got, a file's content, with testdata/golden/name.
func check(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", name), got)
}

func TestAptSourceGolden(t *testing.T) {
	tests := map[string]AptSource{
		// The client files of a tree: repobuild's Release is unsigned.
		"tree": {URIs: []string{"http://{{HOST}}/debian"}, Suites: []string{"bookworm"}, Components: []string{"main"}, Trusted: true},
		// A bootstrap source: no options.
		"plain": {URIs: []string{"http://m.test/debian"}, Suites: []string{"trixie"}, Components: []string{"main"}},
		// Every suite of every URI, a keyring.
		"signed": {
			URIs:       []string{"http://m.test/ubuntu", "http://n.test/ubuntu"},
			Suites:     []string{"jammy", "jammy-updates"},
			Components: []string{"main", "universe"},
			SignedBy:   "/usr/share/keyrings/ubuntu-archive-keyring.gpg",
		},
		"trusted-and-signed": {URIs: []string{"file:/srv/r"}, Suites: []string{"./"}, Trusted: true, SignedBy: "/k.gpg"},
	}
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			check(t, name+".list", s.OneLine()+"\n")
			check(t, name+".sources", s.Deb822()+"\n")
		})
	}
}

func TestYumRepoGolden(t *testing.T) {
	tests := map[string]YumRepo{
		// The client file of a tree: the keys are the host's own.
		"tree": {ID: "repobuild-centos7", Name: "repobuild offline repository (centos7)", BaseURL: "http://{{HOST}}/centos/7/os/$basearch/",
			Enabled: true, GPGCheck: true},
		// An upstream repository of a build, off until packages.yaml enables it.
		"upstream": {ID: "epel", BaseURL: "https://m.test/epel/9/Everything/aarch64/", GPGCheck: true, RepoGPGCheck: true,
			GPGKeys: []string{"file:///etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-9", "https://m.test/epel/KEY"}},
	}
	for name, r := range tests {
		t.Run(name, func(t *testing.T) {
			check(t, name+".repo", r.Section()+"\n")
		})
	}
}

func TestYumRepoOption(t *testing.T) {
	r := YumRepo{ID: "x", BaseURL: "http://HOST/rocky/$releasever/os/$basearch/", GPGCheck: true}
	for key, want := range map[string]string{
		"baseurl":  "baseurl=http://HOST/rocky/$releasever/os/$basearch/",
		"name":     "name=x",
		"gpgcheck": "gpgcheck=1",
		"enabled":  "enabled=0",
		"gpgkey":   "",
		"base":     "",
	} {
		if got := r.Option(key); got != want {
			t.Errorf("Option(%q) = %q, want %q", key, got, want)
		}
	}
}
