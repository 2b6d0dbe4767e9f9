package buildkitd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"syscall"
	"time"
)

// stopTimeout bounds a stop: SIGTERM, then SIGKILL after stopGrace.
const (
	stopGrace   = 30 * time.Second
	stopTimeout = stopGrace + 10*time.Second
)

// Stopped is what Stop did.
type Stopped struct {
	// PIDs are the processes stopped, gone by the time Stop returns.
	PIDs []int
	// Left is a daemon left running: it is not the one Stop was asked to stop.
	Left int
}

// Stop stops the daemon of the state directory and waits until its process
// is gone. With only != 0 it stops only that process (the pid a start
// reported), leaving any other daemon running. A pid file naming a process
// that is not this directory's buildkitd (pids are reused) stops nothing.
func (d *Daemon) Stop(ctx context.Context, only int) (Stopped, error) {
	if _, err := os.Stat(d.path()); errors.Is(err, os.ErrNotExist) {
		return Stopped{}, nil
	}
	unlock, err := d.lock(ctx)
	if err != nil {
		return Stopped{}, err
	}
	defer unlock()
	var targets []int
	holder := lockHolder(d.buildkitLock())
	if holder != 0 {
		targets = append(targets, holder)
	}
	if rec := d.recorded(); rec != holder && d.ours(rec) {
		targets = append(targets, rec) // a daemon that lost its lock
	}
	var res Stopped
	if only != 0 {
		if holder != 0 && holder != only {
			res.Left = holder
		}
		targets = slices.DeleteFunc(targets, func(pid int) bool { return pid != only })
	}
	for _, pid := range targets {
		if err := d.kill(ctx, pid); err != nil {
			return res, err
		}
		res.PIDs = append(res.PIDs, pid)
		d.log().Debug("stopped buildkitd", "pid", pid)
	}
	if lockHolder(d.buildkitLock()) == 0 && !d.ours(d.recorded()) {
		return res, d.forget()
	}
	return res, nil
}

// kill stops pid with SIGTERM, then SIGKILL, and waits until it is gone.
func (d *Daemon) kill(ctx context.Context, pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	_ = p.Signal(syscall.SIGTERM)
	start := time.Now()
	killed := false
	for alive(pid) {
		elapsed := time.Since(start)
		switch {
		case elapsed > stopTimeout:
			return fmt.Errorf("buildkitd (pid %d) is still running %s after SIGKILL", pid, stopTimeout-stopGrace)
		case elapsed > stopGrace && !killed:
			d.log().Warn("buildkitd did not stop on SIGTERM: killing it", "pid", pid, "after", stopGrace)
			_ = p.Signal(syscall.SIGKILL)
			killed = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}
