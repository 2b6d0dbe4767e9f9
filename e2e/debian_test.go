package e2e

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/repobuild/repobuild/builder"
)

// distroField is a field of the distro's definition, as `repobuild
// distros --format` prints it.
func (e env) distroField(t *testing.T, distro, format string) string {
	t.Helper()
	stdout, stderr, err := e.repobuild(t, "distros", "--distro", distro, "--format", format)
	if err != nil {
		t.Fatalf("repobuild distros: %v\n%s", err, stderr)
	}
	return strings.TrimSpace(stdout)
}

// baseImage is the distro's base image as the tests' registry serves it.
func (e env) baseImage(t *testing.T, distro string) string {
	t.Helper()
	ref, err := builder.MirrorRef(e.distroField(t, distro, "{{.Image}}"), e.mirror)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestDebianOfflineInstall builds the example packages.yaml for debian12,
// amd64 and arm64 in one call, and installs every requested package from
// the result in a clean debian12 container of each architecture with the
// network off.
func TestDebianOfflineInstall(t *testing.T) {
	e := setup(t)
	e.buildAndInstall(t, "debian12", []string{"amd64", "arm64"}, filepath.Join(e.root, "packages.yaml"))
}

// buildAndInstall builds pkgs for distro and arches in one call and
// installs it offline on every architecture (build, install). It returns
// the output directory.
func (e env) buildAndInstall(t *testing.T, distro string, arches []string, pkgs string, args ...string) string {
	t.Helper()
	out := e.build(t, distro, arches, pkgs, args...)
	e.install(t, distro, arches, pkgs, out)
	return out
}

// build builds pkgs for distro and arches in one call into a fresh
// directory, checks its Release, and returns the directory.
func (e env) build(t *testing.T, distro string, arches []string, pkgs string, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	_, stderr, err := e.repobuild(t, append([]string{"--distro", distro, "--arch", strings.Join(arches, ","), "-f", pkgs, "-o", out,
		"--registry-mirror", e.mirror, "--progress", "plain"}, args...)...)
	if err != nil {
		t.Fatalf("repobuild: %v\n%s", err, stderr)
	}
	path, codename := e.distroField(t, distro, "{{.Path}}"), e.distroField(t, distro, "{{.Codename}}")
	checkRelease(t, filepath.Join(out, path, "dists", codename), arches)
	return out
}

// install installs every package `plan` lists for distro on each of
// arches, from the tree in out, in a clean container of the distro's image
// with the network off.
func (e env) install(t *testing.T, distro string, arches []string, pkgs, out string) {
	t.Helper()
	path, codename := e.distroField(t, distro, "{{.Path}}"), e.distroField(t, distro, "{{.Codename}}")
	image := e.baseImage(t, distro)
	sources := "deb [trusted=yes] file:/repo/" + path + " " + codename + " main"
	t.Run("install", func(t *testing.T) {
		for _, target := range e.plan(t, "--distro", distro, "--arch", strings.Join(arches, ","), "-f", pkgs) {
			t.Run(target.Arch, func(t *testing.T) {
				t.Parallel()
				var names []string
				for _, p := range target.Packages {
					names = append(names, p.Spec)
				}
				status := e.installCheck(t, image, target.Arch, out, sources, names)
				for _, n := range names {
					if !strings.HasSuffix(status[n], "install ok installed") {
						t.Errorf("%s on %s: %q, want installed", n, target.Arch, status[n])
					}
				}
			})
		}
	})
}

// checkRelease checks what apt will: Release names every architecture and
// its SHA256 section matches each index file.
func checkRelease(t *testing.T, dist string, arches []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dist, "Release"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fields := map[string]string{}
	listed := map[string]bool{}
	inSHA256 := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, " ") {
			k, v, _ := strings.Cut(line, ":")
			fields[k] = strings.TrimSpace(v)
			inSHA256 = k == "SHA256"
			continue
		}
		if !inSHA256 {
			continue
		}
		parts := strings.Fields(line)
		if len(parts) != 3 {
			t.Fatalf("Release: malformed SHA256 line %q", line)
		}
		data, err := os.ReadFile(filepath.Join(dist, parts[2]))
		if err != nil {
			t.Errorf("Release lists %s: %v", parts[2], err)
			continue
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != parts[0] || strconv.Itoa(len(data)) != parts[1] {
			t.Errorf("Release: %s does not match its SHA256 or size", parts[2])
		}
		listed[parts[2]] = true
	}
	if got := strings.Fields(fields["Architectures"]); !reflect.DeepEqual(got, arches) {
		t.Errorf("Release Architectures = %v, want %v", got, arches)
	}
	for _, k := range []string{"Suite", "Codename", "Components"} {
		if fields[k] == "" {
			t.Errorf("Release has no %s", k)
		}
	}
	for _, a := range arches {
		for _, idx := range []string{"Packages", "Packages.gz"} {
			if p := "main/binary-" + a + "/" + idx; !listed[p] {
				t.Errorf("Release does not list %s", p)
			}
		}
	}
}

// TestDebianBadRequest asks for what does not exist and checks that the
// build fails naming distro, architecture, package and packages.yaml line,
// and leaves the output as it was.
func TestDebianBadRequest(t *testing.T) {
	e := setup(t)
	tests := []struct {
		name     string
		yaml     string
		wantLine string
		want     []string
	}{
		{
			name:     "missing name",
			yaml:     "common:\n  - curl\n  - repobuild-no-such-package\n",
			wantLine: "packages.yaml:3:5",
			want:     []string{"debian12/amd64", "repobuild-no-such-package", "Unable to locate package repobuild-no-such-package"},
		},
		{
			name:     "pin matching nothing",
			yaml:     "apt:\n  - socat\n  - curl=0.0.1-repobuild\n",
			wantLine: "packages.yaml:3:5",
			want:     []string{"debian12/amd64", "curl=0.0.1-repobuild", "Version '0.0.1-repobuild' for 'curl' was not found"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			pkgs := filepath.Join(dir, "packages.yaml")
			if err := os.WriteFile(pkgs, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out")
			if err := os.MkdirAll(filepath.Join(out, "debian"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(out, "debian", "marker"), []byte("from an earlier build"), 0o644); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)

			_, stderr, err := e.repobuild(t, "--distro", "debian12", "--arch", "amd64", "-f", pkgs, "-o", out,
				"--registry-mirror", e.mirror, "--progress", "quiet")
			var exit *exec.ExitError
			if err == nil || !asExit(err, &exit) || exit.ExitCode() == 0 {
				t.Fatalf("repobuild succeeded (%v), want a non-zero exit\n%s", err, stderr)
			}
			for _, w := range append(tt.want, tt.wantLine) {
				if !strings.Contains(stderr, w) {
					t.Errorf("error does not say %q:\n%s", w, stderr)
				}
			}
			if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
				t.Errorf("the failed build changed %s:\nbefore %v\nafter  %v", dir, keys(before), keys(after))
			}
		})
	}
}

func asExit(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
