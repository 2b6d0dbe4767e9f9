// Package frontend is repobuild as a BuildKit frontend: the packages file
// is the build's "Dockerfile" (-f packages.yaml, a `# syntax=` line on
// top), the CLI's options are build args, --platform names the
// architectures and --target picks the result. It calls the builder the
// CLI calls, on the worker's own platform.
//
// The frontend image runs Build through grpcclient.RunFromEnvironment
// (cmd/repobuild-frontend).
package frontend

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/moby/buildkit/frontend/dockerui"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"

	"github.com/repobuild/repobuild/builder"
	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/packages"
	"github.com/repobuild/repobuild/plan"
)

// DefaultFilename is the packages file read from the dockerfile local when
// the request names none (buildctl without --opt filename).
const DefaultFilename = "packages.yaml"

// Build is the frontend's gateway build function.
func Build(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
	bc, err := dockerui.NewClient(withDefaultFilename{c})
	if err != nil {
		return nil, err
	}
	cat, err := catalog(ctx, bc)
	if err != nil {
		return nil, err
	}
	if len(bc.BuildPlatforms) == 0 {
		return nil, errors.New("the builder reports no worker platforms")
	}
	req, err := parseRequest(input{
		BuildArgs: bc.BuildArgs,
		Target:    bc.Target,
		Platforms: bc.TargetPlatforms,
		Worker:    bc.BuildPlatforms[0],
		NoCache:   bc.IsNoCache(""),
		// dockerui's: the request's multi-platform, or several platforms.
		MultiPlatform: bc.MultiPlatformRequested,
	}, cat.Names())
	if err != nil {
		return nil, err
	}
	src, err := bc.ReadEntrypoint(ctx, "YAML")
	if err != nil {
		name := withDefaultFilename{c}.BuildOpts().Opts["filename"]
		return nil, fmt.Errorf("reading the packages file %s from the build's dockerfile directory: %w", name, err)
	}
	f, err := packages.Parse(src.SourceMap.Filename, src.SourceMap.Data)
	if err != nil {
		return nil, err
	}
	targets, err := plan.Make(f, cat, req.Distros, req.Arches)
	if err != nil {
		return nil, err
	}
	for _, t := range targets {
		for _, w := range t.Warnings {
			src.Warn(ctx, t.String()+": "+w, gwclient.WarnOpts{})
		}
	}
	b := builder.New(targets, req.Options()...)
	build := b.Build
	if req.Target == TargetNginx {
		build = b.BuildNginxImage
	}
	res, reports, err := build(ctx, c)
	if err != nil {
		return nil, err
	}
	if req.Target == TargetNginx {
		if res, err = onlyPlatforms(res, req.Platforms); err != nil {
			return nil, err
		}
		if err := labelImages(res, targets); err != nil {
			return nil, err
		}
	}
	meta, err := Metadata(reports)
	if err != nil {
		return nil, err
	}
	res.AddMeta(MetadataKey, meta)
	return res, nil
}

// DistrosContext is the named build context whose *.yaml distro
// definitions add to or override the built-in ones, as the CLI's
// --distros-dir (buildx --build-context distros=DIR; buildctl --local
// distros=DIR --opt context:distros=local:distros).
const DistrosContext = "distros"

// catalog is the built-in catalog with the definitions of the request's
// DistrosContext, if it has one.
func catalog(ctx context.Context, bc *dockerui.Client) (*distros.Catalog, error) {
	cat, err := distros.Default()
	if err != nil {
		return nil, err
	}
	nc, err := bc.NamedContext(DistrosContext, dockerui.ContextOpt{})
	if err != nil || nc == nil {
		return cat, err
	}
	st, _, err := nc.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("the %s context: %w", DistrosContext, err)
	}
	def, err := st.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	res, err := bc.GatewayClient().Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, fmt.Errorf("the %s context: %w", DistrosContext, err)
	}
	ref, err := res.SingleRef()
	if err != nil {
		return nil, err
	}
	files, err := ref.ReadDir(ctx, gwclient.ReadDirRequest{Path: "/"})
	if err != nil {
		return nil, fmt.Errorf("the %s context: %w", DistrosContext, err)
	}
	var errs []error
	for _, f := range files {
		if f.IsDir() || !(strings.HasSuffix(f.Path, ".yaml") || strings.HasSuffix(f.Path, ".yml")) {
			continue
		}
		name := DistrosContext + "/" + f.Path
		data, err := ref.ReadFile(ctx, gwclient.ReadRequest{Filename: "/" + f.Path})
		if err != nil {
			err = fmt.Errorf("%s: %w", name, err)
		} else {
			err = cat.Add(name, data)
		}
		errs = append(errs, err)
	}
	return cat, errors.Join(errs...)
}

// withDefaultFilename is a gateway client whose request names
// DefaultFilename when it names no file.
type withDefaultFilename struct{ gwclient.Client }

func (c withDefaultFilename) BuildOpts() gwclient.BuildOpts {
	o := c.Client.BuildOpts()
	if _, ok := o.Opts["filename"]; !ok {
		o.Opts = maps.Clone(o.Opts)
		if o.Opts == nil {
			o.Opts = map[string]string{}
		}
		o.Opts["filename"] = DefaultFilename
	}
	return o
}
