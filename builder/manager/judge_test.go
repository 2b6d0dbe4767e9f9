package manager_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// judgeCase is a transaction and the requests its manager's words name
// as unmet: SPEC<TAB>REASON each.
type judgeCase struct {
	name  string
	specs []string
	want  []string
}

// checkJudge runs common/judge.sh's rb_judge with the patterns (a path in
// the scripts' tree) on each case's log, with mawk and with gawk.
func checkJudge(t *testing.T, patterns string, tests []judgeCase, logs []string) {
	t.Helper()
	tree := filepath.Join(t.TempDir(), "manager")
	writeTree(t, tree)
	for awk, path := range awks(t) {
		for i, tt := range tests {
			t.Run(awk+"/"+tt.name, func(t *testing.T) {
				// The manager's own words name each culprit.
				for _, w := range tt.want {
					if _, reason, _ := strings.Cut(w, "\t"); !strings.Contains(logs[i], reason) {
						t.Fatalf("the package manager does not say %q:\n%s", reason, logs[i])
					}
				}
				log := filepath.Join(t.TempDir(), "log")
				if err := os.WriteFile(log, []byte(logs[i]), 0o644); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command("/bin/sh", "-eu", "-c", `. "$1/common/judge.sh"; shift; rb_judge "$@"`, "sh",
					tree, filepath.Join(tree, patterns), log)
				cmd.Args = append(cmd.Args, tt.specs...)
				cmd.Env = []string{"PATH=" + path}
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("rb_judge: %v\n%s", err, out)
				}
				got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
				if len(out) == 0 {
					got = nil
				}
				want := append([]string(nil), tt.want...)
				sort.Strings(got)
				sort.Strings(want)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("rb_judge %s names\n%q\nwant\n%q\nfrom\n%s", strings.Join(tt.specs, " "), got, want, logs[i])
				}
			})
		}
	}
}

// aptPackages is a flat repository: curl and curl-dev (one name a prefix
// of the other), g++ (regex characters) depending on ghost, which nothing
// provides.
const aptPackages = `Package: curl
Version: 7.88.1-10
Architecture: amd64
Depends: libcurl4

Package: curl-dev
Version: 7.88.1-10
Architecture: amd64

Package: libcurl4
Version: 7.88.1-10
Architecture: amd64

Package: g++
Version: 4:12.2.0-3
Architecture: amd64
Depends: ghost
`

// TestJudgeApt runs the host's apt as apt/fetch.sh does (an empty dpkg
// status, --print-uris) on a repository of its own, and rb_judge with
// apt/problems.sed on apt's real words.
func TestJudgeApt(t *testing.T) {
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("apt-get is not installed")
	}
	dir := t.TempDir()
	for _, d := range []string{"repo", "lists/partial", "archives/partial", "etc/sources.list.d"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range map[string]string{
		"repo/Packages":    strings.ReplaceAll(aptPackages, "Architecture: amd64\n", "Architecture: amd64\nFilename: ./x.deb\nSize: 1\nSHA256: "+strings.Repeat("a", 64)+"\nDescription: x\n"),
		"etc/sources.list": "deb [trusted=yes] file:" + filepath.Join(dir, "repo") + " ./\n",
		"status":           "",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	apt := func(args ...string) (string, error) {
		cmd := exec.Command("apt-get", append([]string{"-o", "Dir::Etc=" + filepath.Join(dir, "etc"),
			"-o", "Dir::State::status=" + filepath.Join(dir, "status"), "-o", "Dir::State::lists=" + filepath.Join(dir, "lists"),
			"-o", "Dir::Cache=" + dir, "-o", "Dir::Cache::archives=" + filepath.Join(dir, "archives"),
			"-o", "APT::Architecture=amd64", "-o", "APT::Architectures::=amd64", "-o", "Debug::NoLocking=true"}, args...)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := apt("-q", "update"); err != nil {
		t.Fatalf("apt-get update: %v\n%s", err, out)
	}
	tests := []judgeCase{
		{"missing and a missing version", []string{"repobuild-no-such-package", "curl=0.0.1-x", "curl-dev"}, []string{
			"repobuild-no-such-package\tUnable to locate package repobuild-no-such-package",
			"curl=0.0.1-x\tVersion '0.0.1-x' for 'curl' was not found"}},
		{"the longer name", []string{"curl-dev=9", "curl"}, []string{"curl-dev=9\tVersion '9' for 'curl-dev' was not found"}},
		{"release", []string{"curl/nosuch", "curl-dev"}, []string{"curl/nosuch\tRelease 'nosuch' for 'curl' was not found"}},
		{"glob", []string{"nosuch*", "curl"}, []string{"nosuch*\tUnable to locate package nosuch*"}},
		{"no candidate", []string{"ghost", "curl"}, []string{"ghost\tPackage 'ghost' has no installation candidate"}},
		{"regex characters", []string{"g++=0.1", "curl"}, []string{"g++=0.1\tVersion '0.1' for 'g++' was not found"}},
		{"another architecture", []string{"curl:arm64", "curl"}, []string{"curl:arm64\tUnable to locate package curl:arm64"}},
		// A dependency that cannot be met: apt names no request.
		{"broken dependency", []string{"g++", "curl"}, nil},
	}
	var logs []string
	for _, tt := range tests {
		out, err := apt(append([]string{"-qq", "--print-uris", "install", "--"}, tt.specs...)...)
		if err == nil {
			t.Fatalf("apt-get install %s succeeded:\n%s", strings.Join(tt.specs, " "), out)
		}
		logs = append(logs, out)
	}
	checkJudge(t, "apt/problems.sed", tests, logs)
}

// TestJudgeDNF runs the host's dnf against the RPM fixture world
// (testdata/rpmworld: fx-lib and fx-libc, one name a prefix of the
// other) from an empty root, as dnf/fetch.sh does, and rb_judge with
// rpm/problems.sed on dnf's real words; yum's words are the line its
// cli.py prints (no yum on the host).
func TestJudgeDNF(t *testing.T) {
	world := rpmWorld(t)
	dir := t.TempDir()
	for name, content := range map[string]string{
		"repos.d/fixture.repo": "[fx-base]\nname=fixture\nbaseurl=file://" + filepath.Join(world, "base") + "/\ngpgcheck=0\n",
		"dnf.conf":             "[main]\ngpgcheck=0\nplugins=0\nstrict=1\nbest=1\nmetadata_expire=0\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []judgeCase{
		{"missing names and versions", []string{"nosuch", "fx-lib-9.9", "fx-lib.aarch64x", "fx-libc", "fx-app"}, []string{
			"nosuch\tNo match for argument: nosuch",
			"fx-lib-9.9\tNo match for argument: fx-lib-9.9",
			"fx-lib.aarch64x\tNo match for argument: fx-lib.aarch64x"}},
		{"a prefix of other names", []string{"fx-li", "fx-lib", "fx-libc"}, []string{"fx-li\tNo match for argument: fx-li"}},
		{"yum", []string{"nosuch", "nosuch-devel", "fx-lib"}, []string{"nosuch\tNo package nosuch available."}},
	}
	var logs []string
	for _, tt := range tests[:2] {
		cmd := exec.Command("dnf", append([]string{"-c", filepath.Join(dir, "dnf.conf"), "--setopt=reposdir=" + filepath.Join(dir, "repos.d"),
			"--setopt=cachedir=" + filepath.Join(dir, "cache"), "--installroot=" + filepath.Join(dir, "root"),
			"--releasever=9", "--forcearch=x86_64", "-y", "--assumeno", "install", "--"}, tt.specs...)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("dnf install %s succeeded:\n%s", strings.Join(tt.specs, " "), out)
		}
		logs = append(logs, string(out))
	}
	logs = append(logs, "Loaded plugins: fastestmirror\nNo package nosuch available.\nError: Unable to find a match: nosuch\n")
	checkJudge(t, "rpm/problems.sed", tests, logs)
}
