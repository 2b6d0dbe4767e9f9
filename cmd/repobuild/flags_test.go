package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestPlatform checks buildx's --platform against --arch: the same
// targets, arm64/v8 and bare names normalised, and a clear error for what
// repobuild does not build.
func TestPlatform(t *testing.T) {
	file := writeFile(t, t.TempDir(), "packages.yaml", "common: [curl]\n")
	plan := func(flags ...string) (string, string, int) {
		return repobuild(t, append([]string{"plan", "--distro", "debian12", "-f", file, "-o", "json"}, flags...)...)
	}
	want, stderr, code := plan("--arch", "amd64,arm64")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, platform := range []string{"linux/amd64,linux/arm64", "linux/amd64,linux/arm64/v8", "linux/x86_64,linux/aarch64", "amd64,arm64"} {
		got, stderr, code := plan("--platform", platform)
		if code != 0 || got != want {
			t.Errorf("--platform %s: exit %d, stderr %q; the targets differ from --arch amd64,arm64:\n%s", platform, code, stderr, got)
		}
	}
	// Repeated, as buildx accepts it too.
	if got, _, _ := plan("--platform", "linux/amd64", "--platform", "linux/arm64"); got != want {
		t.Errorf("--platform given twice: %s", got)
	}
	for _, tt := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--platform", "linux/arm64", "--arch", "arm64"}, "repobuild: --arch and --platform name the same thing: give one\n"},
		{[]string{"--platform", "linux/arm/v7"}, "repobuild: --platform \"linux/arm/v7\": repobuild builds repositories for linux/amd64 and linux/arm64, not linux/arm/v7\n"},
		{[]string{"--platform", "windows/amd64"}, "repobuild: --platform \"windows/amd64\": repobuild builds repositories for linux/amd64 and linux/arm64, not windows/amd64\n"},
		{[]string{"--platform", "linux/riscv64"}, "repobuild: --platform \"linux/riscv64\": repobuild builds repositories for linux/amd64 and linux/arm64, not linux/riscv64\n"},
		{[]string{"--platform", ","}, "repobuild: --platform: no platform given (use linux/amd64,linux/arm64)\n"},
	} {
		if stdout, stderr, code := plan(tt.flags...); code != 1 || stdout != "" || stderr != tt.want {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant 1 and:\n%s", tt.flags, code, stderr, tt.want)
		}
	}
}

// TestStdinFile checks -f -: the file read from stdin plans as the file
// does, and its errors name <stdin> and the line, for every command.
func TestStdinFile(t *testing.T) {
	const yaml = "common: [curl]\ndebian12: [jq]\n"
	file := writeFile(t, t.TempDir(), "packages.yaml", yaml)
	stdin := func(in string, args ...string) (string, string, int) {
		var stdout, stderr bytes.Buffer
		code := runIO(context.Background(), args, strings.NewReader(in), &stdout, &stderr)
		return stdout.String(), stderr.String(), code
	}
	got, stderr, code := stdin(yaml, "plan", "--distro", "debian12", "-f", "-")
	want, _, _ := repobuild(t, "plan", "--distro", "debian12", "-f", file)
	if code != 0 || got != strings.ReplaceAll(want, file, "<stdin>") {
		t.Errorf("plan -f -: exit %d, stderr %q, stdout:\n%s\nwant:\n%s", code, stderr, got, want)
	}
	out := t.TempDir()
	for _, command := range [][]string{{"plan"}, {"dockerfile"}, {"-o", out, "--addr", "unix:///nonexistent/buildkitd.sock"}} {
		args := append(append([]string(nil), command...), "--distro", "debian12", "-f", "-")
		stdout, stderr, code := stdin("common: [curl]\ndebain12: [jq]\n", args...)
		if want := "repobuild: <stdin>:2:1: unknown key \"debain12\" (did you mean \"debian12\"?)\n"; code != 1 || stdout != "" || stderr != want {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s\nwant:\n%s", command, code, stdout, stderr, want)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("the output directory changed: %v", entries)
	}
}

// TestProgressEnv checks BUILDKIT_PROGRESS as the default of --progress.
func TestProgressEnv(t *testing.T) {
	t.Setenv("BUILDKIT_PROGRESS", "plain")
	for _, command := range [][]string{{}, {"base"}} {
		stdout, _, _ := repobuild(t, append(command, "--help")...)
		if !strings.Contains(stdout, `($BUILDKIT_PROGRESS) (default "plain")`) {
			t.Errorf("%v --help does not show BUILDKIT_PROGRESS=plain as the default:\n%s", command, stdout)
		}
	}

	t.Setenv("BUILDKIT_PROGRESS", "fancy")
	file := writeFile(t, t.TempDir(), "packages.yaml", "common: [curl]\n")
	build := []string{"--distro", "debian12", "-f", file, "-o", t.TempDir(), "--addr", "unix:///nonexistent/buildkitd.sock"}
	_, stderr, code := repobuild(t, build...)
	if want := "repobuild: BUILDKIT_PROGRESS=\"fancy\": use auto, plain, tty, quiet, rawjson\n"; code != 1 || stderr != want {
		t.Errorf("exit %d, stderr:\n%s\nwant 1 and:\n%s", code, stderr, want)
	}
	// --progress wins over the environment: the build gets as far as the daemon.
	_, stderr, code = repobuild(t, append(build, "--progress", "plain")...)
	if code != 1 || strings.Contains(stderr, "progress") || !strings.Contains(stderr, "/nonexistent/buildkitd.sock") {
		t.Errorf("--progress plain with BUILDKIT_PROGRESS=fancy: exit %d, stderr:\n%s", code, stderr)
	}
	_, stderr, code = repobuild(t, append(build, "--progress", "fancy")...)
	if want := "repobuild: invalid argument \"fancy\" for \"--progress\" flag: use auto, plain, tty, quiet, rawjson\n"; code != 1 || stderr != want {
		t.Errorf("--progress fancy: exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
}

// TestFileTargets checks the distros and arches packages.yaml names under
// repobuild: as the defaults of --distro and --arch.
func TestFileTargets(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "packages.yaml", "repobuild:\n  distros: [debian12, ubuntu2204]\n  arches: [amd64, arm64]\ncommon: [curl]\n")
	stdout, stderr, code := repobuild(t, "plan", "-f", file)
	var heads []string
	for _, line := range strings.Split(stdout, "\n") {
		if head, _, ok := strings.Cut(line, " ("); ok && !strings.HasPrefix(line, " ") {
			heads = append(heads, head)
		}
	}
	if want := "debian12/amd64 debian12/arm64 ubuntu2204/amd64 ubuntu2204/arm64"; code != 0 || strings.Join(heads, " ") != want {
		t.Errorf("exit %d, stderr %q, targets %v, want %s", code, stderr, heads, want)
	}
	stdout, _, _ = repobuild(t, "plan", "-f", file, "--distro", "debian13", "--platform", "linux/arm64")
	if !strings.HasPrefix(stdout, "debian13/arm64 (") || strings.Count(stdout, "/arm64 (") != 1 {
		t.Errorf("--distro and --platform do not override the file:\n%s", stdout)
	}
	bare := writeFile(t, dir, "bare.yaml", "common: [curl]\n")
	_, stderr, code = repobuild(t, "plan", "-f", bare)
	if want := "repobuild: no distro given: use --distro, or name them in " + bare + " under repobuild: distros: (see `repobuild distros`)\n"; code != 1 || stderr != want {
		t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
}

// TestDockerfileFileDistro checks that `repobuild dockerfile` builds the
// one distro packages.yaml names, and refuses a file that names several.
func TestDockerfileFileDistro(t *testing.T) {
	dir := t.TempDir()
	one := writeFile(t, dir, "one.yaml", "repobuild:\n  distros: [debian12]\ncommon: [curl]\n")
	got, stderr, code := repobuild(t, "dockerfile", "-f", one)
	want, _, _ := repobuild(t, "dockerfile", "-f", one, "--distro", "debian12")
	if code != 0 || got != want || !strings.Contains(got, "bookworm") {
		t.Errorf("exit %d, stderr %q; the Dockerfile differs from --distro debian12's", code, stderr)
	}
	two := writeFile(t, dir, "two.yaml", "repobuild:\n  distros: [debian12, debian13]\ncommon: [curl]\n")
	_, stderr, code = repobuild(t, "dockerfile", "-f", two)
	if want := "repobuild: dockerfile takes one --distro (a Dockerfile builds one distro; " + two + " names several)\n"; code != 1 || stderr != want {
		t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
}
