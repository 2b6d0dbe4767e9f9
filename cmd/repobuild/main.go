// Command repobuild builds offline OS-package repositories (apt dists/,
// yum/dnf repodata) for many distros and architectures from packages.yaml,
// on BuildKit.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/repobuild/repobuild/builder/output"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go interrupted(signals, cancel)
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	signal.Stop(signals)
	cancel()
	os.Exit(code)
}

// interrupted stops the command on the first signal: at once when an
// export to this machine is writing (its temporaries removed, every
// destination as it was: BuildKit's client-side file writer can crash when
// its context is cancelled under it), else by cancelling the command's
// context; a second signal exits at once.
func interrupted(signals <-chan os.Signal, cancel context.CancelFunc) {
	s := <-signals
	if output.Interrupt() > 0 {
		fmt.Fprintf(os.Stderr, "repobuild: %v: stopped while writing the outputs; they are as they were\n", s)
		os.Exit(130)
	}
	cancel()
	<-signals
	os.Exit(130)
}

// run runs the command line args and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runIO(ctx, args, os.Stdin, stdout, stderr)
}

// runIO is run with stdin given (-f - reads packages.yaml from it).
func runIO(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := newRootCommand()
	cmd.SetArgs(args)
	cmd.SetIn(stdin)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var exit exitCode
	if errors.As(err, &exit) {
		return int(exit)
	}
	fmt.Fprintln(stderr, "repobuild:", err)
	return 1
}

// exitCode lets a command choose the process's exit status.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
