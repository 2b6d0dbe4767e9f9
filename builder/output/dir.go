// Package output holds the destinations a build's repository tree is
// exported to, and makes each of them all-or-nothing: a failed or
// interrupted build leaves the destination as it was.
package output

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Dir is a local directory written atomically. The build exports into a
// temporary directory beside Dest (Path); Commit swaps it in whole, Abort
// removes it. Dest is the result of the last committed build, exactly.
type Dir struct {
	Dest string
	tmp  string
	lock *os.File
}

// NewDir prepares a temporary directory beside dest.
func NewDir(dest string) (*Dir, error) {
	dest = filepath.Clean(dest)
	if fi, err := os.Stat(dest); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("output %s exists and is not a directory", dest)
	}
	tmp, lock, err := newTemp(dest, true)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", dest, err)
	}
	return &Dir{Dest: dest, tmp: tmp, lock: lock}, nil
}

// Path is where the build writes: the temporary directory.
func (d *Dir) Path() string { return d.tmp }

// Commit replaces Dest with the finished tree. Concurrent commits to the
// same Dest are serialized; each leaves one whole tree in place.
func (d *Dir) Commit() error {
	if d.tmp == "" {
		return errors.New("output: already committed or aborted")
	}
	unlock, err := lockDir(filepath.Dir(d.Dest))
	if err != nil {
		return err
	}
	defer unlock()
	old := d.tmp
	d.tmp = ""
	defer d.lock.Close()
	if _, err := os.Lstat(d.Dest); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(old, d.Dest); err != nil {
			return fmt.Errorf("output %s: %w", d.Dest, err)
		}
		return syncDir(filepath.Dir(d.Dest))
	}
	// Swap the two trees in one step, then drop the old one.
	if err := exchange(old, d.Dest); err != nil {
		if old, err = replace(old, d.Dest); err != nil {
			return fmt.Errorf("output %s: %w", d.Dest, err)
		}
	}
	return errors.Join(syncDir(filepath.Dir(d.Dest)), os.RemoveAll(old))
}

// replace is the portable fallback of exchange, for systems and
// filesystems without it: dest is renamed aside, then tmp renamed in, and
// the tree set aside is returned for removal. It is not atomic against a
// concurrent reader (dest is missing between the two renames), but dest is
// never a half-written tree: on failure the old tree is put back.
func replace(tmp, dest string) (aside string, err error) {
	aside = tmp + ".old"
	if err := os.Rename(dest, aside); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dest); err != nil {
		_ = os.Rename(aside, dest)
		return "", err
	}
	return aside, nil
}

// Abort removes the temporary directory; Dest is untouched.
func (d *Dir) Abort() {
	if d.tmp != "" {
		_ = os.RemoveAll(d.tmp)
		d.tmp = ""
		d.lock.Close()
	}
}
