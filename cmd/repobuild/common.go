package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/moby/buildkit/client"
	_ "github.com/moby/buildkit/client/connhelper/dockercontainer" // docker-container:// addresses
	"github.com/spf13/cobra"

	"github.com/repobuild/repobuild/builder/buildkitd"
	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/plan"
)

// common holds the flags every building or planning command shares.
type common struct {
	cmd        *cobra.Command // the command registered on: its stdin
	distros    []string
	arches     []string
	platforms  []string
	file       string
	distrosDir string
	mirror     string
	addr       string
	stateDir   string
}

func (c *common) register(cmd *cobra.Command) {
	c.cmd = cmd
	fl := cmd.Flags()
	fl.StringSliceVar(&c.distros, "distro", nil, "distros to build, comma-separated (list them with: repobuild distros; default: packages.yaml's repobuild: distros)")
	fl.StringSliceVar(&c.arches, "arch", nil, "architectures: amd64, arm64 (x86_64, aarch64 accepted; default: packages.yaml's repobuild: arches, else amd64)")
	fl.StringSliceVar(&c.platforms, "platform", nil, "the architectures as buildx names them: linux/amd64,linux/arm64 (instead of --arch)")
	fl.StringVarP(&c.file, "file", "f", "packages.yaml", "the packages file (- for stdin)")
	fl.StringVar(&c.distrosDir, "distros-dir", os.Getenv("REPOBUILD_DISTROS_DIR"), "a directory of distro definitions that add to or override the built-in ones")
	fl.StringVar(&c.mirror, "mirror", "", "package mirror URL replacing each distro's own, for every architecture (apt: the main archive the image's sources name, or the distro's {{.Mirror}})")
	fl.StringVar(&c.addr, "addr", os.Getenv("BUILDKIT_HOST"), "BuildKit daemon address (unix://, tcp://, docker-container://); default: repobuild's own buildkitd ($BUILDKIT_HOST)")
	fl.StringVar(&c.stateDir, "state-dir", buildkitd.DefaultStateDir(), "where repobuild's own buildkitd keeps its state ($REPOBUILD_STATE_DIR)")
}

func (c *common) catalog() (*distros.Catalog, error) {
	cat, err := distros.Default()
	if err != nil {
		return nil, err
	}
	if c.distrosDir != "" {
		if err := cat.LoadDir(c.distrosDir); err != nil {
			return nil, err
		}
	}
	return cat, nil
}

func (c *common) targets() ([]plan.Target, error) {
	if err := c.checkMirror(); err != nil {
		return nil, err
	}
	cat, err := c.catalog()
	if err != nil {
		return nil, err
	}
	arches, err := c.archFlags()
	if err != nil {
		return nil, err
	}
	f, err := c.loadFile(c.cmd)
	if err != nil {
		return nil, err
	}
	return plan.Make(f, cat, plan.Names(c.distros), arches)
}

// checkMirror checks --mirror before anything runs.
func (c *common) checkMirror() error {
	if c.mirror == "" {
		return nil
	}
	if err := distros.CheckMirrorURL(c.mirror); err != nil {
		return fmt.Errorf("--mirror: %w", err)
	}
	return nil
}

// connect returns a client of the named builder, or of repobuild's own
// buildkitd, started if need be.
func (c *common) connect(ctx context.Context) (*client.Client, error) {
	addr := c.addr
	own := addr == ""
	if own {
		d := &buildkitd.Daemon{StateDir: c.stateDir}
		r, err := d.Ensure(ctx)
		if err != nil {
			return nil, err
		}
		addr = r.Addr
	}
	cl, err := client.New(ctx, addr)
	if err != nil {
		return nil, fmt.Errorf("connecting to BuildKit at %s: %w", addr, err)
	}
	info, err := cl.Info(ctx)
	if err != nil {
		cl.Close()
		return nil, fmt.Errorf("BuildKit at %s does not answer: %w", addr, err)
	}
	if own {
		slog.Info("using repobuild's buildkitd", "addr", addr, "version", info.BuildkitVersion.Version)
	}
	if v := buildkitd.ClientVersion(); v != "unknown" && info.BuildkitVersion.Version != v {
		slog.Warn("BuildKit daemon and client versions differ", "daemon", info.BuildkitVersion.Version, "client", v, "addr", addr)
	}
	return cl, nil
}
