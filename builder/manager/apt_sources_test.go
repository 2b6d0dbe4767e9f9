package manager

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// aptSources runs apt/sources.sh's apt_sources on the host's /bin/sh with
// an apt configuration directory made of files, and returns the directory
// and the script's output.
func aptSources(t *testing.T, files map[string]string, sourcesList string, env ...string) (string, string, error) {
	t.Helper()
	lib := scriptFile(t, "apt/sources.sh")
	dir := t.TempDir()
	etc := filepath.Join(dir, "etc")
	for name, content := range files {
		p := filepath.Join(etc, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(etc, "sources.list.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(dir, "sources.list")
	if err := os.WriteFile(list, []byte(sourcesList), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-eu", "-c", `. "$1"; apt_sources "$2"`, "sh", lib, list)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "REPOBUILD_APT_ETC=" + etc, "REPOBUILD_DISTRO=debian12",
		"REPOBUILD_ARCH=amd64", "REPOBUILD_CODENAME=bookworm"}, env...)
	out, err := cmd.CombinedOutput()
	return etc, string(out), err
}

// indexURIs asks the host's apt which index files `apt-get update` would
// fetch with the sources in etc: apt itself reads what the script wrote.
func indexURIs(t *testing.T, etc string) []string {
	t.Helper()
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("apt-get is not installed")
	}
	lists := filepath.Join(t.TempDir(), "lists")
	if err := os.MkdirAll(filepath.Join(lists, "partial"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("apt-get", "-o", "Dir::Etc="+etc, "-o", "Dir::Etc::sourcelist=sources.list",
		"-o", "Dir::Etc::sourceparts=sources.list.d", "-o", "Dir::State::Lists="+lists,
		"-o", "Debug::NoLocking=1", "-o", "APT::Architectures::=amd64", "update", "--print-uris").CombinedOutput()
	if err != nil {
		t.Fatalf("apt-get update --print-uris: %v\n%s", err, out)
	}
	var uris []string
	for _, line := range strings.Split(string(out), "\n") {
		if u, _, ok := strings.Cut(strings.TrimPrefix(line, "'"), "' "); ok && strings.HasSuffix(u, "Release") {
			uris = append(uris, u)
		}
	}
	slices.Sort(uris)
	return uris
}

const (
	bookwormDeb822 = `Types: deb
# http://snapshot.example/archive/debian/20250520T000000Z
URIs: http://deb.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`
	bookwormList = `# a comment naming http://deb.example/debian/
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example/debian/ bookworm main contrib
deb http://deb.example/debian-security bookworm-security main
deb http://deb.example/debian bookworm-updates main # trailing comment
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.example/debian bookworm main
`
)

func TestAptMirror(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "deb822",
			files: map[string]string{"sources.list.d/debian.sources": bookwormDeb822},
			want: []string{
				"http://127.0.0.1:9999/mirror/dists/bookworm-updates/InRelease",
				"http://127.0.0.1:9999/mirror/dists/bookworm/InRelease",
				"http://deb.example/debian-security/dists/bookworm-security/InRelease",
			},
		},
		{
			name:  "one-line",
			files: map[string]string{"sources.list": bookwormList},
			want: []string{
				"http://127.0.0.1:9999/mirror/dists/bookworm-updates/InRelease",
				"http://127.0.0.1:9999/mirror/dists/bookworm/InRelease",
				"http://deb.example/debian-security/dists/bookworm-security/InRelease",
			},
		},
		{
			name: "both, security first",
			files: map[string]string{
				"sources.list":                  "deb http://deb.example/debian-security bookworm-security main\n",
				"sources.list.d/debian.sources": bookwormDeb822,
			},
			want: []string{
				"http://127.0.0.1:9999/mirror/dists/bookworm-updates/InRelease",
				"http://127.0.0.1:9999/mirror/dists/bookworm/InRelease",
				"http://deb.example/debian-security/dists/bookworm-security/InRelease",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			etc, out, err := aptSources(t, tt.files, "", "REPOBUILD_MIRROR=http://127.0.0.1:9999/mirror/")
			if err != nil {
				t.Fatalf("apt_sources: %v\n%s", err, out)
			}
			if !strings.Contains(out, "repobuild: mirror http://127.0.0.1:9999/mirror/ replaces http://deb.example/debian\n") {
				t.Errorf("output does not say what the mirror replaces:\n%s", out)
			}
			if got := indexURIs(t, etc); !slices.Equal(got, tt.want) {
				t.Errorf("apt fetches\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			// Keys and options stay.
			for name, before := range tt.files {
				after, err := os.ReadFile(filepath.Join(etc, name))
				if err != nil {
					t.Fatal(err)
				}
				for _, keep := range []string{"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg", "[arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]"} {
					if strings.Count(string(after), keep) != strings.Count(before, keep) {
						t.Errorf("%s lost %q:\n%s", name, keep, after)
					}
				}
			}
		})
	}
}

func TestAptMirrorNoArchive(t *testing.T) {
	_, out, err := aptSources(t, map[string]string{"sources.list": "deb http://deb.example/debian bullseye main\n"}, "",
		"REPOBUILD_MIRROR=http://127.0.0.1:9999/mirror")
	want := "repobuild: the apt sources of the debian12 image name no archive for bookworm: cannot point it at http://127.0.0.1:9999/mirror\n"
	if err == nil || out != want {
		t.Errorf("apt_sources = %v\n%s\nwant a failure saying\n%s", err, out, want)
	}
}

func TestAptOwnSources(t *testing.T) {
	own := "deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://ports.example/ubuntu-ports jammy main universe\n" +
		"deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://ports.example/ubuntu-ports jammy-security main universe\n"
	etc, out, err := aptSources(t, map[string]string{
		"sources.list":                  "deb http://archive.example/ubuntu/ jammy main\n",
		"sources.list.d/ubuntu.sources": "Types: deb\nURIs: http://archive.example/ubuntu/\nSuites: jammy\nComponents: main\n",
		"sources.list.d/extra.list":     "deb http://archive.example/ubuntu/ jammy-backports main\n",
	}, own, "REPOBUILD_MIRROR=http://ports.example/ubuntu-ports", "REPOBUILD_CHECK_VALID_UNTIL=false")
	if err != nil {
		t.Fatalf("apt_sources: %v\n%s", err, out)
	}
	want := []string{
		"http://ports.example/ubuntu-ports/dists/jammy-security/InRelease",
		"http://ports.example/ubuntu-ports/dists/jammy/InRelease",
	}
	if got := indexURIs(t, etc); !slices.Equal(got, want) {
		t.Errorf("apt fetches\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	conf := filepath.Join(etc, "apt.conf.d", "99repobuild-valid-until")
	got, err := exec.Command("apt-config", "-c", conf, "dump", "Acquire::Check-Valid-Until").CombinedOutput()
	if err != nil || strings.TrimSpace(string(got)) != `Acquire::Check-Valid-Until "false";` {
		t.Errorf("apt reads %s as %q (%v), want Check-Valid-Until false", conf, got, err)
	}
}

func TestAptValidUntilByDefault(t *testing.T) {
	etc, out, err := aptSources(t, map[string]string{"sources.list": bookwormList}, "")
	if err != nil {
		t.Fatalf("apt_sources: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(etc, "apt.conf.d")); !os.IsNotExist(err) {
		t.Errorf("apt.conf.d written without REPOBUILD_CHECK_VALID_UNTIL=false: %v", err)
	}
	after, err := os.ReadFile(filepath.Join(etc, "sources.list"))
	if err != nil || string(after) != bookwormList {
		t.Errorf("sources changed without a mirror: %q, %v", after, err)
	}
}

// TestAptUpdateFails runs apt_update with the host's apt against a mirror
// that does not answer: apt itself only warns, apt_update fails and names
// the mirror.
func TestAptUpdateFails(t *testing.T) {
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("apt-get is not installed")
	}
	lib := scriptFile(t, "apt/sources.sh")
	dir := t.TempDir()
	list := filepath.Join(dir, "bad.list")
	if err := os.WriteFile(list, []byte("deb http://127.0.0.1:9/debian bookworm main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "lists", "partial"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-eu", "-c", `. "$1"; shift; apt_update apt-get "$@"`, "sh", lib,
		"-o", "Dir::Etc::sourcelist="+list, "-o", "Dir::Etc::sourceparts=/nonexistent",
		"-o", "Dir::State::Lists="+filepath.Join(dir, "lists"), "-o", "Debug::NoLocking=1")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "REPOBUILD_DISTRO=debian12", "REPOBUILD_ARCH=arm64",
		"REPOBUILD_MIRROR=http://127.0.0.1:9/debian"}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("apt_update succeeded against a dead mirror:\n%s", out)
	}
	for _, want := range []string{
		"repobuild: apt-get update failed for debian12/arm64 (mirror http://127.0.0.1:9/debian):",
		"http://127.0.0.1:9/debian/dists/bookworm/InRelease",
		"Could not connect to 127.0.0.1:9",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output does not say %q:\n%s", want, out)
		}
	}
}
