package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/repobuild/repobuild/builder"
	"github.com/repobuild/repobuild/builder/output"
	"github.com/repobuild/repobuild/builder/solve"
	"github.com/repobuild/repobuild/clients"
	"github.com/repobuild/repobuild/frontend"
)

type buildFlags struct {
	common
	outputs        []string
	progress       string
	emulate        bool
	noCache        bool
	parallel       int
	downloads      int
	registryMirror string
	images         []string
	cacheTo        []string
	cacheFrom      []string
	metadataFile   string
	nginxImage     string
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
  repobuild --distro debian12 --arch amd64 --registry-mirror 127.0.0.1:5000 -o out/

  # a directory, a tarball and an nginx image serving the repositories, in one call
  repobuild --distro debian12 --arch amd64,arm64 -o out/ \
    -o type=tar,dest=repos.tar.zst -o type=nginx,name=registry.local/repos-nginx:v1,push=true`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBuild(cmd, &f)
		},
	}
	f.common.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "where the tree goes (repeatable; files are replaced whole, only when the build succeeds):\n"+
		"DIR | type=local,dest=DIR | type=tar,dest=FILE[,compression=gzip|zstd] | type=oci,dest=FILE[,name=REF] |\n"+
		"type=image,name=REF[,push=true][,registry.insecure=true] | type=nginx,name=REF[,push=true] | type=nginx,dest=FILE")
	progressFlag(cmd, &f.progress, "auto")
	fl.BoolVar(&f.emulate, "emulate", false, "run each package manager on the target architecture under QEMU instead of resolving natively")
	fl.BoolVar(&f.noCache, "no-cache", false, "resolve again even when packages.yaml is unchanged, to pick up new upstream versions (the package cache stays: only what changed is downloaded)")
	fl.IntVar(&f.parallel, "parallel", 0, "targets resolved at once (0: all)")
	fl.IntVar(&f.downloads, "downloads", builder.DefaultDownloads, "package files each target downloads at once from its mirror")
	fl.StringVar(&f.registryMirror, "registry-mirror", os.Getenv("REPOBUILD_REGISTRY_MIRROR"), "pull base images from HOST[/PREFIX] instead of their registries ($REPOBUILD_REGISTRY_MIRROR)")
	fl.StringArrayVar(&f.images, "image", nil, "base image of one distro: DISTRO=REF (repeatable)")
	fl.StringVar(&f.metadataFile, "metadata-file", "", "write what each target resolved (packages, sizes, bytes downloaded, the lock) as JSON to FILE")
	fl.StringArrayVar(&f.cacheTo, "cache-to", nil, "export the build cache: type=local,dest=DIR | type=registry,ref=REF | type=gha (as buildx)")
	fl.StringArrayVar(&f.cacheFrom, "cache-from", nil, "import a build cache: type=local,src=DIR | type=registry,ref=REF | type=gha (as buildx)")
	fl.StringVar(&f.nginxImage, "nginx-image", "", "base of type=nginx outputs, used as is (default "+builder.DefaultNginxImage+" through --registry-mirror)")
	cmd.AddCommand(newDistrosCommand(), newPlanCommand(), newDockerfileCommand(), newBaseCommand(), newDaemonCommand(), newVersionCommand(), newServeCommand(), newMatrixCommand(), newFrontendCommand())
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
	if f.downloads < 1 {
		return fmt.Errorf("--downloads %d: want 1 or more", f.downloads)
	}
	if len(f.outputs) == 0 {
		return fmt.Errorf("no output given: use -o DIR")
	}
	// The frontend's request, so that both build the same way.
	req := frontend.Request{Emulate: f.emulate, NoCache: f.noCache, Downloads: f.downloads, RegistryMirror: f.registryMirror,
		Mirror: f.mirror, NginxImage: f.nginxImage, Images: map[string]string{}}
	for _, img := range f.images {
		distro, ref, ok := strings.Cut(img, "=")
		if !ok || distro == "" || ref == "" {
			return fmt.Errorf("--image %q: want DISTRO=REF", img)
		}
		req.Images[distro] = ref
	}
	opts := append(req.Options(), builder.WithParallel(f.parallel))
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

	reports, err := builder.New(targets, opts...).Export(ctx, c, dests, solve.Options{
		Progress: f.progress, CacheExports: cacheTo, CacheImports: cacheFrom,
	})
	if err != nil {
		return err
	}
	printSummary(cmd, reports, dests)
	if f.metadataFile != "" {
		return writeMetadata(f.metadataFile, reports)
	}
	return nil
}

// writeMetadata writes the reports as JSON for scripts and CI.
func writeMetadata(path string, reports []builder.Report) error {
	type locked struct {
		File   string `json:"file"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
		URI    string `json:"uri"`
	}
	type target struct {
		Distro     string   `json:"distro"`
		Arch       string   `json:"arch"`
		Packages   int      `json:"packages"`
		Bytes      int64    `json:"bytes"`
		Downloaded int64    `json:"downloaded"`
		Cached     bool     `json:"cached"`
		Skipped    []string `json:"skipped,omitempty"`
		Lock       []locked `json:"lock"`
	}
	var out struct {
		Targets []target `json:"targets"`
	}
	for _, r := range reports {
		t := target{Distro: r.Target.Distro.Name, Arch: r.Target.Arch, Packages: len(r.Lock.Packages), Bytes: r.Bytes(), Downloaded: r.Fetched, Cached: r.Cached}
		for _, s := range r.Skipped {
			t.Skipped = append(t.Skipped, s.Spec)
		}
		// Files relative to the distro's tree (the lock's are to the
		// tree's root): Packages/NAME.rpm, pool/CODENAME/NAME.deb.
		tree, _ := r.Target.Distro.TreePath(r.Target.Arch)
		for _, l := range r.Lock.Packages {
			t.Lock = append(t.Lock, locked{File: strings.TrimPrefix(l.File, tree+"/"), Size: l.Size, SHA256: l.SHA256, URI: l.URI})
		}
		out.Targets = append(out.Targets, t)
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

func printSummary(cmd *cobra.Command, reports []builder.Report, dests output.Destinations) {
	w := cmd.OutOrStdout()
	for _, r := range reports {
		how := "downloaded " + humanBytes(r.Fetched)
		if r.Cached {
			how = "cached"
		}
		fmt.Fprintf(w, "%-20s %5d packages %10s  (%s)\n", r.Target.String(), len(r.Lock.Packages), humanBytes(r.Bytes()), how)
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
			fmt.Fprintf(w, "apt source for %s: %s\n", d.Name, clients.AptSource(d, "http://HOST/"+d.Path).OneLine())
		case d.IsRPM():
			fmt.Fprintf(w, "yum/dnf repo for %s: %s with gpgcheck=1 and the upstream keys\n", d.Name, clients.YumRepo(d, "http://HOST/"+d.ClientPath()).Option("baseurl"))
		}
	}
	fmt.Fprintln(w, "hosts: curl -fsSL http://HOST/clients/install.sh | sh -s -- http://HOST (repobuild serve DIR serves a tree)")
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
