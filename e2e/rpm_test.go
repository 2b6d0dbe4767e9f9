package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/tonistiigi/fsutil"

	"github.com/repobuild/repobuild/builder"
	"github.com/repobuild/repobuild/builder/lock"
	"github.com/repobuild/repobuild/builder/solve"
)

// No RPM mirror is reachable from the test machines. These tests build a
// fixture world of signed rpms (testdata/rpmworld), serve it on 127.0.0.1
// and run Debian's real dnf against it, in a stand-in base image, through
// the same builder code path as the RPM distros, selected by a distro
// definition (testdata/rpmworld/distros/fixture9.yaml).

// standinImage is the stand-in for an RPM distro image: Debian with dnf,
// rpm and createrepo_c (e2e/testdata/standin).
const standinImage = "docker.io/repobuild/dnf-standin:bookworm"

// fixture is a served rpmworld.
type fixture struct {
	dir string // the world: base/, modular/, RPM-GPG-KEY-fixture
	url string // http://127.0.0.1:PORT, for --mirror
	// distros is the --distros-dir of the fixture distro, fixture9, an
	// EL9-like distro resolved by Debian's dnf. Its own mirror is dead, as
	// an end-of-life distro's would be: builds pass --mirror url.
	distros string
	// packages is a packages.yaml for it (testdata/rpmworld/packages.yaml).
	packages string
}

// serveFixture builds the fixture world and serves it on 127.0.0.1 until
// the test ends.
func serveFixture(t *testing.T, e env) fixture {
	t.Helper()
	world := filepath.Join(e.root, "testdata", "rpmworld")
	dir := filepath.Join(t.TempDir(), "world")
	cmd := exec.Command(filepath.Join(world, "build.sh"), dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the fixture world: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return fixture{dir: dir, url: "http://" + l.Addr().String(),
		distros: filepath.Join(world, "distros"), packages: filepath.Join(world, "packages.yaml")}
}

// packagesFile writes packages.yaml: body after the extra repository of
// the modular packages, verified against key (a file name in the world).
func (fx fixture) packagesFile(t *testing.T, key string, repoGPGCheck bool, body string) string {
	t.Helper()
	yaml := fmt.Sprintf(`repobuild:
  repos:
    - id: fx-modular
      baseurl: %s/modular/
      gpgkey: %s/%s
      repo_gpgcheck: %t
%s`, fx.url, fx.url, key, repoGPGCheck, body)
	dir := t.TempDir()
	path := filepath.Join(dir, "packages.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// ensureStandin pushes the stand-in image, for amd64 and arm64, to the
// test registry unless it is there, bootstrapping it with `repobuild base`.
func (e env) ensureStandin(t *testing.T) {
	t.Helper()
	ref, err := builder.MirrorRef(standinImage, e.mirror)
	if err != nil {
		t.Fatal(err)
	}
	arches := []string{"amd64", "arm64"}
	repo, tag, _ := strings.Cut(strings.TrimPrefix(ref, e.mirror+"/"), ":")
	req, err := http.NewRequest(http.MethodGet, "http://"+e.mirror+"/v2/"+repo+"/manifests/"+tag, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.oci.image.index.v1+json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		var index struct {
			Manifests []struct {
				Platform struct{ Architecture string }
			}
		}
		err := json.NewDecoder(resp.Body).Decode(&index)
		resp.Body.Close()
		var have []string
		for _, m := range index.Manifests {
			have = append(have, m.Platform.Architecture)
		}
		if err == nil && resp.StatusCode == http.StatusOK && !slices.ContainsFunc(arches, func(a string) bool { return !slices.Contains(have, a) }) {
			return
		}
	}
	// scripts/test.sh bootstraps it beforehand; an arm64 bootstrap under
	// QEMU may take longer than e.repobuild allows.
	t.Logf("bootstrapping %s (%s)", ref, strings.Join(arches, ", "))
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, "base", "--distros-dir", filepath.Join(e.root, "e2e", "testdata", "standin"),
		"--distro", "dnf-standin", "--arch", strings.Join(arches, ","), "--push", ref, "--progress", "plain")
	cmd.Env = append(os.Environ(), "BUILDKIT_HOST="+e.addr)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("repobuild base: %v\n%s", err, lastLines(string(out), 40))
	}
}

// rpmExpected is the closure of testdata/rpmworld/packages.yaml per architecture: every
// package and version that must be installed, and nothing else.
var rpmExpected = map[string][]string{
	"x86_64": {"fx-app 0:1.0-1", "fx-data 0:1.0-1", "fx-epoch 3:24.0.9-1", "fx-lib 0:2.0-1", "fx-libc 0:2.34-1",
		"fx-modpkg 0:1.0-1.module+fx1", "fx-postfix 0:3.5.8-1", "fx-tool 0:1.0-1"},
	"aarch64": {"fx-app 0:1.0-1", "fx-data 0:1.0-1", "fx-epoch 3:24.0.9-1", "fx-lib 0:2.0-1", "fx-libc 0:2.34-1",
		"fx-modpkg 0:1.0-1.module+fx1", "fx-postfix 0:3.5.8-1"},
}

// TestRPMFixtureOfflineInstall builds the fixture distro for x86_64 and
// aarch64 in one call and installs the requests from the result with dnf
// and the network off, checking every package and dependency, the pinned
// versions, the module stream, comps groups and advisories.
func TestRPMFixtureOfflineInstall(t *testing.T) {
	e := setup(t)
	e.ensureStandin(t)
	fx := serveFixture(t, e)
	distrosDir := fx.distros
	pkgs := fx.packages
	out := filepath.Join(t.TempDir(), "out")
	stdout, stderr, err := e.repobuild(t, "--distros-dir", distrosDir, "--distro", "fixture9", "--arch", "amd64,arm64",
		"-f", pkgs, "-o", out, "--mirror", fx.url, "--registry-mirror", e.mirror, "--progress", "plain")
	if err != nil {
		t.Fatalf("repobuild: %v\n%s", err, stderr)
	}
	t.Log(stdout)
	for _, w := range []string{
		`target=fixture9/amd64 package=fx-nosuch reason="No match for argument: fx-nosuch"`,
		`target=fixture9/arm64 package=fx-tool reason="Problem: conflicting requests - package fx-tool-1.0-1.x86_64 does not have a compatible architecture"`,
	} {
		if !strings.Contains(stderr, w) {
			t.Errorf("the build does not warn %s", w)
		}
	}

	var specs []string
	for _, p := range e.plan(t, "--distros-dir", distrosDir, "--distro", "fixture9", "-f", pkgs)[0].Packages {
		specs = append(specs, p.Spec)
	}
	for arch, want := range rpmExpected {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			tree := filepath.Join(out, "fixture", "9", "os", arch)
			types := repomdTypes(t, tree)
			for _, typ := range []string{"primary", "filelists", "other", "modules", "group", "updateinfo"} {
				if !slices.Contains(types, typ) {
					t.Errorf("%s/repodata/repomd.xml has no %s metadata (it has %v)", tree, typ, types)
				}
			}
			var install []string
			for _, s := range specs {
				if s != "fx-nosuch" && (s != "fx-tool" || arch == "x86_64") {
					install = append(install, s)
				}
			}
			lockArch := map[string]string{"x86_64": "amd64", "aarch64": "arm64"}[arch]
			checkLockURIs(t, filepath.Join(out, ".repobuild", "fixture9-"+lockArch+".lock"), fx.url)
			res := e.dnfOffline(t, arch, out, filepath.Join(fx.dir, "RPM-GPG-KEY-fixture"), install)
			if got := strings.Fields(strings.ReplaceAll(res["installed"], " ", "_")); !reflect.DeepEqual(got, underscored(want)) {
				t.Errorf("installed on %s:\n%s\nwant exactly:\n%s", arch, res["installed"], strings.Join(want, "\n"))
			}
			if !strings.Contains(res["modules"], "fxmod") || !strings.Contains(res["modules"], "[e]") {
				t.Errorf("module fxmod is not enabled:\n%s", res["modules"])
			}
			if !strings.Contains(res["group"], "Group: Fixture group") || !strings.Contains(res["group"], "fx-app") {
				t.Errorf("comps group fx-group is not in the repository:\n%s", res["group"])
			}
			// Only the advisory naming a package of the closure (fx-libc
			// 2.34) is kept; the one for fx-lib 2.1 is not.
			if !strings.Contains(res["updateinfo"], "FXBA-2024:0001") || strings.Contains(res["updateinfo"], "FXBA-2024:0002") {
				t.Errorf("advisories: want FXBA-2024:0001 alone:\n%s", res["updateinfo"])
			}
		})
	}
}

// TestRPMDockerfileBuild builds the Dockerfile `repobuild dockerfile`
// writes for the fixture distro with BuildKit's own Dockerfile frontend, and
// checks that it gives what repobuild gives: the same packages, and
// repodata with modules, groups and advisories.
func TestRPMDockerfileBuild(t *testing.T) {
	e := setup(t)
	e.ensureStandin(t)
	fx := serveFixture(t, e)
	common := []string{"--distros-dir", fx.distros, "--distro", "fixture9", "--arch", "amd64,arm64", "-f", fx.packages, "--mirror", fx.url}
	dockerfile, stderr, err := e.repobuild(t, append([]string{"dockerfile"}, common...)...)
	if err != nil {
		t.Fatalf("repobuild dockerfile: %v\n%s", err, stderr)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	image, err := builder.MirrorRef(standinImage, e.mirror)
	if err != nil {
		t.Fatal(err)
	}
	dfOut := e.buildDockerfile(t, dir, image)
	for _, arch := range []string{"amd64", "arm64"} {
		// The Dockerfile's tree has its locks too.
		checkLockURIs(t, filepath.Join(dfOut, ".repobuild", "fixture9-"+arch+".lock"), fx.url)
	}

	out := filepath.Join(t.TempDir(), "out")
	if _, stderr, err := e.repobuild(t, append(common, "-o", out, "--registry-mirror", e.mirror, "--progress", "quiet")...); err != nil {
		t.Fatalf("repobuild: %v\n%s", err, stderr)
	}
	for _, arch := range []string{"x86_64", "aarch64"} {
		tree := filepath.Join("fixture", "9", "os", arch)
		list := func(root string) []string {
			entries, err := os.ReadDir(filepath.Join(root, tree, "Packages"))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, en := range entries {
				names = append(names, en.Name())
			}
			return names
		}
		got, want := list(dfOut), list(out)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: the Dockerfile's Packages has %d rpms, repobuild's %d; differing: %v", arch, len(got), len(want), symmetricDiff(got, want))
		}
		if got, want := repomdTypes(t, filepath.Join(dfOut, tree)), repomdTypes(t, filepath.Join(out, tree)); !slices.Equal(got, want) {
			t.Errorf("%s: the Dockerfile's repodata has %v, repobuild's %v", arch, got, want)
		}
	}
}

// readLock reads and checks a tree's lock.
func readLock(t *testing.T, file string) lock.Lock {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	l, err := lock.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return l
}

// checkLockURIs checks that every package of a lock names a URI on the
// mirror that serves exactly the locked file: its size and SHA256.
func checkLockURIs(t *testing.T, file, mirror string) {
	t.Helper()
	l := readLock(t, file)
	if len(l.Packages) == 0 {
		t.Fatalf("%s is empty", file)
	}
	for _, p := range l.Packages {
		if !strings.HasPrefix(p.URI, mirror+"/") || path.Base(p.URI) != path.Base(p.File) {
			t.Errorf("%s: %+v does not name its package's URI on %s", file, p, mirror)
			continue
		}
		resp, err := http.Get(p.URI)
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("%s: GET %s: %s %v", file, p.URI, resp.Status, err)
			continue
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(body)); got != p.SHA256 || int64(len(body)) != p.Size {
			t.Errorf("%s: %s serves %d bytes %s, the lock says %d %s", file, p.URI, len(body), got, p.Size, p.SHA256)
		}
	}
}

func underscored(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.ReplaceAll(l, " ", "_")
	}
	return out
}

// repomdTypes returns the metadata types repodata/repomd.xml lists.
func repomdTypes(t *testing.T, tree string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(tree, "repodata", "repomd.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, part := range strings.Split(string(data), `<data type="`)[1:] {
		typ, _, _ := strings.Cut(part, `"`)
		types = append(types, typ)
	}
	return types
}

// dnfOffline installs pkgs for arch with dnf in the stand-in image, the
// network off, from the tree in dir alone through one .repo file that
// uses $releasever and $basearch, checking signatures with key. It returns
// the installed packages ("NAME EPOCH:VERSION-RELEASE" a line, sorted) and
// what dnf says of the module streams, the comps group and the advisories.
func (e env) dnfOffline(t *testing.T, arch, dir, key string, pkgs []string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := client.New(ctx, e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	image, err := builder.MirrorRef(standinImage, e.mirror)
	if err != nil {
		t.Fatal(err)
	}
	script := `set -eu
export HOME=/tmp/home
mkdir -p $HOME /tmp/repos /tmp/root
echo '%_dbpath /var/lib/rpm' > $HOME/.rpmmacros
cat > /tmp/repos/offline.repo <<'EOF'
[offline]
name=offline
baseurl=file:///repo/fixture/$releasever/os/$basearch/
gpgcheck=1
gpgkey=file:///key/RPM-GPG-KEY-fixture
EOF
rpm --root /tmp/root --initdb
dnf_() {
	dnf -y --setopt=reposdir=/tmp/repos --setopt=plugins=0 --setopt=module_platform_id=platform:el9 \
		--installroot=/tmp/root --releasever=9 --forcearch=$ARCH "$@"
}
dnf_ --setopt=tsflags=noscripts install $PACKAGES
rpm --root /tmp/root -qa --qf '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\n' | grep -v '^gpg-pubkey ' | sort > /result/installed
dnf_ module list > /result/modules
dnf_ group info fx-group > /result/group
dnf_ updateinfo list --all > /result/updateinfo
`
	repo, err := fsutil.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := fsutil.NewFS(filepath.Dir(key))
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]string{}
	build := func(ctx context.Context, gc gwclient.Client) (*gwclient.Result, error) {
		p := ocispecs.Platform{OS: "linux", Architecture: runtime.GOARCH}
		st := llb.Image(image, llb.Platform(p)).Run(
			llb.Args([]string{"/bin/sh", "-c", script}),
			llb.AddEnv("ARCH", arch),
			llb.AddEnv("PACKAGES", strings.Join(pkgs, " ")),
			llb.AddEnv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
			llb.AddMount("/repo", llb.Local("repo"), llb.Readonly),
			llb.AddMount("/key", llb.Local("key", llb.IncludePatterns([]string{filepath.Base(key)})), llb.Readonly),
			llb.Network(llb.NetModeNone),
			llb.IgnoreCache,
			llb.WithCustomName("offline dnf install for "+arch),
		).AddMount("/result", llb.Scratch())
		def, err := st.Marshal(ctx, llb.Platform(p))
		if err != nil {
			return nil, err
		}
		res, err := gc.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
		if err != nil {
			return nil, err
		}
		ref, err := res.SingleRef()
		if err != nil {
			return nil, err
		}
		for _, name := range []string{"installed", "modules", "group", "updateinfo"} {
			data, err := ref.ReadFile(ctx, gwclient.ReadRequest{Filename: "/" + name})
			if err != nil {
				return nil, err
			}
			results[name] = string(data)
		}
		return gwclient.NewResult(), nil
	}
	_, err = solve.Run(ctx, c, build, solve.Options{
		Progress:    "plain",
		ProgressOut: testWriter{t},
		LocalMounts: map[string]fsutil.FS{"repo": repo, "key": keys},
	})
	if err != nil {
		t.Fatalf("offline dnf install for %s: %v", arch, err)
	}
	return results
}

// TestRPMIncrementalDownloads: on the fixture distro, adding a package
// downloads its new closure and nothing else, --no-cache downloads nothing
// again, and what the package cache holds that no longer matches the
// repository (the world rebuilt under a new key: the same file names, other
// bytes) is downloaded again, never published.
func TestRPMIncrementalDownloads(t *testing.T) {
	e := setup(t)
	e.ensureStandin(t)
	fx := serveFixture(t, e)
	dir := t.TempDir()
	// fx-app brings fx-lib and fx-data with it; its fx-postfix and fx-libc
	// are in the cache.
	build := incremental(t, e, dir, []string{"--distros-dir", fx.distros, "--distro", "fixture9", "--arch", "amd64",
		"--mirror", fx.url, "--registry-mirror", e.mirror}, "fx-postfix", "fx-postfix, fx-app")

	cmd := exec.Command(filepath.Join(e.root, "testdata", "rpmworld", "build.sh"), fx.dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rebuilding the fixture world: %v\n%s", err, out)
	}
	rebuilt := build("rebuilt", "fx-postfix, fx-app", "--no-cache")
	if got := rebuilt.Targets[0]; got.Downloaded != got.Bytes {
		t.Errorf("every package changed upstream, and %d of %d bytes were downloaded: stale copies from the cache were used",
			got.Downloaded, got.Bytes)
	}
	if len(rebuilt.Targets[0].Lock) != 5 {
		t.Errorf("%d packages locked, want 5: %v", len(rebuilt.Targets[0].Lock), lockFiles(rebuilt))
	}
	for _, l := range rebuilt.Targets[0].Lock {
		got, err := os.ReadFile(filepath.Join(dir, "rebuilt", "fixture", "9", "os", "x86_64", l.File))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(fx.dir, "base", "Packages", filepath.Base(l.File)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s in the repository is not the one upstream serves", l.File)
		}
	}
}

// TestRPMFixtureBadRequest asks for what the fixture world does not have,
// and for packages whose extra repository names the wrong key: the build
// fails naming distro, architecture, package and packages.yaml line (or
// the signature), and leaves the output as it was.
func TestRPMFixtureBadRequest(t *testing.T) {
	e := setup(t)
	e.ensureStandin(t)
	fx := serveFixture(t, e)
	distrosDir := fx.distros
	otherKey := "RPM-GPG-KEY-other"
	if err := otherKeyFile(t, filepath.Join(fx.dir, otherKey)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		key  string
		yaml string
		want []string
	}{
		{
			name: "missing name",
			key:  "RPM-GPG-KEY-fixture",
			yaml: "common:\n  - fx-app\n  - fx-nosuch\n",
			want: []string{"fixture9/amd64", "fx-nosuch", "packages.yaml:9:5", "No match for argument: fx-nosuch"},
		},
		{
			name: "pin matching nothing",
			key:  "RPM-GPG-KEY-fixture",
			yaml: "dnf:\n  - fx-app\n  - fx-lib-9.9-1\n",
			want: []string{"fixture9/amd64", "fx-lib-9.9-1", "packages.yaml:9:5", "No match for argument: fx-lib-9.9-1"},
		},
		{
			name: "pin that breaks a dependency",
			key:  "RPM-GPG-KEY-fixture",
			yaml: "dnf:\n  - fx-app\n  - fx-lib-1.0-1\n",
			want: []string{"fixture9/amd64", "requires fx-lib >= 2.0"},
		},
		{
			name: "extra repository signed by another key",
			key:  otherKey,
			yaml: "common:\n  - fx-modpkg\n",
			want: []string{"fixture9/amd64", "fx-modpkg", "GPG check FAILED"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkgs := fx.packagesFile(t, tt.key, false, tt.yaml)
			dir := filepath.Dir(pkgs)
			out := filepath.Join(dir, "out")
			if err := os.MkdirAll(filepath.Join(out, "fixture"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(out, "fixture", "marker"), []byte("from an earlier build"), 0o644); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)
			_, stderr, err := e.repobuild(t, "--distros-dir", distrosDir, "--distro", "fixture9", "--arch", "amd64",
				"-f", pkgs, "-o", out, "--mirror", fx.url, "--registry-mirror", e.mirror, "--progress", "plain")
			var exit *exec.ExitError
			if err == nil || !errors.As(err, &exit) || exit.ExitCode() == 0 {
				t.Fatalf("repobuild succeeded (%v), want a non-zero exit\n%s", err, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("the output does not say %q:\n%s", w, lastLines(stderr, 30))
				}
			}
			if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
				t.Errorf("the failed build changed %s:\nbefore %v\nafter  %v", dir, keys(before), keys(after))
			}
		})
	}
}

// otherKeyFile writes a public key that signed nothing of the fixture.
func otherKeyFile(t *testing.T, path string) error {
	home := t.TempDir()
	gpg := func(args ...string) ([]byte, error) {
		cmd := exec.Command("gpg", append([]string{"--batch", "--homedir", home}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("gpg %v: %w", args, err)
		}
		return out, nil
	}
	t.Cleanup(func() { _ = exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run() })
	if _, err := gpg("--passphrase", "", "--quick-gen-key", "other <other@example.invalid>", "rsa2048", "sign", "never"); err != nil {
		return err
	}
	key, err := gpg("--armor", "--export", "other@example.invalid")
	if err != nil {
		return err
	}
	return os.WriteFile(path, key, 0o644)
}

// TestRPMFixtureEmulated builds aarch64 with dnf running on aarch64 under
// QEMU, the way the builder runs package managers that cannot resolve for
// a foreign architecture (EL7's yum): the repository must hold the same
// packages as the one dnf resolves natively with --forcearch, and install
// offline.
func TestRPMFixtureEmulated(t *testing.T) {
	e := setup(t)
	e.ensureStandin(t)
	fx := serveFixture(t, e)
	distrosDir := fx.distros
	pkgs := fx.packages
	trees, outs := map[string]string{}, map[string]string{}
	for _, mode := range []string{"cross", "emulated"} {
		out := filepath.Join(t.TempDir(), "out")
		args := []string{"--distros-dir", distrosDir, "--distro", "fixture9", "--arch", "arm64", "-f", pkgs, "-o", out,
			"--mirror", fx.url, "--registry-mirror", e.mirror, "--progress", "plain"}
		if mode == "emulated" {
			args = append(args, "--emulate")
		}
		_, stderr, err := e.repobuild(t, args...)
		if err != nil {
			t.Fatalf("repobuild (%s): %v\n%s", mode, err, stderr)
		}
		if want := "[fixture9/arm64] resolve and download 6 packages (" + mode + ")"; !strings.Contains(stderr, want) {
			t.Errorf("the %s build does not say %q", mode, want)
		}
		outs[mode] = out
		trees[mode] = filepath.Join(out, "fixture", "9", "os", "aarch64")
	}
	list := func(dir string) []string {
		entries, err := os.ReadDir(filepath.Join(dir, "Packages"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	if cross, emulated := list(trees["cross"]), list(trees["emulated"]); !reflect.DeepEqual(cross, emulated) {
		t.Errorf("emulated aarch64 packages %v, cross %v", emulated, cross)
	}
	if types := repomdTypes(t, trees["emulated"]); !slices.Contains(types, "modules") {
		t.Errorf("the emulated repository has no modules metadata: %v", types)
	}
	res := e.dnfOffline(t, "aarch64", outs["emulated"],
		filepath.Join(fx.dir, "RPM-GPG-KEY-fixture"), []string{"fx-app", "fx-lib-2.0-1", "fx-modpkg", "fx-epoch-3:24.0.9-1"})
	if got := strings.Fields(strings.ReplaceAll(res["installed"], " ", "_")); !reflect.DeepEqual(got, underscored(rpmExpected["aarch64"])) {
		t.Errorf("installed from the emulated build:\n%s", res["installed"])
	}
}
