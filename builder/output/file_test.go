package output

import (
	"archive/tar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeTar streams a two-file tar through f, as BuildKit's tar exporter
// does.
func writeTar(t *testing.T, f *File) {
	t.Helper()
	w, err := f.Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(w)
	for name, body := range map[string]string{"debian/dists/bookworm/Release": "Origin: repobuild\n", "clients/install.sh": "#!/bin/sh\n"} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestFileCommit(t *testing.T) {
	tests := []struct {
		name, compression string
		tarFlags          []string
	}{
		{"repos.tar", "none", nil},
		{"repos.tar.gz", "gzip", []string{"-z"}},
		{"repos.tar.zst", "zstd", []string{"--zstd"}},
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, SumsFile), "0000000000000000000000000000000000000000000000000000000000000000  repos.tar\n")
	write(t, filepath.Join(dir, "repos.tar"), "an older build")
	for _, tt := range tests {
		t.Run(tt.compression, func(t *testing.T) {
			dest := filepath.Join(dir, tt.name)
			f, err := NewFile(dest, tt.compression)
			if err != nil {
				t.Fatal(err)
			}
			writeTar(t, f)
			if err := f.Commit(); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"-t", "-f", dest}, tt.tarFlags...)
			out, err := exec.Command("tar", args...).CombinedOutput()
			if err != nil {
				t.Fatalf("tar %v: %v\n%s", args, err, out)
			}
			if got := strings.Fields(string(out)); len(got) != 2 {
				t.Errorf("tar lists %v, want 2 files", got)
			}
		})
	}
	// Every file is listed once, with the sum of what is there now.
	cmd := exec.Command("sha256sum", "--strict", "-c", SumsFile)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
	if got := strings.Count(string(out), ": OK"); got != 3 {
		t.Errorf("sha256sum checked %d files, want 3:\n%s", got, out)
	}
	assertOnly(t, dir, SumsFile, "repos.tar", "repos.tar.gz", "repos.tar.zst")
}

func TestFileAbort(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "repos.tar")
	write(t, dest, "an older build")
	f, err := NewFile(dest, "none")
	if err != nil {
		t.Fatal(err)
	}
	w, err := f.Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("half a tar")); err != nil {
		t.Fatal(err)
	}
	f.Abort() // the build failed mid-export
	if got := read(t, dest); got != "an older build" {
		t.Errorf("dest = %q after abort", got)
	}
	assertOnly(t, dir, "repos.tar")
}

func TestFileUnfinished(t *testing.T) {
	dir := t.TempDir()
	f, err := NewFile(filepath.Join(dir, "repos.tar"), "none")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Open(nil); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err == nil || !strings.Contains(err.Error(), "did not finish") {
		t.Errorf("Commit of an unclosed export = %v", err)
	}
	assertOnly(t, dir)
}

// TestStaleTemporaries: what a killed build left is removed by the next
// one; what a running build writes is not.
func TestStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "out")
	write(t, filepath.Join(dir, ".out.repobuild-1234", "debian", "f"), "killed build")
	write(t, filepath.Join(dir, ".out.repobuild-5678"), "killed build")
	running, err := NewDir(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer running.Abort()
	next, err := NewDir(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer next.Abort()
	assertOnly(t, dir, filepath.Base(running.Path()), filepath.Base(next.Path()))
	if _, err := os.Stat(running.Path()); err != nil {
		t.Errorf("the running build's directory went: %v", err)
	}
}

// assertOnly fails unless dir holds exactly names.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	if len(got) != len(names) {
		t.Errorf("%s holds %v, want %v", dir, got, names)
		return
	}
	for _, g := range got {
		if !want[g] {
			t.Errorf("%s holds %v, want %v", dir, got, names)
			return
		}
	}
}
