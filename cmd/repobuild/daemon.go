package main

import (
	"fmt"
	"io"
	"strings"
	"text/template"

	"github.com/spf13/cobra"

	"github.com/repobuild/repobuild/builder/buildkitd"
)

func newDaemonCommand() *cobra.Command {
	var stateDir, format string
	var only int
	cmd := &cobra.Command{
		Use:   "daemon start|stop|status",
		Short: "Manage repobuild's own buildkitd",
		Long: `Without --addr or BUILDKIT_HOST, repobuild starts a buildkitd of the BuildKit
version it was built with, under --state-dir, and leaves it running so that its
cache serves the next build. These commands manage it.

One start or stop runs at a time per state directory: a second waits for the
first, then finds the daemon running. start prints the daemon's address once
the process it started (or found) holds BuildKit's lock and answers; stop
returns once the process is gone. status exits 3 when no daemon answers.`,
		Example: `  repobuild daemon status
  repobuild daemon start --format '{{.PID}} {{.Started}}'
  repobuild daemon stop --pid 1234`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"start", "stop", "status"},
		RunE: func(cmd *cobra.Command, args []string) error {
			d := &buildkitd.Daemon{StateDir: stateDir}
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			switch args[0] {
			case "start":
				r, err := d.Ensure(ctx)
				if err != nil {
					return err
				}
				return printf(out, format, "{{.Addr}}", r)
			case "stop":
				res, err := d.Stop(ctx, only)
				printStopped(out, res, only)
				return err
			case "status":
				st := d.Status(ctx)
				if err := printf(out, format, statusText(st), st); err != nil {
					return err
				}
				if !st.Running {
					return exitCode(3)
				}
				return nil
			default:
				return fmt.Errorf("unknown action %q: start, stop or status", args[0])
			}
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", buildkitd.DefaultStateDir(), "where repobuild's own buildkitd keeps its state ($REPOBUILD_STATE_DIR)")
	cmd.Flags().StringVar(&format, "format", "", "start, status: a Go template over the result (.Addr, .PID, .Started; status: .Running, .Recorded)")
	cmd.Flags().IntVar(&only, "pid", 0, "stop: only the buildkitd with this pid (what start reported), leaving any other running")
	return cmd
}

// printf prints v with the --format template, else with def.
func printf(w io.Writer, format, def string, v any) error {
	if format == "" {
		format = def
	}
	t, err := template.New("format").Parse(format + "\n")
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if err := t.Execute(w, v); err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	return nil
}

func statusText(st buildkitd.Status) string {
	switch {
	case st.Running:
		return "running at {{.Addr}} (pid {{.PID}}, log: {{.Log}})"
	case st.PID != 0:
		return "not answering: buildkitd pid {{.PID}} holds {{.StateDir}}/root/buildkitd.lock (log: {{.Log}})"
	default:
		return "not running (state: {{.StateDir}})"
	}
}

// printStopped says what a stop did; "stopped buildkitd" only for a
// process that is gone.
func printStopped(w io.Writer, res buildkitd.Stopped, only int) {
	for _, pid := range res.PIDs {
		fmt.Fprintf(w, "stopped buildkitd (pid %d)\n", pid)
	}
	var msg []string
	if len(res.PIDs) == 0 {
		if only != 0 {
			msg = append(msg, fmt.Sprintf("buildkitd pid %d is not running", only))
		} else {
			msg = append(msg, "buildkitd is not running")
		}
	}
	if res.Left != 0 {
		msg = append(msg, fmt.Sprintf("left buildkitd pid %d running", res.Left))
	}
	if len(msg) > 0 {
		fmt.Fprintln(w, strings.Join(msg, "; "))
	}
}
