package buildkitd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// startTimeout bounds how long a buildkitd may take to answer once started.
const startTimeout = 90 * time.Second

// Result is the daemon Ensure found or started.
type Result struct {
	Addr string
	PID  int
	// Started: this call started it (else it ran already).
	Started bool
	Log     string
}

// errGone: the process waited for exited.
var errGone = errors.New("buildkitd exited")

// Ensure returns the daemon of the state directory, started if need be. One
// start runs at a time: a second caller waits for the first, and a daemon
// that holds BuildKit's lock but does not answer yet (half started) is
// waited for, never doubled. A start counts only once the process started
// holds BuildKit's lock, listens on the socket and answers.
func (d *Daemon) Ensure(ctx context.Context) (Result, error) {
	if st := d.Status(ctx); st.Running && st.Recorded == st.PID {
		return d.result(st.PID, false), nil
	}
	unlock, err := d.lock(ctx)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	st := d.Status(ctx)
	if st.PID != 0 && !st.Running {
		d.log().Info("waiting for the buildkitd holding its lock to answer", "pid", st.PID, "log", d.LogFile())
		err := d.waitReady(ctx, st.PID, nil)
		switch {
		case err == nil, errors.Is(err, errGone):
		case ctx.Err() != nil:
			return Result{}, err
		default:
			return Result{}, fmt.Errorf("%w\n(repobuild daemon stop --state-dir %s stops it)", err, d.path())
		}
		st.Running = err == nil
	}
	if st.Running {
		if st.Recorded != st.PID {
			if err := d.record(st.PID); err != nil {
				return Result{}, err
			}
		}
		return d.result(st.PID, false), nil
	}
	return d.start(ctx)
}

// start starts buildkitd, the state lock held and no daemon running, and
// waits until that very process answers; on failure it leaves nothing running.
func (d *Daemon) start(ctx context.Context) (Result, error) {
	cmd, err := d.command()
	if err != nil {
		return Result{}, err
	}
	if err := d.forget(); err != nil { // a dead daemon's socket and pid
		return Result{}, err
	}
	logf, err := os.OpenFile(d.LogFile(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return Result{}, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("starting %s: %w", cmd.Path, err)
	}
	pid := cmd.Process.Pid
	// Waited for in the background, so that it is reaped whenever it exits.
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	if err := d.waitReady(ctx, pid, exited); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		return Result{}, err
	}
	if err := d.record(pid); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		return Result{}, err
	}
	d.log().Info("started buildkitd", "pid", pid, "addr", d.Addr(), "log", d.LogFile(), "stop", "repobuild daemon stop")
	return d.result(pid, true), nil
}

// command checks what buildkitd needs, writes its configuration and
// returns the command that starts it.
func (d *Daemon) command() (*exec.Cmd, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("repobuild's own buildkitd needs root: run as root, or pass --addr (or BUILDKIT_HOST) to a running buildkitd")
	}
	if _, err := exec.LookPath("runc"); err != nil {
		return nil, errors.New("buildkitd needs runc, which is not on PATH: apt-get install runc")
	}
	bin, err := d.binary()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(d.configFile(), []byte(config(d.path(), d.Addr())), 0o644); err != nil {
		return nil, err
	}
	return exec.Command(bin, "--config", d.configFile()), nil
}

// waitReady waits until pid holds BuildKit's lock, listens on the socket
// and answers. exited, if not nil, closes when the process is reaped.
func (d *Daemon) waitReady(ctx context.Context, pid int, exited <-chan struct{}) error {
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-exited:
			return fmt.Errorf("%w at start; its log: %s\n%s", errGone, d.LogFile(), tail(d.LogFile(), 15))
		case <-deadline.C:
			return fmt.Errorf("buildkitd (pid %d) did not answer within %s; its log: %s\n%s", pid, startTimeout, d.LogFile(), tail(d.LogFile(), 15))
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		if exited == nil && !alive(pid) {
			return fmt.Errorf("%w (pid %d)", errGone, pid)
		}
		if lockHolder(d.buildkitLock()) == pid && d.answers(ctx, pid) {
			return nil
		}
	}
}

func (d *Daemon) result(pid int, started bool) Result {
	return Result{Addr: d.Addr(), PID: pid, Started: started, Log: d.LogFile()}
}

// Addr is the daemon's socket address.
func (d *Daemon) Addr() string { return "unix://" + d.socket() }

// LogFile is where the daemon writes its log.
func (d *Daemon) LogFile() string { return filepath.Join(d.path(), "buildkitd.log") }
