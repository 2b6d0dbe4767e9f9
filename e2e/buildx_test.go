package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildx is the docker CLI with scripts/buildx.sh's pinned buildx plugin,
// in a docker config of the test's own, and a builder of the remote
// driver on the test's buildkitd.
type buildx struct {
	config, builder string
}

func (e env) buildx(t *testing.T) buildx {
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
	if out, err := b.run(t, "buildx", "create", "--name", b.builder, "--driver", "remote", e.addr); err != nil {
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
		sameTree(t, "debian12 from bake", treeSums(t, filepath.Join(dir, "out", "debian12")), want)
		sameTree(t, "debian13 from bake", treeSums(t, filepath.Join(dir, "out", "debian13")), treeSums(t, e.build(t, "debian13", arches, pkgs)))
	})
}
