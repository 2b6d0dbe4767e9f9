package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/repobuild/repobuild/builder"
	"github.com/repobuild/repobuild/builder/output"
)

type buildFlags struct {
	common
	outputs        []string
	progress       string
	emulate        bool
	noCache        bool
	parallel       int
	registryMirror string
	images         []string
	cacheTo        []string
	cacheFrom      []string
}

func newRootCommand() *cobra.Command {
	var f buildFlags
	cmd := &cobra.Command{
		Use:   "repobuild --distro NAME[,NAME] --arch amd64,arm64 -f packages.yaml -o DIR",
		Short: "Build offline apt and yum/dnf repositories from packages.yaml",
		Long: `repobuild resolves the full dependency closure of the packages in packages.yaml
with each distro's own package manager, downloads it and writes a repository
tree that hosts without network access install from.`,
		Example: `  # Debian 12 for both architectures into ./out
  repobuild --distro debian12 --arch amd64,arm64 -f packages.yaml -o out/

  # base images from a registry mirror instead of Docker Hub
  repobuild --distro debian12 --arch amd64 --registry-mirror 127.0.0.1:5000 -o out/`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBuild(cmd, &f)
		},
	}
	f.common.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "where the tree goes: DIR or type=local,dest=DIR (replaced whole, only when the build succeeds)")
	fl.StringVar(&f.progress, "progress", "auto", "progress output: auto, plain, tty, quiet or rawjson")
	fl.BoolVar(&f.emulate, "emulate", false, "run each package manager on the target architecture under QEMU instead of resolving natively")
	fl.BoolVar(&f.noCache, "no-cache", false, "resolve and download again even when packages.yaml is unchanged (picks up new upstream versions)")
	fl.IntVar(&f.parallel, "parallel", 0, "targets resolved at once (0: all)")
	fl.StringVar(&f.registryMirror, "registry-mirror", os.Getenv("REPOBUILD_REGISTRY_MIRROR"), "pull base images from HOST[/PREFIX] instead of their registries ($REPOBUILD_REGISTRY_MIRROR)")
	fl.StringArrayVar(&f.images, "image", nil, "base image of one distro: DISTRO=REF (repeatable)")
	fl.StringArrayVar(&f.cacheTo, "cache-to", nil, "export the build cache: type=local,dest=DIR | type=registry,ref=REF | type=gha (as buildx)")
	fl.StringArrayVar(&f.cacheFrom, "cache-from", nil, "import a build cache: type=local,src=DIR | type=registry,ref=REF | type=gha (as buildx)")
	cmd.AddCommand(newDistrosCommand(), newPlanCommand(), newBaseCommand(), newDaemonCommand(), newVersionCommand())
	return cmd
}

func runBuild(cmd *cobra.Command, f *buildFlags) error {
	ctx := cmd.Context()
	targets, err := f.targets()
	if err != nil {
		return err
	}
	for _, t := range targets {
		for _, w := range t.Warnings {
			slog.Warn(w, "target", t.String())
		}
	}
	if len(f.outputs) == 0 {
		return fmt.Errorf("no output given: use -o DIR")
	}
	opts := []builder.Option{
		builder.WithEmulation(f.emulate),
		builder.WithNoCache(f.noCache),
		builder.WithParallel(f.parallel),
		builder.WithRegistryMirror(f.registryMirror),
		builder.WithMirror(f.mirror),
	}
	for _, img := range f.images {
		distro, ref, ok := strings.Cut(img, "=")
		if !ok || distro == "" || ref == "" {
			return fmt.Errorf("--image %q: want DISTRO=REF", img)
		}
		opts = append(opts, builder.WithImage(distro, ref))
	}
	cacheTo, err := builder.ParseCacheOptions(f.cacheTo)
	if err != nil {
		return err
	}
	cacheFrom, err := builder.ParseCacheOptions(f.cacheFrom)
	if err != nil {
		return err
	}
	dests, err := output.ParseAll(f.outputs)
	if err != nil {
		return err
	}
	c, err := f.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()

	b := builder.New(targets, opts...)
	exports, err := dests.Prepare()
	if err != nil {
		return err
	}
	_, err = builder.Solve(ctx, c, b.Build, builder.SolveOptions{
		Exports: exports, Progress: f.progress, CacheExports: cacheTo, CacheImports: cacheFrom,
	})
	if err != nil {
		dests.Abort()
		return err
	}
	if err := dests.Commit(); err != nil {
		return err
	}
	printSummary(cmd, b.Reports(), dests)
	return nil
}

func printSummary(cmd *cobra.Command, reports []builder.Report, dests output.Destinations) {
	w := cmd.OutOrStdout()
	for _, r := range reports {
		fmt.Fprintf(w, "%-20s %5d packages %10s\n", r.Target.String(), len(r.Lock), humanBytes(r.Bytes()))
	}
	for _, d := range dests {
		fmt.Fprintf(w, "wrote %s\n", d.Describe())
	}
	seen := map[string]bool{}
	for _, r := range reports {
		d := r.Target.Distro
		if seen[d.Name] {
			continue
		}
		seen[d.Name] = true
		switch {
		case d.Manager == "apt":
			fmt.Fprintf(w, "apt source for %s: deb [trusted=yes] http://HOST/%s %s main\n", d.Name, d.Path, d.Codename)
		case d.IsRPM():
			fmt.Fprintf(w, "yum/dnf repo for %s: baseurl=http://HOST/%s/ with gpgcheck=1 and the upstream keys\n", d.Name, d.ClientPath())
		}
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
