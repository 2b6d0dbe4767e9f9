package builder

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/moby/buildkit/client"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	digest "github.com/opencontainers/go-digest"

	"github.com/repobuild/repobuild/builder/image"
	"github.com/repobuild/repobuild/builder/output"
	"github.com/repobuild/repobuild/builder/solve"
)

// BuildFunc is the shape of every build of the Builder: a gateway build
// that also returns the targets' reports.
type BuildFunc func(context.Context, gwclient.Client) (*gwclient.Result, []Report, error)

// Export builds the targets and sends the result to every destination,
// all or nothing: files appear only when every output succeeded. It
// returns the reports of the build.
//
// Each solve of dests.Solves() takes one result shape and sends at most one
// export to the client. The first solve builds and reports; the next ones
// run the same graph, which BuildKit finds in its cache, so every output
// holds the same tree (WithNoCache gives them all the same refresh).
func (b *Builder) Export(ctx context.Context, c *client.Client, dests output.Destinations, so solve.Options) ([]Report, error) {
	var prepared output.Destinations
	var reports []Report
	cached := map[digest.Digest]bool{}
	for i, ds := range dests.Solves() {
		exports, err := ds.Prepare()
		if err != nil {
			prepared.Abort()
			return nil, err
		}
		prepared = append(prepared, ds...)
		opts := so
		opts.Exports = exports
		bb := b
		if i > 0 {
			bb = b.quiet()
			opts.CacheExports = nil
		}
		fn := bb.Build
		switch ds[0].Kind() {
		case output.DataImage:
			fn = bb.BuildDataImage
			opts.FrontendAttrs = image.PlatformsAttr()
		case output.Nginx:
			fn = bb.BuildNginxImage
			opts.FrontendAttrs = image.PlatformsAttr()
		}
		first := i == 0
		if first {
			opts.Observe = observeCached(cached, so.Observe)
		}
		_, err = solve.Run(ctx, c, func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
			res, reps, err := fn(ctx, c)
			if first {
				reports = reps
			}
			return res, err
		}, opts)
		if err != nil {
			prepared.Abort()
			if i > 0 {
				err = fmt.Errorf("%s: %w", describe(ds), err)
			}
			return nil, err
		}
	}
	MarkCached(reports, cached)
	return reports, prepared.Commit()
}

// observeCached records the digests of cached vertexes, then passes the
// status on.
func observeCached(cached map[digest.Digest]bool, next func(*client.SolveStatus)) func(*client.SolveStatus) {
	return func(s *client.SolveStatus) {
		for _, v := range s.Vertexes {
			if v.Cached {
				cached[v.Digest] = true
			}
		}
		if next != nil {
			next(s)
		}
	}
}

// quiet returns a builder of the same targets that does not repeat the
// first one's warnings.
func (b *Builder) quiet() *Builder {
	nb := New(b.targets, b.opts...)
	nb.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	return nb
}

func describe(ds output.Destinations) string {
	var names []string
	for _, d := range ds {
		names = append(names, d.Describe())
	}
	return strings.Join(names, ", ")
}

// treeRef builds the tree and returns it, with the reports.
func (b *Builder) treeRef(ctx context.Context, c gwclient.Client) (gwclient.Reference, []Report, error) {
	res, reports, err := b.Build(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	ref, err := res.SingleRef()
	return ref, reports, err
}
