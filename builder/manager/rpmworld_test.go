package manager_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var world struct {
	once sync.Once
	dir  string
	err  error
	out  []byte
}

// TestMain removes the RPM fixture world the tests shared.
func TestMain(m *testing.M) {
	code := m.Run()
	if world.dir != "" {
		os.RemoveAll(world.dir)
	}
	os.Exit(code)
}

// rpmWorld returns the RPM fixture world (testdata/rpmworld, signed),
// built once for the tests that need it, or skips without its tools.
func rpmWorld(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"dnf", "rpm", "rpmbuild", "rpmsign", "createrepo_c", "modifyrepo_c", "gpg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (scripts/setup.sh installs it)", tool)
		}
	}
	world.once.Do(func() {
		if world.dir, world.err = os.MkdirTemp("", "rpmworld-test."); world.err != nil {
			return
		}
		world.out, world.err = exec.Command(filepath.Join("..", "..", "testdata", "rpmworld", "build.sh"), filepath.Join(world.dir, "world")).CombinedOutput()
	})
	if world.err != nil {
		t.Fatalf("rpmworld/build.sh: %v\n%s", world.err, world.out)
	}
	return filepath.Join(world.dir, "world")
}
