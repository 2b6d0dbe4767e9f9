package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/spf13/cobra"
	"github.com/tonistiigi/fsutil"

	"github.com/repobuild/repobuild/builder/baseimage"
	"github.com/repobuild/repobuild/builder/solve"
	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/plan"
)

func newBaseCommand() *cobra.Command {
	var c common
	var push, progress string
	var check bool
	cmd := &cobra.Command{
		Use:   "base --distro NAME --arch amd64,arm64 --push REGISTRY/REPO:TAG",
		Short: "Bootstrap a distro's base image from its package mirror and push it (for sites that cannot pull it)",
		Long: `base builds the distro's base image with mmdebstrap from a package mirror (--mirror,
else the distro's own, else the host's apt sources), one root filesystem per
architecture, and pushes them as one multi-platform tag. Point builds at it with
--registry-mirror (push to MIRROR/library/debian:bookworm) or --image.`,
		Example: `  repobuild base --distro debian12 --arch amd64,arm64 --push 127.0.0.1:5000/library/debian:bookworm
  repobuild --distro debian12 --registry-mirror 127.0.0.1:5000 -o out/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if push == "" && !check {
				return fmt.Errorf("--push REGISTRY/REPO:TAG is required")
			}
			cat, err := c.catalog()
			if err != nil {
				return err
			}
			names := plan.Names(c.distros)
			if len(names) != 1 {
				return fmt.Errorf("base takes one --distro")
			}
			d, err := cat.Get(names[0])
			if err != nil {
				return err
			}
			arches, err := c.archFlags()
			if err != nil {
				return err
			} else if arches == nil {
				arches = []string{plan.DefaultArch}
			}
			if check {
				return checkImage(cmd, &c, d.Image, arches, progress)
			}
			if err := c.checkMirror(); err != nil {
				return err
			}
			native, err := bootstrap(ctx, &c, d, arches, push, progress)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "pushed %s (%s)\n", push, strings.Join(native, ", "))
			return nil
		},
	}
	c.register(cmd)
	cmd.Flags().StringVar(&push, "push", "", "image reference to push to")
	progressFlag(cmd, &progress, "quiet")
	cmd.Flags().BoolVar(&check, "check", false, "only check whether the builder can pull the distro's official image (exit 0) or not (exit 1)")
	return cmd
}

func checkImage(cmd *cobra.Command, c *common, ref string, arches []string, progress string) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), 60*time.Second)
	defer cancel()
	cl, err := c.connect(ctx)
	if err != nil {
		return err
	}
	defer cl.Close()
	if _, err := solve.Run(ctx, cl, baseimage.Check(ref, arches), solve.Options{Progress: progress}); err != nil {
		fmt.Fprintf(cmd.OutOrStdout(), "cannot pull %s: %v\n", ref, err)
		return exitCode(1)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s can be pulled (%s)\n", ref, strings.Join(arches, ", "))
	return nil
}

func platformsOf(arches []string) []string {
	var out []string
	for _, a := range arches {
		out = append(out, "linux/"+a)
	}
	return out
}

// bootstrap builds d's root filesystem for each of arches with mmdebstrap
// and pushes them to push as one multi-platform image; it returns the
// architectures pushed.
func bootstrap(ctx context.Context, c *common, d distros.Distro, arches []string, push, progress string) ([]string, error) {
	work, err := os.MkdirTemp("", "repobuild-base-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	mounts := map[string]fsutil.FS{}
	var native []string
	for _, arch := range arches {
		dir := filepath.Join(work, arch)
		sources, err := baseimage.Sources(d, arch, c.mirror)
		if err != nil {
			return nil, err
		}
		if _, err := baseimage.Rootfs(ctx, d, arch, sources, dir); err != nil {
			return nil, err
		}
		fs, err := fsutil.NewFS(dir)
		if err != nil {
			return nil, err
		}
		mounts[baseimage.LocalName(arch)] = fs
		native = append(native, arch)
	}
	cl, err := c.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	_, err = solve.Run(ctx, cl, baseimage.Build(native), solve.Options{
		Progress:      progress,
		LocalMounts:   mounts,
		FrontendAttrs: map[string]string{"platform": strings.Join(platformsOf(native), ",")},
		Exports: []client.ExportEntry{{
			Type:  client.ExporterImage,
			Attrs: map[string]string{"name": push, "push": "true"},
		}},
	})
	if err != nil {
		return nil, fmt.Errorf("pushing %s: %w", push, err)
	}
	return native, nil
}
