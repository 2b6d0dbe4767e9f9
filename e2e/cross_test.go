package e2e

import (
	"bufio"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestCrossMatchesEmulated builds debian12/arm64 twice, once with apt
// running natively and told the target architecture (the default) and once
// under QEMU (--emulate), and checks that both repositories offer the same
// packages, versions and files.
func TestCrossMatchesEmulated(t *testing.T) {
	e := setup(t)
	pkgs := filepath.Join(e.root, "packages.yaml")
	index := map[string]map[string]string{}
	for _, mode := range []string{"cross", "emulated"} {
		out := filepath.Join(t.TempDir(), "out")
		args := []string{"--distro", "debian12", "--arch", "arm64", "-f", pkgs, "-o", out,
			"--registry-mirror", e.mirror, "--progress", "plain"}
		if mode == "emulated" {
			args = append(args, "--emulate")
		}
		_, stderr, err := e.repobuild(t, args...)
		if err != nil {
			t.Fatalf("%s build: %v\n%s", mode, err, stderr)
		}
		index[mode] = packagesIndex(t, filepath.Join(out, "debian/dists/bookworm/main/binary-arm64/Packages"))
	}
	cross, emulated := index["cross"], index["emulated"]
	if len(cross) == 0 {
		t.Fatal("the cross build indexed no package")
	}
	if !maps.Equal(cross, emulated) {
		for _, k := range slices.Sorted(maps.Keys(cross)) {
			if emulated[k] != cross[k] {
				t.Errorf("%s: cross %q, emulated %q", k, cross[k], emulated[k])
			}
		}
		for k := range emulated {
			if _, ok := cross[k]; !ok {
				t.Errorf("%s: only in the emulated build", k)
			}
		}
	}
}

// packagesIndex reads an apt Packages file: package → "version sha256".
func packagesIndex(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	var name, version, sum string
	flush := func() {
		if name != "" {
			out[name] = version + " " + sum
		}
		name, version, sum = "", "", ""
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			flush()
			continue
		}
		k, v, _ := strings.Cut(line, ": ")
		switch k {
		case "Package":
			name = v
		case "Version":
			version = v
		case "SHA256":
			sum = v
		}
	}
	flush()
	return out
}

// TestCacheExportImport is the CI runner's case: a build exports its cache,
// the builder loses everything, and the next build imports the cache and
// resolves nothing again.
func TestCacheExportImport(t *testing.T) {
	e := setup(t)
	dir := t.TempDir()
	pkgs := filepath.Join(dir, "packages.yaml")
	if err := os.WriteFile(pkgs, []byte("common: [socat, jq]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(dir, "cache")
	build := func(name string, extra ...string) metadata {
		t.Helper()
		meta := filepath.Join(dir, name+".json")
		args := append([]string{"--distro", "debian12", "--arch", "amd64", "-f", pkgs, "-o", filepath.Join(dir, name),
			"--registry-mirror", e.mirror, "--progress", "plain", "--metadata-file", meta}, extra...)
		if _, stderr, err := e.repobuild(t, args...); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, stderr)
		}
		return readMetadata(t, meta)
	}
	e.prune(t)
	first := build("first", "--cache-to", "type=local,dest="+cache+",mode=max")
	if first.Targets[0].Cached {
		t.Fatal("a build after a prune reported a cache hit")
	}
	e.prune(t)
	second := build("second", "--cache-from", "type=local,src="+cache)
	if !second.Targets[0].Cached || second.Targets[0].Downloaded != 0 {
		t.Errorf("after import: cached=%v downloaded=%d, want a cache hit that downloads nothing",
			second.Targets[0].Cached, second.Targets[0].Downloaded)
	}
	if a, b := lockFiles(first), lockFiles(second); !slices.Equal(a, b) || len(a) == 0 {
		t.Errorf("the imported build has other packages:\n%v\n%v", a, b)
	}
}

// TestIncrementalDownloads: adding a package downloads its new closure and
// nothing else, and --no-cache resolves again without downloading again
// what the package cache holds.
func TestIncrementalDownloads(t *testing.T) {
	e := setup(t)
	incremental(t, e, t.TempDir(), []string{"--distro", "debian12", "--arch", "amd64", "--registry-mirror", e.mirror},
		"socat", "socat, jq")
}

// incremental builds into dir, after a prune and with args, `common:
// [first]`, then `common: [plus]`, then plus again with --no-cache. It
// checks that the first build downloads everything, the second only the
// closure that plus adds, and the third, which resolves again, nothing. It
// returns its builder, for further builds: packages.yaml `common: [list]`
// into dir/name.
func incremental(t *testing.T, e env, dir string, args []string, first, plus string) func(name, list string, extra ...string) metadata {
	t.Helper()
	build := func(name, list string, extra ...string) metadata {
		t.Helper()
		pkgs := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(pkgs, []byte("common: ["+list+"]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		meta := filepath.Join(dir, name+".json")
		all := append(append([]string{"-f", pkgs, "-o", filepath.Join(dir, name), "--progress", "plain", "--metadata-file", meta},
			args...), extra...)
		if _, stderr, err := e.repobuild(t, all...); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, stderr)
		}
		return readMetadata(t, meta)
	}
	e.prune(t)
	before := build("first", first)
	if before.Targets[0].Cached || before.Targets[0].Downloaded != before.Targets[0].Bytes {
		t.Fatalf("after a prune: cached=%v, downloaded %d of %d bytes, want everything downloaded",
			before.Targets[0].Cached, before.Targets[0].Downloaded, before.Targets[0].Bytes)
	}
	after := build("plus", plus)
	had := map[string]bool{}
	for _, l := range before.Targets[0].Lock {
		had[l.File] = true
	}
	var closure int64
	for _, l := range after.Targets[0].Lock {
		if !had[l.File] {
			closure += l.Size
		}
	}
	if closure == 0 || after.Targets[0].Downloaded != closure {
		t.Errorf("going from [%s] to [%s] downloaded %d bytes, want the new closure: %d bytes",
			first, plus, after.Targets[0].Downloaded, closure)
	}
	again := build("again", plus, "--no-cache")
	if again.Targets[0].Cached {
		t.Error("--no-cache: the resolve step was a cache hit")
	}
	if again.Targets[0].Downloaded != 0 {
		t.Errorf("--no-cache downloaded %d bytes again; the package cache holds them all", again.Targets[0].Downloaded)
	}
	if a, b := lockFiles(after), lockFiles(again); !slices.Equal(a, b) {
		t.Errorf("--no-cache resolved other packages:\n%v\n%v", a, b)
	}
	return build
}

type metadata struct {
	Targets []struct {
		Distro     string `json:"distro"`
		Arch       string `json:"arch"`
		Cached     bool   `json:"cached"`
		Downloaded int64  `json:"downloaded"`
		Bytes      int64  `json:"bytes"`
		Lock       []struct {
			File   string `json:"file"`
			Size   int64  `json:"size"`
			SHA256 string `json:"sha256"`
		} `json:"lock"`
	} `json:"targets"`
}

func readMetadata(t *testing.T, path string) metadata {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m metadata
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Targets) == 0 {
		t.Fatalf("%s lists no target", path)
	}
	return m
}

func lockFiles(m metadata) []string {
	var out []string
	for _, l := range m.Targets[0].Lock {
		out = append(out, l.File+" "+l.SHA256)
	}
	slices.Sort(out)
	return out
}

// TestCrossWithoutEmulator switches off the kernel's QEMU handler for arm64
// binaries, so that no arm64 program can run on this machine, and builds
// debian12/arm64: resolving for another architecture runs nothing of it.
// --emulate, which does run arm64's apt, must then fail.
func TestCrossWithoutEmulator(t *testing.T) {
	e := setup(t)
	if runtime.GOARCH != "amd64" {
		t.Skip("the test switches off the arm64 emulator of an amd64 machine")
	}
	const handler = "/proc/sys/fs/binfmt_misc/qemu-aarch64"
	if state, err := os.ReadFile(handler); err == nil && strings.HasPrefix(string(state), "enabled") {
		if err := os.WriteFile(handler, []byte("0"), 0o644); err != nil {
			t.Fatalf("switching off %s: %v", handler, err)
		}
		t.Cleanup(func() {
			if err := os.WriteFile(handler, []byte("1"), 0o644); err != nil {
				t.Errorf("switching %s back on: %v", handler, err)
			}
		})
	}
	dir := t.TempDir()
	pkgs := filepath.Join(dir, "packages.yaml")
	if err := os.WriteFile(pkgs, []byte("common: [socat]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	build := func(name string, extra ...string) error {
		t.Helper()
		args := append([]string{"--distro", "debian12", "--arch", "arm64", "-f", pkgs, "-o", filepath.Join(dir, name),
			"--registry-mirror", e.mirror, "--progress", "plain", "--no-cache"}, extra...)
		_, stderr, err := e.repobuild(t, args...)
		if err != nil {
			return &buildError{err: err, stderr: lastLines(stderr, 15)}
		}
		return nil
	}
	if err := build("cross"); err != nil {
		t.Fatalf("cross build without an arm64 emulator: %v", err)
	}
	index := packagesIndex(t, filepath.Join(dir, "cross", "debian/dists/bookworm/main/binary-arm64/Packages"))
	if _, ok := index["socat"]; !ok {
		t.Errorf("the arm64 index has no socat: %v", slices.Sorted(maps.Keys(index)))
	}
	err := build("emulated", "--emulate")
	if err == nil {
		t.Fatal("--emulate succeeded with the arm64 emulator switched off: is the test's switch broken?")
	}
	// BuildKit runs the arm64 apt and the kernel refuses it; or, on a
	// machine whose buildkitd never saw an emulator, repobuild refuses first.
	if !strings.Contains(err.Error(), "exec format error") && !strings.Contains(err.Error(), "needs QEMU") {
		t.Errorf("--emulate failed, but not for want of an arm64 emulator: %v", err)
	}
}
