package e2e

import (
	"bufio"
	"maps"
	"os"
	"path/filepath"
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
