package frontend

import (
	"reflect"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder"
)

var (
	amd64 = ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = ocispecs.Platform{OS: "linux", Architecture: "arm64"}
)

func platformList(t *testing.T, names ...string) []ocispecs.Platform {
	t.Helper()
	var out []ocispecs.Platform
	for _, n := range names {
		p, err := platforms.Parse(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func TestParseRequest(t *testing.T) {
	known := []string{"debian12", "debian13", "openeuler22.03", "rocky9"}
	base := Request{Distros: []string{"debian12"}, Arches: []string{"amd64"}, Target: TargetTree, Downloads: builder.DefaultDownloads, Images: map[string]string{}}
	with := func(f func(*Request)) Request {
		r := base
		r.Images = map[string]string{}
		f(&r)
		return r
	}
	tests := []struct {
		name      string
		args      map[string]string
		target    string
		platforms []string
		noCache   bool
		multi     bool
		want      Request
		wantErr   string
	}{
		{name: "defaults: the worker's platform, the tree", args: map[string]string{"DISTRO": "debian12"}, want: base},
		{name: "distros and platforms", args: map[string]string{"DISTRO": "debian12, rocky9,debian12"},
			platforms: []string{"linux/amd64", "linux/arm64/v8"},
			want: with(func(r *Request) {
				r.Distros, r.Arches = []string{"debian12", "rocky9"}, []string{"amd64", "arm64"}
				r.Platforms = []ocispecs.Platform{amd64, arm64}
			})},
		{name: "arm64 alone", args: map[string]string{"DISTRO": "debian12"}, platforms: []string{"arm64"},
			want: with(func(r *Request) { r.Arches, r.Platforms = []string{"arm64"}, []ocispecs.Platform{arm64} })},
		{name: "ARCH over the platforms", args: map[string]string{"DISTRO": "debian12", "ARCH": "x86_64,arm64"}, platforms: []string{"linux/arm64"},
			want: with(func(r *Request) { r.Arches, r.Platforms = []string{"amd64", "arm64"}, []ocispecs.Platform{arm64} })},
		{name: "one node of a split build, with ARCH", args: map[string]string{"DISTRO": "debian12", "ARCH": "amd64,arm64"}, platforms: []string{"linux/amd64"}, multi: true,
			want: with(func(r *Request) { r.Arches, r.Platforms = []string{"amd64", "arm64"}, []ocispecs.Platform{amd64} })},
		{name: "multi-platform, both platforms", args: map[string]string{"DISTRO": "debian12"}, platforms: []string{"linux/amd64", "linux/arm64"}, multi: true,
			want: with(func(r *Request) {
				r.Arches, r.Platforms = []string{"amd64", "arm64"}, []ocispecs.Platform{amd64, arm64}
			})},
		{name: "one node of a split build", args: map[string]string{"DISTRO": "debian12"}, platforms: []string{"linux/arm64"}, multi: true,
			wantErr: "this multi-platform build came with the one platform linux/arm64: a builder of several nodes split it, and this node would resolve arm64 alone; name every architecture with the build arg ARCH"},
		{name: "bad ARCH", args: map[string]string{"DISTRO": "debian12", "ARCH": "armhf"}, wantErr: `build arg ARCH: unknown architecture "armhf"`},
		{name: "the nginx image", args: map[string]string{"DISTRO": "debian12"}, target: "nginx",
			want: with(func(r *Request) { r.Target = TargetNginx })},
		{name: "every option", args: map[string]string{
			"DISTRO": "openeuler22.03", "MIRROR": "http://127.0.0.1:8080/debian", "REGISTRY_MIRROR": "127.0.0.1:5000",
			"DOWNLOADS": "2", "EMULATE": "1", "NO_CACHE": "true", "NGINX_IMAGE": "127.0.0.1:5000/nginx:1",
			"IMAGE_OPENEULER22_03": "127.0.0.1:5000/oe:22.03", "image_debian12": "127.0.0.1:5000/debian:12",
			"BUILDKIT_SYNTAX": "ignored",
		}, want: with(func(r *Request) {
			r.Distros = []string{"openeuler22.03"}
			r.Mirror, r.RegistryMirror, r.NginxImage = "http://127.0.0.1:8080/debian", "127.0.0.1:5000", "127.0.0.1:5000/nginx:1"
			r.Downloads, r.Emulate, r.NoCache = 2, true, true
			r.Images = map[string]string{"openeuler22.03": "127.0.0.1:5000/oe:22.03", "debian12": "127.0.0.1:5000/debian:12"}
		})},
		{name: "buildx --no-cache", args: map[string]string{"DISTRO": "debian12"}, noCache: true,
			want: with(func(r *Request) { r.NoCache = true })},
		{name: "no distro", args: map[string]string{}, wantErr: "no distro given: set the build arg DISTRO to one or more of debian12, debian13, openeuler22.03, rocky9"},
		{name: "empty distro", args: map[string]string{"DISTRO": " , "}, wantErr: "no distro given"},
		{name: "unknown distro", args: map[string]string{"DISTRO": "debian12,debian99"}, wantErr: `build arg DISTRO: unknown distro "debian99" (known: debian12, debian13, openeuler22.03, rocky9)`},
		{name: "unknown target", args: map[string]string{"DISTRO": "debian12"}, target: "repo", wantErr: `unknown target "repo" (use tree, the default, or nginx)`},
		{name: "a 32-bit platform", args: map[string]string{"DISTRO": "debian12"}, platforms: []string{"linux/arm/v7"}, wantErr: "platform linux/arm/v7: repobuild builds for linux/amd64 and linux/arm64"},
		{name: "not linux", args: map[string]string{"DISTRO": "debian12"}, platforms: []string{"windows/amd64"}, wantErr: "platform windows/amd64"},
		{name: "another architecture", args: map[string]string{"DISTRO": "debian12"}, platforms: []string{"linux/riscv64"}, wantErr: `platform: unknown architecture "riscv64"`},
		{name: "bad mirror", args: map[string]string{"DISTRO": "debian12", "MIRROR": "127.0.0.1/debian"}, wantErr: "build arg MIRROR: "},
		{name: "bad downloads", args: map[string]string{"DISTRO": "debian12", "DOWNLOADS": "0"}, wantErr: `build arg DOWNLOADS="0": want a number, 1 or more`},
		{name: "bad emulate", args: map[string]string{"DISTRO": "debian12", "EMULATE": "yes"}, wantErr: `build arg EMULATE="yes": want true or false`},
		{name: "bad no-cache", args: map[string]string{"DISTRO": "debian12", "NO_CACHE": "always"}, wantErr: `build arg NO_CACHE="always"`},
		{name: "image of an unknown distro", args: map[string]string{"DISTRO": "debian12", "IMAGE_DEBIAN99": "x"}, wantErr: "build arg IMAGE_DEBIAN99: no such distro (known: debian12,"},
		{name: "empty image", args: map[string]string{"DISTRO": "debian12", "IMAGE_DEBIAN12": ""}, wantErr: "build arg IMAGE_DEBIAN12: want an image reference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRequest(input{BuildArgs: tt.args, Target: tt.target, Platforms: platformList(t, tt.platforms...), Worker: amd64, NoCache: tt.noCache, MultiPlatform: tt.multi}, known)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("request = %+v\nwant      %+v", got, tt.want)
			}
		})
	}
}

func TestWorkerPlatformIsTheDefault(t *testing.T) {
	arm := ocispecs.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	got, err := parseRequest(input{BuildArgs: map[string]string{"DISTRO": "debian12"}, Worker: arm}, []string{"debian12"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Arches, []string{"arm64"}) {
		t.Errorf("arches on an arm64 worker = %v, want [arm64]", got.Arches)
	}
}
