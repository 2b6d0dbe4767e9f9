package output

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// A build writes beside its destination, in a temporary file or directory
// named .DEST.repobuild-*, which it holds an flock on until it commits or
// aborts. A build that was killed leaves its temporary behind, unlocked:
// the next build into the same place removes it.

func tempPrefix(dest string) string { return "." + filepath.Base(dest) + ".repobuild-" }

// live are the temporaries this process made, for Interrupt.
var live struct {
	sync.Mutex
	paths []string
}

// Interrupt removes every temporary this process made that is still there
// and says how many it removed. A command stopped by a signal while an
// export writes calls it and exits, rather than cancel the export under
// its writer: what the build wrote is gone, and every destination is as it
// was. A temporary already committed is gone from its place, or holds the
// tree it replaced, which the commit would have removed too.
func Interrupt() int {
	live.Lock()
	defer live.Unlock()
	n := 0
	for _, p := range live.paths {
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		if os.RemoveAll(p) == nil {
			n++
		}
	}
	live.paths = nil
	return n
}

// newTemp creates a temporary directory (dir) or file beside dest, locked
// by the returned descriptor. It first removes the temporaries of builds
// that died. Both happen under the lock of the parent directory, so no
// build removes another's fresh temporary.
func newTemp(dest string, dir bool) (string, *os.File, error) {
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", nil, err
	}
	unlock, err := lockDir(parent)
	if err != nil {
		return "", nil, err
	}
	defer unlock()
	removeStale(parent, tempPrefix(dest))
	var path string
	if dir {
		path, err = os.MkdirTemp(parent, tempPrefix(dest))
		if err == nil {
			err = os.Chmod(path, 0o755)
		}
	} else {
		var f *os.File
		if f, err = os.CreateTemp(parent, tempPrefix(dest)); err == nil {
			path = f.Name()
			err = errors.Join(f.Chmod(0o644), f.Close())
		}
	}
	if err != nil {
		return "", nil, err
	}
	lock, err := os.Open(path)
	if err == nil {
		err = unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	}
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		_ = os.RemoveAll(path)
		return "", nil, fmt.Errorf("locking %s: %w", path, err)
	}
	live.Lock()
	live.paths = append(live.paths, path)
	live.Unlock()
	return path, lock, nil
}

// removeStale removes the temporaries in parent whose build is gone: those
// nobody holds a lock on.
func removeStale(parent, prefix string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		p := filepath.Join(parent, e.Name())
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil {
			_ = os.RemoveAll(p)
		}
		f.Close()
	}
}

// lockDir takes an exclusive lock on a directory.
func lockDir(dir string) (func(), error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return func() {
		_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, nil
}

// syncDir makes the renames in dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
