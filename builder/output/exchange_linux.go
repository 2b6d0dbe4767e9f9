//go:build linux

package output

import "golang.org/x/sys/unix"

// exchange swaps the directory entries a and b in one step
// (renameat2 RENAME_EXCHANGE): a reader sees either tree, whole, never
// neither. It fails on filesystems without RENAME_EXCHANGE; Commit then
// falls back to replace.
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
