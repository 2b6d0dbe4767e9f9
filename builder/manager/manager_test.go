package manager

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestGet(t *testing.T) {
	tests := []struct {
		name    string
		cross   bool
		helpers []string
		release bool
	}{
		{"apt", true, []string{"sources.sh"}, true},
		{"dnf", true, []string{"closure.py", "lib.sh", "modules-subset.awk", "repometa.py"}, false},
		{"yum", false, []string{"closure.py", "lib.sh", "modules-subset.awk", "repometa.py"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Get(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if m.Cross != tt.cross || !slices.Equal(m.Helpers(), tt.helpers) || (m.Release != nil) != tt.release {
				t.Errorf("%s: cross %v helpers %v release %v", tt.name, m.Cross, m.Helpers(), m.Release != nil)
			}
			if !strings.Contains(string(m.Fetch), "repobuild "+tt.name+" fetch") {
				t.Errorf("%s: fetch.sh is not the manager's own", tt.name)
			}
		})
	}
	if _, err := Get("rpm"); err == nil || err.Error() != `no scripts for package manager "rpm"` {
		t.Errorf("Get(rpm) = %v: the shared library is not a manager", err)
	}
	yum, _ := Get("yum")
	dnf, _ := Get("dnf")
	if string(yum.Index) != string(dnf.Index) || !strings.Contains(string(yum.Index), "createrepo") {
		t.Error("yum and dnf do not share the rpm index script")
	}
}

// scriptFile writes the file name of manager's scripts into a temporary
// directory, to run with the host's tools, and returns its path.
func scriptFile(t *testing.T, manager, name string) string {
	t.Helper()
	m, err := Get(manager)
	if err != nil {
		t.Fatal(err)
	}
	data, ok := m.Files[name]
	if !ok {
		t.Fatalf("%s has no file %s", manager, name)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
