package e2e

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mirrorFault is one row of the reliability table: a fault, transient
// (the first attempt at each matching file) or lasting (every attempt),
// and what a lasting one must say besides the mirror and the file.
type mirrorFault struct {
	fault   fault
	lasting bool
	reason  string
	file    string // what the error names, when not the fault's match
}

// debianFaults: apt's words for each lasting fault. A stalled body lasts
// 2 rounds of 4 attempts of 20 seconds each: only its transient form is
// tried (the lasting form fails as a short body does, "Connection timed
// out", after that bound). The signed index, too, may fail.
var debianFaults = append(faultRows("*.deb", "socat_*.deb", map[faultKind]words{
	faultRefused:  {reason: "Connection refused"},
	fault503:      {reason: "503  Service Unavailable"},
	fault404:      {reason: "404  Not Found"},
	faultShort:    {reason: "Error reading from server. Remote end closed connection"},
	faultCorrupt:  {reason: "Hash Sum mismatch"},
	faultRedirect: {reason: "Redirection loop encountered"},
}), mirrorFault{fault: fault{kind: fault503, match: "InRelease", times: 1}},
	mirrorFault{fault: fault{kind: fault503, match: "InRelease"}, lasting: true, reason: "503  Service Unavailable"})

// rpmFaults: dnf's words for each lasting fault, on the RPM fixture. A
// mirror gone for good fails dnf's second try at its metadata. The
// repository's metadata, too, may fail.
var rpmFaults = append(faultRows("*.rpm", "fx-app-*.rpm", map[faultKind]words{
	faultRefused:  {reason: "Couldn't connect to server", file: "repodata/repomd.xml"},
	fault503:      {reason: "Status code: 503"},
	fault404:      {reason: "Status code: 404"},
	faultShort:    {reason: "transfer closed"},
	faultCorrupt:  {reason: "checksum doesn't match"},
	faultRedirect: {reason: "redirects"},
}), mirrorFault{fault: fault{kind: fault503, match: "repomd.xml", times: 1}},
	mirrorFault{fault: fault{kind: fault503, match: "repomd.xml"}, lasting: true, reason: "Status code: 503"})

// words are what a lasting fault's error must say besides the mirror: the
// reason, and the file when it is not the faulty package.
type words struct{ reason, file string }

// faultRows makes a table: for each fault, a transient row (the first
// attempt at every file matching all; for a 404 and a stall, at the
// package one) and, where lasting has the words for it, a lasting one at
// the package one.
func faultRows(all, one string, lasting map[faultKind]words) []mirrorFault {
	var rows []mirrorFault
	for _, k := range []faultKind{faultRefused, fault503, fault404, faultShort, faultStall, faultCorrupt, faultRedirect} {
		match := all
		if k == fault404 || k == faultStall {
			match = one
		}
		rows = append(rows, mirrorFault{fault: fault{kind: k, match: match, times: 1, down: 3 * time.Second}})
		if w, ok := lasting[k]; ok {
			rows = append(rows, mirrorFault{fault: fault{kind: k, match: one}, lasting: true, reason: w.reason, file: w.file})
		}
	}
	return rows
}

func (f mirrorFault) name() string {
	n := strings.ReplaceAll(string(f.fault.kind), " ", "-")
	if !strings.Contains(f.fault.match, "*") {
		n += "-" + f.fault.match
	}
	if f.lasting {
		return n + "/lasting"
	}
	return n + "/transient"
}

// faultDistro writes a definition of debian12 under a name of its own into
// a new distros directory: the build gets cache mounts of its own, empty,
// so that every package file goes through the mirror.
func faultDistro(t *testing.T, e env) (string, string) {
	t.Helper()
	def, err := os.ReadFile(filepath.Join(e.root, "distros", "debian12.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("faults%x", time.Now().UnixNano())
	dir := t.TempDir()
	def = []byte(strings.Replace(string(def), "name: debian12\n", "name: "+name+"\n", 1))
	if err := os.WriteFile(filepath.Join(dir, name+".yaml"), def, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, name
}

// TestDebianMirrorFaults builds socat for debian12 through a mirror that
// fails in each way of debianFaults: through a transient fault the build
// succeeds with exactly the upstream's files; through a lasting one it
// fails naming the mirror, the file and the reason, and the destination
// is as it was. REPOBUILD_FAULTS_TABLE names a file to append the table's
// rows to (scripts/reliability.sh).
func TestDebianMirrorFaults(t *testing.T) {
	e := setup(t)
	upstream := e.mainArchive(t)
	pkgs := filepath.Join(t.TempDir(), "packages.yaml")
	if err := os.WriteFile(pkgs, []byte("apt:\n  - socat\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range debianFaults {
		t.Run(tc.name(), func(t *testing.T) {
			t.Parallel()
			distros, name := faultDistro(t, e)
			p := startFaultProxy(t, upstream, tc.fault)
			start := time.Now()
			did := e.faultBuild(t, tc, p, "--distros-dir", distros, "--distro", name, "--arch", "amd64", "-f", pkgs)
			tableRow(t, "debian12 (apt)", tc, did, time.Since(start))
		})
	}
}

// TestRPMMirrorFaults builds fx-app of the RPM fixture with dnf through a
// mirror that fails in each way of rpmFaults, as TestDebianMirrorFaults.
func TestRPMMirrorFaults(t *testing.T) {
	e := setup(t)
	e.ensureStandin(t)
	fx := serveFixture(t, e)
	pkgs := filepath.Join(t.TempDir(), "packages.yaml")
	if err := os.WriteFile(pkgs, []byte("dnf: [fx-app]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range rpmFaults {
		t.Run(tc.name(), func(t *testing.T) {
			t.Parallel()
			p := startFaultProxy(t, fx.url, tc.fault)
			start := time.Now()
			did := e.faultBuild(t, tc, p, "--distros-dir", fx.distros, "--distro", "fixture9", "--arch", "amd64", "-f", pkgs)
			tableRow(t, "fixture9 (dnf)", tc, did, time.Since(start))
		})
	}
}

// faultBuild builds through p into a destination that holds an earlier
// build's file and checks the outcome tc asks for. It returns what
// repobuild did, in the table's words.
func (e env) faultBuild(t *testing.T, tc mirrorFault, p *faultProxy, args ...string) string {
	t.Helper()
	dir, out, before := earlierBuild(t)
	_, stderr, err := e.repobuild(t, append(args, "-o", out, "--mirror", p.URL, "--registry-mirror", e.mirror, "--progress", "plain")...)
	injected := p.Injected()
	if len(injected) == 0 {
		t.Fatalf("the mirror injected no %s (repobuild: %v)\n%s", tc.fault.kind, err, lastLines(stderr, 30))
	}
	if !tc.lasting {
		if err != nil {
			t.Fatalf("repobuild failed through a transient %s (injected %d: %v): %v\n%s", tc.fault.kind, len(injected), injected, err, lastLines(stderr, 40))
		}
		locks, _ := filepath.Glob(filepath.Join(out, ".repobuild", "*.lock"))
		if len(locks) != 1 {
			t.Fatalf("locks in the output: %v", locks)
		}
		poolMatchesUpstream(t, out, locks[0], p)
		return fmt.Sprintf("retried and succeeded (faults injected: %d)", len(injected))
	}
	var exit *exec.ExitError
	if err == nil || !asExit(err, &exit) {
		t.Fatalf("repobuild succeeded (%v) through a lasting %s", err, tc.fault.kind)
	}
	file := tc.file
	if file == "" {
		file = strings.TrimSuffix(strings.TrimSuffix(tc.fault.match, "*.deb"), "*.rpm")
	}
	for _, want := range []string{"(mirror " + p.URL + ")", file, tc.reason} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the error does not say %q:\n%s", want, lastLines(stderr, 30))
		}
	}
	untouched(t, dir, before)
	return "failed: " + errorLine(stderr, tc.reason)
}

// poolMatchesUpstream checks every file of the lock in the tree, and the
// lock's SHA256, against the upstream's file, fetched past the faults.
func poolMatchesUpstream(t *testing.T, tree, lockFile string, proxy *faultProxy) {
	t.Helper()
	l := readLock(t, lockFile)
	if len(l.Packages) == 0 {
		t.Fatalf("%s is empty", lockFile)
	}
	for _, p := range l.Packages {
		data, err := os.ReadFile(filepath.Join(tree, p.File))
		if err != nil {
			t.Errorf("the lock names %s: %v", p.File, err)
			continue
		}
		want, err := proxy.upstreamFile(p.URI)
		if err != nil {
			t.Errorf("%s: %v", p.URI, err)
			continue
		}
		got := fmt.Sprintf("%x", sha256.Sum256(data))
		if sum := fmt.Sprintf("%x", sha256.Sum256(want)); got != sum || p.SHA256 != sum {
			t.Errorf("%s has SHA256 %s, the lock says %s, upstream's file %s", p.File, got, p.SHA256, sum)
		}
	}
}

// errorLine is the last line of stderr that holds the words, trimmed.
func errorLine(stderr, words string) string {
	lines := strings.Split(stderr, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); strings.Contains(l, words) && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return "(no line says " + words + ")"
}

// tableRow appends the row of tc to $REPOBUILD_FAULTS_TABLE, when set:
// target, fault, transient or lasting, what repobuild did, anything lost.
func tableRow(t *testing.T, target string, tc mirrorFault, did string, took time.Duration) {
	t.Helper()
	path := os.Getenv("REPOBUILD_FAULTS_TABLE")
	if path == "" || t.Failed() {
		return
	}
	form := "transient"
	if tc.lasting {
		form = "lasting"
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintf(f, "%s\t%s (%s, %s)\t%s\t%s\tno\n", target, tc.fault.kind, form, tc.fault.match, did, took.Round(time.Second))
}
