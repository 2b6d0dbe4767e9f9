package main

import (
	"context"
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/buildkit/client"
	"github.com/spf13/cobra"
	"github.com/tonistiigi/fsutil"

	"github.com/repobuild/repobuild/builder/buildkitd"
	"github.com/repobuild/repobuild/builder/solve"
	"github.com/repobuild/repobuild/frontend"
	"github.com/repobuild/repobuild/internal/version"
)

const modulePath = "github.com/repobuild/repobuild"

type frontendFlags struct {
	push, source, progress string
	addr, stateDir         string
	binaries               map[string]string
}

func newFrontendCommand() *cobra.Command {
	f := frontendFlags{binaries: map[string]string{}}
	cmd := &cobra.Command{
		Use:   "frontend --push REGISTRY/repobuild/frontend:TAG",
		Short: "Build repobuild's BuildKit frontend image (linux/amd64 and linux/arm64) and push it",
		Long: `frontend cross-compiles cmd/repobuild-frontend from a repobuild checkout with the
host's Go (CGO_ENABLED=0: static binaries), or takes prebuilt binaries, puts
each alone on scratch as the entrypoint, and pushes one tag holding both
platforms, with BuildKit. Then build with the packages file's first line
` + "`# syntax=REF`" + ` (docker buildx build -f packages.yaml, buildctl --frontend
dockerfile.v0) or buildctl --frontend gateway.v0 --opt source=REF.`,
		Example: `  repobuild frontend --push 127.0.0.1:5000/repobuild/frontend:v1
  repobuild frontend --binary amd64=out/amd64/repobuild-frontend --binary arm64=out/arm64/repobuild-frontend --push REF`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runFrontend(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.push, "push", "", "image reference to push to (required)")
	fl.StringVar(&f.source, "source", ".", "the repobuild checkout to build the frontend from")
	fl.StringToStringVar(&f.binaries, "binary", nil, "a prebuilt static frontend binary: ARCH=PATH, for each of amd64 and arm64 (repeatable); nothing is compiled")
	fl.StringVar(&f.progress, "progress", "quiet", "progress output: auto, plain, tty, quiet or rawjson")
	fl.StringVar(&f.addr, "addr", os.Getenv("BUILDKIT_HOST"), "BuildKit daemon address; default: repobuild's own buildkitd ($BUILDKIT_HOST)")
	fl.StringVar(&f.stateDir, "state-dir", buildkitd.DefaultStateDir(), "where repobuild's own buildkitd keeps its state ($REPOBUILD_STATE_DIR)")
	return cmd
}

func runFrontend(cmd *cobra.Command, f *frontendFlags) error {
	ctx := cmd.Context()
	if f.push == "" {
		return fmt.Errorf("--push REGISTRY/REPO:TAG is required")
	}
	work, err := os.MkdirTemp("", "repobuild-frontend-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	mounts := map[string]fsutil.FS{}
	var versions []string
	for _, p := range frontend.ImagePlatforms {
		arch := p.Architecture
		dir := filepath.Join(work, arch)
		if err := binary(ctx, f, arch, dir, cmd.ErrOrStderr()); err != nil {
			return err
		}
		v, err := checkBinary(filepath.Join(dir, frontend.Binary), arch)
		if err != nil {
			return err
		}
		if !slices.Contains(versions, v) {
			versions = append(versions, v)
		}
		if mounts[frontend.BinaryLocal(arch)], err = fsutil.NewFS(dir); err != nil {
			return err
		}
	}
	if len(versions) != 1 {
		return fmt.Errorf("the binaries are of different versions: %s", strings.Join(versions, ", "))
	}
	c := common{addr: f.addr, stateDir: f.stateDir}
	cl, err := c.connect(ctx)
	if err != nil {
		return err
	}
	defer cl.Close()
	_, err = solve.Run(ctx, cl, frontend.ImageBuild(versions[0]), solve.Options{
		Progress:      f.progress,
		LocalMounts:   mounts,
		FrontendAttrs: map[string]string{"platform": "linux/amd64,linux/arm64"},
		Exports:       []client.ExportEntry{{Type: client.ExporterImage, Attrs: map[string]string{"name": f.push, "push": "true"}}},
	})
	if err != nil {
		return fmt.Errorf("pushing %s: %w", f.push, err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "pushed %s (linux/amd64, linux/arm64; repobuild %s)\n", f.push, versions[0])
	return nil
}

// binary puts the frontend binary for arch into dir: the one --binary
// names, or one compiled from the checkout.
func binary(ctx context.Context, f *frontendFlags, arch, dir string, stderr io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	out := filepath.Join(dir, frontend.Binary)
	if len(f.binaries) > 0 {
		src, ok := f.binaries[arch]
		if !ok {
			return fmt.Errorf("--binary: no binary for %s (give one for each of amd64 and arm64)", arch)
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return fmt.Errorf("--binary %s=%s: %w", arch, src, err)
		}
		return os.WriteFile(out, data, 0o755)
	}
	goBin := os.Getenv("GO")
	if goBin == "" {
		goBin = "go"
	}
	// No -trimpath: Go leaves the -ldflags, and the version they set, out
	// of a trimmed binary's build information, where checkBinary reads it.
	ldflags := "-s -w"
	if v := checkoutVersion(ctx, f.source); v != "" {
		ldflags += " " + version.LDFlag(v)
	}
	build := exec.CommandContext(ctx, goBin, "build", "-ldflags", ldflags, "-o", out, "./cmd/repobuild-frontend")
	build.Dir = f.source
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	build.Stdout, build.Stderr = stderr, stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("compiling the frontend for linux/%s in %s (--source: a repobuild checkout): %w", arch, f.source, err)
	}
	return nil
}

// checkoutVersion is the version of the git checkout dir, as version.Of
// names a commit: "git-<commit>[-dirty]"; "" when git cannot tell.
func checkoutVersion(ctx context.Context, dir string) string {
	rev, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return ""
	}
	v := "git-" + strings.TrimSpace(string(rev))
	if changes, err := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain", "--untracked-files=no").Output(); err != nil || len(changes) > 0 {
		v += "-dirty"
	}
	return v
}

// checkBinary checks that path is a static Linux executable for arch,
// which runs on scratch, and returns its repobuild version.
func checkBinary(path, arch string) (string, error) {
	machine := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]
	e, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: not a Linux executable: %w", path, err)
	}
	defer e.Close()
	if e.Machine != machine {
		return "", fmt.Errorf("%s: built for %s, not %s", path, e.Machine, arch)
	}
	for _, p := range e.Progs {
		if p.Type == elf.PT_INTERP {
			return "", fmt.Errorf("%s: dynamically linked: build it with CGO_ENABLED=0 to run on scratch", path)
		}
	}
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: no Go build information: %w", path, err)
	}
	if info.Path != modulePath+"/cmd/repobuild-frontend" {
		return "", fmt.Errorf("%s: is %s, not the repobuild frontend", path, info.Path)
	}
	return version.Of(info), nil
}
