// Package builder turns build targets into a BuildKit graph, solves it and
// exports the repository tree.
//
// Builder.Build has the shape of a gateway BuildFunc: the same code runs from
// the repobuild CLI through a BuildKit client, or inside BuildKit as a
// frontend. The graph itself is built by Graph, which is pure.
package builder

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"

	"github.com/repobuild/repobuild/plan"
)

// Builder builds the repositories of a set of targets.
type Builder struct {
	targets []plan.Target
	opts    []Option
	log     *slog.Logger

	mu      sync.Mutex
	reports []Report
	cached  map[string]bool
}

// New returns a builder for targets.
func New(targets []plan.Target, opts ...Option) *Builder {
	return &Builder{targets: targets, opts: opts, log: slog.Default()}
}

// Report is what resolving one target found.
type Report struct {
	Target  plan.Target
	Lock    []Locked
	Failed  []Problem
	Skipped []Problem
	// Fetched is how many bytes of packages the build downloaded; the
	// rest of the closure came from the cache.
	Fetched int64
	// Cached says the whole resolve step was a cache hit: nothing ran.
	Cached bool
}

// Locked is one package file of a target's closure.
type Locked struct {
	URI  string
	File string
	Size int64
	Hash string
}

// Problem is a request the package manager could not meet, in its words.
type Problem struct {
	Spec   string
	Reason string
}

// Bytes is the total size of the closure.
func (r Report) Bytes() int64 {
	var n int64
	for _, l := range r.Lock {
		n += l.Size
	}
	return n
}

// Reports returns the reports of the targets resolved by the last Build,
// in target order.
func (b *Builder) Reports() []Report {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := slices.Clone(b.reports)
	order := map[string]int{}
	for i, t := range b.targets {
		order[t.String()] = i
	}
	slices.SortFunc(out, func(x, y Report) int { return order[x.Target.String()] - order[y.Target.String()] })
	for i := range out {
		if b.cached[out[i].Target.String()] {
			out[i].Cached, out[i].Fetched = true, 0
		}
	}
	return out
}

// Observe notes, from the build's status updates, which targets' resolve
// steps were cache hits. Pass it as SolveOptions.Observe.
func (b *Builder) Observe(s *client.SolveStatus) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, v := range s.Vertexes {
		if !v.Cached || !strings.HasPrefix(v.Name, "[") {
			continue
		}
		target, rest, ok := strings.Cut(v.Name[1:], "] ")
		if ok && strings.HasPrefix(rest, fetchStepName) {
			if b.cached == nil {
				b.cached = map[string]bool{}
			}
			b.cached[target] = true
		}
	}
}

// Build resolves every target, fails if any request cannot be met, and
// returns the repository tree as the result. It is a gateway BuildFunc.
func (b *Builder) Build(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
	var o options
	for _, opt := range b.opts {
		opt(&o)
	}
	workers := c.BuildOpts().Workers
	if len(workers) == 0 || len(workers[0].Platforms) == 0 {
		return nil, errors.New("the builder reports no worker platforms")
	}
	native := platforms.Normalize(workers[0].Platforms[0])
	opts := append([]Option{WithBuildPlatform(native)}, b.opts...)
	g := NewGraph(opts...)
	if err := checkPlatforms(workers, g.Emulated(b.targets)); err != nil {
		return nil, err
	}
	def := func(st llb.State) (*llb.Definition, error) { return st.Marshal(ctx, llb.Platform(native)) }
	imports, err := cacheImports(c.BuildOpts().Opts)
	if err != nil {
		return nil, err
	}
	solve := func(ctx context.Context, d *llb.Definition, evaluate bool) (*gwclient.Result, error) {
		return c.Solve(ctx, gwclient.SolveRequest{Definition: d.ToPB(), CacheImports: imports, Evaluate: evaluate})
	}

	fetches := make([]Fetch, len(b.targets))
	problems := make([]error, len(b.targets))
	eg, ectx := errgroup.WithContext(ctx)
	if o.parallel > 0 {
		eg.SetLimit(o.parallel)
	}
	// The index tools do not depend on the packages: build them while the
	// targets resolve. Their failure does not cancel the fetches: when both
	// fail (a dead mirror), the fetch's error is the one to report, since it
	// names the target asked for, while the tools run on the build platform.
	toolsDistros := onePerDistro(b.targets)
	toolsErrs := make([]error, len(toolsDistros))
	for i, t := range toolsDistros {
		eg.Go(func() error {
			d := t.Distro
			tools, err := g.Tools(t)
			if err != nil {
				return err
			}
			td, err := def(tools)
			if err != nil {
				return err
			}
			// Evaluated now: a lazy result would only be built with the
			// indexes, after every target has resolved.
			if _, err := solve(ectx, td, true); err != nil {
				toolsErrs[i] = errors.New(d.Name + ": installing the index tools: " + err.Error())
			}
			return nil
		})
	}
	for i, t := range b.targets {
		eg.Go(func() error {
			f, err := g.Fetch(t)
			if err != nil {
				return err
			}
			d, err := def(f.Report)
			if err != nil {
				return err
			}
			res, err := solve(ectx, d, false)
			if err != nil {
				return targetError(t, err)
			}
			ref, err := res.SingleRef()
			if err != nil {
				return err
			}
			rep, err := readReport(ectx, ref, t)
			if err != nil {
				return fmt.Errorf("%s: reading the resolve report: %w", t, err)
			}
			for _, s := range rep.Skipped {
				b.log.Warn("optional package left out", "target", t.String(), "package", s.Spec, "reason", s.Reason)
			}
			b.mu.Lock()
			b.reports = append(b.reports, rep)
			b.mu.Unlock()
			fetches[i] = f
			if len(rep.Failed) > 0 {
				problems[i] = &ResolveError{Target: t, Problems: rep.Failed}
			}
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	if err := errors.Join(toolsErrs...); err != nil {
		return nil, err
	}

	repo, err := g.Repository(fetches)
	if err != nil {
		return nil, err
	}
	d, err := def(repo)
	if err != nil {
		return nil, err
	}
	return solve(ctx, d, true)
}

// cacheImports reads the caches the build imports (--cache-from), which
// BuildKit hands a build function as the "cache-imports" option, as it
// does to frontends. Every solve must name them to use them.
func cacheImports(opts map[string]string) ([]gwclient.CacheOptionsEntry, error) {
	raw := opts["cache-imports"]
	if raw == "" {
		return nil, nil
	}
	var entries []gwclient.CacheOptionsEntry
	if err := json.Unmarshal([]byte(raw), &entries); err != nil {
		return nil, fmt.Errorf("cache-imports option: %w", err)
	}
	return entries, nil
}

// onePerDistro returns the first target of each distro.
func onePerDistro(targets []plan.Target) []plan.Target {
	var out []plan.Target
	seen := map[string]bool{}
	for _, t := range targets {
		if !seen[t.Distro.Name] {
			seen[t.Distro.Name] = true
			out = append(out, t)
		}
	}
	return out
}

// targetError names the target a solve failed for. The message is
// flattened: BuildKit sends a wrapped gRPC error back with the innermost
// message only.
func targetError(t plan.Target, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "not found") && (strings.Contains(msg, "cache key") || strings.Contains(msg, "resolve")) {
		msg += fmt.Sprintf(" (is the base image of %s there? Bootstrap it with `repobuild base --distro %s --push REF`, "+
			"then use --registry-mirror or --image %s=REF)", t.Distro.Name, t.Distro.Name, t.Distro.Name)
	}
	return errors.New(t.String() + ": " + msg)
}

// ResolveError says which requests of a target cannot be met, and where
// packages.yaml asked for them.
type ResolveError struct {
	Target   plan.Target
	Problems []Problem
}

func (e *ResolveError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d of %d requested packages cannot be installed:", e.Target, len(e.Problems), len(e.Target.Requests))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Spec)
		for _, r := range e.Target.Requests {
			if r.Spec == p.Spec && len(r.Sources) > 0 {
				fmt.Fprintf(&b, " (%s)", r.Sources[0])
				break
			}
		}
		b.WriteString(": ")
		b.WriteString(p.Reason)
	}
	return b.String()
}

func readReport(ctx context.Context, ref gwclient.Reference, t plan.Target) (Report, error) {
	rep := Report{Target: t}
	read := func(name string) ([]byte, error) {
		return ref.ReadFile(ctx, gwclient.ReadRequest{Filename: "/" + name})
	}
	lock, err := read("lock")
	if err != nil {
		return rep, err
	}
	sc := bufio.NewScanner(bytes.NewReader(lock))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 4 {
			return rep, fmt.Errorf("lock: malformed line %q", sc.Text())
		}
		size, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil {
			return rep, fmt.Errorf("lock: %w", err)
		}
		rep.Lock = append(rep.Lock, Locked{URI: strings.Trim(fields[0], "'"), File: fields[1], Size: size, Hash: fields[3]})
	}
	if data, err := read("fetched"); err == nil {
		rep.Fetched, _ = strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	}
	for name, dst := range map[string]*[]Problem{"failed": &rep.Failed, "skipped": &rep.Skipped} {
		data, err := read(name)
		if err != nil {
			return rep, err
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if line == "" {
				continue
			}
			spec, reason, _ := strings.Cut(line, "\t")
			*dst = append(*dst, Problem{Spec: spec, Reason: reason})
		}
	}
	return rep, nil
}

// checkPlatforms fails when emulation needs a platform no worker has, and
// says how to get it.
func checkPlatforms(workers []gwclient.WorkerInfo, targets []plan.Target) error {
	var have []ocispecs.Platform
	for _, w := range workers {
		have = append(have, w.Platforms...)
	}
	matcher := platforms.Any(have...)
	var missing []string
	for _, t := range targets {
		p := ocispecs.Platform{OS: "linux", Architecture: t.Arch}
		if !matcher.Match(p) && !slices.Contains(missing, platforms.Format(p)) {
			missing = append(missing, platforms.Format(p))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var names []string
	for _, p := range have {
		names = append(names, platforms.Format(p))
	}
	return fmt.Errorf("running package managers on %s (--emulate, or a manager that cannot resolve for another architecture) needs QEMU, but the builder runs only %s: install QEMU user emulation "+
		"(apt-get install qemu-user-static binfmt-support) and restart buildkitd, or drop --emulate to "+
		"resolve natively for any architecture", strings.Join(missing, ", "), strings.Join(names, ", "))
}
