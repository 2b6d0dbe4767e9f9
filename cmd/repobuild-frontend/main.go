// Command repobuild-frontend is repobuild as a BuildKit frontend: the
// entrypoint of the frontend image (`repobuild frontend --push REF`),
// which BuildKit runs for `# syntax=REF` or `--frontend gateway.v0 --opt
// source=REF`. See package frontend.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/moby/buildkit/frontend/gateway/grpcclient"

	"github.com/repobuild/repobuild/frontend"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err := grpcclient.RunFromEnvironment(ctx, frontend.Build); err != nil {
		fmt.Fprintln(os.Stderr, "repobuild-frontend:", err)
		stop()
		os.Exit(1)
	}
}
