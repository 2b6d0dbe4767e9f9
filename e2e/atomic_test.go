package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// twoPackageFiles writes the example packages.yaml and a copy asking for
// one more package: two builds whose trees differ.
func twoPackageFiles(t *testing.T, e env, dir string) (string, string) {
	t.Helper()
	example, err := os.ReadFile(filepath.Join(e.root, "packages.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a := filepath.Join(dir, "a.yaml")
	b := filepath.Join(dir, "b.yaml")
	if err := os.WriteFile(a, example, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, append(example, []byte("\nbookworm:\n  - jq\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// buildInto runs one debian12/amd64 build of pkgs into the outputs.
func (e env) buildInto(t *testing.T, pkgs string, outputs ...string) {
	t.Helper()
	args := []string{"--distro", "debian12", "--arch", "amd64", "-f", pkgs, "--registry-mirror", e.mirror, "--progress", "quiet"}
	for _, o := range outputs {
		args = append(args, "-o", o)
	}
	if _, stderr, err := e.repobuild(t, args...); err != nil {
		t.Fatalf("repobuild -f %s: %v\n%s", filepath.Base(pkgs), err, stderr)
	}
}

// temporaries lists what builds write beside dest.
func temporaries(t *testing.T, dest string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+".repobuild-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// countFiles counts the regular files under dir.
func countFiles(dir string) int {
	n := 0
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

// TestInterruptedExport stops the client while it writes the tree and
// checks that the destination holds the previous build, whole; after a
// SIGKILL the next build clears what the killed one left.
func TestInterruptedExport(t *testing.T) {
	e := setup(t)
	dir := t.TempDir()
	a, b := twoPackageFiles(t, e, dir)
	refB := filepath.Join(dir, "ref-b")
	e.buildInto(t, b, refB) // B is in the cache: the next builds of B are mostly export
	wantB := treeSums(t, refB)

	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "out")
			e.buildInto(t, a, dest)
			before := treeSums(t, dest)
			caught := false
			for attempt := 1; attempt <= 5 && !caught; attempt++ {
				cmd := exec.Command(e.bin, "--distro", "debian12", "--arch", "amd64", "-f", b, "-o", dest,
					"--registry-mirror", e.mirror, "--progress", "plain")
				cmd.Env = append(os.Environ(), "BUILDKIT_HOST="+e.addr)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				var written int
			poll:
				for {
					select {
					case err := <-done:
						// Finished before we caught it writing: put A back and retry.
						t.Logf("attempt %d: the build ended (%v) before it was caught mid-export", attempt, err)
						e.buildInto(t, a, dest)
						break poll
					default:
					}
					for _, tmp := range temporaries(t, dest) {
						if written = countFiles(tmp); written > 0 {
							_ = cmd.Process.Signal(sig)
							err := <-done
							if err == nil {
								t.Fatalf("the build exited 0 after %v", sig)
							}
							caught = true
							break poll
						}
					}
					time.Sleep(2 * time.Millisecond)
				}
				if caught {
					t.Logf("attempt %d: %v after %d of %d files were written; the build said:\n%s", attempt, sig, written, len(wantB), lastLines(stderr.String(), 8))
				}
			}
			if !caught {
				t.Fatal("could not interrupt a build mid-export in 5 attempts")
			}
			sameTree(t, "the destination after "+sig.String(), treeSums(t, dest), before)

			left := temporaries(t, dest)
			switch sig {
			case syscall.SIGINT:
				if len(left) != 0 {
					t.Errorf("an interrupted build left %v", left)
				}
			case syscall.SIGKILL:
				if len(left) != 1 {
					t.Fatalf("a killed build left %v, want its temporary directory", left)
				}
				if n := countFiles(left[0]); n >= len(wantB) {
					t.Logf("the killed build had written all %d files but not committed", n)
				}
				// The next build finishes, and removes what the killed one left.
				e.buildInto(t, b, dest)
				sameTree(t, "the destination after the next build", treeSums(t, dest), wantB)
				if left := temporaries(t, dest); len(left) != 0 {
					t.Errorf("the next build did not clear %v", left)
				}
			}
		})
	}
}

// TestRacingExports runs two builds of different trees into the same
// directory and the same tarball at once: each output holds one build's
// result whole, and SHA256SUMS matches the tarball.
func TestRacingExports(t *testing.T) {
	e := setup(t)
	dir := t.TempDir()
	a, b := twoPackageFiles(t, e, dir)
	refA, refB := filepath.Join(dir, "ref-a"), filepath.Join(dir, "ref-b")
	e.buildInto(t, a, refA)
	e.buildInto(t, b, refB)
	wantA, wantB := treeSums(t, refA), treeSums(t, refB)
	if len(wantA) == len(wantB) {
		t.Fatal("the two builds make trees of the same size: the test cannot tell them apart")
	}
	outDir := filepath.Join(dir, "race")
	dest, tarball := filepath.Join(outDir, "out"), filepath.Join(outDir, "repos.tar")
	for round := 1; round <= 3; round++ {
		errs := make(chan error, 2)
		for _, pkgs := range []string{a, b} {
			go func() {
				args := []string{"--distro", "debian12", "--arch", "amd64", "-f", pkgs, "--registry-mirror", e.mirror,
					"--progress", "quiet", "-o", dest, "-o", "type=tar,dest=" + tarball}
				_, stderr, err := e.repobuild(t, args...)
				if err != nil {
					err = &buildError{err, stderr}
				}
				errs <- err
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		got := treeSums(t, dest)
		winner := "A"
		want := wantA
		if len(got) == len(wantB) {
			winner, want = "B", wantB
		}
		sameTree(t, "the raced directory", got, want)
		command(t, outDir, "sha256sum", "--strict", "-c", "SHA256SUMS")
		x := t.TempDir()
		command(t, "", "tar", "-x", "-f", tarball, "-C", x)
		gotTar := treeSums(t, x)
		if len(gotTar) == len(wantA) {
			sameTree(t, "the raced tarball", gotTar, wantA)
		} else {
			sameTree(t, "the raced tarball", gotTar, wantB)
		}
		entries, _ := os.ReadDir(outDir)
		var names []string
		for _, en := range entries {
			names = append(names, en.Name())
		}
		if strings.Join(names, " ") != "SHA256SUMS out repos.tar" {
			t.Errorf("round %d: %s holds %v", round, outDir, names)
		}
		t.Logf("round %d: the directory holds build %s", round, winner)
	}
}

// TestFailedPushLeavesFiles: when one output fails (a push to a registry
// that is not there), the build fails naming it and no file output changes.
func TestFailedPushLeavesFiles(t *testing.T) {
	e := setup(t)
	dir := t.TempDir()
	a, b := twoPackageFiles(t, e, dir)
	dest, tarball := filepath.Join(dir, "out"), filepath.Join(dir, "repos.tar.gz")
	e.buildInto(t, a, dest, "type=tar,dest="+tarball)
	before := snapshot(t, dir)
	_, stderr, err := e.repobuild(t, "--distro", "debian12", "--arch", "amd64", "-f", b, "--registry-mirror", e.mirror,
		"--progress", "quiet", "-o", dest, "-o", "type=tar,dest="+tarball, "-o", "type=image,name=127.0.0.1:1/nowhere/repos:v1,push=true")
	if err == nil {
		t.Fatal("the build succeeded with a push to 127.0.0.1:1")
	}
	if !strings.Contains(stderr, "127.0.0.1:1/nowhere/repos:v1") {
		t.Errorf("the error does not name the image:\n%s", stderr)
	}
	if after := snapshot(t, dir); len(after) != len(before) {
		t.Errorf("the failed build changed %s: %d entries before, %d after", dir, len(before), len(after))
	} else {
		for k, v := range before {
			if after[k] != v {
				t.Errorf("the failed build changed %s", k)
			}
		}
	}
}

// TestNoCacheOutputsAgree: with --no-cache the first solve fetches anew
// and the next ones take its result, so the directory and the tarball of
// one call hold the same tree (Release, dated when written, would differ
// if the second solve fetched again).
func TestNoCacheOutputsAgree(t *testing.T) {
	e := setup(t)
	dir := t.TempDir()
	pkgs := filepath.Join(dir, "packages.yaml")
	if err := os.WriteFile(pkgs, []byte("common:\n  - socat\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dest, tarball := filepath.Join(dir, "out"), filepath.Join(dir, "repos.tar")
	_, stderr, err := e.repobuild(t, "--distro", "debian12", "--arch", "amd64", "-f", pkgs, "--registry-mirror", e.mirror,
		"--no-cache", "--progress", "plain", "-o", dest, "-o", "type=tar,dest="+tarball)
	if err != nil {
		t.Fatalf("repobuild: %v\n%s", err, stderr)
	}
	x := t.TempDir()
	command(t, "", "tar", "-x", "-f", tarball, "-C", x)
	sameTree(t, "the tarball", treeSums(t, x), treeSums(t, dest))
}

type buildError struct {
	err    error
	stderr string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.stderr }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
