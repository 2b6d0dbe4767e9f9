package image

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/serve"
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

// fileOps returns the file operations of st by digest.
func fileOps(t *testing.T, st llb.State, p ocispecs.Platform) map[string]*pb.Op {
	t.Helper()
	def, err := st.Marshal(context.Background(), llb.Platform(p))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*pb.Op{}
	for i, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		if op.GetFile() != nil {
			out[string(def.Def[i])] = &op
		}
	}
	return out
}

func TestNginxImage(t *testing.T) {
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	arm64 := ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	tree := llb.Scratch().File(llb.Mkfile("/debian/dists/bookworm/Release", 0o644, []byte("Origin: repobuild\n")))
	perPlatform := map[string]map[string]*pb.Op{}
	for _, p := range []ocispecs.Platform{amd64, arm64} {
		st := NginxImage(tree, "127.0.0.1:5000/library/nginx:stable@sha256:"+strings.Repeat("a", 64), p)
		execs, sources := ops(t, st)
		if len(execs) != 0 {
			t.Errorf("the nginx image runs %d commands, want none (it must build for any platform without emulation)", len(execs))
		}
		var images []string
		for _, s := range sources {
			images = append(images, s.GetSource().GetIdentifier())
			if s.GetPlatform().GetArchitecture() != p.Architecture {
				t.Errorf("base image pulled for %s, want %s", s.GetPlatform().GetArchitecture(), p.Architecture)
			}
		}
		if !slices.Contains(images, "docker-image://127.0.0.1:5000/library/nginx:stable@sha256:"+strings.Repeat("a", 64)) {
			t.Errorf("sources = %v", images)
		}
		files := fileOps(t, st, p)
		var conf, copies int
		for _, op := range files {
			for _, a := range op.GetFile().GetActions() {
				if mk := a.GetMkfile(); mk != nil && mk.GetPath() == serve.NginxConfPath {
					conf++
					if string(mk.GetData()) != string(serve.NginxConf()) {
						t.Error("nginx.conf is not serve.NginxConf()")
					}
				}
				if cp := a.GetCopy(); cp != nil && cp.GetDest() == serve.NginxRoot+"/" {
					copies++
				}
			}
		}
		if conf != 1 || copies != 1 {
			t.Errorf("%s: %d nginx.conf, %d copies of the tree into %s; want 1 each", p.Architecture, conf, copies, serve.NginxRoot)
		}
		perPlatform[p.Architecture] = files
	}
	// The tree and configuration layers are the same operations for both
	// platforms: BuildKit makes them once and both images share them.
	for dgst := range perPlatform["arm64"] {
		if _, ok := perPlatform["amd64"][dgst]; !ok {
			t.Error("a file operation of the arm64 image differs from the amd64 image's")
		}
	}
}

func TestNginxConfig(t *testing.T) {
	base := ocispecs.Image{Config: ocispecs.ImageConfig{
		Entrypoint: []string{"/docker-entrypoint.sh"},
		Cmd:        []string{"nginx", "-g", "daemon off;"},
		Env:        []string{"NGINX_VERSION=1.28.0"},
		Labels:     map[string]string{"maintainer": "NGINX Docker Maintainers"},
	}}
	cfg := NginxConfig(base, "repobuild repositories: debian12/amd64")
	if !slices.Equal(cfg.Config.Entrypoint, base.Config.Entrypoint) || !slices.Equal(cfg.Config.Env, base.Config.Env) {
		t.Errorf("the base's entrypoint and environment are not kept: %+v", cfg.Config)
	}
	if !slices.Equal(cfg.Config.Cmd, []string{"nginx", "-g", "daemon off;"}) {
		t.Errorf("cmd = %q", cfg.Config.Cmd)
	}
	if _, ok := cfg.Config.ExposedPorts["80/tcp"]; !ok {
		t.Errorf("ports = %v", cfg.Config.ExposedPorts)
	}
	if cfg.Config.Labels["maintainer"] == "" || !strings.Contains(cfg.Config.Labels[ocispecs.AnnotationDescription], "debian12/amd64") {
		t.Errorf("labels = %v", cfg.Config.Labels)
	}
	if base.Config.Labels[ocispecs.AnnotationDescription] != "" {
		t.Error("NginxConfig changed the base's labels")
	}
}
