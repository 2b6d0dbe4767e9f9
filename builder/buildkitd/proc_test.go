package buildkitd

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// How the daemon's processes are told apart, on processes of the test's own.

func TestAlive(t *testing.T) {
	exited := exec.Command("true")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	zombie := exec.Command("true")
	if err := zombie.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = zombie.Wait() })
	for deadline := time.Now().Add(5 * time.Second); alive(zombie.Process.Pid) && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond) // exits, unreaped until Wait
	}
	for _, tc := range []struct {
		name string
		pid  int
		want bool
	}{
		{"this process", os.Getpid(), true},
		{"an exited, reaped process", exited.Process.Pid, false},
		{"an exited, unreaped one (zombie)", zombie.Process.Pid, false},
		{"no pid", 0, false},
	} {
		if got := alive(tc.pid); got != tc.want {
			t.Errorf("alive(%s, %d) = %v, want %v", tc.name, tc.pid, got, tc.want)
		}
	}
}

func TestLockHolder(t *testing.T) {
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("no flock(1)")
	}
	dir := t.TempDir()
	lock := filepath.Join(dir, "buildkitd.lock")
	other := filepath.Join(dir, "other.lock")
	if got := lockHolder(lock); got != 0 {
		t.Errorf("lockHolder of a missing file = %d", got)
	}
	holder := exec.Command("flock", lock, "sleep", "60")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = holder.Process.Kill(); _ = holder.Wait() })
	for deadline := time.Now().Add(5 * time.Second); lockHolder(lock) == 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	// flock(1) takes the lock, then runs sleep with it: the holder is flock's pid.
	if got := lockHolder(lock); got != holder.Process.Pid {
		t.Errorf("lockHolder = %d, want %d", got, holder.Process.Pid)
	}
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := lockHolder(other); got != 0 {
		t.Errorf("lockHolder of an unlocked file = %d", got)
	}
}

func TestSocketPID(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	if got := socketPID(sock); got != 0 {
		t.Errorf("socketPID with nothing listening = %d", got)
	}
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got := socketPID(sock); got != os.Getpid() {
		t.Errorf("socketPID = %d, want this process, %d", got, os.Getpid())
	}
}
