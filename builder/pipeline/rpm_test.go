package pipeline

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder/manager"
	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/plan"
)

// script text of a manager's file, by its path in builder/manager.
func scriptText(t *testing.T, path string) string {
	t.Helper()
	data, err := fs.ReadFile(manager.FS(), path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestYumFetch checks what the EL7 path runs: yum on the target's own
// platform (it has no --forcearch), from the distro's image, with the
// vault repositories of the definition, an empty install root and a cache
// per distro and architecture.
func TestYumFetch(t *testing.T) {
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	tests := []struct {
		arch, mirror, platform, how string
		repo                        string
	}{
		{"amd64", "", "amd64", "cross", `# written by repobuild for centos7/amd64

[base]
name=base
baseurl=https://vault.centos.org/7.9.2009/os/$basearch/
enabled=1
gpgcheck=1
repo_gpgcheck=0
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7

[updates]
name=updates
baseurl=https://vault.centos.org/7.9.2009/updates/$basearch/
enabled=1
gpgcheck=1
repo_gpgcheck=0
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7

[extras]
name=extras
baseurl=https://vault.centos.org/7.9.2009/extras/$basearch/
enabled=1
gpgcheck=1
repo_gpgcheck=0
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7

[epel]
name=epel
baseurl=https://dl.fedoraproject.org/pub/archive/epel/7/$basearch/
enabled=0
gpgcheck=1
repo_gpgcheck=0
gpgkey=https://dl.fedoraproject.org/pub/epel/RPM-GPG-KEY-EPEL-7
`},
		{"arm64", "http://mirror.internal/centos-vault/", "arm64", "emulated", `# written by repobuild for centos7/arm64

[base]
name=base
baseurl=http://mirror.internal/centos-vault/altarch/7.9.2009/os/$basearch/
enabled=1
gpgcheck=1
repo_gpgcheck=0
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7 file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7-aarch64

[updates]
name=updates
baseurl=http://mirror.internal/centos-vault/altarch/7.9.2009/updates/$basearch/
enabled=1
gpgcheck=1
repo_gpgcheck=0
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7 file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7-aarch64

[extras]
name=extras
baseurl=http://mirror.internal/centos-vault/altarch/7.9.2009/extras/$basearch/
enabled=1
gpgcheck=1
repo_gpgcheck=0
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7 file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7-aarch64

[epel]
name=epel
baseurl=https://dl.fedoraproject.org/pub/archive/epel/7/$basearch/
enabled=0
gpgcheck=1
repo_gpgcheck=0
gpgkey=https://dl.fedoraproject.org/pub/epel/RPM-GPG-KEY-EPEL-7
`},
	}
	for _, tt := range tests {
		t.Run(tt.arch, func(t *testing.T) {
			_, g := tree(t, Config{BuildPlatform: amd64, Mirror: tt.mirror}, rpmTarget(t, "centos7", tt.arch))
			fetch := g.byScript("fetch.sh")[0]
			if got := fetch.GetPlatform().GetArchitecture(); got != tt.platform {
				t.Errorf("yum runs on %s, want %s", got, tt.platform)
			}
			if src, _ := g.input(fetch, "/"); src.GetSource().GetIdentifier() != "docker-image://docker.io/library/centos:7" {
				t.Errorf("the fetch runs on %v, want the centos:7 image", src.GetSource())
			}
			native := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[tt.arch]
			wantEnv := map[string]string{
				"REPOBUILD_DISTRO": "centos7", "REPOBUILD_ARCH": native, "REPOBUILD_TREE": "centos/7/os/" + native,
				"REPOBUILD_VERSION": "7", "REPOBUILD_RELEASEVER": "7", "REPOBUILD_IMAGE_REPOS": "0",
				"REPOBUILD_MODULE_PLATFORM_ID": "", "REPOBUILD_MIRROR": map[bool]string{true: "https://vault.centos.org", false: tt.mirror}[tt.mirror == ""],
				"REPOBUILD_DOWNLOADS": "4",
			}
			e := g.env(fetch)
			for k, v := range wantEnv {
				if e[k] != v {
					t.Errorf("%s = %q, want %q", k, e[k], v)
				}
			}
			if c := mount(fetch, CacheDir); c == nil || c.GetMountType() != pb.MountType_CACHE || c.GetCacheOpt().GetID() != "repobuild/yum/centos7/"+native {
				t.Errorf("cache mount = %v, want repobuild/yum/centos7/%s", c, native)
			}
			for _, dir := range []string{InDir, ManagerDir} {
				if in := mount(fetch, dir); in == nil || !in.GetReadonly() {
					t.Errorf("%s is not mounted read-only", dir)
				}
			}
			scripts, _ := g.input(fetch, ManagerDir)
			sf := files(scripts)
			if script := fetch.GetExec().GetMeta().GetArgs()[1]; script != ManagerDir+"/yum/fetch.sh" ||
				sf["yum/fetch.sh"] != scriptText(t, "yum/fetch.sh") || sf["rpm/lib.sh"] == "" || sf["rpm/modules-subset.awk"] == "" || sf["rpm/closure.py"] == "" {
				t.Errorf("the fetch does not run yum's fetch.sh with the rpm library (runs %s)", script)
			}
			if e["REPOBUILD_REQUIRED"] != "docker-ce-24.0.9-1.el7 socat" || e["REPOBUILD_OPTIONAL"] != "nosuch" {
				t.Errorf("requests = %q, optional %q", e["REPOBUILD_REQUIRED"], e["REPOBUILD_OPTIONAL"])
			}
			if got := g.inFiles(fetch)[ReposFile]; got != tt.repo {
				t.Errorf("repo file:\n%s\nwant:\n%s", got, tt.repo)
			}
		})
	}
}

// TestYumScript checks the commands of the EL7 fetch: the closure from an
// empty install root with --downloadonly, names that do not exist failing
// instead of being skipped, signatures checked, the repositories repobuild
// wrote and nothing else.
func TestYumScript(t *testing.T) {
	yum, err := manager.Get("yum")
	if err != nil {
		t.Fatal(err)
	}
	if yum.Cross {
		t.Error("yum is marked as resolving for foreign architectures: EL7's yum has no --forcearch")
	}
	script := scriptText(t, yum.Script("fetch.sh"))
	for _, want := range []string{
		`yum -c "$work/yum.conf" --setopt=reposdir="$reposdir" --installroot="$root" \` + "\n" +
			`		--releasever="$REPOBUILD_RELEASEVER" "$@"`,
		`yum_ -y install --downloadonly -- $required $optional_ok`,
		`yum_ --assumeno install -- "$1"`,
		"skip_missing_names_on_install=0",
		"gpgcheck=1",
		// Plugins: repobuild's alone (rb_plugin), none of the image's.
		"\n$(rb_plugin)\n",
		"yum_ -y makecache",
		"rb_verify",
		`ln -s "$cache/yum" "$root/var/cache/yum"`,
	} {
		if !strings.Contains(script, want) {
			t.Errorf("yum/fetch.sh does not run %q", want)
		}
	}
	for _, bad := range []string{"gpgcheck=0", "--nogpgcheck", "skip-broken", "--resolve"} {
		if strings.Contains(script, bad) || strings.Contains(scriptText(t, "rpm/lib.sh"), bad) {
			t.Errorf("the yum scripts use %q", bad)
		}
	}
}

// TestRPMPackageCache checks that yum and dnf keep what they download in
// the cache mount and take from it what it holds, learn the transaction's
// files from repobuild's plugin, loaded alone, report the bytes they
// downloaded, and download several packages at once.
func TestRPMPackageCache(t *testing.T) {
	tests := []struct {
		manager   string
		want, bad []string
	}{
		{"dnf", []string{"keepcache=$keepcache\n", "\tkeepcache=1\n", "\tplugin=$(rb_plugin)\n", "\n$plugin\n",
			"max_parallel_downloads=$downloads\n", "REPOBUILD_CLOSURE=$closure REPOBUILD_URLS=", `rb_closure "$work/closure"`},
			[]string{"--destdir", "plugins=1"}},
		{"yum", []string{"\nkeepcache=1\n", "\n$(rb_plugin)\n", "max_connections=${REPOBUILD_DOWNLOADS:-4}\n",
			"REPOBUILD_CLOSURE=$closure yum ", `rb_closure "$work/closure"`},
			[]string{"--downloaddir", "keepcache=0", "plugins=1"}},
	}
	for _, tt := range tests {
		m, err := manager.Get(tt.manager)
		if err != nil {
			t.Fatal(err)
		}
		fetch := scriptText(t, m.Script("fetch.sh"))
		for _, want := range tt.want {
			if !strings.Contains(fetch, want) {
				t.Errorf("%s/fetch.sh lacks %q", tt.manager, want)
			}
		}
		for _, bad := range tt.bad {
			if strings.Contains(fetch, bad) {
				t.Errorf("%s/fetch.sh has %q", tt.manager, bad)
			}
		}
		lib := scriptText(t, "rpm/lib.sh")
		for _, want := range []string{
			`printf 'plugins=1\npluginpath=%s\npluginconfpath=%s\n' "$work/plugins" "$work/plugins"`,
			`cp /repobuild/manager/rpm/closure.py "$work/plugins/repobuild.py"`,
			`closure.py fetched "$1" >"$rb_fetched"`,
			`rb_report_begin`,
		} {
			if !strings.Contains(lib, want) {
				t.Errorf("rpm/lib.sh lacks %q", want)
			}
		}
		plugin := scriptText(t, "rpm/closure.py")
		for _, hook := range []string{"    def resolved(self):", "def postresolve_hook(conduit):"} {
			if !strings.Contains(plugin, hook) {
				t.Errorf("closure.py lacks %q", hook)
			}
		}
	}
}

// TestRPMRepository checks the index steps of an RPM distro: one per
// architecture, on the build platform, offline, reading the fetch's
// report (module, comps and updateinfo metadata), and no release step.
func TestRPMRepository(t *testing.T) {
	_, g := tree(t, Config{}, rpmTarget(t, "rocky9", "amd64"), rpmTarget(t, "rocky9", "arm64"))
	execs := g.execs
	env := g.env
	for _, op := range g.byScript("fetch.sh") {
		if op.GetPlatform().GetArchitecture() != "amd64" {
			t.Errorf("dnf for %s runs on %s, want the build platform (--forcearch)", env(op)["REPOBUILD_ARCH"], op.GetPlatform().GetArchitecture())
		}
		if e := env(op); e["REPOBUILD_MODULE_PLATFORM_ID"] != "platform:el9" || e["REPOBUILD_RELEASEVER"] != "9" {
			t.Errorf("fetch env = %v", e)
		}
	}
	indexes := g.byScript("index.sh")
	if len(indexes) != 2 {
		t.Fatalf("%d index steps, want 2", len(indexes))
	}
	for _, op := range indexes {
		e := env(op)
		if op.GetExec().GetNetwork() != pb.NetMode_NONE || op.GetPlatform().GetArchitecture() != "amd64" {
			t.Errorf("index for %s: network %v on %s", e["REPOBUILD_ARCH"], op.GetExec().GetNetwork(), op.GetPlatform().GetArchitecture())
		}
		if r := mount(op, ReportDir); r == nil || !r.GetReadonly() {
			t.Errorf("index for %s does not read the fetch's report", e["REPOBUILD_ARCH"])
		}
		if !strings.HasPrefix(e["REPOBUILD_TREE"], "rocky/9/os/") {
			t.Errorf("tree = %q", e["REPOBUILD_TREE"])
		}
	}
	for _, op := range execs {
		if script(op) == "release.sh" {
			t.Error("an RPM distro has a release step")
		}
	}
	tools := g.byScript("tools.sh")
	if got := env(tools[0])["REPOBUILD_TOOLS"]; got != "createrepo_c" {
		t.Errorf("tools = %q", got)
	}
}

// TestRPMRepoOptions checks the repositories packages.yaml adds and
// enables, and distros whose image brings its repositories.
func TestRPMRepoOptions(t *testing.T) {
	tg := rpmTarget(t, "rocky9", "arm64")
	tg.Repos = []distros.Repo{{ID: "docker-ce", BaseURL: "https://download.docker.com/linux/centos/$releasever/$basearch/stable",
		GPGKey: []string{"https://download.docker.com/linux/centos/gpg"}}}
	tg.Enable = []string{"epel"}
	_, g := tree(t, Config{}, tg)
	repo := g.inFiles(g.byScript("fetch.sh")[0])[ReposFile]
	for _, want := range []string{
		"[epel]\nname=epel\nbaseurl=https://dl.fedoraproject.org/pub/epel/9/Everything/$basearch/\nenabled=1\ngpgcheck=1\n",
		"[crb]\nname=crb\nbaseurl=https://dl.rockylinux.org/pub/rocky/$releasever/CRB/$basearch/os/\nenabled=0\n",
		"[docker-ce]\nname=docker-ce\nbaseurl=https://download.docker.com/linux/centos/$releasever/$basearch/stable\nenabled=1\ngpgcheck=1\nrepo_gpgcheck=0\ngpgkey=https://download.docker.com/linux/centos/gpg\n",
	} {
		if !strings.Contains(repo, want) {
			t.Errorf("repo file lacks\n%s\nin\n%s", want, repo)
		}
	}

	kylin := rpmTarget(t, "kylin-v10", "amd64")
	if _, err := New(Config{}, []plan.Target{kylin}); err == nil || !strings.Contains(err.Error(), "kylin-v10: no base image: Kylin V10 has no public base image: pass --image kylin-v10=REF") {
		t.Errorf("kylin-v10 without --image: %v", err)
	}
	_, g = tree(t, Config{Images: map[string]string{"kylin-v10": "registry.local/kylin:v10"}}, kylin)
	if got := g.env(g.byScript("fetch.sh")[0])["REPOBUILD_IMAGE_REPOS"]; got != "1" {
		t.Errorf("kylin-v10 REPOBUILD_IMAGE_REPOS = %q, want 1 (the image's repo files)", got)
	}
}
