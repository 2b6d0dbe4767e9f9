package e2e

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/tonistiigi/fsutil"
)

// TestDebian13OfflineInstall builds the example packages.yaml for debian13
// (trixie), amd64 and arm64 in one call, and installs it offline on amd64.
// (An arm64 install under QEMU took 13 minutes on a loaded 2-core machine;
// TestDebianOfflineInstall runs one for debian12, through the same code.)
func TestDebian13OfflineInstall(t *testing.T) {
	e := setup(t)
	pkgs := filepath.Join(e.root, "packages.yaml")
	out := e.build(t, "debian13", []string{"amd64", "arm64"}, pkgs)
	e.install(t, "debian13", []string{"amd64"}, pkgs, out)
}

// mainArchive returns the URI of the debian12 image's apt source for its
// own suite: the mirror the image names.
func (e env) mainArchive(t *testing.T) string {
	t.Helper()
	script := `cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources >/result/out 2>/dev/null || true`
	text := string(e.runInImage(t, e.baseImage(t, "debian12"), "amd64", script, nil, ""))
	// One-line: deb [options] URI bookworm ...
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "deb" {
			f = f[1:]
			for len(f) > 0 && strings.HasPrefix(f[0], "[") {
				for len(f) > 0 && !strings.HasSuffix(f[0], "]") {
					f = f[1:]
				}
				f = f[1:]
			}
			if len(f) >= 2 && f[1] == "bookworm" {
				return strings.TrimSuffix(f[0], "/")
			}
		}
	}
	// deb822: a stanza whose Suites hold bookworm.
	for _, stanza := range strings.Split(text, "\n\n") {
		var uris, suites []string
		for _, line := range strings.Split(stanza, "\n") {
			k, v, _ := strings.Cut(line, ":")
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "uris":
				uris = strings.Fields(v)
			case "suites":
				suites = strings.Fields(v)
			}
		}
		if len(uris) > 0 && slices.Contains(suites, "bookworm") {
			return strings.TrimSuffix(uris[0], "/")
		}
	}
	t.Fatalf("the debian12 image's apt sources name no archive for bookworm:\n%s", text)
	return ""
}

// proxy serves 127.0.0.1 and forwards to upstream, recording the paths
// asked for.
type proxy struct {
	URL   string
	mu    sync.Mutex
	paths []string
}

func startProxy(t *testing.T, upstream string) *proxy {
	t.Helper()
	ln, rp := reverseProxy(t, upstream)
	p := &proxy{URL: "http://" + ln.Addr().String() + "/mirror"}
	srv := &http.Server{Handler: http.StripPrefix("/mirror", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.paths = append(p.paths, r.URL.Path)
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return p
}

// reverseProxy listens on 127.0.0.1 and returns the listener and a reverse
// proxy of upstream that asks upstream's host.
func reverseProxy(t *testing.T, upstream string) (net.Listener, *httputil.ReverseProxy) {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	director := rp.Director
	rp.Director = func(r *http.Request) {
		director(r)
		r.Host = u.Host
	}
	return ln, rp
}

// asked reports whether a path asked for contains part.
func (p *proxy) asked(part string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, path := range p.paths {
		if strings.Contains(path, part) {
			return true
		}
	}
	return false
}

// TestDebianMirror builds debian12 with --mirror pointing at a loopback
// proxy of the very mirror the image names, and checks that apt fetched
// the release's indexes through it (and only the release's: security
// stays where the image says), with signatures checked as ever, and that
// the result installs offline.
func TestDebianMirror(t *testing.T) {
	e := setup(t)
	upstream := e.mainArchive(t)
	p := startProxy(t, upstream)
	pkgs := filepath.Join(t.TempDir(), "packages.yaml")
	if err := os.WriteFile(pkgs, []byte("apt:\n  - socat\n  - bsdextrautils\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.buildAndInstall(t, "debian12", []string{"amd64"}, pkgs, "--mirror", p.URL)
	for _, want := range []string{"/dists/bookworm/InRelease", "/dists/bookworm-updates/InRelease", "/dists/bookworm/main/binary-amd64/"} {
		if !p.asked(want) {
			t.Errorf("apt did not fetch %s through --mirror (asked: %v)", want, p.paths)
		}
	}
	if p.asked("bookworm-security") {
		t.Errorf("the security archive went to the mirror too: %v", p.paths)
	}
}

// TestDebianBadMirror points --mirror at a port nothing listens on: the
// build fails saying which target and mirror, and leaves the output as it
// was.
func TestDebianBadMirror(t *testing.T) {
	e := setup(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/debian"
	ln.Close()

	dir, out, before := earlierBuild(t)
	_, stderr, err := e.repobuild(t, "--distro", "debian12", "--arch", "arm64", "-f", filepath.Join(e.root, "packages.yaml"),
		"-o", out, "--registry-mirror", e.mirror, "--progress", "quiet", "--mirror", dead)
	var exit *exec.ExitError
	if err == nil || !asExit(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("repobuild succeeded (%v) with a dead mirror\n%s", err, stderr)
	}
	for _, want := range []string{
		"apt-get update failed for debian12/arm64 (mirror " + dead + ")",
		"E: Failed to fetch " + dead + "/dists/bookworm/InRelease",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("error does not say %q:\n%s", want, stderr)
		}
	}
	untouched(t, dir, before)
}

// TestDockerfileBuild builds dockerfiles/debian12/Dockerfile, as checked
// in, with BuildKit's Dockerfile frontend (the one built into buildkitd:
// the docker/dockerfile image cannot be pulled here), and checks that it
// writes the same packages and indexes as repobuild itself.
func TestDockerfileBuild(t *testing.T) {
	e := setup(t)
	dfOut := e.buildDockerfile(t, filepath.Join(e.root, "dockerfiles", "debian12"), e.baseImage(t, "debian12"))

	out := filepath.Join(t.TempDir(), "out")
	_, stderr, err := e.repobuild(t, "--distro", "debian12", "--arch", "amd64,arm64", "-f", filepath.Join(e.root, "packages.yaml"),
		"-o", out, "--registry-mirror", e.mirror, "--progress", "quiet")
	if err != nil {
		t.Fatalf("repobuild: %v\n%s", err, stderr)
	}
	pool := func(dir string) []string {
		entries, err := os.ReadDir(filepath.Join(dir, "debian", "pool", "bookworm"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, en := range entries {
			names = append(names, en.Name())
		}
		return names
	}
	got, want := pool(dfOut), pool(out)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("the Dockerfile's pool has %d packages, repobuild's %d; differing: %v", len(got), len(want), symmetricDiff(got, want))
	}
	for _, arch := range []string{"amd64", "arm64"} {
		idx := filepath.Join("debian", "dists", "bookworm", "main", "binary-"+arch, "Packages")
		a, errA := os.ReadFile(filepath.Join(dfOut, idx))
		b, errB := os.ReadFile(filepath.Join(out, idx))
		if errA != nil || errB != nil || string(a) != string(b) {
			t.Errorf("%s differs between the Dockerfile's build and repobuild's (%v, %v)", idx, errA, errB)
		}
	}
	checkRelease(t, filepath.Join(dfOut, "debian", "dists", "bookworm"), []string{"amd64", "arm64"})
	// The Dockerfile's tree has the locks repobuild's has.
	for _, arch := range []string{"amd64", "arm64"} {
		name := filepath.Join(".repobuild", "debian12-"+arch+".lock")
		if a, b := readLock(t, filepath.Join(dfOut, name)), readLock(t, filepath.Join(out, name)); !reflect.DeepEqual(a, b) {
			t.Errorf("%s differs between the Dockerfile's build and repobuild's", name)
		}
	}
	sameClients(t, dfOut, out)
}

// sameClients checks that the trees a and b have the same clients/ files,
// bytes and modes (a Dockerfile build copies install.sh from its context).
func sameClients(t *testing.T, a, b string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(b, "clients"))
	if err != nil || len(entries) == 0 {
		t.Fatalf("no clients/ in %s: %v", b, err)
	}
	for _, en := range entries {
		name := filepath.Join("clients", en.Name())
		da, errA := os.ReadFile(filepath.Join(a, name))
		db, errB := os.ReadFile(filepath.Join(b, name))
		if errA != nil || errB != nil || string(da) != string(db) {
			t.Errorf("%s differs between the Dockerfile's build and repobuild's (%v, %v)", name, errA, errB)
			continue
		}
		fa, errA := os.Stat(filepath.Join(a, name))
		fb, errB := os.Stat(filepath.Join(b, name))
		if errA != nil || errB != nil || fa.Mode() != fb.Mode() {
			t.Errorf("%s: mode differs between the Dockerfile's build and repobuild's (%v, %v)", name, fa.Mode(), fb.Mode())
		}
	}
}

// buildDockerfile builds dir/Dockerfile with BuildKit's built-in
// Dockerfile frontend, as `docker buildx build -f dir/Dockerfile -o out .`
// does from the repository's checkout (the build context, where the
// scripts are), with the build argument IMAGE=image, and returns the
// directory it wrote.
func (e env) buildDockerfile(t *testing.T, dir, image string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	c, err := client.New(ctx, e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	src, err := fsutil.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkout, err := fsutil.NewFS(e.root)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan *client.SolveStatus)
	var logs strings.Builder
	done := make(chan struct{})
	go func() {
		defer close(done)
		for s := range ch {
			for _, l := range s.Logs {
				logs.Write(l.Data)
			}
		}
	}()
	_, err = c.Solve(ctx, nil, client.SolveOpt{
		Frontend: "dockerfile.v0",
		FrontendAttrs: map[string]string{
			"cmdline":         "dockerfile.v0", // the built-in frontend, not the syntax line's image
			"build-arg:IMAGE": image,
		},
		LocalMounts: map[string]fsutil.FS{"context": checkout, "dockerfile": src},
		Exports:     []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: out}},
	}, ch)
	<-done
	if err != nil {
		t.Fatalf("building %s/Dockerfile: %v\n%s", dir, err, lastLines(logs.String(), 30))
	}
	return out
}

func symmetricDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, "+"+x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, "-"+x)
		}
	}
	return out
}

// TestDebianSeveralVersions asks for two versions of one package under one
// key, as kubean's file does: the repository carries both (one apt
// transaction would silently keep one), and a host installs either offline.
func TestDebianSeveralVersions(t *testing.T) {
	e := setup(t)
	image := e.baseImage(t, "debian12")
	// Which versions the image's own sources offer today.
	script := `apt-get update -qq >/dev/null
for p in tzdata libc6 openssl curl; do
	echo "$p $(apt-cache madison "$p" | awk '{print $3}' | sort -u | tr '\n' ' ')"
done >/result/out`
	var name string
	var versions []string
	for _, line := range strings.Split(string(e.runInImage(t, image, "amd64", script, nil, "", llb.Network(llb.NetModeSandbox))), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 {
			name, versions = f[0], f[1:3]
			break
		}
	}
	if name == "" {
		t.Fatal("no package of tzdata, libc6, openssl or curl has two versions in the debian12 image's sources")
	}
	pkgs := filepath.Join(t.TempDir(), "packages.yaml")
	yaml := "apt:\n  - " + name + "=" + versions[0] + "\n  - " + name + "=" + versions[1] + "\n"
	if err := os.WriteFile(pkgs, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	_, stderr, err := e.repobuild(t, "--distro", "debian12", "--arch", "amd64", "-f", pkgs, "-o", out,
		"--registry-mirror", e.mirror, "--progress", "plain")
	if err != nil {
		t.Fatalf("repobuild: %v\n%s", err, stderr)
	}
	index, err := os.ReadFile(filepath.Join(out, "debian", "dists", "bookworm", "main", "binary-amd64", "Packages"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range versions {
		if !strings.Contains(string(index), "Package: "+name+"\n") || !strings.Contains(string(index), "\nVersion: "+v+"\n") {
			t.Errorf("Packages does not list %s %s", name, v)
		}
	}
	install := `set -eu
rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*
echo "deb [trusted=yes] file:/repo/debian bookworm main" >/etc/apt/sources.list.d/offline.list
export DEBIAN_FRONTEND=noninteractive
apt-get update
for v in $VERSIONS; do
	apt-get install -y --allow-downgrades "$NAME=$v"
	dpkg-query -W -f '${Version}\n' "$NAME" >>/result/out
done`
	got := strings.Fields(string(e.runInImage(t, image, "amd64", install,
		map[string]string{"NAME": name, "VERSIONS": strings.Join(versions, " ")}, out)))
	if !slices.Equal(got, versions) {
		t.Errorf("installed %s versions %v offline, want %v", name, got, versions)
	}
}
