package buildkitd

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// What the daemon's processes look like from outside, read from Linux's
// /proc and the socket's peer credentials: no process is trusted by its pid
// alone, since pids are reused.

// alive reports whether pid names a process that has not exited (a zombie,
// exited but not yet reaped, counts as gone).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) state ...: comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 >= len(data) {
		return false
	}
	state := data[i+2]
	return state != 'Z' && state != 'X'
}

// lockHolder returns the pid of the process holding a flock on path, or 0
// when none does. The kernel's table of locks names the file by inode; the
// holder is confirmed by one of its open files being path itself.
func lockHolder(path string) int {
	want, err := os.Stat(path)
	if err != nil {
		return 0
	}
	ino := strconv.FormatUint(want.Sys().(*syscall.Stat_t).Ino, 10)
	f, err := os.Open("/proc/locks")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "1: FLOCK  ADVISORY  WRITE 20652 fe:00:9978049 0 EOF"; waiters have "->".
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] != "FLOCK" {
			continue
		}
		devIno := strings.Split(fields[5], ":")
		if len(devIno) != 3 || devIno[2] != ino {
			continue
		}
		pid, err := strconv.Atoi(fields[4])
		if err == nil && hasOpen(pid, want) {
			return pid
		}
	}
	return 0
}

// hasOpen reports whether process pid has the file fi open.
func hasOpen(pid int, fi os.FileInfo) bool {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	fds, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, fd := range fds {
		if got, err := os.Stat(dir + "/" + fd.Name()); err == nil && os.SameFile(got, fi) {
			return true
		}
	}
	return false
}

// socketPID returns the pid of the process listening on the unix socket
// path (its peer credentials), or 0 when nothing listens there.
func socketPID(path string) int {
	conn, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		return 0
	}
	defer conn.Close()
	raw, err := conn.(*net.UnixConn).SyscallConn()
	if err != nil {
		return 0
	}
	var pid int
	_ = raw.Control(func(fd uintptr) { pid = peerPID(int(fd)) })
	return pid
}

// cmdline returns the arguments process pid runs with.
func cmdline(pid int) []string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimRight(string(data), "\x00"), "\x00")
}
