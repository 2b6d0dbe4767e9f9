package e2e

import (
	"debug/macho"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// TestRelease runs `make release` for the host and one other platform
// (darwin/arm64: repobuild as a remote client on a Mac) and checks what a
// user downloading them checks: sha256sum -c SHA256SUMS passes, the host
// binary says the stamped version and commit, the other is a binary for
// its platform. It needs no daemon.
func TestRelease(t *testing.T) {
	if os.Getenv("REPOBUILD_E2E") != "1" {
		t.Skip("runs under `make test` (REPOBUILD_E2E=1): it cross-compiles repobuild")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	host := runtime.GOOS + "/" + runtime.GOARCH
	other := "darwin/arm64"
	if host == other {
		other = "linux/amd64"
	}
	dist := filepath.Join(t.TempDir(), "dist")
	cmd := exec.Command("make", "-C", root, "--no-print-directory", "release")
	cmd.Env = append(os.Environ(), "DIST="+dist, "VERSION=v0.0.0-releasetest", "RELEASE_PLATFORMS="+host+" "+other)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make release: %v\n%s", err, out)
	}

	sums := exec.Command("sha256sum", "-c", "--strict", "SHA256SUMS")
	sums.Dir = dist
	if out, err := sums.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c SHA256SUMS: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		listed = append(listed, f[len(f)-1])
	}
	entries, _ := os.ReadDir(dist)
	var files []string
	for _, e := range entries {
		if e.Name() != "SHA256SUMS" {
			files = append(files, e.Name())
		}
	}
	name := func(p string) string { return "repobuild-" + strings.ReplaceAll(p, "/", "-") }
	want := []string{name(host), name(other)}
	sort.Strings(want)
	if strings.Join(listed, " ") != strings.Join(want, " ") || strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("SHA256SUMS lists %v, dist/ holds %v; want %v", listed, files, want)
	}

	out, err := exec.Command(filepath.Join(dist, name(host)), "version", "-o", "json").Output()
	if err != nil {
		t.Fatalf("version: %v", err)
	}
	var v struct{ Version, Commit, BuildKit string }
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != "v0.0.0-releasetest" || v.Commit != strings.TrimSpace(string(head)) || !strings.HasPrefix(v.BuildKit, "v0.") {
		t.Errorf("version of the release binary = %+v, want v0.0.0-releasetest at %s", v, head)
	}

	if other == "darwin/arm64" {
		f, err := macho.Open(filepath.Join(dist, name(other)))
		if err != nil {
			t.Fatalf("%s is not a Mach-O binary: %v", name(other), err)
		}
		defer f.Close()
		if f.Cpu != macho.CpuArm64 || f.Type != macho.TypeExec {
			t.Errorf("%s: cpu %v, type %v; want an arm64 executable", name(other), f.Cpu, f.Type)
		}
	}
}
