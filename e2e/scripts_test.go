package e2e

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The services of scripts/start.sh and stop.sh (a loopback registry and
// repobuild's buildkitd), the way `make example` then `make test` use them,
// each test in a state directory of its own with a spare registry port.

type services struct {
	e     env
	state string
	addr  string // the registry's
}

func newServices(t *testing.T) services {
	t.Helper()
	e := setup(t)
	state, err := os.MkdirTemp("", "rb-scripts-")
	if err != nil {
		t.Fatal(err)
	}
	s := services{e: e, state: state, addr: spareAddr(t)}
	t.Cleanup(func() {
		if pids := s.running(); len(pids) > 0 && !t.Failed() {
			t.Errorf("still running at the end: %v", pids)
		}
		_, _ = s.script(t, "", "stop.sh")
		_ = exec.Command(filepath.Join(e.root, "bin", "repobuild"), "daemon", "stop", "--state-dir", state).Run()
		for _, pid := range s.running() {
			p, _ := os.FindProcess(pid)
			_ = p.Kill()
		}
		_ = os.RemoveAll(state)
	})
	return s
}

// spareAddr returns a loopback address nothing listens on.
func spareAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// script runs scripts/NAME recording in the started file `started` (empty:
// the default, as `make start` and `make stop`), and returns its messages.
func (s services) script(t *testing.T, started, name string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(s.e.root, "scripts", name))
	// Not the started file of the make test that runs this test: with
	// started empty, the scripts use the default file of s.state.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REPOBUILD_STARTED=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "REPOBUILD_STATE_DIR="+s.state, "REPOBUILD_REGISTRY_ADDR="+s.addr)
	if started != "" {
		cmd.Env = append(cmd.Env, "REPOBUILD_STARTED="+filepath.Join(s.state, started))
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (s services) mustScript(t *testing.T, started, name string) string {
	t.Helper()
	out, err := s.script(t, started, name)
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	return out
}

// running lists the processes of this state directory: its buildkitd and
// its registry, by their command lines.
func (s services) running() []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if bytes.Contains(cmdline, []byte(s.state+"/")) && !bytes.HasPrefix(cmdline, []byte("/bin/sh")) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// autoStart is what a repobuild without --addr does first, as `repobuild
// base` in `make test`: it must find the daemon start.sh started.
func (s services) autoStart(t *testing.T, wantPID int) {
	t.Helper()
	out, err := exec.Command(filepath.Join(s.e.root, "bin", "repobuild"), "daemon", "start",
		"--state-dir", s.state, "--format", "{{.PID}} {{.Started}}").Output()
	if want := fmt.Sprintf("%d false\n", wantPID); err != nil || string(out) != want {
		t.Errorf("repobuild's own start beside start.sh's daemon: %v, %q; want %q", err, out, want)
	}
}

var startedPID = regexp.MustCompile(`started buildkitd \(pid (\d+)\)`)

// startedDaemon returns the pid of the buildkitd a start.sh said it started.
func startedDaemon(t *testing.T, out string) int {
	t.Helper()
	m := startedPID.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("start.sh did not say it started buildkitd:\n%s", out)
	}
	pid, _ := strconv.Atoi(m[1])
	return pid
}

func checkGone(t *testing.T, s services, pid int, what string) {
	t.Helper()
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && len(data) > 0 {
		t.Errorf("%s (pid %d) runs after stop.sh", what, pid)
	}
	if pids := s.running(); len(pids) > 0 {
		t.Errorf("processes of %s after stop.sh: %v", s.state, pids)
	}
}

// The README's `make example` then `make test`: each starts the services,
// builds with repobuild's own daemon, and stops what it started.
func TestScriptsBackToBack(t *testing.T) {
	s := newServices(t)
	for _, run := range []string{"started-example", "started-test"} {
		out := s.mustScript(t, run, "start.sh")
		if !strings.Contains(out, "started registry at "+s.addr) {
			t.Errorf("%s: start.sh did not start the registry:\n%s", run, out)
		}
		pid := startedDaemon(t, out)
		s.autoStart(t, pid)
		out = s.mustScript(t, run, "stop.sh")
		if !strings.Contains(out, fmt.Sprintf("stopped buildkitd (pid %d)", pid)) || !strings.Contains(out, "stopped registry") {
			t.Errorf("%s: stop.sh:\n%s", run, out)
		}
		checkGone(t, s, pid, "buildkitd")
	}
}

// Services running before (`make start`) are used and left running.
func TestScriptsLeaveWhatRanBefore(t *testing.T) {
	s := newServices(t)
	pid := startedDaemon(t, s.mustScript(t, "", "start.sh"))
	out := s.mustScript(t, "started-test", "start.sh")
	if !strings.Contains(out, fmt.Sprintf("buildkitd runs already (pid %d)", pid)) || !strings.Contains(out, "registry answers") {
		t.Errorf("start.sh beside running services:\n%s", out)
	}
	if out := s.mustScript(t, "started-test", "stop.sh"); strings.Contains(out, "stopped") {
		t.Errorf("stop.sh stopped what it did not start:\n%s", out)
	}
	if running := s.running(); len(running) != 2 {
		t.Errorf("after stop.sh of the second start, running: %v, want buildkitd %d and the registry", running, pid)
	}
	out = s.mustScript(t, "", "stop.sh")
	if !strings.Contains(out, fmt.Sprintf("stopped buildkitd (pid %d)", pid)) {
		t.Errorf("stop.sh of the first start:\n%s", out)
	}
	checkGone(t, s, pid, "buildkitd")
}

// Two start.sh at once: one daemon and one registry, recorded once.
func TestScriptsRacingStarts(t *testing.T) {
	s := newServices(t)
	runs := []string{"started-a", "started-b"}
	outs := make([]string, len(runs))
	var wg sync.WaitGroup
	for i, run := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if outs[i], err = s.script(t, run, "start.sh"); err != nil {
				t.Errorf("start.sh: %v\n%s", err, outs[i])
			}
		}()
	}
	wg.Wait()
	all := outs[0] + outs[1]
	if n := len(startedPID.FindAllString(all, -1)); n != 1 {
		t.Errorf("racing start.sh started buildkitd %d times:\n%s", n, all)
	}
	if n := strings.Count(all, "started registry"); n != 1 {
		t.Errorf("racing start.sh started the registry %d times:\n%s", n, all)
	}
	pid := startedDaemon(t, all)
	stops := s.mustScript(t, runs[0], "stop.sh") + s.mustScript(t, runs[1], "stop.sh")
	if n := strings.Count(stops, "stopped buildkitd ("); n != 1 {
		t.Errorf("stop.sh said %d times it stopped buildkitd:\n%s", n, stops)
	}
	checkGone(t, s, pid, "buildkitd")
}

// stop.sh after the daemon died does not claim to have stopped it.
func TestScriptsStopDeadDaemon(t *testing.T) {
	s := newServices(t)
	pid := startedDaemon(t, s.mustScript(t, "started-a", "start.sh"))
	p, _ := os.FindProcess(pid)
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err != nil || len(data) == 0 {
			break
		}
	}
	out := s.mustScript(t, "started-a", "stop.sh")
	if strings.Contains(out, "stopped buildkitd") || !strings.Contains(out, fmt.Sprintf("buildkitd pid %d is not running", pid)) {
		t.Errorf("stop.sh after buildkitd died:\n%s", out)
	}
	checkGone(t, s, pid, "buildkitd")
}
