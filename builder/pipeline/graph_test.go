package pipeline

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder/imageref"
	"github.com/repobuild/repobuild/packages"
	"github.com/repobuild/repobuild/plan"
)

func TestFetchPlatform(t *testing.T) {
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	tests := []struct {
		name         string
		arch         string
		emulate      bool
		wantPlatform string
	}{
		{"native amd64", "amd64", false, "amd64"},
		{"arm64 resolved natively", "arm64", false, "amd64"},
		{"arm64 emulated", "arm64", true, "arm64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, g := tree(t, Config{BuildPlatform: amd64, Emulate: tt.emulate}, debianTarget(t, tt.arch))
			fetch := g.byScript("fetch.sh")[0]
			if got := fetch.GetPlatform().GetArchitecture(); got != tt.wantPlatform {
				t.Errorf("fetch runs on %s, want %s", got, tt.wantPlatform)
			}
			e := g.env(fetch)
			if e["REPOBUILD_ARCH"] != tt.arch || e["REPOBUILD_TREE"] != "debian" || e["REPOBUILD_CODENAME"] != "bookworm" {
				t.Errorf("fetch env = %v", e)
			}
			var cache *pb.Mount
			for _, m := range fetch.GetExec().GetMounts() {
				if m.GetMountType() == pb.MountType_CACHE {
					cache = m
				}
			}
			if cache == nil || cache.GetDest() != "/var/cache/repobuild" ||
				cache.GetCacheOpt().GetID() != "repobuild/apt/debian12/"+tt.arch ||
				cache.GetCacheOpt().GetSharing() != pb.CacheSharingOpt_LOCKED {
				t.Errorf("cache mount = %v, want a locked per distro and arch cache", cache)
			}
			if src, _ := g.input(fetch, "/"); src.GetSource().GetIdentifier() != "docker-image://docker.io/library/debian:bookworm" ||
				src.GetPlatform().GetArchitecture() != tt.wantPlatform {
				t.Errorf("the fetch runs on %v, want the distro's image for %s", src.GetSource(), tt.wantPlatform)
			}
		})
	}
}

// TestFetchRequests: the first request of each name goes into the main
// transaction, required or optional; every further version of a name into
// a transaction of its own.
func TestFetchRequests(t *testing.T) {
	tg := debianTarget(t, "amd64")
	tg.Requests = append(tg.Requests,
		packages.Request{Spec: "containerd.io=1.6.32-1", Name: "containerd.io"},
		packages.Request{Spec: "socat=1.7.4.3-1", Name: "socat", Optional: true},
		packages.Request{Spec: "containerd.io=1.7.27-1", Name: "containerd.io"})
	_, g := tree(t, Config{}, tg)
	e := g.env(g.byScript("fetch.sh")[0])
	want := map[string]string{
		"REPOBUILD_REQUIRED":       "curl socat=1.7.4.4-2 containerd.io=1.6.32-1",
		"REPOBUILD_OPTIONAL":       "debian-builder",
		"REPOBUILD_EXTRA":          "socat=1.7.4.3-1 containerd.io=1.7.27-1",
		"REPOBUILD_EXTRA_OPTIONAL": "1 0",
	}
	for k, v := range want {
		if e[k] != v {
			t.Errorf("%s = %q, want %q", k, e[k], v)
		}
	}
}

func TestFetchImage(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"official", Config{}, "docker-image://docker.io/library/debian:bookworm"},
		{"registry mirror", Config{RegistryMirror: "127.0.0.1:5000"}, "docker-image://127.0.0.1:5000/library/debian:bookworm"},
		{"mirror with prefix", Config{RegistryMirror: "mirror.example:443/hub/"}, "docker-image://mirror.example:443/hub/library/debian:bookworm"},
		{"image override beats mirror", Config{RegistryMirror: "127.0.0.1:5000", Images: map[string]string{"debian12": "my/debian:12"}}, "docker-image://docker.io/my/debian:12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, g := tree(t, tt.cfg, debianTarget(t, "amd64"))
			var got []string
			for _, s := range g.sources {
				got = append(got, s.GetSource().GetIdentifier())
			}
			// Every step of the distro runs on its image, on one platform.
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("sources = %v, want [%s]", got, tt.want)
			}
		})
	}
}

func TestRepository(t *testing.T) {
	_, g := tree(t, Config{}, debianTarget(t, "arm64"), debianTarget(t, "amd64"))
	env := g.env
	if n := len(g.byScript("fetch.sh")); n != 2 {
		t.Errorf("%d fetches, want 2", n)
	}
	indexes := g.byScript("index.sh")
	var arches []string
	for _, op := range indexes {
		arches = append(arches, env(op)["REPOBUILD_ARCH"])
		if op.GetExec().GetNetwork() != pb.NetMode_NONE {
			t.Errorf("index for %s has network", env(op)["REPOBUILD_ARCH"])
		}
		if op.GetPlatform().GetArchitecture() != "amd64" {
			t.Errorf("index runs on %s, want the build platform", op.GetPlatform().GetArchitecture())
		}
	}
	slices.Sort(arches)
	if !slices.Equal(arches, []string{"amd64", "arm64"}) {
		t.Errorf("indexes for %v", arches)
	}
	releases := g.byScript("release.sh")
	if len(releases) != 1 {
		t.Fatalf("%d release steps, want 1 per distro", len(releases))
	}
	if got := env(releases[0])["REPOBUILD_ARCHES"]; got != "amd64 arm64" {
		t.Errorf("release over %q, want \"amd64 arm64\"", got)
	}
	if releases[0].GetExec().GetNetwork() != pb.NetMode_NONE {
		t.Error("release step has network")
	}
	var locks []string
	for _, op := range g.ops {
		for _, a := range op.GetFile().GetActions() {
			if cp := a.GetCopy(); cp != nil && cp.GetSrc() == "/"+LockFile {
				locks = append(locks, cp.GetDest())
			}
		}
	}
	slices.Sort(locks)
	if want := []string{"/.repobuild/debian12-amd64.lock", "/.repobuild/debian12-arm64.lock"}; !slices.Equal(locks, want) {
		t.Errorf("locks in the tree = %v, want %v", locks, want)
	}
	tools := g.byScript("tools.sh")
	if got := env(tools[0])["REPOBUILD_TOOLS"]; got != "apt-utils" {
		t.Errorf("tools = %q", got)
	}
}

func TestNoCache(t *testing.T) {
	refresh := func(cfg Config) (string, bool) {
		t.Helper()
		_, g := tree(t, cfg, debianTarget(t, "amd64"))
		v := g.env(g.byScript("fetch.sh")[0])["REPOBUILD_REFRESH"]
		return v, v != ""
	}
	p, err := New(Config{Refresh: "1"}, []plan.Target{debianTarget(t, "amd64")})
	if err != nil {
		t.Fatal(err)
	}
	lg, err := p.ToLLB()
	if err != nil {
		t.Fatal(err)
	}
	st, _ := lg.Tree()
	def, err := st.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, md := range def.Metadata {
		if md.IgnoreCache {
			t.Error("an op ignores the cache: its cache mounts would start empty")
		}
	}
	if first, ok := refresh(Config{Refresh: "1"}); !ok || first != "1" {
		t.Error("the fetch has no refresh: it would be a cache hit")
	}
	if _, ok := refresh(Config{}); ok {
		t.Error("a refresh without --no-cache")
	}
}

func TestMirrorRef(t *testing.T) {
	tests := []struct{ ref, mirror, want, err string }{
		{"docker.io/library/debian:bookworm", "127.0.0.1:5000", "127.0.0.1:5000/library/debian:bookworm", ""},
		{"debian:bookworm", "http://127.0.0.1:5000/", "127.0.0.1:5000/library/debian:bookworm", ""},
		{"quay.io/centos/centos:stream9", "reg.local/proxy", "reg.local/proxy/centos/centos:stream9", ""},
		{"rockylinux/rockylinux:9@sha256:" + strings.Repeat("a", 64), "m:1", "m:1/rockylinux/rockylinux:9@sha256:" + strings.Repeat("a", 64), ""},
		{"debian:bookworm", "", "", "empty registry mirror"},
		{"Not A Ref", "m", "", "image reference"},
	}
	for _, tt := range tests {
		got, err := imageref.Mirror(tt.ref, tt.mirror)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("MirrorRef(%q, %q) error = %v, want %q", tt.ref, tt.mirror, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("MirrorRef(%q, %q) = %q, %v; want %q", tt.ref, tt.mirror, got, err, tt.want)
		}
	}
}

// inFiles returns the files of the /repobuild/in mount of every exec op in
// st that runs script.
// TestMirrorAndSources checks what the fetch and tools steps are told about
// the distro's mirror: the per-arch archive (Ubuntu's ports), the archive
// of archived releases, --mirror, and Valid-Until.
func TestMirrorAndSources(t *testing.T) {
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	tests := []struct {
		name, distro, arch string
		cfg                Config
		wantMirror         string
		wantSources        string // a line of sources.list; "" for none
		wantToolsSources   string
		wantValidUntil     string
	}{
		{name: "image's own sources", distro: "debian12", arch: "arm64", wantValidUntil: "true"},
		{name: "--mirror", distro: "debian12", arch: "arm64", cfg: Config{Mirror: "http://127.0.0.1:8080/debian"},
			wantMirror: "http://127.0.0.1:8080/debian", wantValidUntil: "true"},
		{name: "ubuntu arm64 from ports", distro: "ubuntu2204", arch: "arm64",
			wantMirror:       "http://ports.ubuntu.com/ubuntu-ports",
			wantSources:      "deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://ports.ubuntu.com/ubuntu-ports jammy main restricted universe multiverse",
			wantToolsSources: "deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://archive.ubuntu.com/ubuntu jammy main restricted universe multiverse",
			wantValidUntil:   "true"},
		{name: "ubuntu with --mirror", distro: "ubuntu2404", arch: "arm64", cfg: Config{Mirror: "http://127.0.0.1:8080/ubuntu"},
			wantMirror:       "http://127.0.0.1:8080/ubuntu",
			wantSources:      "deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://127.0.0.1:8080/ubuntu noble-security main restricted universe multiverse",
			wantToolsSources: "deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://127.0.0.1:8080/ubuntu noble-security main restricted universe multiverse",
			wantValidUntil:   "true"},
		{name: "archived", distro: "debian10", arch: "amd64",
			wantMirror:       "http://archive.debian.org/debian",
			wantSources:      "deb http://archive.debian.org/debian-security buster/updates main",
			wantToolsSources: "deb http://archive.debian.org/debian buster main",
			wantValidUntil:   "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.BuildPlatform = amd64
			_, g := tree(t, cfg, target(t, tt.distro, tt.arch))
			for _, step := range []struct{ script, sources string }{{"fetch.sh", tt.wantSources}, {"tools.sh", tt.wantToolsSources}} {
				op := g.byScript(step.script)[0]
				e := g.env(op)
				wantMirror := tt.wantMirror
				if step.script == "tools.sh" && tt.distro == "ubuntu2204" {
					wantMirror = "http://archive.ubuntu.com/ubuntu" // the tools run on amd64
				}
				if e["REPOBUILD_MIRROR"] != wantMirror || e["REPOBUILD_CHECK_VALID_UNTIL"] != tt.wantValidUntil {
					t.Errorf("%s: REPOBUILD_MIRROR=%q REPOBUILD_CHECK_VALID_UNTIL=%q, want %q and %q", step.script,
						e["REPOBUILD_MIRROR"], e["REPOBUILD_CHECK_VALID_UNTIL"], wantMirror, tt.wantValidUntil)
				}
				scripts, _ := g.input(op, ManagerDir)
				if !strings.HasPrefix(files(scripts)["apt/sources.sh"], "# repobuild apt sources") {
					t.Errorf("%s: no apt/sources.sh in %s", step.script, ManagerDir)
				}
				list, has := g.inFiles(op)[SourcesFile]
				switch {
				case step.sources == "" && has:
					t.Errorf("%s: sources.list %q, want the image's own sources", step.script, list)
				case step.sources != "" && !slices.Contains(strings.Split(list, "\n"), step.sources):
					t.Errorf("%s: sources.list\n%s\nwant a line %q", step.script, list, step.sources)
				}
			}
		})
	}
}

func TestRepositoryClients(t *testing.T) {
	_, g := tree(t, Config{}, debianTarget(t, "amd64"), debianTarget(t, "arm64"))
	var paths []string
	for _, op := range g.ops {
		for _, a := range op.GetFile().GetActions() {
			if mk := a.GetMkfile(); mk != nil && strings.HasPrefix(mk.GetPath(), "/clients/") {
				paths = append(paths, mk.GetPath())
				if mk.GetPath() == "/clients/debian12.list" && !strings.Contains(string(mk.GetData()), "(amd64, arm64)") {
					t.Errorf("debian12.list does not name both architectures:\n%s", mk.GetData())
				}
			}
		}
	}
	slices.Sort(paths)
	if want := []string{"/clients/debian12.env", "/clients/debian12.list", "/clients/debian12.sources", "/clients/install.sh"}; !slices.Equal(paths, want) {
		t.Errorf("client files = %v, want %v", paths, want)
	}
}
