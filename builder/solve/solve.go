// Package solve runs a build function on a BuildKit daemon from the
// client: progress in buildx's modes, the last lines of a failed step in
// the error, and registry credentials from the user's docker config.
package solve

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"

	"github.com/docker/cli/cli/config"
	"github.com/moby/buildkit/client"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/auth/authprovider"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/sync/errgroup"
)

// Options say how a client-side build shows progress and where its
// result goes.
type Options struct {
	// Exports receive the repository tree.
	Exports []client.ExportEntry
	// Progress is buildx's progress mode: auto, plain, tty, quiet, rawjson.
	Progress string
	// ProgressOut receives progress (default os.Stderr).
	ProgressOut io.Writer
	// CacheExports and CacheImports move BuildKit's cache (--cache-to,
	// --cache-from).
	CacheExports []client.CacheOptionsEntry
	CacheImports []client.CacheOptionsEntry
	// LocalMounts are client directories the build reads (llb.Local).
	LocalMounts map[string]fsutil.FS
	// Observe, when set, sees every status update.
	Observe func(*client.SolveStatus)
	// FrontendAttrs describe the request, e.g. "platform": the platforms
	// of a multi-platform result.
	FrontendAttrs map[string]string
}

// Run runs fn on the daemon behind c, with registry credentials from the
// user's docker config, and exports its result.
func Run(ctx context.Context, c *client.Client, fn gwclient.BuildFunc, opts Options) (*client.SolveResponse, error) {
	out := opts.ProgressOut
	if out == nil {
		out = os.Stderr
	}
	mode := progressui.DisplayMode(opts.Progress)
	if mode == "" {
		mode = progressui.AutoMode
	}
	display, err := progressui.NewDisplay(out, mode)
	if err != nil {
		return nil, fmt.Errorf("progress: %w", err)
	}
	ch := make(chan *client.SolveStatus)
	shown := make(chan *client.SolveStatus)
	logs := newStepLogs()
	var resp *client.SolveResponse
	eg, ectx := errgroup.WithContext(ctx)
	eg.Go(func() error {
		defer close(shown)
		for st := range ch {
			logs.add(st)
			if opts.Observe != nil {
				opts.Observe(st)
			}
			shown <- st
		}
		return nil
	})
	eg.Go(func() error {
		_, err := display.UpdateFrom(context.WithoutCancel(ectx), shown)
		return err
	})
	eg.Go(func() error {
		var err error
		// Never nil: BuildKit's client copies cache-import attributes into
		// a clone of this map (a nil map panics with --cache-from).
		attrs := map[string]string{}
		maps.Copy(attrs, opts.FrontendAttrs)
		resp, err = c.Build(ectx, client.SolveOpt{
			FrontendAttrs: attrs,
			Exports:       opts.Exports,
			CacheExports:  opts.CacheExports,
			CacheImports:  opts.CacheImports,
			LocalMounts:   opts.LocalMounts,
			Session:       []session.Attachable{authProvider()},
		}, "repobuild", fn, ch)
		return err
	})
	return resp, logs.explain(eg.Wait())
}

func authProvider() session.Attachable {
	cfg := config.LoadDefaultConfigFile(io.Discard)
	return authprovider.NewDockerAuthProvider(authprovider.DockerAuthProviderConfig{
		AuthConfigProvider: authprovider.LoadAuthConfig(cfg),
	})
}
