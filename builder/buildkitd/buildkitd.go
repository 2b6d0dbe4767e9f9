// Package buildkitd starts, finds and stops the BuildKit daemon repobuild
// runs for itself when the user names no builder. The daemon is the
// version pinned in go.mod, so client and daemon always match; it keeps
// running between builds so that its cache makes rebuilds fast.
//
// Its life cycle: one start or stop at a time per state directory (a
// lock, daemon.lock, in it); a start counts only when the process it
// started holds BuildKit's own lock (root/buildkitd.lock), listens on the
// socket and answers; the pid file names only a daemon that did; a stop
// waits until the process is gone.
package buildkitd

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
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

func (d *Daemon) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
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
