package manager_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/repobuild/repobuild/builder/lock"
	"github.com/repobuild/repobuild/builder/pipeline"
)

// TestDNFFetch runs dnf/fetch.sh as a step, with the host's dnf 4 as the
// image's, on the signed RPM fixture world served over HTTP: the closure,
// checked against the repository's key, lands in Packages/ and the lock;
// requests dnf cannot meet land in the report with dnf's words; what the
// cache mount holds is not fetched again.
func TestDNFFetch(t *testing.T) {
	world := rpmWorld(t)
	srv := httptest.NewServer(http.FileServer(http.Dir(world)))
	t.Cleanup(srv.Close)
	repo := "[fx-base]\nname=fixture\nbaseurl=" + srv.URL + "/base/\ngpgcheck=1\ngpgkey=" + srv.URL + "/RPM-GPG-KEY-fixture\n"
	const tree = "fixture/9/os/x86_64"
	tests := []fetchCase{
		{name: "closure", required: []string{"fx-app"}, optional: []string{"nosuch", "fx-tool"},
			closure: []string{"fx-app-1.0-1.x86_64.rpm", "fx-data-1.0-1.noarch.rpm", "fx-lib-2.1-1.x86_64.rpm", "fx-libc-2.34-1.x86_64.rpm",
				"fx-postfix-3.5.8-1.x86_64.rpm", "fx-tool-1.0-1.x86_64.rpm"},
			skipped: []pipeline.Problem{{Spec: "nosuch", Reason: "No match for argument: nosuch"}}},
		{name: "again, from the cache", required: []string{"fx-lib", "fx-data"}, again: true,
			closure: []string{"fx-data-1.0-1.noarch.rpm", "fx-lib-2.1-1.x86_64.rpm"}},
		{name: "unmet", required: []string{"fx-app", "nosuch", "fx-lib-9.9", "fx-libc"},
			failed: []pipeline.Problem{{Spec: "nosuch", Reason: "No match for argument: nosuch"}, {Spec: "fx-lib-9.9", Reason: "No match for argument: fx-lib-9.9"}}},
		{name: "unmet, strict", required: []string{"fx-app", "nosuch"}, strict: "1", wantExit: 1,
			stderr: "requests that cannot be met:\nnosuch\tNo match for argument: nosuch\n"},
		{name: "an optional further version", required: []string{"fx-lib-2.0"}, extra: []string{"fx-lib-7.0"}, extraOptional: []string{"1"},
			closure: []string{"fx-lib-2.0-1.x86_64.rpm"},
			skipped: []pipeline.Problem{{Spec: "fx-lib-7.0", Reason: "No match for argument: fx-lib-7.0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			newFetch := func(cache string) step {
				s := newStep(t, pipeline.Input{Distro: "fixture9", TargetArch: "amd64", Arch: "x86_64", Tree: tree, Releasever: "9",
					ModulePlatformID: "platform:el9", Required: tt.required, Optional: tt.optional, Extra: tt.extra, ExtraOptional: tt.extraOptional,
					Strict: tt.strict})
				s.write(t, "repos.d/repobuild.repo", repo)
				s.cache = cache
				return s
			}
			var s step
			if tt.again {
				cache := t.TempDir()
				newFetch(cache).fetch(t, "dnf/fetch.sh", 0, "")
				s = newFetch(cache)
			} else {
				s = newFetch("")
			}
			s.fetch(t, "dnf/fetch.sh", tt.wantExit, tt.stderr)
			var packages []lock.Package
			var fetched int64
			for _, f := range tt.closure {
				p := s.locked(t, filepath.Join(world, "base", "Packages", f), tree+"/Packages/"+f, srv.URL+"/base/Packages/"+f)
				packages = append(packages, p)
				if !tt.again {
					fetched += p.Size
				}
			}
			checkReport(t, s.report, tt.wantExit == 0, pipeline.Report{Version: 1, Fetched: fetched, Failed: tt.failed, Skipped: tt.skipped},
				lock.Lock{Version: lock.Version, Distro: "fixture9", Arch: "amd64", Packages: packages})
		})
	}
}
