package manager

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestClosureFetched runs rpm/closure.py with the host's Python: the state
// its plugin records before a download, then its count of what the download
// wrote. A package taken from the cache counts nothing; one downloaded anew,
// or again over a copy that did not match (same name, same size), counts
// its size.
func TestClosureFetched(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	script := scriptFile(t, "rpm/closure.py")
	dir := filepath.Dir(script)
	cache := filepath.Join(dir, "cache")
	if err := os.Mkdir(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	pkg := func(name string) string { return filepath.Join(cache, name) }
	write := func(name, content string) {
		t.Helper()
		f, err := os.OpenFile(pkg(name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(content); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	write("cached.rpm", "held by the cache")
	write("stale.rpm", "a copy that fails")
	listing := filepath.Join(dir, "closure")
	// What the plugin does once the transaction is resolved.
	record := exec.Command(py, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import closure; closure.write(sys.argv[2:])",
		dir, pkg("cached.rpm"), pkg("stale.rpm"), pkg("new.rpm"))
	record.Dir = dir
	record.Env = append(os.Environ(), "REPOBUILD_CLOSURE="+listing)
	if out, err := record.CombinedOutput(); err != nil {
		t.Fatalf("closure.write: %v\n%s", err, out)
	}
	data, err := os.ReadFile(listing)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(data)), "\n"); len(lines) != 3 || lines[2] != pkg("new.rpm")+" - - -" {
		t.Fatalf("the listing:\n%s", data)
	}
	// The download: stale.rpm again in place, new.rpm anew.
	time.Sleep(20 * time.Millisecond)
	write("stale.rpm", "the upstream copy")
	write("new.rpm", "downloaded")
	out, err := exec.Command(py, script, "fetched", listing).CombinedOutput()
	if err != nil {
		t.Fatalf("closure.py fetched: %v\n%s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), "27"; got != want {
		t.Errorf("closure.py fetched = %s bytes, want %s (stale.rpm and new.rpm)", got, want)
	}
}
