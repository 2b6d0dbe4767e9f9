package manager

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestGet(t *testing.T) {
	tests := []struct {
		name    string
		cross   bool
		scripts map[string]string
		release bool
	}{
		{"apt", true, map[string]string{"tools.sh": "apt/tools.sh", "fetch.sh": "apt/fetch.sh", "index.sh": "apt/index.sh", "release.sh": "apt/release.sh"}, true},
		{"dnf", true, map[string]string{"tools.sh": "rpm/tools.sh", "fetch.sh": "dnf/fetch.sh", "index.sh": "rpm/index.sh", "release.sh": ""}, false},
		{"yum", false, map[string]string{"tools.sh": "rpm/tools.sh", "fetch.sh": "yum/fetch.sh", "index.sh": "rpm/index.sh", "release.sh": ""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Get(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if m.Cross != tt.cross || m.HasRelease() != tt.release {
				t.Errorf("%s: cross %v release %v", tt.name, m.Cross, m.HasRelease())
			}
			for name, want := range tt.scripts {
				if got := m.Script(name); got != want {
					t.Errorf("%s: Script(%s) = %q, want %q", tt.name, name, got, want)
				}
			}
			fetch, err := fs.ReadFile(FS(), m.Script("fetch.sh"))
			if err != nil || !strings.Contains(string(fetch), "repobuild "+tt.name+" fetch") {
				t.Errorf("%s: fetch.sh is not the manager's own (%v)", tt.name, err)
			}
		})
	}
	if _, err := Get("rpm"); err == nil || err.Error() != `no scripts for package manager "rpm"` {
		t.Errorf("Get(rpm) = %v: the shared library is not a manager", err)
	}
	yum, _ := Get("yum")
	dnf, _ := Get("dnf")
	index, err := fs.ReadFile(FS(), yum.Script("index.sh"))
	if yum.Script("index.sh") != dnf.Script("index.sh") || err != nil || !strings.Contains(string(index), "createrepo") {
		t.Errorf("yum and dnf do not share the rpm index script (%v)", err)
	}
}

// TestFilesReferenced: every file a script names under /repobuild/manager
// is in the tree the steps mount there, with the mode it is run with.
func TestFilesReferenced(t *testing.T) {
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	mode := map[string]fs.FileMode{}
	for _, f := range files {
		mode[f.Path] = f.Mode
	}
	ref := regexp.MustCompile(`/repobuild/manager/([A-Za-z0-9_./-]*[A-Za-z0-9])`)
	n := 0
	for _, f := range files {
		for _, m := range ref.FindAllStringSubmatch(string(f.Data), -1) {
			n++
			if _, ok := mode[m[1]]; !ok {
				t.Errorf("%s names %s, which is not in the tree", f.Path, m[0])
			}
		}
	}
	if n < 10 {
		t.Errorf("the scripts name %d files under /repobuild/manager: the pattern no longer finds them", n)
	}
	for _, p := range []string{"apt/fetch.sh", "rpm/closure.py", "common/report.sh"} {
		if mode[p] != 0o755 {
			t.Errorf("%s has mode %v, want 0755", p, mode[p])
		}
	}
	if _, ok := mode["README.md"]; ok {
		t.Error("the tree holds the package's README.md")
	}
}

// scriptFile writes the file name (a path in the tree: "apt/sources.sh")
// of the scripts' tree into a temporary directory, to run with the host's
// tools, and returns its path.
func scriptFile(t *testing.T, name string) string {
	t.Helper()
	data, err := fs.ReadFile(FS(), name)
	if err != nil {
		t.Fatalf("the scripts' tree: %v", err)
	}
	p := filepath.Join(t.TempDir(), filepath.Base(name))
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
