//go:build !linux

package output

import "errors"

// exchange is Linux's atomic swap; elsewhere (macOS, for repobuild as a
// remote client) there is none, and Commit falls back to replace: the
// destination is briefly absent to a concurrent reader, but never
// half-written.
func exchange(a, b string) error {
	return errors.New("atomic exchange is not supported on this system")
}
