//go:build !linux

package buildkitd

// peerPID is Linux's SO_PEERCRED; elsewhere (repobuild on macOS, a client
// of a remote BuildKit: its own buildkitd runs on Linux only) no peer is
// known, so no daemon of repobuild's own is ever recognised.
func peerPID(fd int) int { return 0 }
