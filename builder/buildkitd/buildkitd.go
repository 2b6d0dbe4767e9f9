// Package buildkitd starts, finds and stops the BuildKit daemon repobuild
// runs for itself when the user names no builder. The daemon is the
// version pinned in go.mod, so client and daemon always match; it keeps
// running between builds so that its cache makes rebuilds fast.
package buildkitd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moby/buildkit/client"
)

// Daemon is repobuild's own buildkitd, living in StateDir.
type Daemon struct {
	// StateDir holds the daemon's root, socket, config, log and pid file.
	StateDir string
	// Binary is the buildkitd executable; empty means look next to the
	// running executable, then on PATH.
	Binary string
	Log    *slog.Logger
}

// DefaultStateDir is $REPOBUILD_STATE_DIR, else /var/lib/repobuild for
// root, else $XDG_STATE_HOME/repobuild.
func DefaultStateDir() string {
	if d := os.Getenv("REPOBUILD_STATE_DIR"); d != "" {
		return d
	}
	if os.Geteuid() == 0 {
		return "/var/lib/repobuild"
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "repobuild")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "state", "repobuild")
}

// Addr is the daemon's socket address.
func (d *Daemon) Addr() string {
	return "unix://" + filepath.Join(d.StateDir, "buildkitd.sock")
}

func (d *Daemon) pidFile() string { return filepath.Join(d.StateDir, "buildkitd.pid") }

// LogFile is where the daemon writes its log.
func (d *Daemon) LogFile() string { return filepath.Join(d.StateDir, "buildkitd.log") }

func (d *Daemon) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}

// Running reports whether the daemon answers on its socket.
func (d *Daemon) Running(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	c, err := client.New(ctx, d.Addr())
	if err != nil {
		return false
	}
	defer c.Close()
	_, err = c.ListWorkers(ctx)
	return err == nil
}

// Ensure starts the daemon unless it is already running, and returns its
// address.
func (d *Daemon) Ensure(ctx context.Context) (string, error) {
	if d.Running(ctx) {
		return d.Addr(), nil
	}
	return d.Addr(), d.Start(ctx)
}

// Start starts the daemon in the background and waits until it answers.
func (d *Daemon) Start(ctx context.Context) error {
	if os.Geteuid() != 0 {
		return errors.New("repobuild's own buildkitd needs root: run as root, or pass --addr (or BUILDKIT_HOST) to a running buildkitd")
	}
	if _, err := exec.LookPath("runc"); err != nil {
		return errors.New("buildkitd needs runc, which is not on PATH: apt-get install runc")
	}
	bin, err := d.binary()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d.StateDir, 0o700); err != nil {
		return fmt.Errorf("buildkitd state: %w", err)
	}
	_ = os.Remove(filepath.Join(d.StateDir, "buildkitd.sock"))
	cfg := filepath.Join(d.StateDir, "buildkitd.toml")
	if err := os.WriteFile(cfg, []byte(config(d.StateDir, d.Addr())), 0o644); err != nil {
		return err
	}
	logf, err := os.OpenFile(d.LogFile(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "--config", cfg)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	pid := cmd.Process.Pid
	if err := os.WriteFile(d.pidFile(), []byte(strconv.Itoa(pid)), 0o644); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(90 * time.Second)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("buildkitd exited at start (%v); its log: %s\n%s", err, d.LogFile(), tail(d.LogFile(), 15))
		case <-deadline:
			return fmt.Errorf("buildkitd did not answer within 90s; its log: %s\n%s", d.LogFile(), tail(d.LogFile(), 15))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if d.Running(ctx) {
			d.log().Info("started buildkitd", "pid", pid, "addr", d.Addr(), "log", d.LogFile(), "stop", "repobuild daemon stop")
			_ = cmd.Process.Release()
			return nil
		}
	}
}

// Stop stops the daemon if it runs.
func (d *Daemon) Stop(ctx context.Context) error {
	data, err := os.ReadFile(d.pidFile())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return fmt.Errorf("%s: %w", d.pidFile(), err)
	}
	p, _ := os.FindProcess(pid)
	if err := p.Signal(syscall.SIGTERM); err != nil {
		_ = os.Remove(d.pidFile())
		return nil // already gone
	}
	for i := 0; i < 150; i++ {
		if err := p.Signal(syscall.Signal(0)); err != nil {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	if p.Signal(syscall.Signal(0)) == nil {
		_ = p.Signal(syscall.SIGKILL)
	}
	d.log().Info("stopped buildkitd", "pid", pid)
	return os.Remove(d.pidFile())
}

// binary finds buildkitd: Binary, $REPOBUILD_BUILDKITD, next to the running
// executable, or on PATH.
func (d *Daemon) binary() (string, error) {
	if d.Binary != "" {
		return d.Binary, nil
	}
	if b := os.Getenv("REPOBUILD_BUILDKITD"); b != "" {
		return b, nil
	}
	if self, err := os.Executable(); err == nil {
		b := filepath.Join(filepath.Dir(self), "buildkitd")
		if _, err := os.Stat(b); err == nil {
			return b, nil
		}
	}
	if b, err := exec.LookPath("buildkitd"); err == nil {
		return b, nil
	}
	return "", fmt.Errorf("no buildkitd found next to repobuild or on PATH: `make tools` builds the pinned version (%s) into bin/, or pass --addr", ClientVersion())
}

// ClientVersion is the BuildKit version repobuild was built with.
func ClientVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "github.com/moby/buildkit" {
				return m.Version
			}
		}
	}
	return "unknown"
}

func config(state, addr string) string {
	return fmt.Sprintf(`# Written by repobuild: its own buildkitd.
root = %q

[grpc]
  address = [%q]

[worker.oci]
  enabled = true
  snapshotter = "overlayfs"
  networkMode = "host"
  gc = true
  # Package caches are worth keeping: one policy for everything, sized to
  # the disk, instead of the default 512 MB for cache mounts.
  [[worker.oci.gcpolicy]]
    all = true
    keepDuration = "720h"
    reservedSpace = "10GB"
    maxUsedSpace = "60%%"
    minFreeSpace = "10%%"

[worker.containerd]
  enabled = false
`, filepath.Join(state, "root"), addr)
}

func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
