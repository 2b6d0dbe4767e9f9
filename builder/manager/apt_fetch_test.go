package manager_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/repobuild/repobuild/builder/lock"
	"github.com/repobuild/repobuild/builder/pipeline"
)

// debPackage is a package of aptRepo.
type debPackage struct{ name, version, depends string }

// aptRepo builds, with dpkg-deb, a flat repository of real packages (a Release without a signature: sources name it
// [trusted=yes]) and returns its directory and each package's file name
// in it, by NAME=VERSION.
func aptRepo(t *testing.T, pkgs []debPackage) (string, map[string]string) {
	t.Helper()
	for _, tool := range []string{"apt-get", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	files := map[string]string{}
	var index strings.Builder
	for _, p := range pkgs {
		src := filepath.Join(dir, "src", p.name+"-"+p.version)
		control := fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: repobuild <fixture@example.invalid>\nDescription: a fixture\n%s",
			p.name, p.version, p.depends)
		if err := os.MkdirAll(filepath.Join(src, "DEBIAN"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, "DEBIAN", "control"), []byte(control), 0o644); err != nil {
			t.Fatal(err)
		}
		_, upstream, _ := strings.Cut(p.version, ":")
		if upstream == "" {
			upstream = p.version
		}
		files[p.name+"="+p.version] = p.name + "_" + upstream + "_amd64.deb"
		if err := os.MkdirAll(repo, 0o755); err != nil {
			t.Fatal(err)
		}
		deb := filepath.Join(repo, files[p.name+"="+p.version])
		if out, err := exec.Command("dpkg-deb", "--build", src, deb).CombinedOutput(); err != nil {
			t.Fatalf("dpkg-deb: %v\n%s", err, out)
		}
		data, err := os.ReadFile(deb)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&index, "%sFilename: ./%s\nSize: %d\nSHA256: %s\n\n", control, filepath.Base(deb), len(data), sha256Hex(data))
	}
	release := fmt.Sprintf("Suite: bookworm\nCodename: bookworm\nDate: Mon, 01 Jan 2024 00:00:00 UTC\nArchitectures: amd64\nSHA256:\n %s %d Packages\n",
		sha256Hex([]byte(index.String())), index.Len())
	for name, content := range map[string]string{"Packages": index.String(), "Release": release} {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return repo, files
}

// TestAptFetch runs apt/fetch.sh as a step, with the host's apt as the
// image's, on a repository of real packages: the closure lands in the
// pool and the lock, the requests apt cannot meet in the report with
// apt's words.
func TestAptFetch(t *testing.T) {
	repo, files := aptRepo(t, []debPackage{
		{"fx-app", "1.0", "Depends: fx-lib\n"}, {"fx-lib", "2.0", ""}, {"fx-lib", "1.0", ""}, {"fx-libc", "1:2.34", ""},
		{"fx-a", "1.0", "Conflicts: fx-b\n"}, {"fx-b", "1.0", ""},
	})
	tests := []fetchCase{
		{name: "closure", required: []string{"fx-app", "fx-libc"}, optional: []string{"nosuch"},
			closure: []string{"fx-app=1.0", "fx-lib=2.0", "fx-libc=1:2.34"},
			skipped: []pipeline.Problem{{Spec: "nosuch", Reason: "Unable to locate package nosuch"}}},
		{name: "further versions", required: []string{"fx-lib"}, extra: []string{"fx-lib=1.0", "fx-lib=7"}, extraOptional: []string{"0", "1"},
			closure: []string{"fx-lib=2.0", "fx-lib=1.0"},
			skipped: []pipeline.Problem{{Spec: "fx-lib=7", Reason: "Version '7' for 'fx-lib' was not found"}}},
		{name: "unmet", required: []string{"fx-app", "nosuch", "fx-lib=9", "fx-libc"},
			failed: []pipeline.Problem{{Spec: "nosuch", Reason: "Unable to locate package nosuch"}, {Spec: "fx-lib=9", Reason: "Version '9' for 'fx-lib' was not found"}}},
		// Each alone resolves, together they conflict. apt -qq keeps the
		// conflict itself (fx-a : Conflicts: fx-b) to its -q output.
		{name: "conflict", required: []string{"fx-a", "fx-b"},
			failed: []pipeline.Problem{{Spec: "*", Reason: "Unable to correct problems, you have held broken packages."}}},
		{name: "unmet, strict", required: []string{"fx-app", "nosuch"}, strict: "1", wantExit: 1,
			stderr: "requests that cannot be met:\nnosuch\tUnable to locate package nosuch\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStep(t, pipeline.Input{Distro: "debian12", TargetArch: "amd64", Arch: "amd64", Tree: "debian", Codename: "bookworm",
				Required: tt.required, Optional: tt.optional, Extra: tt.extra, ExtraOptional: tt.extraOptional, Strict: tt.strict})
			s.write(t, "sources.list", "deb [trusted=yes] file:"+repo+" ./\n")
			s.aptEtc = filepath.Join(filepath.Dir(s.in), "etc-apt")
			for _, d := range []string{"apt.conf.d", "preferences.d", "sources.list.d", "trusted.gpg.d"} {
				if err := os.MkdirAll(filepath.Join(s.aptEtc, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			s.fetch(t, "apt/fetch.sh", tt.wantExit, tt.stderr)
			var fetched int64
			var packages []lock.Package
			for _, nv := range tt.closure {
				p := s.locked(t, filepath.Join(repo, files[nv]), "debian/pool/bookworm/"+files[nv], "file:"+repo+"/./"+files[nv])
				fetched += p.Size
				packages = append(packages, p)
			}
			sort.Slice(packages, func(i, j int) bool { return packages[i].File < packages[j].File })
			checkReport(t, s.report, tt.wantExit == 0, pipeline.Report{Version: 1, Fetched: fetched, Failed: tt.failed, Skipped: tt.skipped},
				lock.Lock{Version: lock.Version, Distro: "debian12", Arch: "amd64", Packages: packages})
		})
	}
}
