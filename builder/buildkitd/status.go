package buildkitd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moby/buildkit/client"
)

// Status is what runs in a state directory.
type Status struct {
	// PID is the buildkitd holding BuildKit's lock in the state directory's
	// root, 0 when none does.
	PID int
	// Running: PID listens on the daemon's socket and answers a client.
	Running bool
	// Recorded is the pid the pid file names, 0 without one. It is written
	// only once the daemon answers, so it may lag PID or name a dead process.
	Recorded int
	Addr     string
	Log      string
	StateDir string
}

// Status reports the daemon of the state directory.
func (d *Daemon) Status(ctx context.Context) Status {
	st := Status{Addr: d.Addr(), Log: d.LogFile(), StateDir: d.path(), Recorded: d.recorded()}
	st.PID = lockHolder(d.buildkitLock())
	st.Running = st.PID != 0 && d.answers(ctx, st.PID)
	return st
}

// answers reports whether pid is the process behind the socket and a
// BuildKit client gets its workers listed.
func (d *Daemon) answers(ctx context.Context, pid int) bool {
	if socketPID(d.socket()) != pid {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := client.New(ctx, d.Addr())
	if err != nil {
		return false
	}
	defer c.Close()
	_, err = c.ListWorkers(ctx)
	return err == nil
}

// ours reports whether pid is a live buildkitd running with this state
// directory's configuration: a pid file's pid may since name anything.
func (d *Daemon) ours(pid int) bool {
	return alive(pid) && slices.Contains(cmdline(pid), d.configFile())
}

// recorded is the pid the pid file names, 0 when there is none.
func (d *Daemon) recorded() int {
	data, err := os.ReadFile(d.pidFile())
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0
	}
	return pid
}

// record writes the pid file in one piece.
func (d *Daemon) record(pid int) error {
	tmp := d.pidFile() + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, d.pidFile())
}

// forget removes the pid file and the socket of a daemon that is gone.
func (d *Daemon) forget() error {
	for _, p := range []string{d.pidFile(), d.socket()} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("buildkitd state: %w", err)
		}
	}
	return nil
}

func (d *Daemon) socket() string       { return d.path("buildkitd.sock") }
func (d *Daemon) pidFile() string      { return d.path("buildkitd.pid") }
func (d *Daemon) configFile() string   { return d.path("buildkitd.toml") }
func (d *Daemon) buildkitLock() string { return d.path("root", "buildkitd.lock") }
func (d *Daemon) stateLock() string    { return d.path("daemon.lock") }

// path names a file in the state directory, absolutely: the daemon's
// command line names its configuration so, whatever the caller's directory.
func (d *Daemon) path(elem ...string) string {
	dir, err := filepath.Abs(d.StateDir)
	if err != nil {
		dir = d.StateDir
	}
	return filepath.Join(append([]string{dir}, elem...)...)
}
