package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/repobuild/repobuild/builder/buildkitd"
	"github.com/repobuild/repobuild/internal/version"
)

// TestVersion checks both forms of `repobuild version` with a version and
// commit stamped as -ldflags -X does.
func TestVersion(t *testing.T) {
	defer func(v, c string) { version.Version, version.Commit = v, c }(version.Version, version.Commit)
	version.Version, version.Commit = "v1.2.3", "0123abcd"
	bk := buildkitd.ClientVersion()
	if bk == "unknown" {
		t.Fatal("the test binary does not know its BuildKit version")
	}

	stdout, stderr, code := repobuild(t, "version")
	if want := "repobuild v1.2.3 (commit 0123abcd, BuildKit " + bk + ", go"; code != 0 || !strings.HasPrefix(stdout, want) {
		t.Errorf("exit %d, stdout %q, stderr %q; want it to start with %q", code, stdout, stderr, want)
	}

	stdout, stderr, code = repobuild(t, "version", "-o", "json")
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); code != 0 || err != nil {
		t.Fatalf("exit %d, %v: %s%s", code, err, stdout, stderr)
	}
	if got["version"] != "v1.2.3" || got["commit"] != "0123abcd" || got["buildkit"] != bk {
		t.Errorf("version -o json = %v", got)
	}

	if _, stderr, code = repobuild(t, "version", "-o", "yaml"); code != 1 || stderr != "repobuild: -o \"yaml\": use text or json\n" {
		t.Errorf("version -o yaml: exit %d, stderr %q", code, stderr)
	}
}

// TestDistrosJSON checks what a script reads from `repobuild distros -o json`.
func TestDistrosJSON(t *testing.T) {
	stdout, stderr, code := repobuild(t, "distros", "-o", "json", "--distro", "debian12,rocky9")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got []struct {
		Name, OS, Version, Codename, Manager, Image string
		Arches, Keys                                []string
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(got) != 2 {
		t.Fatalf("got %d distros, want 2: %s", len(got), stdout)
	}
	d, r := got[0], got[1]
	if d.Name != "debian12" || d.OS != "debian" || d.Version != "12" || d.Codename != "bookworm" || d.Manager != "apt" ||
		d.Image != "docker.io/library/debian:bookworm" || strings.Join(d.Arches, ",") != "amd64,arm64" ||
		strings.Join(d.Keys, ",") != "common,apt,debian,debian12,bookworm" {
		t.Errorf("debian12 = %+v", d)
	}
	if r.Name != "rocky9" || r.Manager != "dnf" || r.Codename != "" {
		t.Errorf("rocky9 = %+v", r)
	}

	all, _, _ := repobuild(t, "distros", "-o", "json")
	text, _, _ := repobuild(t, "distros")
	if n, m := strings.Count(all, `"name":`), strings.Count(text, "\n")-1; n != m || n < 20 {
		t.Errorf("-o json lists %d distros, the table %d", n, m)
	}
	for _, args := range [][]string{{"-o", "yaml"}, {"-o", "json", "--format", "{{.Name}}"}} {
		if _, stderr, code := repobuild(t, append([]string{"distros"}, args...)...); code != 1 || stderr == "" {
			t.Errorf("distros %v: exit %d, stderr %q; want an error", args, code, stderr)
		}
	}
}
