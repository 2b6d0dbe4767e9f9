package manager_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/repobuild/repobuild/builder/lock"
	"github.com/repobuild/repobuild/builder/pipeline"
)

// reportStep is a fetch script that appends the files of /repobuild/in to
// common/report.sh's lists and exits as /repobuild/in/exit says.
const reportStep = `set -eu
. /repobuild/manager/common/input.sh
. /repobuild/manager/common/report.sh
rb_report_begin
rb_cleanup='touch /repobuild/out/cleaned'
cat /repobuild/in/failed >>"$rb_failed"
cat /repobuild/in/skipped >>"$rb_skipped"
cat /repobuild/in/lock >>"$rb_lock"
cat /repobuild/in/fetched >"$rb_fetched"
exit "$(cat /repobuild/in/exit)"
`

func sum(c byte) string { return strings.Repeat(string(c), 64) }

// problemLines is SPEC<TAB>REASON a line, as the scripts append them.
func problemLines(ps []pipeline.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		if p.Reason == "" {
			fmt.Fprintf(&b, "%s\n\n", p.Spec) // and an empty line, which counts nothing
		} else {
			fmt.Fprintf(&b, "%s\t%s\n", p.Spec, p.Reason)
		}
	}
	return b.String()
}

// TestReport runs common/report.sh and report.awk, with mawk and with
// gawk, as a fetch step does: what the script appends is what repobuild
// reads from report.json and lock.json, exactly.
func TestReport(t *testing.T) {
	tricky := []pipeline.Problem{
		{Spec: "curl=0.0.1-x", Reason: `Version '0.0.1-x' for 'curl' was not found`},
		{Spec: "quotes", Reason: `he said "no", and \ is a backslash, \n not a newline, \"`},
		{Spec: "tab", Reason: "before\tafter a tab"},
		{Spec: "utf8", Reason: "Paket »curl« nicht gefunden — 日本語 ✓"},
		{Spec: "control", Reason: "\x1b[1mbold\x1b[0m \x01 \r\x7f end"},
		{Spec: "*", Reason: "the requests conflict"},
		{Spec: "no-reason"},
	}
	packages := []lock.Package{
		{File: "debian/pool/bookworm/curl_7.88.1-10+deb12u8_amd64.deb", Size: 315000, SHA256: sum('a'), URI: "http://127.0.0.1:1/debian/pool/main/c/curl/curl_7.88.1-10%2bdeb12u8_amd64.deb"},
		{File: "fixture/9/os/x86_64/Packages/fx-lib-1.0-1.x86_64.rpm", Size: 0, SHA256: sum('0'), URI: "-"},
	}
	// apt's --print-uris quotes the URI.
	lockLines := fmt.Sprintf("'%s' %s %d %s\n%s %s %d %s\n", packages[0].URI, packages[0].File, packages[0].Size, packages[0].SHA256,
		packages[1].URI, packages[1].File, packages[1].Size, packages[1].SHA256)
	tests := []struct {
		name            string
		strict          string
		failed, skipped []pipeline.Problem
		lock, fetched   string
		exit            string
		packages        []lock.Package
		fetchedWant     int64
		wantExit        int // 0: a report is written
		stdout, stderr  []string
		notStderr       string
	}{
		{name: "tricky reasons", failed: tricky, skipped: tricky[2:4], lock: lockLines, packages: packages,
			fetched: "123456789012\n", fetchedWant: 123456789012, exit: "0", stdout: []string{"optional packages left out:\ntab\tbefore\tafter a tab\n"}},
		{name: "nothing", exit: "0", fetched: "0\n"},
		{name: "fetched unreadable", exit: "0", fetched: "lots\n", lock: lockLines[strings.Index(lockLines, "\n")+1:], packages: packages[1:]},
		{name: "the script fails", failed: tricky[:1], lock: lockLines, fetched: "5\n", exit: "3", wantExit: 3},
		{name: "a malformed lock line", lock: "- debian/pool/bookworm/x.deb 12 SHA256:" + sum('b') + "\n", fetched: "0\n", exit: "0", wantExit: 1,
			stderr: []string{"repobuild: malformed lock line 1: - debian/pool/bookworm/x.deb"}},
		{name: "strict with failures", strict: "1", failed: tricky[:2], skipped: tricky[3:4], fetched: "0\n", exit: "0", wantExit: 1,
			stderr: []string{"repobuild: debian12/amd64: requests that cannot be met:\n" + problemLines(tricky[:2])}},
		{name: "strict, only skipped", strict: "1", skipped: tricky[3:4], fetched: "0\n", exit: "0", notStderr: "cannot be met"},
	}
	for awk, path := range awks(t) {
		for _, tt := range tests {
			t.Run(awk+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				s := newStep(t, pipeline.Input{Distro: "debian12", TargetArch: "amd64", Arch: "amd64", Tree: "debian", Strict: tt.strict})
				for name, content := range map[string]string{"failed": problemLines(tt.failed), "skipped": problemLines(tt.skipped),
					"lock": tt.lock, "fetched": tt.fetched, "exit": tt.exit} {
					s.write(t, name, content)
				}
				stdout, stderr, status := s.run(t, path, reportStep)
				if status != tt.wantExit {
					t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", status, tt.wantExit, stdout, stderr)
				}
				for _, want := range tt.stdout {
					if !strings.Contains(stdout, want) {
						t.Errorf("stdout does not say %q:\n%s", want, stdout)
					}
				}
				for _, want := range tt.stderr {
					if !strings.Contains(stderr, want) {
						t.Errorf("stderr does not say %q:\n%s", want, stderr)
					}
				}
				if tt.notStderr != "" && strings.Contains(stderr, tt.notStderr) {
					t.Errorf("stderr says %q:\n%s", tt.notStderr, stderr)
				}
				if _, err := os.Stat(filepath.Join(s.out, "cleaned")); err != nil {
					t.Errorf("$rb_cleanup did not run: %v", err)
				}
				checkReport(t, s.report, tt.wantExit == 0, pipeline.Report{Version: 1, Fetched: tt.fetchedWant, Failed: tt.failed, Skipped: tt.skipped},
					lock.Lock{Version: lock.Version, Distro: "debian12", Arch: "amd64", Packages: tt.packages})
			})
		}
	}
}

// checkReport checks the step's report.json and lock.json: as wanted when
// written, else absent (nothing half-written).
func checkReport(t *testing.T, dir string, written bool, report pipeline.Report, l lock.Lock) {
	t.Helper()
	rdata, rerr := os.ReadFile(filepath.Join(dir, "report.json"))
	ldata, lerr := os.ReadFile(filepath.Join(dir, "lock.json"))
	if !written {
		if rerr == nil || lerr == nil {
			t.Errorf("a failed step wrote its report:\n%s\n%s", rdata, ldata)
		}
		return
	}
	if rerr != nil || lerr != nil {
		t.Fatalf("report.json: %v, lock.json: %v", rerr, lerr)
	}
	gotReport, err := pipeline.ParseReport(rdata)
	if err != nil {
		t.Fatalf("pipeline.ParseReport: %v\n%s", err, rdata)
	}
	for _, ps := range []*[]pipeline.Problem{&report.Failed, &report.Skipped, &gotReport.Failed, &gotReport.Skipped} {
		if len(*ps) == 0 {
			*ps = nil
		}
	}
	if !reflect.DeepEqual(gotReport, report) {
		t.Errorf("report.json holds\n%#v\nwant\n%#v\n%s", gotReport, report, rdata)
	}
	gotLock, err := lock.Parse(ldata)
	if err != nil {
		t.Fatalf("lock.Parse: %v\n%s", err, ldata)
	}
	if len(gotLock.Packages) == 0 {
		gotLock.Packages = nil
	}
	if !reflect.DeepEqual(gotLock, l) {
		t.Errorf("lock.json holds\n%#v\nwant\n%#v\n%s", gotLock, l, ldata)
	}
}
