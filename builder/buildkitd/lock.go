package buildkitd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gofrs/flock"
)

// lockWait bounds the wait for another repobuild's start or stop: a start
// takes at most startTimeout, a stop at most stopTimeout.
const lockWait = 3 * time.Minute

// lock takes the state directory's lock, which one start or stop of the
// daemon holds at a time, and returns its release. Another repobuild
// starting the daemon makes this one wait, then find it running.
func (d *Daemon) lock(ctx context.Context) (func(), error) {
	if err := os.MkdirAll(d.path(), 0o700); err != nil {
		return nil, fmt.Errorf("buildkitd state: %w", err)
	}
	// The file's descriptor is close-on-exec: the daemon does not inherit
	// the lock.
	l := flock.New(d.stateLock())
	ok, err := l.TryLock()
	if err == nil && !ok {
		d.log().Info("waiting for another repobuild starting or stopping buildkitd", "lock", d.stateLock())
		wctx, cancel := context.WithTimeout(ctx, lockWait)
		defer cancel()
		ok, err = l.TryLockContext(wctx, 100*time.Millisecond)
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("another repobuild held %s for %s", d.stateLock(), lockWait)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("locking buildkitd's state: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("could not lock %s", d.stateLock())
	}
	return func() { _ = l.Unlock() }, nil
}
