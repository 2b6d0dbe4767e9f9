package builder

import (
	"fmt"
	"sort"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder/manager"
	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/plan"
)

// Where the scripts see their inputs and outputs (builder/manager/README.md).
const (
	inDir     = "/repobuild/in"
	treeDir   = "/repobuild/tree"
	outDir    = "/repobuild/out"
	reportDir = "/repobuild/report"
	cacheDir  = "/var/cache/repobuild"

	defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

// Graph builds the LLB of repobuild's builds. It is pure: it needs no
// daemon, and its states can be marshalled and inspected in tests.
type Graph struct {
	opts options
}

// NewGraph returns a graph builder. The build platform defaults to
// linux/amd64; builders pass the platform of their worker.
func NewGraph(opts ...Option) *Graph {
	o := options{buildPlatform: ocispecs.Platform{OS: "linux", Architecture: "amd64"}}
	for _, opt := range opts {
		opt(&o)
	}
	return &Graph{opts: o}
}

// Fetch is the result of resolving and downloading one target.
type Fetch struct {
	Target plan.Target
	// Tree holds the downloaded packages, laid out as in the final tree.
	Tree llb.State
	// Report holds lock, failed and skipped (see builder/manager).
	Report llb.State
}

// Fetch returns the states that resolve and download t's closure with the
// distro's own package manager. The manager runs on the build platform and
// is told the target architecture, unless the graph emulates.
func (g *Graph) Fetch(t plan.Target) (Fetch, error) {
	m, err := manager.Get(t.Distro.Manager)
	if err != nil {
		return Fetch{}, fmt.Errorf("%s: %w", t.Distro.Source, err)
	}
	tree, err := t.Distro.TreePath(t.Arch)
	if err != nil {
		return Fetch{}, err
	}
	platform := g.opts.buildPlatform
	how := "cross"
	if g.emulated(t, m) {
		platform = ocispecs.Platform{OS: "linux", Architecture: t.Arch}
		how = "emulated"
	}
	image, err := g.image(t.Distro, platform)
	if err != nil {
		return Fetch{}, err
	}
	files, err := g.rpmFiles(t)
	if err != nil {
		return Fetch{}, err
	}
	if files == nil {
		files = map[string][]byte{}
	}
	files["requests"] = []byte(requestsFile(t))
	in := inputs(m, "fetch.sh", fmt.Sprintf("[%s] requests", t), files)
	run := image.Run(
		llb.Args([]string{"/bin/sh", inDir + "/fetch.sh"}),
		g.env(t.Distro, t.NativeArch, tree),
		rpmEnv(t.Distro),
		llb.AddMount(inDir, in, llb.Readonly),
		llb.AddMount(cacheDir, llb.Scratch(), llb.AsPersistentCacheDir(cacheID(t.Distro, t.NativeArch), llb.CacheMountLocked)),
		g.cacheOpt(),
		llb.WithCustomName(fmt.Sprintf("[%s] resolve and download %d packages (%s)", t, len(t.Requests), how)),
	)
	return Fetch{
		Target: t,
		Tree:   run.AddMount(outDir, llb.Scratch()),
		Report: run.AddMount(reportDir, llb.Scratch()),
	}, nil
}

// Repository returns the whole output tree for the fetched targets:
// packages, per-architecture indexes and, where the manager has one, the
// per-suite release index over every architecture of a distro.
func (g *Graph) Repository(fetches []Fetch) (llb.State, error) {
	var layers []llb.State
	for _, group := range byDistro(fetches) {
		d := group[0].Target.Distro
		m, err := manager.Get(d.Manager)
		if err != nil {
			return llb.State{}, fmt.Errorf("%s: %w", d.Source, err)
		}
		tools, err := g.tools(group[0].Target, m)
		if err != nil {
			return llb.State{}, err
		}
		var indexes, nativeArches []string
		var indexStates []llb.State
		for _, f := range group {
			tree, err := d.TreePath(f.Target.Arch)
			if err != nil {
				return llb.State{}, err
			}
			in := inputs(m, "index.sh", fmt.Sprintf("[%s] index script", f.Target), nil)
			index := tools.Run(
				llb.Args([]string{"/bin/sh", inDir + "/index.sh"}),
				g.env(d, f.Target.NativeArch, tree),
				rpmEnv(d),
				llb.AddMount(inDir, in, llb.Readonly),
				llb.AddMount(treeDir, f.Tree, llb.Readonly),
				// What the fetch kept of the upstream metadata.
				llb.AddMount(reportDir, f.Report, llb.Readonly),
				llb.Network(llb.NetModeNone),
				llb.WithCustomName(fmt.Sprintf("[%s] index", f.Target)),
			).AddMount(outDir, llb.Scratch())
			layers = append(layers, f.Tree, index)
			indexStates = append(indexStates, index)
			indexes = append(indexes, tree)
			nativeArches = append(nativeArches, f.Target.NativeArch)
		}
		if m.Release == nil {
			continue
		}
		tree, _ := d.TreePath(group[0].Target.Arch)
		in := llb.Scratch().File(llb.Mkfile("/release.sh", 0o755, m.Release),
			llb.WithCustomName(fmt.Sprintf("[%s] release script", d.Name)))
		release := tools.Run(
			llb.Args([]string{"/bin/sh", inDir + "/release.sh"}),
			g.env(d, "", tree),
			llb.AddEnv("REPOBUILD_ARCHES", strings.Join(nativeArches, " ")),
			llb.AddMount(inDir, in, llb.Readonly),
			llb.AddMount(treeDir, merge(indexStates), llb.Readonly),
			llb.Network(llb.NetModeNone),
			llb.WithCustomName(fmt.Sprintf("[%s] release %s", d.Name, strings.Join(nativeArches, " "))),
		).AddMount(outDir, llb.Scratch())
		layers = append(layers, release)
	}
	if len(layers) == 0 {
		return llb.State{}, fmt.Errorf("nothing to build")
	}
	return merge(layers), nil
}

// tools returns the distro's image on the build platform with the index
// tools installed. t is any target of the distro (for its repositories).
func (g *Graph) tools(t plan.Target, m manager.Manager) (llb.State, error) {
	d := t.Distro
	image, err := g.image(d, g.opts.buildPlatform)
	if err != nil {
		return llb.State{}, err
	}
	// The repositories for the build platform's architecture, when the
	// distro is built for it.
	var files map[string][]byte
	if _, ok := d.Arches[g.opts.buildPlatform.Architecture]; ok {
		t.Arch = g.opts.buildPlatform.Architecture
		if files, err = g.rpmFiles(t); err != nil {
			return llb.State{}, err
		}
	}
	in := inputs(m, "tools.sh", fmt.Sprintf("[%s] tools script", d.Name), files)
	return image.Run(
		llb.Args([]string{"/bin/sh", inDir + "/tools.sh"}),
		g.env(d, "", ""),
		rpmEnv(d),
		llb.AddEnv("REPOBUILD_TOOLS", strings.Join(d.Tools, " ")),
		llb.AddMount(inDir, in, llb.Readonly),
		llb.WithCustomName(fmt.Sprintf("[%s] install %s", d.Name, strings.Join(d.Tools, " "))),
	).Root(), nil
}

// image returns the distro's base image for platform, through the
// registry mirror when one is set.
func (g *Graph) image(d distros.Distro, platform ocispecs.Platform) (llb.State, error) {
	ref := d.Image
	if override, ok := g.opts.images[d.Name]; ok {
		ref = override
	} else if ref == "" {
		return llb.State{}, fmt.Errorf("%s: no base image: %s", d.Name, d.UserSupplied)
	} else if g.opts.registryMirror != "" {
		mirrored, err := MirrorRef(ref, g.opts.registryMirror)
		if err != nil {
			return llb.State{}, fmt.Errorf("%s: image: %w", d.Source, err)
		}
		ref = mirrored
	}
	return llb.Image(ref, llb.Platform(platform),
		llb.WithCustomName(fmt.Sprintf("[%s] %s (%s)", d.Name, ref, platforms.Format(platform)))), nil
}

// emulated reports whether t's package manager runs on t's own platform:
// when asked to, or when the manager cannot resolve for another
// architecture than its own.
func (g *Graph) emulated(t plan.Target, m manager.Manager) bool {
	return g.opts.emulate || (!m.Cross && t.Arch != g.opts.buildPlatform.Architecture)
}

// Emulated returns the targets whose package manager runs under emulation.
func (g *Graph) Emulated(targets []plan.Target) []plan.Target {
	var out []plan.Target
	for _, t := range targets {
		if m, err := manager.Get(t.Distro.Manager); err == nil && g.emulated(t, m) {
			out = append(out, t)
		}
	}
	return out
}

func (g *Graph) env(d distros.Distro, nativeArch, tree string) llb.RunOption {
	return runOptions{
		llb.AddEnv("PATH", defaultPath),
		llb.AddEnv("REPOBUILD_DISTRO", d.Name),
		llb.AddEnv("REPOBUILD_ARCH", nativeArch),
		llb.AddEnv("REPOBUILD_TREE", tree),
		llb.AddEnv("REPOBUILD_CODENAME", d.Codename),
		llb.AddEnv("REPOBUILD_VERSION", d.Version),
		llb.AddEnv("REPOBUILD_MIRROR", g.mirror(d)),
	}
}

func (g *Graph) mirror(d distros.Distro) string {
	if g.opts.mirror != "" {
		return g.opts.mirror
	}
	return d.Mirror
}

func (g *Graph) cacheOpt() llb.RunOption {
	if g.opts.noCache {
		return llb.IgnoreCache
	}
	return runOptions{}
}

// runOptions applies several run options as one.
type runOptions []llb.RunOption

func (r runOptions) SetRunOption(ei *llb.ExecInfo) {
	for _, o := range r {
		o.SetRunOption(ei)
	}
}

func requestsFile(t plan.Target) string {
	var b strings.Builder
	for _, r := range t.Requests {
		b.WriteString(r.Spec)
		if r.Optional {
			b.WriteString(" optional")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func cacheID(d distros.Distro, nativeArch string) string {
	return "repobuild/" + d.Manager + "/" + d.Name + "/" + nativeArch
}

// byDistro groups fetches by distro, in order of first appearance, each
// group sorted by architecture.
func byDistro(fetches []Fetch) [][]Fetch {
	var order []string
	groups := map[string][]Fetch{}
	for _, f := range fetches {
		n := f.Target.Distro.Name
		if _, ok := groups[n]; !ok {
			order = append(order, n)
		}
		groups[n] = append(groups[n], f)
	}
	out := make([][]Fetch, 0, len(order))
	for _, n := range order {
		g := groups[n]
		sort.SliceStable(g, func(i, j int) bool { return g[i].Target.Arch < g[j].Target.Arch })
		out = append(out, g)
	}
	return out
}

func merge(states []llb.State) llb.State {
	if len(states) == 1 {
		return states[0]
	}
	return llb.Merge(states, llb.WithCustomName("merge"))
}
