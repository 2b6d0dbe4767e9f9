package pipeline

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder/imageref"
	"github.com/repobuild/repobuild/builder/manager"
	"github.com/repobuild/repobuild/clients"
	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/plan"
)

// Config says how targets are built. The zero value builds on linux/amd64,
// cross-resolving, with the distros' own images and mirrors.
type Config struct {
	// BuildPlatform is where package managers and indexers run unless
	// they emulate: the builder's native platform.
	BuildPlatform ocispecs.Platform
	// Emulate runs every fetch on its target's own platform (QEMU for a
	// foreign one) instead of resolving natively.
	Emulate bool
	// RegistryMirror (HOST[/PREFIX]) serves every base image; Images
	// overrides the base image of a distro, by name, as is.
	RegistryMirror string
	Images         map[string]string
	// Mirror replaces every distro's package mirror.
	Mirror string
	// Refresh, when set, makes every fetch run again (--no-cache).
	Refresh string
	// Downloads is how many package files a fetch downloads at once.
	Downloads int
	// Strict makes a fetch fail when a request cannot be met, for
	// renderers whose result no one reads the report of (Dockerfile).
	Strict bool
}

// DefaultDownloads is how many package files a target downloads at once.
const DefaultDownloads = 4

// withDefaults is the one place defaults are applied.
func (c Config) withDefaults() Config {
	if c.BuildPlatform.OS == "" {
		c.BuildPlatform = ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	}
	c.BuildPlatform = platforms.Normalize(c.BuildPlatform)
	if c.Downloads < 1 {
		c.Downloads = DefaultDownloads
	}
	return c
}

// New returns the pipeline that builds the targets' repositories.
func New(cfg Config, targets []plan.Target) (*Pipeline, error) {
	if len(targets) == 0 {
		return nil, fmt.Errorf("nothing to build")
	}
	b := &planner{cfg: cfg.withDefaults(), p: &Pipeline{}}
	for _, group := range byDistro(targets) {
		if err := b.distro(group); err != nil {
			return nil, err
		}
	}
	files, err := clientFiles(targets)
	if err != nil {
		return nil, err
	}
	b.p.Clients = files
	return b.p, nil
}

type planner struct {
	cfg Config
	p   *Pipeline
}

// distro adds the steps of one distro's targets.
func (b *planner) distro(group []plan.Target) error {
	d := group[0].Distro
	m, err := manager.Get(d.Manager)
	if err != nil {
		return fmt.Errorf("%s: %w", d.Source, err)
	}
	tools, err := b.tools(group[0], m)
	if err != nil {
		return err
	}
	var indexes []Mount
	var arches []string
	for _, t := range group {
		fetch, err := b.fetch(t, m)
		if err != nil {
			return err
		}
		index, err := b.index(t, m, tools, fetch)
		if err != nil {
			return err
		}
		b.p.Tree = append(b.p.Tree,
			Layer{Step: fetch.ID, Output: OutDir},
			Layer{Step: index.ID, Output: OutDir},
			Layer{Step: fetch.ID, Output: ReportDir, From: "/" + LockFile, Path: LockPath(t)})
		indexes = append(indexes, Mount{Target: TreeDir, Step: index.ID, Output: OutDir})
		arches = append(arches, t.NativeArch)
	}
	if !m.HasRelease() {
		return nil
	}
	in, err := b.input(d, "", "", group[0])
	if err != nil {
		return err
	}
	in.Arches = arches
	release := b.add(Step{ID: "release-" + d.Name, Kind: Release, Distro: d.Name,
		Name:  fmt.Sprintf("[%s] release %s", d.Name, strings.Join(arches, " ")),
		Image: tools.Image, Platform: tools.Platform, On: tools.ID,
		Script: m.Script("release.sh"), Input: in, Mounts: indexes, Outputs: []string{OutDir}})
	b.p.Tree = append(b.p.Tree, Layer{Step: release.ID, Output: OutDir})
	return nil
}

// tools is the distro's image on the build platform with the index tools
// installed. t is any target of the distro (for its repositories).
func (b *planner) tools(t plan.Target, m manager.Manager) (Step, error) {
	d := t.Distro
	arch := b.cfg.BuildPlatform.Architecture
	native, err := d.Arch(arch)
	if err != nil {
		return Step{}, fmt.Errorf("%s: the index tools run on the builder's architecture: %w", d.Source, err)
	}
	image, err := b.image(d)
	if err != nil {
		return Step{}, err
	}
	t.Arch, t.NativeArch = arch, native
	in, err := b.input(d, arch, native, t)
	if err != nil {
		return Step{}, err
	}
	in.Tree = ""
	in.Tools = d.Tools
	files, err := b.files(t)
	if err != nil {
		return Step{}, err
	}
	return b.add(Step{ID: "tools-" + d.Name, Kind: Tools, Distro: d.Name,
		Name:  fmt.Sprintf("[%s] install %s", d.Name, strings.Join(d.Tools, " ")),
		Image: image, Platform: b.cfg.BuildPlatform, Script: m.Script("tools.sh"),
		Input: in, Files: files, Network: true}), nil
}

// fetch resolves and downloads t's closure with the distro's own package
// manager, on the build platform and told the target architecture, unless
// the pipeline emulates or the manager cannot resolve for another
// architecture than its own.
func (b *planner) fetch(t plan.Target, m manager.Manager) (Step, error) {
	platform, how, emulated := b.cfg.BuildPlatform, "cross", b.emulated(t, m)
	if emulated {
		platform, how = ocispecs.Platform{OS: "linux", Architecture: t.Arch}, "emulated"
	}
	image, err := b.image(t.Distro)
	if err != nil {
		return Step{}, err
	}
	in, err := b.input(t.Distro, t.Arch, t.NativeArch, t)
	if err != nil {
		return Step{}, err
	}
	in.Required, in.Optional, in.Extra, in.ExtraOptional = transactions(t)
	in.Refresh = b.cfg.Refresh
	if b.cfg.Strict {
		in.Strict = "1"
	}
	files, err := b.files(t)
	if err != nil {
		return Step{}, err
	}
	return b.add(Step{ID: "fetch-" + t.Distro.Name + "-" + t.Arch, Kind: Fetch, Target: &t, Distro: t.Distro.Name,
		Name:  fmt.Sprintf("[%s] %s %d packages (%s)", t, FetchStepName, len(t.Requests), how),
		Image: image, Platform: platform, Emulated: emulated, OwnPlatform: !m.Cross,
		Script: m.Script("fetch.sh"), Input: in, Files: files,
		Cache:   &Cache{ID: "repobuild/" + t.Distro.Manager + "/" + t.Distro.Name + "/" + t.NativeArch, Target: CacheDir},
		Network: true, Outputs: []string{OutDir, ReportDir}}), nil
}

// FetchStepName begins the progress name of every fetch step.
const FetchStepName = "resolve and download"

// index writes t's index on the tools image, with the network off, from
// the fetched tree and what the fetch kept of the upstream metadata.
func (b *planner) index(t plan.Target, m manager.Manager, tools, fetch Step) (Step, error) {
	in, err := b.input(t.Distro, t.Arch, t.NativeArch, t)
	if err != nil {
		return Step{}, err
	}
	return b.add(Step{ID: "index-" + t.Distro.Name + "-" + t.Arch, Kind: Index, Target: &t, Distro: t.Distro.Name,
		Name:  fmt.Sprintf("[%s] index", t),
		Image: tools.Image, Platform: tools.Platform, On: tools.ID, Script: m.Script("index.sh"), Input: in,
		Mounts: []Mount{
			{Target: TreeDir, Step: fetch.ID, Output: OutDir},
			{Target: ReportDir, Step: fetch.ID, Output: ReportDir},
		},
		Outputs: []string{OutDir}}), nil
}

func (b *planner) add(s Step) Step {
	b.p.Steps = append(b.p.Steps, s)
	return s
}

// input is the input every step of distro d for the platform
// architecture arch shares; t gives the tree path.
func (b *planner) input(d distros.Distro, arch, native string, t plan.Target) (Input, error) {
	tree, err := d.TreePath(t.Arch)
	if err != nil {
		return Input{}, err
	}
	in := Input{Distro: d.Name, TargetArch: arch, Arch: native, Tree: tree, Codename: d.Codename, Version: d.Version,
		Mirror: d.MirrorFor(arch, b.cfg.Mirror), CheckValidUntil: strconv.FormatBool(d.ChecksValidUntil()),
		Downloads: strconv.Itoa(b.cfg.Downloads)}
	if d.IsRPM() {
		rpm := d.RPMConfig()
		in.Releasever, in.ModulePlatformID = rpm.Releasever, rpm.ModulePlatformID
		in.ImageRepos = "0"
		if len(rpm.Repos) == 0 {
			in.ImageRepos = "1"
		}
	}
	return in, nil
}

// files are the data files of a step that talks to t's mirror for t.Arch:
// the distro's apt sources, or the yum/dnf repositories of the distro
// definition and of packages.yaml.
func (b *planner) files(t plan.Target) ([]File, error) {
	d := t.Distro
	if d.IsRPM() {
		repos := append(append([]distros.Repo(nil), d.RPMConfig().Repos...), t.Repos...)
		data, err := d.RepoFile(repos, t.Arch, b.cfg.Mirror, t.Enable)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t, err)
		}
		return []File{{Name: ReposFile, Mode: 0o644, Data: data}}, nil
	}
	sources, err := d.SourcesFor(t.Arch, b.cfg.Mirror)
	if err != nil || len(sources) == 0 {
		return nil, err
	}
	return []File{{Name: SourcesFile, Mode: 0o644, Data: []byte(strings.Join(sources, "\n") + "\n")}}, nil
}

// Data files of InDir.
const (
	// SourcesFile holds the distro's own apt sources for the step's
	// architecture, when it has any.
	SourcesFile = "sources.list"
	// ReposFile holds the yum/dnf repositories.
	ReposFile = "repos.d/repobuild.repo"
)

// emulated reports whether t's package manager runs on t's own platform.
func (b *planner) emulated(t plan.Target, m manager.Manager) bool {
	return b.cfg.Emulate || (!m.Cross && t.Arch != b.cfg.BuildPlatform.Architecture)
}

// Emulated returns the targets whose package manager runs under emulation.
func Emulated(cfg Config, targets []plan.Target) []plan.Target {
	b := &planner{cfg: cfg.withDefaults()}
	var out []plan.Target
	for _, t := range targets {
		if m, err := manager.Get(t.Distro.Manager); err == nil && b.emulated(t, m) {
			out = append(out, t)
		}
	}
	return out
}

// image is the reference of the distro's base image: Images, else through
// the registry mirror, else its own.
func (b *planner) image(d distros.Distro) (string, error) {
	if override, ok := b.cfg.Images[d.Name]; ok {
		return override, nil
	}
	if d.Image == "" {
		return "", fmt.Errorf("%s: no base image: %s", d.Name, d.UserSupplied)
	}
	if b.cfg.RegistryMirror == "" {
		return d.Image, nil
	}
	ref, err := imageref.Mirror(d.Image, b.cfg.RegistryMirror)
	if err != nil {
		return "", fmt.Errorf("%s: image: %w", d.Source, err)
	}
	return ref, nil
}

// ImageRef is the base image the pipeline uses for d.
func ImageRef(cfg Config, d distros.Distro) (string, error) {
	return (&planner{cfg: cfg.withDefaults()}).image(d)
}

// transactions groups t's requests: the first request of each name goes
// into the main transaction (required or optional); every further version
// of a name (containerd.io=1.6.32-1 beside containerd.io=1.7.27-1) into a
// transaction of its own, so that the repository carries them all.
func transactions(t plan.Target) (required, optional, extra, extraOptional []string) {
	seen := map[string]bool{}
	for _, r := range t.Requests {
		name := r.Name
		if name == "" {
			name = r.Spec
		}
		switch {
		case seen[name]:
			extra = append(extra, r.Spec)
			extraOptional = append(extraOptional, strconv.Itoa(boolInt(r.Optional)))
		case r.Optional:
			optional = append(optional, r.Spec)
		default:
			required = append(required, r.Spec)
		}
		seen[name] = true
	}
	return required, optional, extra, extraOptional
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// LockPath is where the tree keeps a target's lock (builder/lock).
func LockPath(t plan.Target) string {
	return "/.repobuild/" + t.Distro.Name + "-" + t.Arch + ".lock"
}

// byDistro groups targets by distro, in order of first appearance, each
// group sorted by architecture.
func byDistro(targets []plan.Target) [][]plan.Target {
	var order []string
	groups := map[string][]plan.Target{}
	for _, t := range targets {
		n := t.Distro.Name
		if _, ok := groups[n]; !ok {
			order = append(order, n)
		}
		groups[n] = append(groups[n], t)
	}
	out := make([][]plan.Target, 0, len(order))
	for _, n := range order {
		g := slices.Clone(groups[n])
		sort.SliceStable(g, func(i, j int) bool { return g[i].Arch < g[j].Arch })
		out = append(out, g)
	}
	return out
}

// clientFiles are the tree's clients/ directory: the configuration target
// hosts need for every distro and architecture built.
func clientFiles(targets []plan.Target) ([]File, error) {
	var repos []clients.Repo
	for _, group := range byDistro(targets) {
		r := clients.Repo{Distro: group[0].Distro}
		for _, t := range group {
			r.Arches = append(r.Arches, t.Arch)
		}
		repos = append(repos, r)
	}
	files, err := clients.Files(repos)
	if err != nil {
		return nil, err
	}
	var out []File
	for _, f := range files {
		out = append(out, File{Name: f.Path, Mode: f.Mode, Data: f.Data, Context: f.Checkout})
	}
	return out, nil
}
