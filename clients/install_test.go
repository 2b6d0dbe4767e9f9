package clients

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// need returns the path of a tool the test runs; CI must have it
// (scripts/setup.sh installs it).
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (scripts/setup.sh installs it)", tool)
		}
		t.Skipf("%s is not installed (scripts/setup.sh installs it)", tool)
	}
	return p
}

// writeTree writes files (path → content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree returns every file under dir with its content; directories end
// in "/".
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if fi.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// writeClients writes the clients/ files of repos into the tree dir and
// returns the path of its install.sh.
func writeClients(t *testing.T, dir string, repos []Repo) string {
	t.Helper()
	files, err := Files(repos)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, f.Mode); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, filepath.FromSlash(ScriptPath))
}

// installScript writes the tree of testRepos' clients/ files and returns
// its install.sh, which reads the distros next to it.
func installScript(t *testing.T) string {
	t.Helper()
	return writeClients(t, t.TempDir(), testRepos(t))
}

// run runs install.sh with /bin/sh, the way hosts do.
func run(t *testing.T, script string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("/bin/sh", append([]string{script}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// runPiped runs install.sh as the server's instructions say, piped to
// sh: curl -fsSL URL/clients/install.sh | sh -s -- ARGS.
func runPiped(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("/bin/sh", append([]string{"-s", "--"}, args...)...)
	cmd.Stdin = bytes.NewReader(Script)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// ways are the two ways hosts run install.sh: the tree's own file, and
// piped from the server.
var ways = []string{"from the tree", "piped"}

// runWay runs install.sh (script, the tree's) the way named.
func runWay(t *testing.T, way, script string, env []string, args ...string) (string, error) {
	t.Helper()
	if way == "piped" {
		return runPiped(t, env, args...)
	}
	return run(t, script, env, args...)
}

// serveTree serves dir the way repobuild serve does, listing directories.
func serveTree(t *testing.T, dir string) string {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv.URL
}

const (
	debianOSRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n"
	centosOSRelease = "NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\n"
	centosBase      = "[base]\nname=CentOS-$releasever - Base\nmirrorlist=http://mirrorlist.invalid/?release=$releasever&arch=$basearch&repo=os\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7\n"
	centosEPEL      = "[epel]\nname=EPEL\nmetalink=https://metalink.invalid/metalink?repo=epel-7&arch=$basearch\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-7 https://example.invalid/key\n"
)

func TestInstallAndRestore(t *testing.T) {
	tests := []struct {
		name     string
		root     map[string]string
		args     []string
		wantFile string
		want     []string // lines of wantFile
		gone     []string // files moved to the backup
	}{
		{
			name: "debian",
			root: map[string]string{
				"etc/os-release":                        debianOSRelease,
				"etc/apt/sources.list":                  "deb http://deb.invalid/debian bookworm main\n",
				"etc/apt/sources.list.d/debian.sources": "Types: deb\nURIs: http://deb.invalid/debian\nSuites: bookworm\nComponents: main\n",
				"etc/apt/sources.list.d/other.list":     "deb http://other.invalid/ stable main\n",
				"etc/apt/apt.conf.d/99local":            "APT::Install-Recommends \"false\";\n",
			},
			args:     []string{"http://10.1.2.3:8080/"},
			wantFile: "etc/apt/sources.list.d/repobuild.list",
			want:     []string{"deb [trusted=yes] http://10.1.2.3:8080/debian bookworm main"},
			gone:     []string{"etc/apt/sources.list", "etc/apt/sources.list.d/debian.sources", "etc/apt/sources.list.d/other.list"},
		},
		{
			name: "centos, bare host and a path",
			root: map[string]string{
				"etc/os-release":                   centosOSRelease,
				"etc/yum.repos.d/CentOS-Base.repo": centosBase,
				"etc/yum.repos.d/epel.repo":        centosEPEL,
				"etc/yum.conf":                     "[main]\ncachedir=/var/cache/yum\n",
			},
			args:     []string{"repo.local:8080/mirror"},
			wantFile: "etc/yum.repos.d/repobuild.repo",
			want: []string{
				"baseurl=http://repo.local:8080/mirror/centos/7/os/$basearch/",
				"gpgcheck=1",
				"gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7 file:///etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-7",
			},
			gone: []string{"etc/yum.repos.d/CentOS-Base.repo", "etc/yum.repos.d/epel.repo"},
		},
		{
			name: "--distro beats os-release",
			root: map[string]string{
				"etc/os-release":       "ID=devuan\nVERSION_ID=5\n",
				"etc/apt/sources.list": "deb http://deb.invalid/merged daedalus main\n",
			},
			args:     []string{"--distro", "debian12", "http://h"},
			wantFile: "etc/apt/sources.list.d/repobuild.list",
			want:     []string{"deb [trusted=yes] http://h/debian bookworm main"},
			gone:     []string{"etc/apt/sources.list"},
		},
	}
	script := installScript(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeTree(t, root, tt.root)
			before := readTree(t, root)

			for i := range 2 { // a second install changes nothing more
				out, err := run(t, script, []string{"ROOT=" + root}, tt.args...)
				if err != nil {
					t.Fatalf("install %d: %v\n%s", i+1, err, out)
				}
				got := readTree(t, root)[tt.wantFile]
				for _, line := range tt.want {
					if !strings.Contains(got, line+"\n") {
						t.Errorf("install %d: %s lacks %q:\n%s", i+1, tt.wantFile, line, got)
					}
				}
				if strings.Contains(got, "{{HOST}}") {
					t.Errorf("install %d: %s still has the placeholder", i+1, tt.wantFile)
				}
				for _, f := range tt.gone {
					if _, err := os.Stat(filepath.Join(root, f)); !os.IsNotExist(err) {
						t.Errorf("install %d: %s is still in place", i+1, f)
					}
				}
			}

			out, err := run(t, script, nil, "--root", root, "--restore")
			if err != nil {
				t.Fatalf("restore: %v\n%s", err, out)
			}
			if after := readTree(t, root); !reflect.DeepEqual(before, after) {
				t.Errorf("restore did not give the root back:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// TestInstallRefuses runs install.sh from the tree and piped from the
// server (the tree's distros then come from the server's listing of
// clients/); URL in args stands for the server.
func TestInstallRefuses(t *testing.T) {
	script := installScript(t)
	url := serveTree(t, filepath.Dir(filepath.Dir(script)))
	tests := []struct {
		name      string
		osRelease string
		args      []string
		want      string
	}{
		{"a distro the tree lacks", "ID=fedora\nVERSION_ID=40\n", []string{"URL"}, "this host (fedora 40) is none of the distros of this tree: centos7, debian12 (use --distro)"},
		{"an unknown --distro", debianOSRelease, []string{"--distro", "rocky9", "URL"}, "unknown distro rocky9: this tree has centos7, debian12"},
		{"a --distro that is a path", debianOSRelease, []string{"--distro", "../clients/debian12", "URL"}, "unknown distro ../clients/debian12: this tree has centos7, debian12"},
		{"no URL", debianOSRelease, nil, "no server URL given"},
		{"restore without backup", debianOSRelease, []string{"--restore"}, "nothing to restore"},
		{"unknown option", debianOSRelease, []string{"--frobnicate"}, "unknown option --frobnicate"},
	}
	for _, how := range ways {
		for _, tt := range tests {
			t.Run(how+"/"+tt.name, func(t *testing.T) {
				root := t.TempDir()
				writeTree(t, root, map[string]string{"etc/os-release": tt.osRelease, "etc/apt/sources.list": "deb http://deb.invalid/debian bookworm main\n"})
				before := readTree(t, root)
				var args []string
				for _, a := range tt.args {
					args = append(args, strings.ReplaceAll(a, "URL", url))
				}
				out, err := runWay(t, how, script, []string{"ROOT=" + root}, args...)
				if err == nil {
					t.Fatalf("install.sh succeeded, want a failure:\n%s", out)
				}
				if !strings.Contains(out, tt.want) {
					t.Errorf("output lacks %q:\n%s", tt.want, out)
				}
				if after := readTree(t, root); !reflect.DeepEqual(before, after) {
					t.Errorf("the failed run changed the root:\nbefore %v\nafter  %v", before, after)
				}
			})
		}
	}
}

// TestUsageNamesTheDistros: --help names the tree's distros, read next
// to the script, from --tree DIR or from the server.
func TestUsageNamesTheDistros(t *testing.T) {
	script := installScript(t)
	tree := filepath.Dir(filepath.Dir(script))
	url := serveTree(t, tree)
	alone := filepath.Join(t.TempDir(), "install.sh")
	if err := os.WriteFile(alone, Script, 0o755); err != nil {
		t.Fatal(err)
	}
	const want = "distros of this tree: centos7, debian12\n"
	for name, runIt := range map[string]func() (string, error){
		"from the tree": func() (string, error) { return run(t, script, nil, "--help") },
		"--tree":        func() (string, error) { return run(t, alone, nil, "--tree", tree, "--help") },
		"piped":         func() (string, error) { return runPiped(t, nil, "--help", url) },
	} {
		out, err := runIt()
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		if !strings.Contains(out, "usage: sh install.sh") || !strings.Contains(out, want) {
			t.Errorf("%s: usage lacks %q:\n%s", name, want, out)
		}
	}
	out, err := runPiped(t, nil, "--help")
	if err != nil || !strings.Contains(out, "give URL (or --tree DIR) to list them") {
		t.Errorf("piped --help without URL: %v\n%s", err, out)
	}
}

// TestRepoFileWithDNF has install.sh, piped from the server, find the
// host's distro in the server's clients/, then has the real dnf read the
// .repo install.sh wrote and load the metadata of a repository at the URL it names, for each
// architecture ($basearch).
func TestRepoFileWithDNF(t *testing.T) {
	dnf := need(t, "dnf")
	createrepo := need(t, "createrepo_c")
	tree := t.TempDir()
	writeClients(t, tree, testRepos(t))
	for _, arch := range []string{"x86_64", "aarch64"} {
		dir := filepath.Join(tree, "centos", "7", "os", arch)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(createrepo, dir).CombinedOutput(); err != nil {
			t.Fatalf("createrepo_c: %v\n%s", err, out)
		}
	}
	var requested []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requested = append(requested, r.URL.Path)
		http.FileServer(http.Dir(tree)).ServeHTTP(w, r)
	}))
	defer srv.Close()

	root := t.TempDir()
	writeTree(t, root, map[string]string{"etc/os-release": centosOSRelease, "etc/yum.repos.d/CentOS-Base.repo": centosBase})
	if out, err := runPiped(t, []string{"ROOT=" + root}, srv.URL); err != nil {
		t.Fatalf("install.sh: %v\n%s", err, out)
	}
	for _, arch := range []string{"x86_64", "aarch64"} {
		requested = nil
		cmd := exec.Command(dnf, "--installroot", root, "--releasever", "7", "--forcearch", arch,
			"--setopt=reposdir="+filepath.Join(root, "etc/yum.repos.d"), "--setopt=cachedir="+t.TempDir(),
			"--disableplugin=*", "-y", "makecache")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("dnf makecache (%s): %v\n%s", arch, err, out)
		}
		want := "/centos/7/os/" + arch + "/repodata/repomd.xml"
		found := false
		for _, p := range requested {
			found = found || p == want
		}
		if !found {
			t.Errorf("dnf (%s) asked for %v, want %s\n%s", arch, requested, want, out)
		}
		if !strings.Contains(string(out), "repobuild offline repository (centos7)") {
			t.Errorf("dnf (%s) did not load the repository:\n%s", arch, out)
		}
	}
}
