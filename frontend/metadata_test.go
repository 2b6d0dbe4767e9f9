package frontend

import (
	"reflect"
	"strings"
	"testing"

	"github.com/repobuild/repobuild/builder"
	"github.com/repobuild/repobuild/builder/lock"
	"github.com/repobuild/repobuild/builder/pipeline"
	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/internal/version"
	"github.com/repobuild/repobuild/packages"
	"github.com/repobuild/repobuild/plan"
)

// targets are the targets of a one-package file for distros and arches.
func targets(t *testing.T, distroNames, arches []string) []plan.Target {
	t.Helper()
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	f, err := packages.Parse("packages.yaml", []byte("common: [curl]\n"))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := plan.Make(f, cat, distroNames, arches)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestMetadata(t *testing.T) {
	l := lock.Lock{Version: lock.Version, Distro: "debian12", Arch: "arm64", Packages: []lock.Package{
		{File: "debian/pool/bookworm/curl_7.88.1-10+deb12u8_arm64.deb", Size: 300, SHA256: strings.Repeat("ab", 32), URI: "-"},
		{File: "debian/pool/bookworm/libc6_2.36-9_arm64.deb", Size: 700, SHA256: strings.Repeat("cd", 32), URI: "-"},
	}}
	reports := []builder.Report{{Target: targets(t, []string{"debian12"}, []string{"arm64"})[0], Lock: l, Fetched: 700,
		Skipped: []pipeline.Problem{{Spec: "debian-builder", Reason: "not found"}}}}
	v, err := Metadata(reports)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseMetadata(v)
	if err != nil {
		t.Fatalf("the value buildx decodes: %v (%q)", err, v)
	}
	digest, err := l.Digest()
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{Version: version.String(), Targets: []TargetSummary{{Distro: "debian12", Arch: "arm64", Packages: 2,
		Bytes: 1000, Fetched: 700, LockDigest: digest, Skipped: []string{"debian-builder"}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("summary = %+v\nwant      %+v", got, want)
	}
}
