package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/repobuild/repobuild/frontend"
	"github.com/repobuild/repobuild/serve"
)

// frontendImage pushes the frontend image built from this checkout with
// `repobuild frontend` and returns its reference.
func (e env) frontendImage(t *testing.T) string {
	t.Helper()
	ref := e.mirror + "/repobuild/frontend:test"
	start := time.Now()
	stdout, stderr, err := e.repobuild(t, "frontend", "--source", e.root, "--push", ref)
	if err != nil {
		t.Fatalf("repobuild frontend: %v\n%s", err, stderr)
	}
	t.Logf("%s(%s)", stdout, time.Since(start).Round(time.Second))
	if got := indexPlatforms(t, "docker://"+ref); !slices.Equal(got, bothPlatforms) {
		t.Fatalf("the frontend image's platforms: %v, want %v", got, bothPlatforms)
	}
	return ref
}

// buildctl runs the pinned buildctl against the test's buildkitd.
func (e env) buildctl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(e.root, "bin", "buildctl"), append([]string{"--addr", e.addr, "build", "--progress", "plain"}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// frontendArgs are buildctl's arguments for a build of the packages file
// in dir through the frontend image ref: gateway.v0 names it, dockerfile.v0
// finds it on the file's `# syntax=` line.
func frontendArgs(via, ref, dir, file string, opts ...string) []string {
	args := []string{"--local", "dockerfile=" + dir, "--local", "context=" + dir}
	switch via {
	case "gateway.v0":
		args = append(args, "--frontend", "gateway.v0", "--opt", "source="+ref)
	case "dockerfile.v0":
		args = append(args, "--frontend", "dockerfile.v0")
	}
	if file != "" {
		args = append(args, "--opt", "filename="+file)
	}
	for _, o := range opts {
		args = append(args, "--opt", o)
	}
	return args
}

// TestFrontend pushes the frontend image and builds a packages file
// through it with buildctl, the way `docker buildx build -f packages.yaml`
// does: the tree is the CLI's, byte for byte; bad requests fail clearly
// with nothing exported; the nginx target pushes both platforms.
func TestFrontend(t *testing.T) {
	e := setup(t)
	need(t, "skopeo")
	ref := e.frontendImage(t)
	dir := t.TempDir()
	pkgs := filepath.Join(dir, "packages.yaml")
	if err := os.WriteFile(pkgs, []byte("# syntax="+ref+"\ncommon:\n  - curl\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	request := []string{"build-arg:DISTRO=debian12", "build-arg:REGISTRY_MIRROR=" + e.mirror, "platform=linux/amd64,linux/arm64"}
	build := func(t *testing.T, via, file string) (string, string) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "out")
		meta := filepath.Join(t.TempDir(), "metadata.json")
		start := time.Now()
		log, err := e.buildctl(t, append(frontendArgs(via, ref, dir, file, request...),
			"--metadata-file", meta, "--output", "type=local,dest="+out)...)
		if err != nil {
			t.Fatalf("buildctl through %s: %v\n%s", via, err, lastLines(log, 40))
		}
		t.Logf("built through %s in %s", via, time.Since(start).Round(100*time.Millisecond))
		return out, meta
	}
	// The frontend first: on a fresh builder, it resolves and the CLI
	// finds its work in the cache.
	gwOut, gwMeta := build(t, "gateway.v0", "")
	cliOut := filepath.Join(t.TempDir(), "out")
	if _, stderr, err := e.repobuild(t, "--distro", "debian12", "--arch", "amd64,arm64", "-f", pkgs,
		"--registry-mirror", e.mirror, "--progress", "plain", "-o", cliOut); err != nil {
		t.Fatalf("repobuild: %v\n%s", err, stderr)
	}
	want := treeSums(t, cliOut)

	t.Run("gateway.v0", func(t *testing.T) {
		sameTree(t, "the tree through gateway.v0", treeSums(t, gwOut), want)
		checkFrontendMetadata(t, gwMeta, cliOut)
	})
	t.Run("dockerfile.v0", func(t *testing.T) {
		out, meta := build(t, "dockerfile.v0", "packages.yaml")
		sameTree(t, "the tree through dockerfile.v0 and # syntax=", treeSums(t, out), want)
		checkFrontendMetadata(t, meta, cliOut)
	})
	t.Run("BUILDKIT_SYNTAX", func(t *testing.T) {
		// The file without its syntax line: the build arg names the frontend.
		plain := t.TempDir()
		if err := os.WriteFile(filepath.Join(plain, "packages.yaml"), []byte("common:\n  - curl\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "out")
		log, err := e.buildctl(t, append(frontendArgs("dockerfile.v0", ref, plain, "packages.yaml", append(request, "build-arg:BUILDKIT_SYNTAX="+ref)...),
			"--output", "type=local,dest="+out)...)
		if err != nil {
			t.Fatalf("buildctl: %v\n%s", err, lastLines(log, 40))
		}
		sameTree(t, "the tree through BUILDKIT_SYNTAX", treeSums(t, out), want)
	})

	t.Run("bad requests", func(t *testing.T) { badRequests(t, e, ref, dir) })
	t.Run("nginx", func(t *testing.T) { nginxTarget(t, e, ref, dir, request, want) })
}

// badRequests: no DISTRO, an unknown distro, a missing package and a bad
// line fail through the frontend with their messages, exporting nothing.
// dir holds a good packages.yaml.
func badRequests(t *testing.T, e env, ref, dir string) {
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.MkdirAll(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(bad, name), []byte("# syntax="+ref+"\n"+body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("missing.yaml", "common:\n  - curl\n  - repobuild-no-such-package\n")
	write("badline.yaml", "common:\n  - curl\n  - \"curl rsync\"\n")
	for _, tt := range []struct {
		name, file string
		opts       []string
		want       []string
	}{
		{"no distro", "packages.yaml", nil, []string{"no distro given: set the build arg DISTRO", "debian12", "rocky9"}},
		{"unknown distro", "packages.yaml", []string{"build-arg:DISTRO=debian99"}, []string{`unknown distro "debian99"`, "debian12"}},
		{"a missing package", "missing.yaml", []string{"build-arg:DISTRO=debian12"}, []string{
			"debian12/amd64: 1 of 2 requested packages cannot be installed", "repobuild-no-such-package (missing.yaml:4:5 (common))"}},
		{"a bad line", "badline.yaml", []string{"build-arg:DISTRO=debian12"}, []string{`badline.yaml:4:5: invalid package spec "curl rsync"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := dir
			if tt.file != "packages.yaml" {
				src = bad
			}
			out := filepath.Join(t.TempDir(), "out")
			opts := append([]string{"build-arg:REGISTRY_MIRROR=" + e.mirror}, tt.opts...)
			log, err := e.buildctl(t, append(frontendArgs("gateway.v0", ref, src, tt.file, opts...), "--output", "type=local,dest="+out)...)
			if err == nil {
				t.Fatalf("buildctl succeeded:\n%s", lastLines(log, 20))
			}
			for _, w := range tt.want {
				if !strings.Contains(log, w) {
					t.Errorf("the error does not say %q:\n%s", w, lastLines(log, 20))
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s was written after a failed build (%v)", out, err)
			}
		})
	}
}

// nginxTarget builds --target nginx through the frontend and pushes it:
// both platforms, each serving the tree want (with apt installing from it),
// labelled.
func nginxTarget(t *testing.T, e env, ref, dir string, request []string, want map[string]string) {
	image := e.mirror + "/repobuild-test/frontend-nginx:" + time.Now().Format("20060102150405")
	t.Cleanup(func() { _ = exec.Command("skopeo", "delete", "--tls-verify=false", "docker://"+image).Run() })
	log, err := e.buildctl(t, append(frontendArgs("gateway.v0", ref, dir, "", append(request, "target=nginx")...),
		"--output", "type=image,name="+image+",push=true")...)
	if err != nil {
		t.Fatalf("buildctl: %v\n%s", err, lastLines(log, 40))
	}
	if got := indexPlatforms(t, "docker://"+image); !slices.Equal(got, bothPlatforms) {
		t.Errorf("platforms = %v, want %v", got, bothPlatforms)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		root, cfg := unpackImage(t, "docker://"+image, arch)
		sameTree(t, "the tree in the "+arch+" nginx image", treeSums(t, filepath.Join(root, serve.NginxRoot)), want)
		labels := cfg.Config.Labels
		if labels[frontend.LabelDistros] != "debian12" || labels[frontend.LabelArches] != "amd64,arm64" || labels[frontend.LabelVersion] == "" {
			t.Errorf("%s image labels: %v", arch, labels)
		}
		// It serves: nginx answers, and apt on the platform installs
		// from it with the network off.
		res := e.runImage(t, image, arch, nginxAptScript, map[string]string{"DEB": "clients/install.sh", "PACKAGES": "curl"},
			"health", "installed", "install.log")
		checkResponse(t, arch+": GET /healthz", res["health"], "200", "text/plain", "ok\n")
		if !strings.Contains(res["installed"], "curl install ok installed\n") {
			t.Errorf("%s: curl is not installed from the nginx image:\n%s\n%s", arch, res["installed"], res["install.log"])
		}
	}
}

// checkFrontendMetadata checks the frontend's summary in buildctl's
// metadata file against the CLI's locks in tree.
func checkFrontendMetadata(t *testing.T, file, tree string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]json.RawMessage
	if err := json.Unmarshal(data, &meta); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var s frontend.Summary
	if err := json.Unmarshal(meta[frontend.MetadataKey], &s); err != nil {
		t.Fatalf("%s: %s: %v\n%s", file, frontend.MetadataKey, err, data)
	}
	if len(s.Targets) != 2 {
		t.Fatalf("summary of %d targets, want debian12 amd64 and arm64:\n%s", len(s.Targets), data)
	}
	for _, target := range s.Targets {
		l := readLock(t, filepath.Join(tree, ".repobuild", target.Distro+"-"+target.Arch+".lock"))
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		if target.LockDigest != d || target.Packages != len(l.Packages) || target.Bytes != l.Bytes() {
			t.Errorf("%s/%s: summary %+v, the CLI's lock has %d packages, %d bytes, digest %s", target.Distro, target.Arch, target, len(l.Packages), l.Bytes(), d)
		}
	}
}

// TestFrontendRPMFixture builds the RPM fixture through the frontend, its
// distro definition in the distros context (the CLI's --distros-dir): the
// tree is the CLI's.
func TestFrontendRPMFixture(t *testing.T) {
	e := setup(t)
	need(t, "skopeo")
	e.ensureStandin(t)
	fx := serveFixture(t, e)
	ref := e.frontendImage(t)
	dir := t.TempDir()
	data, err := os.ReadFile(fx.packages)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "packages.yaml"), append([]byte("# syntax="+ref+"\n"), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	log, err := e.buildctl(t, append(frontendArgs("gateway.v0", ref, dir, "",
		"build-arg:DISTRO=fixture9", "build-arg:MIRROR="+fx.url, "build-arg:REGISTRY_MIRROR="+e.mirror,
		"platform=linux/amd64,linux/arm64", "context:distros=local:distros"),
		"--local", "distros="+fx.distros, "--output", "type=local,dest="+out)...)
	if err != nil {
		t.Fatalf("buildctl: %v\n%s", err, lastLines(log, 40))
	}
	cliOut := filepath.Join(t.TempDir(), "out")
	if _, stderr, err := e.repobuild(t, "--distros-dir", fx.distros, "--distro", "fixture9", "--arch", "amd64,arm64",
		"-f", filepath.Join(dir, "packages.yaml"), "-o", cliOut, "--mirror", fx.url, "--registry-mirror", e.mirror); err != nil {
		t.Fatalf("repobuild: %v\n%s", err, stderr)
	}
	want := treeSums(t, cliOut)
	if _, ok := want["fixture/9/os/aarch64/repodata/repomd.xml"]; !ok {
		t.Fatalf("the CLI's tree has no aarch64 repodata: %v", keys(want))
	}
	sameTree(t, "the RPM fixture through the frontend", treeSums(t, out), want)
}
