package builder

import (
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
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

	// fetchStepName begins the name of every resolve step (Builder.Observe).
	fetchStepName = "resolve and download"

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
	o := options{buildPlatform: ocispecs.Platform{OS: "linux", Architecture: "amd64"}, downloads: DefaultDownloads}
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
	files, err := g.stepFiles(t.Distro, m, t.Arch, "fetch.sh", m.Fetch)
	if err != nil {
		return Fetch{}, err
	}
	rpm, err := g.rpmFiles(t)
	if err != nil {
		return Fetch{}, err
	}
	files = append(files, rpm...)
	files = append(files, stepFile{name: "requests", mode: 0o644, data: []byte(requestsFile(t))})
	in := mkfiles(files, fmt.Sprintf("[%s] requests", t))
	run := image.Run(
		llb.Args([]string{"/bin/sh", inDir + "/fetch.sh"}),
		runEnv(g.stepEnv(t.Distro, t.Arch, t.NativeArch, tree)),
		rpmEnv(t.Distro),
		llb.AddMount(inDir, in, llb.Readonly),
		llb.AddMount(cacheDir, llb.Scratch(), llb.AsPersistentCacheDir(cacheID(t.Distro, t.NativeArch), llb.CacheMountLocked)),
		g.cacheOpt(),
		llb.WithCustomName(fmt.Sprintf("[%s] %s %d packages (%s)", t, fetchStepName, len(t.Requests), how)),
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
		tools, err := g.Tools(group[0].Target)
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
			in := mkfiles(append([]stepFile{{name: "index.sh", mode: 0o755, data: m.Index}}, helpers(m)...),
				fmt.Sprintf("[%s] index script", f.Target))
			index := tools.Run(
				llb.Args([]string{"/bin/sh", inDir + "/index.sh"}),
				runEnv(g.stepEnv(d, f.Target.Arch, f.Target.NativeArch, tree)),
				rpmEnv(d),
				llb.AddMount(inDir, in, llb.Readonly),
				llb.AddMount(treeDir, f.Tree, llb.Readonly),
				// What the fetch kept of the upstream metadata.
				llb.AddMount(reportDir, f.Report, llb.Readonly),
				llb.Network(llb.NetModeNone),
				llb.WithCustomName(fmt.Sprintf("[%s] index", f.Target)),
			).AddMount(outDir, llb.Scratch())
			// The lock records what the tree holds and where it came from.
			// It also puts the report in the result, so that an exported
			// cache (--cache-to) covers the resolve step.
			lock := llb.Scratch().File(llb.Copy(f.Report, "/lock", LockPath(f.Target), &llb.CopyInfo{CreateDestPath: true}),
				llb.WithCustomName(fmt.Sprintf("[%s] lock", f.Target)))
			layers = append(layers, f.Tree, index, lock)
			indexStates = append(indexStates, index)
			indexes = append(indexes, tree)
			nativeArches = append(nativeArches, f.Target.NativeArch)
		}
		if m.Release == nil {
			continue
		}
		tree, _ := d.TreePath(group[0].Target.Arch)
		in := mkfiles([]stepFile{{name: "release.sh", mode: 0o755, data: m.Release}}, fmt.Sprintf("[%s] release script", d.Name))
		release := tools.Run(
			llb.Args([]string{"/bin/sh", inDir + "/release.sh"}),
			runEnv(g.releaseEnv(d, tree, nativeArches)),
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
	clients, err := clientsLayer(fetches)
	if err != nil {
		return llb.State{}, err
	}
	return merge(append(layers, clients)), nil
}

// LockPath is where the tree keeps a target's lock: one line per package
// file, URI FILE SIZE SHA256:HEX.
func LockPath(t plan.Target) string {
	return "/.repobuild/" + t.Distro.Name + "-" + t.Arch + ".lock"
}

// Tools returns the distro's image on the build platform with the index
// tools installed. t is any target of the distro (for its repositories).
func (g *Graph) Tools(t plan.Target) (llb.State, error) {
	d := t.Distro
	m, err := manager.Get(d.Manager)
	if err != nil {
		return llb.State{}, fmt.Errorf("%s: %w", d.Source, err)
	}
	image, err := g.image(d, g.opts.buildPlatform)
	if err != nil {
		return llb.State{}, err
	}
	arch := g.opts.buildPlatform.Architecture
	native, err := d.Arch(arch)
	if err != nil {
		return llb.State{}, fmt.Errorf("%s: the index tools run on the builder's architecture: %w", d.Source, err)
	}
	files, err := g.stepFiles(d, m, arch, "tools.sh", m.Tools)
	if err != nil {
		return llb.State{}, err
	}
	// The repositories for the build platform's architecture.
	t.Arch = arch
	rpm, err := g.rpmFiles(t)
	if err != nil {
		return llb.State{}, err
	}
	files = append(files, rpm...)
	return image.Run(
		llb.Args([]string{"/bin/sh", inDir + "/tools.sh"}),
		runEnv(g.toolsEnv(d, arch, native)),
		rpmEnv(d),
		llb.AddMount(inDir, mkfiles(files, fmt.Sprintf("[%s] tools script", d.Name)), llb.Readonly),
		llb.WithCustomName(fmt.Sprintf("[%s] install %s", d.Name, strings.Join(d.Tools, " "))),
	).Root(), nil
}

// image returns the distro's base image for platform, through the
// registry mirror when one is set.
func (g *Graph) image(d distros.Distro, platform ocispecs.Platform) (llb.State, error) {
	ref, err := g.imageRef(d)
	if err != nil {
		return llb.State{}, err
	}
	return llb.Image(ref, llb.Platform(platform),
		llb.WithCustomName(fmt.Sprintf("[%s] %s (%s)", d.Name, ref, platforms.Format(platform)))), nil
}

// stepFile is one file of a step's /repobuild/in.
type stepFile struct {
	name string
	mode os.FileMode
	data []byte
}

// stepFiles returns the files of the /repobuild/in of a step that talks to
// the distro's mirror for the platform architecture arch: its script, the
// manager's sources.sh and the distro's own sources (builder/manager).
func (g *Graph) stepFiles(d distros.Distro, m manager.Manager, arch, script string, body []byte) ([]stepFile, error) {
	files := append([]stepFile{{name: script, mode: 0o755, data: body}}, helpers(m)...)
	sources, err := d.SourcesFor(arch, g.opts.mirror)
	if err != nil {
		return nil, err
	}
	if len(sources) > 0 {
		files = append(files, stepFile{name: "sources.list", mode: 0o644, data: []byte(strings.Join(sources, "\n") + "\n")})
	}
	return files, nil
}

// helpers returns the files a manager's scripts source or run (its
// sources.sh, lib.sh, ...).
func helpers(m manager.Manager) []stepFile {
	var out []stepFile
	for _, h := range m.Helpers() {
		out = append(out, stepFile{name: h, mode: 0o644, data: m.Files[h]})
	}
	return out
}

// mkfiles returns a state holding files, in directories of their own
// where their names say so.
func mkfiles(files []stepFile, name string) llb.State {
	var fa *llb.FileAction
	add := func(a func(*llb.FileAction) *llb.FileAction, first *llb.FileAction) {
		if fa == nil {
			fa = first
		} else {
			fa = a(fa)
		}
	}
	for _, f := range files {
		if dir := path.Dir(f.name); dir != "." {
			add(func(fa *llb.FileAction) *llb.FileAction { return fa.Mkdir("/"+dir, 0o755, llb.WithParents(true)) },
				llb.Mkdir("/"+dir, 0o755, llb.WithParents(true)))
		}
		add(func(fa *llb.FileAction) *llb.FileAction { return fa.Mkfile("/"+f.name, f.mode, f.data) },
			llb.Mkfile("/"+f.name, f.mode, f.data))
	}
	return llb.Scratch().File(fa, llb.WithCustomName(name))
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

// envVar is one variable of a step's environment.
type envVar struct{ key, value string }

// stepEnv returns the environment of a step's script for the platform
// architecture arch (builder/manager/README.md), in a fixed order.
func (g *Graph) stepEnv(d distros.Distro, arch, nativeArch, tree string) []envVar {
	checkValidUntil := "true"
	if !d.ChecksValidUntil() {
		checkValidUntil = "false"
	}
	return []envVar{
		{"PATH", defaultPath},
		{"REPOBUILD_DISTRO", d.Name},
		{"REPOBUILD_ARCH", nativeArch},
		{"REPOBUILD_TREE", tree},
		{"REPOBUILD_CODENAME", d.Codename},
		{"REPOBUILD_VERSION", d.Version},
		{"REPOBUILD_MIRROR", d.MirrorFor(arch, g.opts.mirror)},
		{"REPOBUILD_CHECK_VALID_UNTIL", checkValidUntil},
		{"REPOBUILD_DOWNLOADS", strconv.Itoa(g.opts.downloads)},
	}
}

// toolsEnv is the environment of the tools step.
func (g *Graph) toolsEnv(d distros.Distro, arch, nativeArch string) []envVar {
	return append(g.stepEnv(d, arch, nativeArch, ""), envVar{"REPOBUILD_TOOLS", strings.Join(d.Tools, " ")})
}

// releaseEnv is the environment of the release step.
func (g *Graph) releaseEnv(d distros.Distro, tree string, nativeArches []string) []envVar {
	return append(g.stepEnv(d, "", "", tree), envVar{"REPOBUILD_ARCHES", strings.Join(nativeArches, " ")})
}

func runEnv(vars []envVar) llb.RunOption {
	opts := make(runOptions, len(vars))
	for i, v := range vars {
		opts[i] = llb.AddEnv(v.key, v.value)
	}
	return opts
}

// cacheOpt makes a fetch run again under WithNoCache. It changes the
// step's environment rather than setting llb.IgnoreCache, which would also
// start the step on empty cache mounts and download every package again.
func (g *Graph) cacheOpt() llb.RunOption {
	if g.opts.refresh != "" {
		return llb.AddEnv("REPOBUILD_REFRESH", g.opts.refresh)
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
