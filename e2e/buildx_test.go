package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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

// buildx is the docker CLI with scripts/buildx.sh's pinned buildx plugin,
// in a docker config of the test's own, and a builder of the remote
// driver on the test's buildkitd.
type buildx struct {
	config, builder string
}

// buildx makes the builder, on the test's buildkitd with the remote
// driver's further flags.
func (e env) buildx(t *testing.T, flags ...string) buildx {
	t.Helper()
	need(t, "docker")
	plugin := filepath.Join(e.root, "bin", "docker-buildx")
	if _, err := os.Stat(plugin); err != nil {
		t.Fatalf("no buildx plugin: %v (scripts/setup.sh builds it with scripts/buildx.sh)", err)
	}
	b := buildx{config: t.TempDir(), builder: fmt.Sprintf("repobuild-e2e-%d", os.Getpid())}
	if err := os.MkdirAll(filepath.Join(b.config, "cli-plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(plugin, filepath.Join(b.config, "cli-plugins", "docker-buildx")); err != nil {
		t.Fatal(err)
	}
	if out, err := b.run(t, append(append([]string{"buildx", "create", "--name", b.builder, "--driver", "remote"}, flags...), e.addr)...); err != nil {
		t.Fatalf("docker buildx create: %v\n%s", err, out)
	}
	t.Cleanup(func() { _, _ = b.run(t, "buildx", "rm", b.builder) })
	return b
}

// run runs the docker CLI with the test's config.
func (b buildx) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return b.runIn(t, "", args...)
}

// runIn runs the docker CLI with the test's config in dir.
func (b buildx) runIn(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+b.config)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestFrontendBuildx runs the README's command, `docker buildx build -f
// packages.yaml --build-arg DISTRO=debian12 --platform
// linux/amd64,linux/arm64 -o out .`, on a remote-driver builder: the tree
// is the CLI's, its metadata file has the frontend's summary, and it
// installs offline on debian12 amd64 and arm64.
func TestFrontendBuildx(t *testing.T) {
	e := setup(t)
	need(t, "skopeo")
	bx := e.buildx(t)
	ref := e.frontendImage(t)
	dir := t.TempDir()
	pkgs := filepath.Join(dir, "packages.yaml")
	if err := os.WriteFile(pkgs, []byte("# syntax="+ref+"\ncommon:\n  - curl\n  - socat\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	arches := []string{"amd64", "arm64"}
	out := filepath.Join(t.TempDir(), "out")
	meta := filepath.Join(t.TempDir(), "metadata.json")
	start := time.Now()
	log, err := bx.run(t, "buildx", "build", "--builder", bx.builder, "--progress", "plain", "-f", pkgs,
		"--build-arg", "DISTRO=debian12", "--build-arg", "REGISTRY_MIRROR="+e.mirror,
		"--platform", "linux/amd64,linux/arm64", "--metadata-file", meta, "-o", out, dir)
	if err != nil {
		t.Fatalf("docker buildx build: %v\n%s", err, lastLines(log, 40))
	}
	t.Logf("docker buildx build: %s", time.Since(start).Round(100*time.Millisecond))
	want := treeSums(t, e.build(t, "debian12", arches, pkgs))
	sameTree(t, "the tree docker buildx wrote", treeSums(t, out), want)
	checkFrontendMetadata(t, meta, out)
	e.install(t, "debian12", arches, pkgs, out)

	t.Run("bake", func(t *testing.T) {
		var hcl strings.Builder
		distros := []string{"debian12", "debian13"}
		fmt.Fprintf(&hcl, "group \"default\" {\n  targets = [\"%s\"]\n}\n", strings.Join(distros, `", "`))
		for _, d := range distros {
			fmt.Fprintf(&hcl, `target %q {
  dockerfile = "packages.yaml"
  args = { DISTRO = %q, REGISTRY_MIRROR = %q }
  platforms = ["linux/amd64", "linux/arm64"]
  output = ["type=local,dest=out/%s"]
}
`, d, d, e.mirror, d)
		}
		if err := os.WriteFile(filepath.Join(dir, "docker-bake.hcl"), []byte(hcl.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		log, err := bx.runIn(t, dir, "buildx", "bake", "--builder", bx.builder, "--progress", "plain")
		if err != nil {
			t.Fatalf("docker buildx bake: %v\n%s\n%s", err, hcl.String(), lastLines(log, 40))
		}
		t.Logf("docker buildx bake: %s", time.Since(start).Round(100*time.Millisecond))
		// Release has the Date its index step ran: a step BuildKit's
		// garbage collection took from the cache since (the builder is
		// shared) runs again with a Date of its own.
		sameTree(t, "debian12 from bake", undated(t, filepath.Join(dir, "out", "debian12")), undated(t, out))
		sameTree(t, "debian13 from bake", undated(t, filepath.Join(dir, "out", "debian13")), undated(t, e.build(t, "debian13", arches, pkgs)))
	})
}

// secondDaemon starts a buildkitd of its own for the test (repobuild
// daemon, in a state directory of its own) and returns its address.
func (e env) secondDaemon(t *testing.T) string {
	t.Helper()
	state, err := os.MkdirTemp("", "rb-node-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if out, err := exec.Command(e.bin, "daemon", "stop", "--state-dir", state).CombinedOutput(); err != nil {
			t.Errorf("stopping the second buildkitd: %v\n%s", err, out)
		}
		_ = os.RemoveAll(state)
	})
	out, err := exec.Command(e.bin, "daemon", "start", "--state-dir", state, "--format", "{{.Addr}}").Output()
	if err != nil {
		t.Fatalf("starting a second buildkitd: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestFrontendTwoNodes builds through the frontend on a buildx builder of
// two nodes, a buildkitd each, one for linux/amd64 and one for
// linux/arm64, which splits a multi-platform build between them: without
// ARCH the nodes' parts fail saying why; with ARCH=amd64,arm64 each node
// resolves both architectures, and the nginx image buildx joins from the
// two serves the CLI's tree on both platforms.
func TestFrontendTwoNodes(t *testing.T) {
	e := setup(t)
	need(t, "skopeo")
	second := e.secondDaemon(t)
	bx := e.buildx(t, "--platform", "linux/amd64")
	if out, err := bx.run(t, "buildx", "create", "--append", "--name", bx.builder, "--node", bx.builder+"-arm64",
		"--driver", "remote", "--platform", "linux/arm64", second); err != nil {
		t.Fatalf("docker buildx create --append: %v\n%s", err, out)
	}
	ref := e.frontendImage(t)
	dir := t.TempDir()
	pkgs := filepath.Join(dir, "packages.yaml")
	if err := os.WriteFile(pkgs, []byte("# syntax="+ref+"\ncommon:\n  - curl\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cliOut := e.build(t, "debian12", []string{"amd64", "arm64"}, pkgs)
	want := treeSums(t, cliOut)
	build := func(t *testing.T, args ...string) (string, error) {
		t.Helper()
		start := time.Now()
		log, err := bx.run(t, append([]string{"buildx", "build", "--builder", bx.builder, "--progress", "plain", "-f", pkgs,
			"--build-arg", "DISTRO=debian12", "--build-arg", "REGISTRY_MIRROR=" + e.mirror}, append(args, dir)...)...)
		t.Logf("docker buildx build %s: %s", strings.Join(args, " "), time.Since(start).Round(100*time.Millisecond))
		return log, err
	}

	t.Run("split without ARCH", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		log, err := build(t, "--platform", "linux/amd64,linux/arm64", "-o", out)
		if err == nil {
			t.Fatalf("docker buildx build succeeded:\n%s", lastLines(log, 20))
		}
		if !strings.Contains(log, "a builder of several nodes split it") || !strings.Contains(log, "build arg ARCH") {
			t.Errorf("the error does not say why:\n%s", lastLines(log, 20))
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s was written after a failed build (%v)", out, err)
		}
	})

	t.Run("tree with ARCH", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		if log, err := build(t, "--build-arg", "ARCH=amd64,arm64", "-o", out); err != nil {
			t.Fatalf("docker buildx build: %v\n%s", err, lastLines(log, 40))
		}
		sameTree(t, "the tree of a two-node builder", treeSums(t, out), want)
	})

	t.Run("nginx joined from the nodes", func(t *testing.T) {
		image := e.mirror + "/repobuild-test/frontend-nodes:" + time.Now().Format("20060102150405")
		t.Cleanup(func() { _ = exec.Command("skopeo", "delete", "--tls-verify=false", "docker://"+image).Run() })
		if log, err := build(t, "--build-arg", "ARCH=amd64,arm64", "--platform", "linux/amd64,linux/arm64",
			"--target", "nginx", "--provenance=false", "--output", "type=image,name="+image+",push=true"); err != nil {
			t.Fatalf("docker buildx build: %v\n%s", err, lastLines(log, 40))
		}
		if got := indexPlatforms(t, "docker://"+image); !slices.Equal(got, bothPlatforms) {
			t.Errorf("platforms = %v, want %v", got, bothPlatforms)
		}
		for _, arch := range []string{"amd64", "arm64"} {
			root, cfg := unpackImage(t, "docker://"+image, arch)
			// The second node resolved anew: its Release has a Date of its
			// own, and the rest is the CLI's.
			tree := filepath.Join(root, serve.NginxRoot)
			sameTree(t, "the tree in the "+arch+" nginx image", undated(t, tree), undated(t, cliOut))
			if got := cfg.Config.Labels[frontend.LabelArches]; got != "amd64,arm64" {
				t.Errorf("%s image: %s=%q, want amd64,arm64", arch, frontend.LabelArches, got)
			}
		}
	})
}

// undated is treeSums of dir, with each Release's sum taken without its
// Date line: when the tree was indexed.
func undated(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := treeSums(t, dir)
	for p := range sums {
		if filepath.Base(p) != "Release" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for _, line := range strings.Split(string(data), "\n") {
			if !strings.HasPrefix(line, "Date: ") {
				kept = append(kept, line)
			}
		}
		sum := sha256.Sum256([]byte(strings.Join(kept, "\n")))
		sums[p] = "undated " + hex.EncodeToString(sum[:])
	}
	return sums
}
