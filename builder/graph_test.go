package builder

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/packages"
	"github.com/repobuild/repobuild/plan"
)

// ops marshals st and returns its exec and source operations.
func ops(t *testing.T, st llb.State) (execs []*pb.Op, sources []*pb.Op) {
	t.Helper()
	def, err := st.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		switch {
		case op.GetExec() != nil:
			execs = append(execs, &op)
		case op.GetSource() != nil:
			sources = append(sources, &op)
		}
	}
	return execs, sources
}

func env(op *pb.Op) map[string]string {
	out := map[string]string{}
	for _, kv := range op.GetExec().GetMeta().GetEnv() {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = v
	}
	return out
}

// script names the script an exec op runs: fetch.sh, index.sh, ...
func script(op *pb.Op) string {
	args := op.GetExec().GetMeta().GetArgs()
	if len(args) != 2 || args[0] != "/bin/sh" {
		return ""
	}
	return args[1][strings.LastIndex(args[1], "/")+1:]
}

func byScript(t *testing.T, execs []*pb.Op, name string) []*pb.Op {
	t.Helper()
	var out []*pb.Op
	for _, op := range execs {
		if script(op) == name {
			out = append(out, op)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no exec op runs %s", name)
	}
	return out
}

func debianTarget(t *testing.T, arch string) plan.Target {
	t.Helper()
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	d, err := cat.Get("debian12")
	if err != nil {
		t.Fatal(err)
	}
	native, _ := d.Arch(arch)
	return plan.Target{Distro: d, Arch: arch, NativeArch: native, Requests: []packages.Request{
		{Spec: "curl", Name: "curl"},
		{Spec: "socat=1.7.4.4-2", Name: "socat", Version: "1.7.4.4-2"},
		{Spec: "debian-builder", Name: "debian-builder", Optional: true},
	}}
}

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
			g := NewGraph(WithBuildPlatform(amd64), WithEmulation(tt.emulate))
			f, err := g.Fetch(debianTarget(t, tt.arch))
			if err != nil {
				t.Fatal(err)
			}
			execs, sources := ops(t, f.Report)
			fetch := byScript(t, execs, "fetch.sh")[0]
			if got := fetch.GetPlatform().GetArchitecture(); got != tt.wantPlatform {
				t.Errorf("fetch runs on %s, want %s", got, tt.wantPlatform)
			}
			e := env(fetch)
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
			var images []string
			for _, s := range sources {
				images = append(images, s.GetSource().GetIdentifier())
			}
			if !slices.Contains(images, "docker-image://docker.io/library/debian:bookworm") {
				t.Errorf("sources = %v, want the distro's image", images)
			}
		})
	}
}

func TestFetchRequests(t *testing.T) {
	want := "curl\nsocat=1.7.4.4-2\ndebian-builder optional\n"
	if got := requestsFile(debianTarget(t, "amd64")); got != want {
		t.Errorf("requests = %q, want %q", got, want)
	}
}

func TestFetchImage(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"official", nil, "docker-image://docker.io/library/debian:bookworm"},
		{"registry mirror", []Option{WithRegistryMirror("127.0.0.1:5000")}, "docker-image://127.0.0.1:5000/library/debian:bookworm"},
		{"mirror with prefix", []Option{WithRegistryMirror("mirror.example:443/hub/")}, "docker-image://mirror.example:443/hub/library/debian:bookworm"},
		{"image override beats mirror", []Option{WithRegistryMirror("127.0.0.1:5000"), WithImage("debian12", "my/debian:12")}, "docker-image://docker.io/my/debian:12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := NewGraph(tt.opts...).Fetch(debianTarget(t, "amd64"))
			if err != nil {
				t.Fatal(err)
			}
			_, sources := ops(t, f.Tree)
			if len(sources) != 1 || sources[0].GetSource().GetIdentifier() != tt.want {
				var got []string
				for _, s := range sources {
					got = append(got, s.GetSource().GetIdentifier())
				}
				t.Errorf("sources = %v, want [%s]", got, tt.want)
			}
		})
	}
}

func TestRepository(t *testing.T) {
	g := NewGraph()
	var fetches []Fetch
	for _, arch := range []string{"arm64", "amd64"} {
		f, err := g.Fetch(debianTarget(t, arch))
		if err != nil {
			t.Fatal(err)
		}
		fetches = append(fetches, f)
	}
	repo, err := g.Repository(fetches)
	if err != nil {
		t.Fatal(err)
	}
	execs, _ := ops(t, repo)
	if n := len(byScript(t, execs, "fetch.sh")); n != 2 {
		t.Errorf("%d fetches, want 2", n)
	}
	indexes := byScript(t, execs, "index.sh")
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
	releases := byScript(t, execs, "release.sh")
	if len(releases) != 1 {
		t.Fatalf("%d release steps, want 1 per distro", len(releases))
	}
	if got := env(releases[0])["REPOBUILD_ARCHES"]; got != "amd64 arm64" {
		t.Errorf("release over %q, want \"amd64 arm64\"", got)
	}
	if releases[0].GetExec().GetNetwork() != pb.NetMode_NONE {
		t.Error("release step has network")
	}
	def, err := repo.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var locks []string
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		for _, a := range op.GetFile().GetActions() {
			if cp := a.GetCopy(); cp != nil && cp.GetSrc() == "/lock" {
				locks = append(locks, cp.GetDest())
			}
		}
	}
	slices.Sort(locks)
	if want := []string{"/.repobuild/debian12-amd64.lock", "/.repobuild/debian12-arm64.lock"}; !slices.Equal(locks, want) {
		t.Errorf("locks in the tree = %v, want %v", locks, want)
	}
	tools := byScript(t, execs, "tools.sh")
	if got := env(tools[0])["REPOBUILD_TOOLS"]; got != "apt-utils" {
		t.Errorf("tools = %q", got)
	}
}

func TestNoCache(t *testing.T) {
	report := func(opts ...Option) llb.State {
		t.Helper()
		f, err := NewGraph(opts...).Fetch(debianTarget(t, "amd64"))
		if err != nil {
			t.Fatal(err)
		}
		return f.Report
	}
	refresh := func(st llb.State) (string, bool) {
		t.Helper()
		execs, _ := ops(t, st)
		v, ok := env(byScript(t, execs, "fetch.sh")[0])["REPOBUILD_REFRESH"]
		return v, ok
	}
	noCache := WithNoCache(true)
	def, err := report(noCache).Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, md := range def.Metadata {
		if md.IgnoreCache {
			t.Error("an op ignores the cache: its cache mounts would start empty")
		}
	}
	first, ok := refresh(report(noCache))
	if !ok || first == "" {
		t.Error("the fetch has no REPOBUILD_REFRESH: it would be a cache hit")
	}
	if _, ok := refresh(report()); ok {
		t.Error("REPOBUILD_REFRESH without WithNoCache")
	}
	// One option, several graphs (one call's several outputs): one refresh.
	if again, _ := refresh(report(noCache)); again != first {
		t.Errorf("two graphs built with one WithNoCache option differ: %q, %q", first, again)
	}
	if other, _ := refresh(report(WithNoCache(true))); other == first {
		t.Error("two --no-cache builds share a fetch: the second would not resolve again")
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
		got, err := MirrorRef(tt.ref, tt.mirror)
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
func inFiles(t *testing.T, st llb.State, scriptName string) []map[string]string {
	t.Helper()
	def, err := st.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byDigest := map[string]*pb.Op{}
	var execs []*pb.Op
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		byDigest[string(digest.FromBytes(dt))] = &op
		if script(&op) == scriptName {
			execs = append(execs, &op)
		}
	}
	var out []map[string]string
	for _, op := range execs {
		files := map[string]string{}
		for _, m := range op.GetExec().GetMounts() {
			if m.GetDest() != "/repobuild/in" {
				continue
			}
			src := byDigest[op.GetInputs()[m.GetInput()].GetDigest()]
			for _, a := range src.GetFile().GetActions() {
				if mk := a.GetMkfile(); mk != nil {
					files[strings.TrimPrefix(mk.GetPath(), "/")] = string(mk.GetData())
				}
			}
		}
		out = append(out, files)
	}
	if len(out) == 0 {
		t.Fatalf("no exec op runs %s", scriptName)
	}
	return out
}

func target(t *testing.T, distro, arch string) plan.Target {
	t.Helper()
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	d, err := cat.Get(distro)
	if err != nil {
		t.Fatal(err)
	}
	native, _ := d.Arch(arch)
	return plan.Target{Distro: d, Arch: arch, NativeArch: native, Requests: []packages.Request{{Spec: "curl", Name: "curl"}}}
}

// TestMirrorAndSources checks what the fetch and tools steps are told about
// the distro's mirror: the per-arch archive (Ubuntu's ports), the archive
// of archived releases, --mirror, and Valid-Until.
func TestMirrorAndSources(t *testing.T) {
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	tests := []struct {
		name, distro, arch string
		opts               []Option
		wantMirror         string
		wantSources        string // a line of sources.list; "" for none
		wantToolsSources   string
		wantValidUntil     string
	}{
		{name: "image's own sources", distro: "debian12", arch: "arm64", wantValidUntil: "true"},
		{name: "--mirror", distro: "debian12", arch: "arm64", opts: []Option{WithMirror("http://127.0.0.1:8080/debian")},
			wantMirror: "http://127.0.0.1:8080/debian", wantValidUntil: "true"},
		{name: "ubuntu arm64 from ports", distro: "ubuntu2204", arch: "arm64",
			wantMirror:       "http://ports.ubuntu.com/ubuntu-ports",
			wantSources:      "deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://ports.ubuntu.com/ubuntu-ports jammy main restricted universe multiverse",
			wantToolsSources: "deb [signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg] http://archive.ubuntu.com/ubuntu jammy main restricted universe multiverse",
			wantValidUntil:   "true"},
		{name: "ubuntu with --mirror", distro: "ubuntu2404", arch: "arm64", opts: []Option{WithMirror("http://127.0.0.1:8080/ubuntu")},
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
			g := NewGraph(append([]Option{WithBuildPlatform(amd64)}, tt.opts...)...)
			f, err := g.Fetch(target(t, tt.distro, tt.arch))
			if err != nil {
				t.Fatal(err)
			}
			repo, err := g.Repository([]Fetch{f})
			if err != nil {
				t.Fatal(err)
			}
			execs, _ := ops(t, repo)
			for _, step := range []struct{ script, sources string }{{"fetch.sh", tt.wantSources}, {"tools.sh", tt.wantToolsSources}} {
				op := byScript(t, execs, step.script)[0]
				e := env(op)
				wantMirror := tt.wantMirror
				if step.script == "tools.sh" && tt.distro == "ubuntu2204" {
					wantMirror = "http://archive.ubuntu.com/ubuntu" // the tools run on amd64
				}
				if e["REPOBUILD_MIRROR"] != wantMirror || e["REPOBUILD_CHECK_VALID_UNTIL"] != tt.wantValidUntil {
					t.Errorf("%s: REPOBUILD_MIRROR=%q REPOBUILD_CHECK_VALID_UNTIL=%q, want %q and %q", step.script,
						e["REPOBUILD_MIRROR"], e["REPOBUILD_CHECK_VALID_UNTIL"], wantMirror, tt.wantValidUntil)
				}
				files := inFiles(t, repo, step.script)[0]
				if !strings.HasPrefix(files["sources.sh"], "# repobuild apt sources") {
					t.Errorf("%s: no sources.sh in /repobuild/in (files: %v)", step.script, keysOf(files))
				}
				list, has := files["sources.list"]
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

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
