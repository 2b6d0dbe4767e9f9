package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"

	"github.com/repobuild/repobuild/builder/output"
)

// Export builds the targets and sends the result to every destination,
// all or nothing: files appear only when every output succeeded.
//
// Each solve of dests.Solves() takes one result shape and sends at most one
// export to the client. The first solve builds; the next ones run the
// same graph, which BuildKit finds in its cache, so every output holds the
// same tree (WithNoCache gives them all the same refresh).
func (b *Builder) Export(ctx context.Context, c *client.Client, dests output.Destinations, so SolveOptions) error {
	var prepared output.Destinations
	for i, ds := range dests.Solves() {
		exports, err := ds.Prepare()
		if err != nil {
			prepared.Abort()
			return err
		}
		prepared = append(prepared, ds...)
		opts := so
		opts.Exports = exports
		bb := b
		if i > 0 {
			bb = b.again()
			opts.CacheExports = nil
			opts.Observe = nil // the reports are the first solve's
		}
		fn := bb.Build
		switch ds[0].Kind() {
		case output.DataImage:
			fn = bb.BuildDataImage
			opts.FrontendAttrs = platformsAttr()
		case output.Nginx:
			fn = bb.BuildNginxImage
			opts.FrontendAttrs = platformsAttr()
		}
		if _, err := Solve(ctx, c, fn, opts); err != nil {
			prepared.Abort()
			if i > 0 {
				err = fmt.Errorf("%s: %w", describe(ds), err)
			}
			return err
		}
	}
	return prepared.Commit()
}

// again returns a builder of the same targets that takes what it can from
// BuildKit's cache and does not repeat the first one's warnings.
func (b *Builder) again() *Builder {
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

// treeRef builds the tree and returns it.
func (b *Builder) treeRef(ctx context.Context, c gwclient.Client) (gwclient.Reference, error) {
	res, err := b.Build(ctx, c)
	if err != nil {
		return nil, err
	}
	return res.SingleRef()
}

// graphOptions are the builder's options on the worker's platform.
func (b *Builder) graphOptions(c gwclient.Client) ([]Option, error) {
	workers := c.BuildOpts().Workers
	if len(workers) == 0 || len(workers[0].Platforms) == 0 {
		return nil, errors.New("the builder reports no worker platforms")
	}
	return append([]Option{WithBuildPlatform(platforms.Normalize(workers[0].Platforms[0]))}, b.opts...), nil
}
