// Package e2e runs repobuild the way a user does, against a real
// buildkitd, a loopback registry holding the base images and the distros'
// package mirrors, and checks the result the way a user would: a clean
// container with the network off installs from it.
//
// scripts/test.sh sets the environment: REPOBUILD_E2E=1, BUILDKIT_HOST,
// REPOBUILD_REGISTRY_MIRROR and REPOBUILD_BIN.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/tonistiigi/fsutil"

	"github.com/repobuild/repobuild/builder/solve"
)

type env struct {
	bin    string
	addr   string
	mirror string
	root   string
}

func setup(t *testing.T) env {
	t.Helper()
	if os.Getenv("REPOBUILD_E2E") != "1" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI must run the end-to-end tests: run them with `make test`")
		}
		t.Skip("end-to-end tests run under `make test` (REPOBUILD_E2E=1)")
	}
	e := env{
		bin:    os.Getenv("REPOBUILD_BIN"),
		addr:   os.Getenv("BUILDKIT_HOST"),
		mirror: os.Getenv("REPOBUILD_REGISTRY_MIRROR"),
	}
	if e.bin == "" || e.addr == "" || e.mirror == "" {
		t.Fatal("REPOBUILD_BIN, BUILDKIT_HOST and REPOBUILD_REGISTRY_MIRROR must be set")
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	e.root = filepath.Dir(wd)
	return e
}

// repobuild runs the CLI and returns its stdout, stderr and error.
func (e env) repobuild(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return e.repobuildEnv(t, nil, args...)
}

// repobuildEnv runs the CLI with further environment variables.
func (e env) repobuildEnv(t *testing.T, extra []string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = append(append(os.Environ(), "BUILDKIT_HOST="+e.addr), extra...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

type planned struct {
	Distro   string `json:"distro"`
	Arch     string `json:"arch"`
	Packages []struct {
		Spec string `json:"spec"`
	} `json:"packages"`
}

// plan returns what `repobuild plan` says each target resolves.
func (e env) plan(t *testing.T, args ...string) []planned {
	t.Helper()
	stdout, stderr, err := e.repobuild(t, append([]string{"plan", "-o", "json"}, args...)...)
	if err != nil {
		t.Fatalf("repobuild plan: %v\n%s", err, stderr)
	}
	var out []planned
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("plan output: %v\n%s", err, stdout)
	}
	return out
}

// installCheck starts a clean container of image for arch with the network
// off, points apt at the tree in dir with sourcesLine only, runs apt-get
// update and installs pkgs. It returns `dpkg-query -W` of pkgs.
func (e env) installCheck(t *testing.T, image, arch, dir, sourcesLine string, pkgs []string) map[string]string {
	t.Helper()
	script := `set -eu
rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*
echo "$SOURCES" > /etc/apt/sources.list.d/offline.list
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y $PACKAGES
dpkg-query -W -f '${Package} ${Version} ${Status}\n' $PACKAGES > /result/out
`
	installed := e.runInImage(t, image, arch, script, map[string]string{"SOURCES": sourcesLine, "PACKAGES": strings.Join(pkgs, " ")}, dir)
	status := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(installed)), "\n") {
		name, rest, _ := strings.Cut(line, " ")
		status[name] = rest
	}
	return status
}

// runInImage runs script with /bin/sh in a clean container of image for
// arch with the network off (unless more says otherwise), with env and,
// when repoDir is set, repoDir mounted read-only at /repo. It returns what
// the script wrote to /result/out.
func (e env) runInImage(t *testing.T, image, arch, script string, env map[string]string, repoDir string, more ...llb.RunOption) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	c, err := client.New(ctx, e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	locals := map[string]fsutil.FS{}
	opts := []llb.RunOption{
		llb.Args([]string{"/bin/sh", "-c", script}),
		llb.AddEnv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
		llb.Network(llb.NetModeNone),
		llb.IgnoreCache,
		llb.WithCustomName("check on " + arch),
	}
	for k, v := range env {
		opts = append(opts, llb.AddEnv(k, v))
	}
	if repoDir != "" {
		repo, err := fsutil.NewFS(repoDir)
		if err != nil {
			t.Fatal(err)
		}
		locals["repo"] = repo
		opts = append(opts, llb.AddMount("/repo", llb.Local("repo"), llb.Readonly))
	}
	opts = append(opts, more...)
	var out []byte
	build := func(ctx context.Context, gc gwclient.Client) (*gwclient.Result, error) {
		p := ocispecs.Platform{OS: "linux", Architecture: arch}
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
		out, err = ref.ReadFile(ctx, gwclient.ReadRequest{Filename: "/out"})
		return gwclient.NewResult(), err
	}
	_, err = solve.Run(ctx, c, build, solve.Options{
		Progress:    "plain",
		ProgressOut: testWriter{t},
		LocalMounts: locals,
	})
	if err != nil {
		t.Fatalf("in %s on %s: %v", image, arch, err)
	}
	return out
}

// testWriter sends progress to the test log, shown when a test fails.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	if s := strings.TrimSpace(string(p)); s != "" {
		w.t.Log(s)
	}
	return len(p), nil
}

// snapshot records every file under dir with its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if info.IsDir() {
			files[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// earlierBuild makes a directory holding a destination, out, with a file
// of an earlier build in it, and returns both and the directory's snapshot.
func earlierBuild(t *testing.T) (string, string, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "marker"), []byte("from an earlier build"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, out, snapshot(t, dir)
}

// untouched checks that dir is as its snapshot before says.
func untouched(t *testing.T, dir string, before map[string]string) {
	t.Helper()
	if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("the failed build changed %s", dir)
	}
}

// prune empties the builder's cache, layers and cache mounts alike.
func (e env) prune(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := client.New(ctx, e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Prune(ctx, nil, client.PruneAll); err != nil {
		t.Fatalf("prune: %v", err)
	}
}
