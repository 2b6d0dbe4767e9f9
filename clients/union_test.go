package clients

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/repobuild/repobuild/distros"
)

// catalogRepo is a distro of the catalog built for arches.
func catalogRepo(t *testing.T, name string, arches ...string) Repo {
	t.Helper()
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	d, err := cat.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return Repo{Distro: d, Arches: arches}
}

// TestUnion joins the clients/ directories of two trees built apart
// (debian12 for amd64 and arm64 by one job, rocky9 for amd64 by another)
// by copying one onto the other, as a fan-in job does: no path holds
// different bytes in the two, and the union's install.sh serves both
// distros, run from the tree and piped from the server.
func TestUnion(t *testing.T) {
	debian := []Repo{catalogRepo(t, "debian12", "amd64", "arm64")}
	rocky := []Repo{catalogRepo(t, "rocky9", "amd64")}
	a, err := Files(debian)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Files(rocky)
	if err != nil {
		t.Fatal(err)
	}
	inA := map[string][]byte{}
	for _, f := range a {
		inA[f.Path] = f.Data
	}
	var shared []string
	for _, f := range b {
		if data, ok := inA[f.Path]; ok {
			shared = append(shared, f.Path)
			if !bytes.Equal(data, f.Data) {
				t.Errorf("%s differs between the debian12 and the rocky9 tree: the union clobbers it", f.Path)
			}
		}
	}
	if strings.Join(shared, " ") != ScriptPath {
		t.Errorf("the trees share %v, want only %s", shared, ScriptPath)
	}

	tree := t.TempDir()
	writeClients(t, tree, debian)
	script := writeClients(t, tree, rocky)
	url := serveTree(t, tree)
	hosts := []struct {
		distro, osRelease, repoFile, installed string
		root                                   map[string]string
		extra                                  string // what install.sh adds to the tree's file
	}{
		{"debian12", debianOSRelease, "debian12.list", "etc/apt/sources.list.d/repobuild.list",
			map[string]string{"etc/apt/sources.list": "deb http://deb.invalid/debian bookworm main\n"}, ""},
		{"rocky9", "NAME=\"Rocky Linux\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n", "rocky9.repo", "etc/yum.repos.d/repobuild.repo",
			map[string]string{"etc/yum.repos.d/rocky.repo": "[baseos]\nmirrorlist=http://mirrors.invalid/?arch=$basearch\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-Rocky-9\n"},
			"gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-Rocky-9\n"},
	}
	for _, how := range ways {
		out, err := runWay(t, how, script, nil, "--help", url)
		if err != nil || !strings.Contains(out, "distros of this tree: debian12, rocky9\n") {
			t.Errorf("%s: --help does not name both distros: %v\n%s", how, err, out)
		}
		for _, h := range hosts {
			t.Run(how+"/"+h.distro, func(t *testing.T) {
				root := t.TempDir()
				h.root["etc/os-release"] = h.osRelease
				writeTree(t, root, h.root)
				if out, err := runWay(t, how, script, []string{"ROOT=" + root}, url); err != nil {
					t.Fatalf("install.sh: %v\n%s", err, out)
				} else if !strings.Contains(out, "installed /"+filepath.Dir(h.installed)) || !strings.Contains(out, "for "+h.distro+" from "+url) {
					t.Errorf("install.sh did not say what it installed:\n%s", out)
				}
				file, err := os.ReadFile(filepath.Join(tree, Dir, h.repoFile))
				if err != nil {
					t.Fatal(err)
				}
				want := strings.ReplaceAll(string(file), "http://"+Host, url) + h.extra
				got, err := os.ReadFile(filepath.Join(root, h.installed))
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != want {
					t.Errorf("%s:\n%s\nwant the tree's %s with the server's URL:\n%s", h.installed, got, h.repoFile, want)
				}
			})
		}
	}
}

// TestFetchers pipes install.sh from the server on a host with wget and
// no curl, and on one with neither, which it must refuse up front.
func TestFetchers(t *testing.T) {
	tree := t.TempDir()
	writeClients(t, tree, testRepos(t))
	url := serveTree(t, tree)
	tools := []string{"cat", "sed", "head", "grep", "sort", "awk", "mktemp", "rm", "mkdir", "mv", "dirname", "find", "tr", "rmdir"}
	for _, tt := range []struct {
		name, fetcher, want string
		ok                  bool
	}{
		{"wget", "wget", "installed /etc/apt/sources.list.d/repobuild.list for debian12 from " + url, true},
		{"neither", "", "neither curl nor wget is installed: cannot read " + url + "/clients/", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bin := t.TempDir()
			for _, tool := range append(tools, tt.fetcher) {
				if tool == "" {
					continue
				}
				if err := os.Symlink(need(t, tool), filepath.Join(bin, tool)); err != nil {
					t.Fatal(err)
				}
			}
			root := t.TempDir()
			writeTree(t, root, map[string]string{"etc/os-release": debianOSRelease, "etc/apt/sources.list": "deb http://deb.invalid/debian bookworm main\n"})
			before := readTree(t, root)
			out, err := runPiped(t, []string{"PATH=" + bin, "ROOT=" + root}, url)
			if (err == nil) != tt.ok || !strings.Contains(out, tt.want) {
				t.Fatalf("install.sh: %v, want success %v and %q:\n%s", err, tt.ok, tt.want, out)
			}
			if !tt.ok && !reflect.DeepEqual(before, readTree(t, root)) {
				t.Errorf("the failed run changed the root")
			}
		})
	}
}
