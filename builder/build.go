// Package builder turns build targets into a BuildKit graph, solves it and
// exports the repository tree.
//
// Builder.Build is stateless and runs on a gateway client: the same code
// runs from the repobuild CLI through a BuildKit client, or inside BuildKit
// as a frontend. The steps come from builder/pipeline, which is pure.
package builder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"

	"github.com/repobuild/repobuild/builder/lock"
	"github.com/repobuild/repobuild/builder/pipeline"
	"github.com/repobuild/repobuild/plan"
)

// Builder builds the repositories of a set of targets. It holds only its
// configuration: every Build is independent, and says what it found in
// the reports it returns.
type Builder struct {
	targets []plan.Target
	opts    []Option
	log     *slog.Logger
}

// New returns a builder for targets.
func New(targets []plan.Target, opts ...Option) *Builder {
	return &Builder{targets: targets, opts: opts, log: slog.Default()}
}

// Report is what resolving one target found.
type Report struct {
	Target  plan.Target `json:"-"`
	Lock    lock.Lock
	Failed  []pipeline.Problem `json:",omitempty"`
	Skipped []pipeline.Problem `json:",omitempty"`
	// Fetched is how many bytes of packages the build downloaded; the
	// rest of the closure came from the cache.
	Fetched int64
	// FetchDigest is the digest of the target's fetch operation: a
	// client that sees it cached in the solve's status knows that nothing
	// ran (Cached).
	FetchDigest digest.Digest
	Cached      bool
}

// Bytes is the total size of the closure.
func (r Report) Bytes() int64 { return r.Lock.Bytes() }

// ReportsKey is the result metadata key under which Build puts the
// reports, as JSON, for frontends' clients (--metadata-file).
const ReportsKey = "repobuild.reports"

// MarkCached sets Cached (and clears Fetched) in the reports whose fetch
// operation the solve's status showed as cached.
func MarkCached(reports []Report, cached map[digest.Digest]bool) {
	for i := range reports {
		if cached[reports[i].FetchDigest] {
			reports[i].Cached, reports[i].Fetched = true, 0
		}
	}
}

// config is the pipeline configuration of the builder's options on the
// worker's platform.
func (b *Builder) config(c gwclient.Client) (pipeline.Config, options, error) {
	var o options
	for _, opt := range b.opts {
		opt(&o)
	}
	workers := c.BuildOpts().Workers
	if len(workers) == 0 || len(workers[0].Platforms) == 0 {
		return pipeline.Config{}, o, errors.New("the builder reports no worker platforms")
	}
	o.Config.BuildPlatform = platforms.Normalize(workers[0].Platforms[0])
	return o.Config, o, nil
}

// Build resolves every target, fails if any request cannot be met, and
// returns the repository tree as the result, with the reports of the
// targets, in target order, also in the result's metadata (ReportsKey).
func (b *Builder) Build(ctx context.Context, c gwclient.Client) (*gwclient.Result, []Report, error) {
	cfg, o, err := b.config(c)
	if err != nil {
		return nil, nil, err
	}
	if err := checkPlatforms(c.BuildOpts().Workers, pipeline.Emulated(cfg, b.targets)); err != nil {
		return nil, nil, err
	}
	p, err := pipeline.New(cfg, b.targets)
	if err != nil {
		return nil, nil, err
	}
	g, err := p.ToLLB()
	if err != nil {
		return nil, nil, err
	}
	imports, err := cacheImports(c.BuildOpts().Opts)
	if err != nil {
		return nil, nil, err
	}
	s := &solver{c: c, platform: cfg.BuildPlatform, imports: imports}
	reports, err := b.resolve(ctx, s, p, g, o.parallel)
	if err != nil {
		return nil, nil, err
	}
	tree, err := g.Tree()
	if err != nil {
		return nil, nil, err
	}
	res, err := s.solve(ctx, tree, true)
	if err != nil {
		return nil, nil, err
	}
	meta, err := json.Marshal(reports)
	if err != nil {
		return nil, nil, err
	}
	res.AddMeta(ReportsKey, meta)
	return res, reports, nil
}

// solver solves states on the gateway with the build's cache imports.
type solver struct {
	c        gwclient.Client
	platform ocispecs.Platform
	imports  []gwclient.CacheOptionsEntry
}

func (s *solver) def(ctx context.Context, st llb.State) (*llb.Definition, error) {
	return st.Marshal(ctx, llb.Platform(s.platform))
}

func (s *solver) solve(ctx context.Context, st llb.State, evaluate bool) (*gwclient.Result, error) {
	d, err := s.def(ctx, st)
	if err != nil {
		return nil, err
	}
	return s.c.Solve(ctx, gwclient.SolveRequest{Definition: d.ToPB(), CacheImports: s.imports, Evaluate: evaluate})
}

// resolve runs every fetch, and the tools installs beside them, and reads
// the fetches' reports. A target whose requests cannot be met fails the
// build, naming them.
func (b *Builder) resolve(ctx context.Context, s *solver, p *pipeline.Pipeline, g *pipeline.Graph, parallel int) ([]Report, error) {
	fetches := p.Of(pipeline.Fetch)
	reports := make([]Report, len(fetches))
	problems := make([]error, len(fetches))
	eg, ectx := errgroup.WithContext(ctx)
	if parallel > 0 {
		eg.SetLimit(parallel)
	}
	// The index tools do not depend on the packages: build them while the
	// targets resolve. Their failure does not cancel the fetches: when both
	// fail (a dead mirror), the fetch's error is the one to report, since it
	// names the target asked for, while the tools run on the build platform.
	tools := p.Of(pipeline.Tools)
	toolsErrs := make([]error, len(tools))
	for i, step := range tools {
		eg.Go(func() error {
			root, _ := g.Root(step.ID)
			// Evaluated now: a lazy result would only be built with the
			// indexes, after every target has resolved.
			if _, err := s.solve(ectx, root, true); err != nil {
				toolsErrs[i] = errors.New(step.Distro + ": installing the index tools: " + err.Error())
			}
			return nil
		})
	}
	for i, step := range fetches {
		eg.Go(func() error {
			rep, err := b.fetch(ectx, s, g, step)
			if err != nil {
				return err
			}
			reports[i] = rep
			if len(rep.Failed) > 0 {
				problems[i] = &ResolveError{Target: rep.Target, Problems: rep.Failed}
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
	return reports, errors.Join(toolsErrs...)
}

// fetch solves one fetch step and reads its report and lock.
func (b *Builder) fetch(ctx context.Context, s *solver, g *pipeline.Graph, step pipeline.Step) (Report, error) {
	t := *step.Target
	st, err := g.Output(step.ID, pipeline.ReportDir)
	if err != nil {
		return Report{}, err
	}
	d, err := s.def(ctx, st)
	if err != nil {
		return Report{}, err
	}
	res, err := s.c.Solve(ctx, gwclient.SolveRequest{Definition: d.ToPB(), CacheImports: s.imports})
	if err != nil {
		return Report{}, targetError(t, err)
	}
	ref, err := res.SingleRef()
	if err != nil {
		return Report{}, err
	}
	read := func(name string) ([]byte, error) {
		return ref.ReadFile(ctx, gwclient.ReadRequest{Filename: "/" + name})
	}
	data, err := read(pipeline.ReportFile)
	if err != nil {
		return Report{}, fmt.Errorf("%s: reading the resolve report: %w", t, err)
	}
	r, err := pipeline.ParseReport(data)
	if err != nil {
		return Report{}, fmt.Errorf("%s: %s: %w", t, pipeline.ReportFile, err)
	}
	rep := Report{Target: t, Failed: r.Failed, Skipped: r.Skipped, Fetched: r.Fetched, FetchDigest: fetchDigest(d)}
	if len(r.Failed) == 0 {
		if data, err = read(pipeline.LockFile); err != nil {
			return Report{}, fmt.Errorf("%s: reading the lock: %w", t, err)
		}
		if rep.Lock, err = lock.Parse(data); err != nil {
			return Report{}, fmt.Errorf("%s: %s: %w", t, pipeline.LockFile, err)
		}
	}
	for _, p := range rep.Skipped {
		b.log.Warn("optional package left out", "target", t.String(), "package", p.Spec, "reason", p.Reason)
	}
	return rep, nil
}

// fetchDigest is the digest of the operation whose output d returns: the
// fetch's exec, as the solve's status names it.
func fetchDigest(d *llb.Definition) digest.Digest {
	if len(d.Def) == 0 {
		return ""
	}
	var op pb.Op
	if err := op.UnmarshalVT(d.Def[len(d.Def)-1]); err != nil || len(op.Inputs) == 0 {
		return ""
	}
	return digest.Digest(op.Inputs[0].Digest)
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
	Problems []pipeline.Problem
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
