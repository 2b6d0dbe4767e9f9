package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/repobuild/repobuild/serve"
)

func newServeCommand() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "serve DIR [--addr :8080]",
		Short: "Serve a built tree over HTTP and print what hosts need to install from it",
		Long: `serve serves the repository tree in DIR (the -o DIR of a build) read-only over
HTTP, with directory listings and /healthz, and prints the lines a host needs:
the install.sh command and each distro's repository lines. It runs until
interrupted. For production, the type=nginx output is an image that does the same.`,
		Example: `  repobuild serve out/
  repobuild serve out/ --addr 127.0.0.1:8080`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				return fmt.Errorf("serve %s: not a directory (the -o DIR of a build)", args[0])
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			text, err := serve.Instructions(dir, serve.URL(ln.Addr()))
			if err != nil {
				ln.Close()
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), text)
			srv := serve.NewServer(dir, slog.Default(), serve.DefaultLimits)
			ctx := cmd.Context()
			go func() {
				<-ctx.Done()
				shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = srv.Shutdown(shutdown)
			}()
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("serve: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", ":8080", "address to listen on, HOST:PORT")
	return cmd
}
