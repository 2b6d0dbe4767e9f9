package clients

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/repobuild/repobuild/distros"
)

var update = flag.Bool("update", false, "rewrite testdata/golden files")

// testRepos are a Debian distro of the catalog and an RPM distro with a
// per-architecture path, as the RPM definitions have.
func testRepos(t *testing.T) []Repo {
	t.Helper()
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	debian, err := cat.Get("debian12")
	if err != nil {
		t.Fatal(err)
	}
	centos, err := distros.Parse("testdata/centos7.yaml", []byte(`name: centos7
os: centos
version: "7"
manager: yum
image: quay.io/centos/centos:7
arches: {amd64: x86_64, arm64: aarch64}
path: "{{.OS}}/{{.Version}}/os/{{.Arch}}"
`))
	if err != nil {
		t.Fatal(err)
	}
	return []Repo{{Distro: debian, Arches: []string{"amd64", "arm64"}}, {Distro: centos, Arches: []string{"amd64"}}}
}

func TestFilesGolden(t *testing.T) {
	files, err := Files(testRepos(t))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
		if f.Path == ScriptPath {
			// The same file for every tree: TestUnion checks it.
			continue
		}
		golden := filepath.Join("testdata", "golden", filepath.Base(f.Path))
		if *update {
			if err := os.WriteFile(golden, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if string(f.Data) != string(want) {
			t.Errorf("%s differs from %s (go test ./clients -update rewrites it):\n%s", f.Path, golden, f.Data)
		}
	}
	want := []string{"clients/centos7.env", "clients/centos7.repo", "clients/debian12.env", "clients/debian12.list", "clients/debian12.sources", "clients/install.sh"}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("files = %v, want %v", paths, want)
	}
}

func TestURLs(t *testing.T) {
	files, err := Files(testRepos(t))
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]string{}
	for _, f := range files {
		byPath[f.Path] = string(f.Data)
	}
	for path, line := range map[string]string{
		"clients/debian12.list":    "deb [trusted=yes] http://{{HOST}}/debian bookworm main\n",
		"clients/debian12.sources": "URIs: http://{{HOST}}/debian\n",
		"clients/centos7.repo":     "baseurl=http://{{HOST}}/centos/7/os/$basearch/\n",
	} {
		if !strings.Contains(byPath[path], line) {
			t.Errorf("%s lacks %q:\n%s", path, line, byPath[path])
		}
	}
}

func TestUnknownManager(t *testing.T) {
	repos := testRepos(t)
	repos[1].Distro.Manager = "pacman"
	if _, err := Files(repos); err == nil || !strings.Contains(err.Error(), `centos7.yaml: no client configuration for package manager "pacman"`) {
		t.Errorf("error = %v", err)
	}
}

func TestEveryManagerHasAFormat(t *testing.T) {
	for _, m := range distros.Managers {
		if len(formats[m]) == 0 {
			t.Errorf("package manager %s has no client configuration", m)
		}
	}
}
