package buildkitd

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The life cycle tests start real buildkitd processes, each in a state
// directory of its own (never the shared /var/lib/repobuild): they run under
// `make test` (REPOBUILD_E2E=1), as root, with a buildkitd next to
// $REPOBUILD_BIN or on PATH.

// testDaemon returns a Daemon in a fresh state directory, stopped again at
// the end of the test.
func testDaemon(t *testing.T) *Daemon {
	t.Helper()
	bin := buildkitdBinary(t)
	// A short path: a unix socket's path has at most 107 bytes.
	dir, err := os.MkdirTemp("", "rb-daemon-")
	if err != nil {
		t.Fatal(err)
	}
	d := &Daemon{StateDir: dir, Binary: bin}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, pid := range daemonsOf(d) {
			if t.Failed() {
				break // stopped below; the failure is told already
			}
			t.Errorf("buildkitd pid %d still runs at the end of the test", pid)
		}
		if _, err := d.Stop(ctx, 0); err != nil {
			t.Error(err)
		}
		_ = os.RemoveAll(dir)
	})
	return d
}

func buildkitdBinary(t *testing.T) string {
	t.Helper()
	if os.Getenv("REPOBUILD_E2E") != "1" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI must run the daemon's tests: run them with `make test`")
		}
		t.Skip("starts buildkitd: runs under `make test` (REPOBUILD_E2E=1)")
	}
	if os.Geteuid() != 0 {
		t.Skip("buildkitd needs root")
	}
	if b := os.Getenv("REPOBUILD_BIN"); b != "" {
		if b := filepath.Join(filepath.Dir(b), "buildkitd"); fileExists(b) {
			return b
		}
	}
	b, err := exec.LookPath("buildkitd")
	if err != nil {
		t.Fatal("no buildkitd next to $REPOBUILD_BIN or on PATH: run `make tools`")
	}
	return b
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// daemonsOf lists the live buildkitd processes running with d's configuration.
func daemonsOf(d *Daemon) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err == nil && d.ours(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func ensure(t *testing.T, d *Daemon) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := d.Ensure(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func stop(t *testing.T, d *Daemon, only int) Stopped {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := d.Stop(ctx, only)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// checkRunning checks that exactly pid runs for d, answers, and is the pid
// file's.
func checkRunning(t *testing.T, d *Daemon, pid int) {
	t.Helper()
	if got := daemonsOf(d); !slices.Equal(got, []int{pid}) {
		t.Errorf("buildkitd processes: %v, want [%d]", got, pid)
	}
	st := d.Status(context.Background())
	if !st.Running || st.PID != pid || st.Recorded != pid {
		t.Errorf("status: %+v, want running as pid %d, recorded", st, pid)
	}
}

// checkStopped checks that nothing runs for d and its pid file and socket
// are gone.
func checkStopped(t *testing.T, d *Daemon) {
	t.Helper()
	if got := daemonsOf(d); len(got) > 0 {
		t.Errorf("buildkitd processes after stop: %v", got)
	}
	if st := d.Status(context.Background()); st.Running || st.PID != 0 || st.Recorded != 0 {
		t.Errorf("status after stop: %+v", st)
	}
	for _, f := range []string{d.pidFile(), d.socket()} {
		if fileExists(f) {
			t.Errorf("%s is left after stop", f)
		}
	}
}

func TestStartStopStart(t *testing.T) {
	d := testDaemon(t)
	first := ensure(t, d)
	if !first.Started || first.PID == 0 || first.Addr != "unix://"+filepath.Join(d.StateDir, "buildkitd.sock") {
		t.Fatalf("first start: %+v", first)
	}
	checkRunning(t, d, first.PID)
	if again := ensure(t, d); again.Started || again.PID != first.PID {
		t.Errorf("start of a running daemon: %+v, want pid %d found, not started", again, first.PID)
	}
	if res := stop(t, d, 0); !slices.Equal(res.PIDs, []int{first.PID}) {
		t.Errorf("stop: %+v, want pid %d stopped", res, first.PID)
	}
	if alive(first.PID) {
		t.Errorf("pid %d runs after stop returned", first.PID)
	}
	checkStopped(t, d)
	second := ensure(t, d)
	if !second.Started || second.PID == first.PID {
		t.Errorf("start after stop: %+v", second)
	}
	checkRunning(t, d, second.PID)
	stop(t, d, 0)
	checkStopped(t, d)
}

func TestRacingStarts(t *testing.T) {
	d := testDaemon(t)
	const n = 4
	results := make([]Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each its own Daemon, as separate repobuilds would be.
			results[i], errs[i] = (&Daemon{StateDir: d.StateDir, Binary: d.Binary}).Ensure(context.Background())
		}()
	}
	wg.Wait()
	started := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("start %d: %v", i, errs[i])
		}
		if results[i].PID != results[0].PID {
			t.Errorf("start %d found pid %d, start 0 pid %d", i, results[i].PID, results[0].PID)
		}
		if results[i].Started {
			started++
		}
	}
	if started != 1 {
		t.Errorf("%d of %d racing starts started a daemon, want 1", started, n)
	}
	checkRunning(t, d, results[0].PID)
	stop(t, d, 0)
	checkStopped(t, d)
}

// A daemon whose starter died before it answered (half started, no pid
// file) is waited for and adopted, not doubled.
func TestStartFindsHalfStarted(t *testing.T) {
	d := testDaemon(t)
	cmd, err := d.command()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait() }()
	for lockHolder(d.buildkitLock()) != cmd.Process.Pid {
		if !alive(cmd.Process.Pid) {
			t.Fatal("buildkitd exited at start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	r := ensure(t, d)
	if r.Started || r.PID != cmd.Process.Pid {
		t.Errorf("start beside a half-started daemon: %+v, want pid %d found", r, cmd.Process.Pid)
	}
	checkRunning(t, d, cmd.Process.Pid)
	stop(t, d, 0)
	checkStopped(t, d)
}

// A buildkitd that exits at start fails the start with its log, and leaves
// no pid file.
func TestStartFailsWithLog(t *testing.T) {
	d := testDaemon(t)
	fake := filepath.Join(d.StateDir, "fake-buildkitd")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho 'no luck today' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	d.Binary = fake
	_, err := d.Ensure(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no luck today") || !strings.Contains(err.Error(), d.LogFile()) {
		t.Fatalf("start of a failing buildkitd: %v, want its log", err)
	}
	if fileExists(d.pidFile()) {
		t.Errorf("a failed start wrote %s", d.pidFile())
	}
}

func TestStopDeadDaemon(t *testing.T) {
	d := testDaemon(t)
	r := ensure(t, d)
	p, _ := os.FindProcess(r.PID)
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	for alive(r.PID) {
		time.Sleep(10 * time.Millisecond)
	}
	if res := stop(t, d, 0); len(res.PIDs) != 0 {
		t.Errorf("stop of a dead daemon: %+v, want nothing stopped", res)
	}
	checkStopped(t, d)
	// Its leftovers (BuildKit's lock file, the socket) do not hold up a start.
	again := ensure(t, d)
	if !again.Started {
		t.Errorf("start after a dead daemon: %+v", again)
	}
	checkRunning(t, d, again.PID)
	stop(t, d, 0)
}

// A pid file naming a live process that is not the daemon (pids are
// reused): stop leaves the process alone, start starts the daemon.
func TestStalePIDFile(t *testing.T) {
	d := testDaemon(t)
	other := exec.Command("sleep", "60")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Process.Kill(); _ = other.Wait() })
	stale := func() {
		t.Helper()
		if err := os.WriteFile(d.pidFile(), []byte(fmt.Sprint(other.Process.Pid)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(d.StateDir, 0o700); err != nil {
		t.Fatal(err)
	}
	stale()
	if res := stop(t, d, 0); len(res.PIDs) != 0 {
		t.Errorf("stop with a stale pid file: %+v, want nothing stopped", res)
	}
	stale()
	r := ensure(t, d)
	if !r.Started || r.PID == other.Process.Pid {
		t.Errorf("start with a stale pid file: %+v", r)
	}
	checkRunning(t, d, r.PID)
	stale()
	if res := stop(t, d, 0); !slices.Equal(res.PIDs, []int{r.PID}) {
		t.Errorf("stop of the daemon beside a stale pid file: %+v, want pid %d", res, r.PID)
	}
	if !alive(other.Process.Pid) {
		t.Errorf("stop killed pid %d, which the pid file named but is no buildkitd", other.Process.Pid)
	}
	checkStopped(t, d)
}

// stop --pid stops only that daemon: a script stops what it started, not
// a daemon started since by someone else.
func TestStopOnlyPID(t *testing.T) {
	d := testDaemon(t)
	first := ensure(t, d)
	stop(t, d, 0)
	second := ensure(t, d)
	res := stop(t, d, first.PID)
	if len(res.PIDs) != 0 || res.Left != second.PID {
		t.Errorf("stop --pid %d with pid %d running: %+v, want it left running", first.PID, second.PID, res)
	}
	checkRunning(t, d, second.PID)
	if res := stop(t, d, second.PID); !slices.Equal(res.PIDs, []int{second.PID}) || res.Left != 0 {
		t.Errorf("stop --pid %d: %+v", second.PID, res)
	}
	checkStopped(t, d)
}
