package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder"
	"github.com/repobuild/repobuild/builder/solve"
	"github.com/repobuild/repobuild/serve"
)

// need returns the path of a tool the test reads results with.
// scripts/setup.sh installs it.
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s is not installed (scripts/setup.sh installs it)", tool)
	}
	return p
}

// command runs a tool and returns its stdout; it fails the test with the
// tool's output when the tool fails.
func command(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// treeSums returns the permissions and SHA-256 of every regular file under
// dir, by path.
func treeSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sums[rel] = fmt.Sprintf("%v %s", fi.Mode().Perm(), hex.EncodeToString(h.Sum(nil)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// sameTree fails unless got holds exactly the files of want.
func sameTree(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	var diff []string
	for p, w := range want {
		if g, ok := got[p]; !ok {
			diff = append(diff, "missing "+p)
		} else if g != w {
			diff = append(diff, fmt.Sprintf("%s: %s, want %s", p, g, w))
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			diff = append(diff, "extra "+p)
		}
	}
	if len(diff) > 0 {
		sort.Strings(diff)
		if len(diff) > 10 {
			diff = append(diff[:10], fmt.Sprintf("... %d more", len(diff)-10))
		}
		t.Errorf("%s differs from what it should hold (%d files):\n  %s", what, len(want), strings.Join(diff, "\n  "))
	}
}

// indexPlatforms returns the platforms of the image index skopeo reads at
// src (oci-archive:FILE, docker://REF).
func indexPlatforms(t *testing.T, src string) []string {
	t.Helper()
	raw := command(t, "", "skopeo", "inspect", "--raw", "--tls-verify=false", src)
	var index ocispecs.Index
	if err := json.Unmarshal([]byte(raw), &index); err != nil {
		t.Fatalf("skopeo inspect --raw %s: %v\n%s", src, err, raw)
	}
	var out []string
	for _, m := range index.Manifests {
		if m.Platform != nil {
			out = append(out, m.Platform.OS+"/"+m.Platform.Architecture)
		}
	}
	sort.Strings(out)
	return out
}

// unpackImage copies arch's image of src with skopeo and unpacks its
// layers with tar, in order, into a directory it returns, with the image
// config.
func unpackImage(t *testing.T, src, arch string) (string, ocispecs.Image) {
	t.Helper()
	dir := t.TempDir()
	command(t, "", "skopeo", "copy", "--quiet", "--override-os", "linux", "--override-arch", arch,
		"--src-tls-verify=false", src, "dir:"+dir)
	var manifest ocispecs.Manifest
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err == nil {
		err = json.Unmarshal(data, &manifest)
	}
	if err != nil {
		t.Fatalf("manifest of %s (%s): %v", src, arch, err)
	}
	root := t.TempDir()
	for _, l := range manifest.Layers {
		command(t, "", "tar", "-x", "-f", filepath.Join(dir, l.Digest.Encoded()), "-C", root)
	}
	var cfg ocispecs.Image
	if err := json.Unmarshal([]byte(command(t, "", "skopeo", "inspect", "--config", "--override-os", "linux",
		"--override-arch", arch, "--tls-verify=false", src)), &cfg); err != nil {
		t.Fatalf("config of %s (%s): %v", src, arch, err)
	}
	if cfg.Architecture != arch {
		t.Errorf("%s: the %s image's config says %s", src, arch, cfg.Architecture)
	}
	return root, cfg
}

var bothPlatforms = []string{"linux/amd64", "linux/arm64"}

// TestOutputs builds debian12 for amd64 and arm64 once into every output
// type, and reads each back with tools we did not write: sha256sum and tar
// for the tarballs, skopeo and tar for the OCI archive and the images
// pushed to the loopback registry, and nginx and apt for the nginx image.
func TestOutputs(t *testing.T) {
	e := setup(t)
	need(t, "skopeo")
	need(t, "zstd")
	nginxBase, err := builder.MirrorRef(builder.DefaultNginxImage, e.mirror)
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://"+nginxBase).Run(); err != nil {
		t.Fatalf("the nginx base image %s is not in the registry (%v): scripts/test.sh puts a stand-in there with "+
			"REPOBUILD_DISTROS_DIR=testdata/distros scripts/base-images.sh nginx-standin", nginxBase, err)
	}
	work := t.TempDir()
	out := filepath.Join(work, "out")
	files := filepath.Join(work, "files")
	tag := fmt.Sprintf("t%d", time.Now().UnixNano())
	dataRef := e.mirror + "/repobuild-test/data:" + tag
	nginxRef := e.mirror + "/repobuild-test/nginx:" + tag
	t.Cleanup(func() {
		// The tags go; the registry's garbage collection takes the blobs.
		for _, ref := range []string{dataRef, nginxRef} {
			if out, err := exec.Command("skopeo", "delete", "--tls-verify=false", "docker://"+ref).CombinedOutput(); err != nil {
				t.Logf("deleting %s: %v: %s", ref, err, out)
			}
		}
	})
	pkgs := filepath.Join(e.root, "packages.yaml")
	stdout, stderr, err := e.repobuild(t, "--distro", "debian12", "--arch", "amd64,arm64", "-f", pkgs,
		"--registry-mirror", e.mirror, "--progress", "plain",
		"-o", out,
		"-o", "type=tar,dest="+files+"/repos.tar.gz",
		"-o", "type=tar,dest="+files+"/repos.tar.zst",
		"-o", "type=oci,dest="+files+"/data.oci.tar",
		"-o", "type=image,name="+dataRef+",push=true,registry.insecure=true",
		"-o", "type=nginx,name="+nginxRef+",push=true",
		"-o", "type=nginx,dest="+files+"/nginx.oci.tar",
	)
	if err != nil {
		t.Fatalf("repobuild: %v\n%s", err, stderr)
	}
	t.Log(stdout)
	want := treeSums(t, out)
	for _, f := range []string{"clients/install.sh", "clients/debian12.list", "clients/debian12.sources",
		"debian/dists/bookworm/Release", "debian/dists/bookworm/main/binary-arm64/Packages.gz"} {
		if _, ok := want[f]; !ok {
			t.Fatalf("the local output has no %s", f)
		}
	}

	t.Run("tar", func(t *testing.T) {
		sums := command(t, files, "sha256sum", "--strict", "-c", "SHA256SUMS")
		for _, f := range []string{"repos.tar.gz: OK", "repos.tar.zst: OK", "data.oci.tar: OK", "nginx.oci.tar: OK"} {
			if !strings.Contains(sums, f) {
				t.Errorf("sha256sum -c SHA256SUMS does not say %q:\n%s", f, sums)
			}
		}
		for _, tt := range []struct{ file, flag string }{{"repos.tar.gz", "--gzip"}, {"repos.tar.zst", "--zstd"}} {
			dir := t.TempDir()
			command(t, "", "tar", "-x", tt.flag, "-f", filepath.Join(files, tt.file), "-C", dir)
			sameTree(t, tt.file, treeSums(t, dir), want)
		}
	})

	t.Run("oci archive", func(t *testing.T) {
		src := "oci-archive:" + filepath.Join(files, "data.oci.tar")
		if got := indexPlatforms(t, src); !slices.Equal(got, bothPlatforms) {
			t.Errorf("platforms = %v, want %v", got, bothPlatforms)
		}
		for _, arch := range []string{"amd64", "arm64"} {
			root, _ := unpackImage(t, src, arch)
			sameTree(t, "the "+arch+" data image in the OCI archive", treeSums(t, root), want)
		}
	})

	t.Run("data image", func(t *testing.T) {
		src := "docker://" + dataRef
		if got := indexPlatforms(t, src); !slices.Equal(got, bothPlatforms) {
			t.Errorf("platforms = %v, want %v", got, bothPlatforms)
		}
		for _, arch := range []string{"amd64", "arm64"} {
			root, _ := unpackImage(t, src, arch)
			sameTree(t, "the pushed "+arch+" data image", treeSums(t, root), want)
		}
	})

	t.Run("nginx image", func(t *testing.T) {
		src := "docker://" + nginxRef
		if got := indexPlatforms(t, src); !slices.Equal(got, bothPlatforms) {
			t.Errorf("platforms = %v, want %v", got, bothPlatforms)
		}
		if got := indexPlatforms(t, "oci-archive:"+filepath.Join(files, "nginx.oci.tar")); !slices.Equal(got, bothPlatforms) {
			t.Errorf("platforms of the nginx OCI archive = %v, want %v", got, bothPlatforms)
		}
		for _, arch := range []string{"amd64", "arm64"} {
			root, cfg := unpackImage(t, src, arch)
			sameTree(t, "the tree in the pushed "+arch+" nginx image", treeSums(t, filepath.Join(root, serve.NginxRoot)), want)
			conf, err := os.ReadFile(filepath.Join(root, serve.NginxConfPath))
			if err != nil || string(conf) != string(serve.NginxConf()) {
				t.Errorf("%s: %s is not repobuild's (%v)", arch, serve.NginxConfPath, err)
			}
			if _, err := os.Stat(filepath.Join(root, "usr/sbin/nginx")); err != nil {
				t.Errorf("%s: no nginx in the image: %v", arch, err)
			}
			if !slices.Equal(cfg.Config.Cmd, []string{"nginx", "-g", "daemon off;"}) {
				t.Errorf("%s: cmd = %q", arch, cfg.Config.Cmd)
			}
		}
	})

	t.Run("nginx serves apt", func(t *testing.T) {
		var deb string
		for p := range want {
			if strings.HasSuffix(p, ".deb") && !strings.Contains(p, "%") {
				deb = p
				break
			}
		}
		release, err := os.ReadFile(filepath.Join(out, "debian/dists/bookworm/Release"))
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range e.plan(t, "--distro", "debian12", "--arch", "amd64,arm64", "-f", pkgs) {
			var names []string
			for _, p := range target.Packages {
				names = append(names, p.Spec)
			}
			if target.Arch == "arm64" {
				// apt runs under QEMU there: one package shows the arm64
				// index and packages are served.
				names = []string{"socat"}
			}
			t.Run(target.Arch, func(t *testing.T) {
				res := e.runImage(t, nginxRef, target.Arch, nginxAptScript, map[string]string{
					"DEB": deb, "PACKAGES": strings.Join(names, " "),
				}, "health", "deb", "release", "listing", "list", "installed", "apt-before", "apt-after", "install.log")
				t.Log(res["install.log"])
				checkResponse(t, "GET /healthz", res["health"], "200", "text/plain", "ok\n")
				checkResponse(t, "HEAD /"+deb, res["deb"], "200", serve.TypeOf(deb), "")
				checkResponse(t, "GET Release", res["release"], "200", "text/plain; charset=utf-8", string(release))
				checkResponse(t, "GET /debian/", res["listing"], "200", "text/html", `<a href="dists/">dists/</a>`)
				if strings.TrimSpace(res["list"]) == "" || !strings.Contains(res["list"], "deb [trusted=yes] http://127.0.0.1/debian bookworm main\n") {
					t.Errorf("install.sh wrote:\n%s", res["list"])
				}
				for _, n := range names {
					if !strings.Contains(res["installed"], n+" install ok installed\n") {
						t.Errorf("%s is not installed:\n%s", n, res["installed"])
					}
				}
				if res["apt-before"] != res["apt-after"] || strings.TrimSpace(res["apt-before"]) == "" {
					t.Errorf("install.sh --restore did not give back the apt sources:\nbefore:\n%s\nafter:\n%s", res["apt-before"], res["apt-after"])
				}
			})
		}
	})
}

// nginxAptScript runs in the nginx image with the network off: it starts
// nginx as the image would, asks it over HTTP (bash's /dev/tcp) for
// /healthz, a package's headers, Release and a directory listing, points
// apt at it with the tree's own install.sh, installs $PACKAGES, and puts
// the image's apt sources back with install.sh --restore.
const nginxAptScript = `set -euo pipefail
nginx
for i in $(seq 100); do
	if (exec 3<>/dev/tcp/127.0.0.1/80) 2>/dev/null; then break; fi
	sleep 0.1
done
http() {
	exec 3<>/dev/tcp/127.0.0.1/80
	printf '%s %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$1" "$2" >&3
	cat <&3
	exec 3<&-
}
http GET /healthz >/result/health
http HEAD "/$DEB" >/result/deb
http GET /debian/dists/bookworm/Release >/result/release
http GET /debian/ >/result/listing
sources() {
	find /etc/apt \( -name sources.list -o -path '/etc/apt/sources.list.d/*' -o -path '/etc/apt/repobuild-backup/*' \) -type f |
		sort | xargs -r sha256sum
}
sources >/result/apt-before
sh /srv/repobuild/clients/install.sh http://127.0.0.1 2>/result/install.log
cp /etc/apt/sources.list.d/repobuild.list /result/list
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y $PACKAGES
dpkg-query -W -f '${Package} ${Status}\n' $PACKAGES >/result/installed
sh /srv/repobuild/clients/install.sh --restore 2>>/result/install.log
sources >/result/apt-after
`

// checkResponse checks an HTTP/1.x response: status, content type, body.
func checkResponse(t *testing.T, what, resp, status, ctype, body string) {
	t.Helper()
	head, got, _ := strings.Cut(resp, "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	if f := strings.Fields(lines[0]); len(f) < 2 || f[1] != status {
		t.Errorf("%s: status line %q, want %s", what, lines[0], status)
	}
	var gotType string
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, "Content-Type") {
			gotType = strings.TrimSpace(v)
		}
	}
	if !strings.HasPrefix(gotType, ctype) {
		t.Errorf("%s: Content-Type %q, want %q", what, gotType, ctype)
	}
	if !strings.Contains(got, body) {
		t.Errorf("%s: body lacks %q:\n%.500s", what, body, got)
	}
}

// runImage runs script with bash in a container of image for arch with the
// network off, env set, and returns the named files the script wrote to
// /result.
func (e env) runImage(t *testing.T, image, arch, script string, env map[string]string, results ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	c, err := client.New(ctx, e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	out := map[string]string{}
	build := func(ctx context.Context, gc gwclient.Client) (*gwclient.Result, error) {
		p := ocispecs.Platform{OS: "linux", Architecture: arch}
		opts := []llb.RunOption{
			llb.Args([]string{"/bin/bash", "-c", script}),
			llb.AddEnv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
			llb.Network(llb.NetModeNone),
			llb.IgnoreCache,
			llb.WithCustomName(fmt.Sprintf("run %s (%s)", image, arch)),
		}
		for k, v := range env {
			opts = append(opts, llb.AddEnv(k, v))
		}
		st := llb.Image(image, llb.Platform(p)).Run(opts...).AddMount("/result", llb.Scratch())
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
		for _, name := range results {
			data, err := ref.ReadFile(ctx, gwclient.ReadRequest{Filename: "/" + name})
			if err != nil {
				return nil, fmt.Errorf("result %s: %w", name, err)
			}
			out[name] = string(data)
		}
		return gwclient.NewResult(), nil
	}
	if _, err := solve.Run(ctx, c, build, solve.Options{Progress: "plain", ProgressOut: testWriter{t}}); err != nil {
		t.Fatalf("running %s on %s: %v", image, arch, err)
	}
	return out
}
