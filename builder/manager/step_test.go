package manager_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/repobuild/repobuild/builder/lock"
	"github.com/repobuild/repobuild/builder/manager"
	"github.com/repobuild/repobuild/builder/pipeline"
)

// stepMounts runs a step's command in a mount namespace of its own, with
// the scripts' tree at /repobuild/manager (read-only) and $2, $3, $4 at
// /repobuild/in, /repobuild/out and /repobuild/report: the paths the
// scripts name, private to this test, so tests run in parallel. The
// step's cache mount (/var/cache) is $6, or starts empty, and $5, when
// not empty, stands for the image's /etc/apt.
const stepMounts = `set -e
mount -t tmpfs repobuild /repobuild
mkdir /repobuild/manager /repobuild/in /repobuild/out /repobuild/report
mount --bind "$1" /repobuild/manager
mount -o remount,bind,ro /repobuild/manager
mount --bind "$2" /repobuild/in
mount --bind "$3" /repobuild/out
mount --bind "$4" /repobuild/report
if [ -n "$6" ]; then mount --bind "$6" /var/cache; else mount -t tmpfs cache /var/cache; fi
[ -z "$5" ] || mount --bind "$5" /etc/apt
shift 6
exec "$@"
`

// mountProbe says whether this machine lets the tests mount in a
// namespace of their own (a container may not).
var mountProbe struct {
	sync.Once
	out []byte
	err error
}

// step is a step's directories on the host.
type step struct {
	in, out, report string
	// aptEtc is the image's /etc/apt in the step, if set; cache its
	// cache mount, if set.
	aptEtc, cache string
}

// newStep writes the scripts' tree (manager.Files) and input.json, for
// runStep. It skips where no mount namespace can be made (root and
// unshare(1) needed).
func newStep(t *testing.T, input pipeline.Input) step {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a step's mounts need root")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare is not installed")
	}
	// The mount point of the namespace's tmpfs: an empty directory.
	if err := os.MkdirAll("/repobuild", 0o755); err != nil {
		t.Skipf("no mount point for the step's mounts: %v", err)
	}
	mountProbe.Do(func() {
		mountProbe.out, mountProbe.err = exec.Command("unshare", "-m", "--propagation", "private", "mount", "-t", "tmpfs", "repobuild", "/repobuild").CombinedOutput()
	})
	if mountProbe.err != nil {
		t.Skipf("no mount namespace for a step (%v): %s", mountProbe.err, mountProbe.out)
	}
	dir := t.TempDir()
	s := step{in: filepath.Join(dir, "in"), out: filepath.Join(dir, "out"), report: filepath.Join(dir, "report")}
	for _, d := range []string{s.in, s.out, s.report} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeTree(t, filepath.Join(dir, "manager"))
	data, err := input.Encode()
	if err != nil {
		t.Fatal(err)
	}
	s.write(t, "input.json", string(data))
	return s
}

// writeTree writes the scripts' tree (manager.Files), as the steps mount
// it, into dir.
func writeTree(t *testing.T, dir string) {
	t.Helper()
	files, err := manager.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		p := filepath.Join(dir, f.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, f.Mode); err != nil {
			t.Fatal(err)
		}
	}
}

// write writes a file into the step's /repobuild/in.
func (s step) write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(s.in, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.in, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs script with /bin/sh as the step's command, with nothing in its
// environment but path, and returns its output and exit status.
func (s step) run(t *testing.T, path, script string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "/bin/sh", "-c", stepMounts, "sh",
		filepath.Join(filepath.Dir(s.in), "manager"), s.in, s.out, s.report, s.aptEtc, s.cache, "/bin/sh", "-c", script)
	cmd.Env = []string{"PATH=" + path}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	var exit *exec.ExitError
	if err := cmd.Run(); errors.As(err, &exit) {
		status = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), status
}

// awks returns, for each of mawk and gawk the host has, a PATH whose awk
// is that one.
func awks(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range []string{"mawk", "gawk"} {
		bin := "/usr/bin/" + name
		if _, err := os.Stat(bin); err != nil {
			continue
		}
		dir := t.TempDir()
		if err := os.Symlink(bin, filepath.Join(dir, "awk")); err != nil {
			t.Fatal(err)
		}
		out[name] = dir + ":" + os.Getenv("PATH")
	}
	if len(out) == 0 {
		t.Skip("neither /usr/bin/mawk nor /usr/bin/gawk")
	}
	return out
}

// sha256Hex is data's SHA256, as the lock gives it.
func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// locked is the lock entry of the package file src, published at file
// (from the tree's root) from uri: it checks that the step's output holds
// a copy.
func (s step) locked(t *testing.T, src, file, uri string) lock.Package {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if pooled, err := os.ReadFile(filepath.Join(s.out, file)); err != nil || !bytes.Equal(pooled, data) {
		t.Errorf("the output's %s is not a copy of %s (%v)", file, src, err)
	}
	return lock.Package{File: file, Size: int64(len(data)), SHA256: sha256Hex(data), URI: uri}
}

// fetch runs the fetch script (a path in the tree) as the step's command,
// with the host's PATH, and stops the test unless it exits with status
// want and its stderr says stderr.
func (s step) fetch(t *testing.T, script string, want int, stderr string) {
	t.Helper()
	stdout, errs, status := s.run(t, os.Getenv("PATH"), "exec /bin/sh /repobuild/manager/"+script)
	if status != want || !strings.Contains(errs, stderr) {
		t.Fatalf("%s: exit status %d, want %d and stderr saying %q\nstdout:\n%s\nstderr:\n%s", script, status, want, stderr, stdout, errs)
	}
}

// fetchCase is a fetch step's requests and what it makes of them.
type fetchCase struct {
	name                      string
	required, optional, extra []string
	extraOptional             []string
	strict                    string
	again                     bool     // the second run on one cache mount
	closure                   []string // package files, in the order of the lock
	failed, skipped           []pipeline.Problem
	wantExit                  int
	stderr                    string
}
