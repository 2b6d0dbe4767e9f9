//go:build linux

package buildkitd

import "golang.org/x/sys/unix"

// peerPID returns the pid of the process at the other end of the unix
// socket fd (SO_PEERCRED), or 0.
func peerPID(fd int) int {
	cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return 0
	}
	return int(cred.Pid)
}
