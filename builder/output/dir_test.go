package output

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDir(t *testing.T) {
	tests := []struct {
		name     string
		existing bool
		commit   bool
		want     string // content of dest/f after, "" for absent dest
	}{
		{"new dest committed", false, true, "new"},
		{"existing dest replaced", true, true, "new"},
		{"existing dest kept on abort", true, false, "old"},
		{"no dest created on abort", false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "out")
			if tt.existing {
				write(t, filepath.Join(dest, "f"), "old")
				write(t, filepath.Join(dest, "stale"), "x")
			}
			d, err := NewDir(dest)
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(d.Path(), "f"), "new")
			if tt.commit {
				if err := d.Commit(); err != nil {
					t.Fatal(err)
				}
			} else {
				d.Abort()
			}
			if tt.want == "" {
				if _, err := os.Stat(dest); !os.IsNotExist(err) {
					t.Fatalf("dest exists after abort: %v", err)
				}
			} else if got := read(t, filepath.Join(dest, "f")); got != tt.want {
				t.Fatalf("dest/f = %q, want %q", got, tt.want)
			}
			if tt.commit {
				if _, err := os.Stat(filepath.Join(dest, "stale")); !os.IsNotExist(err) {
					t.Fatal("a file of the old tree survived the commit")
				}
			}
			entries, _ := os.ReadDir(filepath.Dir(dest))
			for _, e := range entries {
				if e.Name() != "out" {
					t.Errorf("left behind: %s", e.Name())
				}
			}
		})
	}
}

func TestDirConcurrentCommits(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "out")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := NewDir(dest)
			if err != nil {
				t.Error(err)
				return
			}
			content := string(rune('a' + i))
			write(t, filepath.Join(d.Path(), "x", "f"), content)
			write(t, filepath.Join(d.Path(), "x", "g"), content)
			if err := d.Commit(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// One whole tree: both files come from the same build.
	if f, g := read(t, filepath.Join(dest, "x", "f")), read(t, filepath.Join(dest, "x", "g")); f != g {
		t.Fatalf("mixed trees: f=%q g=%q", f, g)
	}
	entries, _ := os.ReadDir(filepath.Dir(dest))
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

// TestReplace checks the portable fallback of the atomic swap (the only
// path on macOS): the new tree in place, the old one set aside for
// removal, and on failure the old tree back where it was.
func TestReplace(t *testing.T) {
	dir := t.TempDir()
	dest, tmp := filepath.Join(dir, "out"), filepath.Join(dir, ".out.tmp")
	write(t, filepath.Join(dest, "f"), "old")
	write(t, filepath.Join(tmp, "f"), "new")
	aside, err := replace(tmp, dest)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dest, "f")); got != "new" {
		t.Errorf("dest/f = %q, want new", got)
	}
	if got := read(t, filepath.Join(aside, "f")); got != "old" {
		t.Errorf("aside/f = %q, want old", got)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("the temporary is still there: %v", err)
	}

	// The new tree cannot be moved in: the old one is put back.
	if _, err := replace(filepath.Join(dir, "missing"), dest); err == nil {
		t.Fatal("replace of a missing tree succeeded")
	}
	if got := read(t, filepath.Join(dest, "f")); got != "new" {
		t.Errorf("after a failed replace dest/f = %q, want the tree that was there (new)", got)
	}
}
