package buildkitd

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// cli runs `repobuild daemon ARGS --state-dir DIR` and returns its stdout
// and exit status (-1: it did not run). Safe in goroutines.
func cli(t *testing.T, d *Daemon, args ...string) (string, int) {
	t.Helper()
	bin := os.Getenv("REPOBUILD_BIN")
	cmd := exec.Command(bin, append(append([]string{"daemon"}, args...), "--state-dir", d.StateDir)...)
	cmd.Env = append(os.Environ(), "REPOBUILD_BUILDKITD="+d.Binary)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return stdout.String(), exit.ExitCode()
	case err != nil:
		t.Errorf("repobuild daemon %s: %v", strings.Join(args, " "), err)
		return "", -1
	}
	if stderr.Len() > 0 {
		t.Logf("repobuild daemon %s: %s", strings.Join(args, " "), stderr.String())
	}
	return stdout.String(), 0
}

// Two repobuild processes starting the daemon at once: one starts it, the
// other finds it; status and stop say what runs and what stopped.
func TestCLIRacingStartsStatusStop(t *testing.T) {
	d := testDaemon(t)
	if os.Getenv("REPOBUILD_BIN") == "" {
		t.Skip("REPOBUILD_BIN names the repobuild under test")
	}
	if _, code := cli(t, d, "status"); code != 3 {
		t.Fatalf("status before start: exit %d, want 3", code)
	}
	outs := make([]string, 2)
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], codes[i] = cli(t, d, "start", "--format", "{{.PID}} {{.Started}}")
		}()
	}
	wg.Wait()
	var pid int
	started := map[string]int{}
	for i, out := range outs {
		var p int
		var s string
		if _, err := fmt.Sscan(out, &p, &s); err != nil || codes[i] != 0 {
			t.Fatalf("start %d: exit %d, %q", i, codes[i], out)
		}
		if pid != 0 && p != pid {
			t.Errorf("the racing starts report pids %d and %d", pid, p)
		}
		pid = p
		started[s]++
	}
	if started["true"] != 1 || started["false"] != 1 {
		t.Errorf("racing starts: %q, want one started and one found", outs)
	}
	checkRunning(t, d, pid)

	for _, step := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"status"}, fmt.Sprintf("running at unix://%s/buildkitd.sock (pid %d, log: %[1]s/buildkitd.log)\n", d.StateDir, pid), 0},
		{[]string{"start"}, fmt.Sprintf("unix://%s/buildkitd.sock\n", d.StateDir), 0},
		{[]string{"stop", "--pid", "1"}, fmt.Sprintf("buildkitd pid 1 is not running; left buildkitd pid %d running\n", pid), 0},
		{[]string{"stop"}, fmt.Sprintf("stopped buildkitd (pid %d)\n", pid), 0},
		{[]string{"stop"}, "buildkitd is not running\n", 0},
		{[]string{"status"}, fmt.Sprintf("not running (state: %s)\n", d.StateDir), 3},
	} {
		out, code := cli(t, d, step.args...)
		if out != step.want || code != step.code {
			t.Errorf("daemon %s: exit %d, %q; want exit %d, %q", strings.Join(step.args, " "), code, out, step.code, step.want)
		}
	}
	checkStopped(t, d)
}
