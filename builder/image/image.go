// Package image makes the images repobuild builds and pushes: results with
// a manifest per platform under one tag (data images, nginx images, base
// images), and the nginx image that serves a tree.
package image

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder/imageref"
	"github.com/repobuild/repobuild/serve"
)

// DefaultNginx is the base of the nginx image output: the official
// image, Debian-based, of nginx's stable branch.
const DefaultNginx = "docker.io/library/nginx:stable"

// Platforms are the platforms of the image outputs: the tree serves
// every architecture, so one tag holds a manifest for each.
var Platforms = []ocispecs.Platform{
	{OS: "linux", Architecture: "amd64"},
	{OS: "linux", Architecture: "arm64"},
}

// PlatformImage is one platform's image of a multi-platform result.
type PlatformImage struct {
	Platform ocispecs.Platform
	Ref      gwclient.Reference
	Config   ocispecs.Image
}

// Result returns a result that image exporters write as one image
// index with a manifest per platform.
func Result(images []PlatformImage) (*gwclient.Result, error) {
	res := gwclient.NewResult()
	var ps exptypes.Platforms
	for _, img := range images {
		id := platforms.Format(img.Platform)
		res.AddRef(id, img.Ref)
		img.Config.Platform = img.Platform
		if img.Config.RootFS.Type == "" {
			img.Config.RootFS.Type = "layers"
		}
		cfg, err := json.Marshal(img.Config)
		if err != nil {
			return nil, err
		}
		res.AddMeta(exptypes.ExporterImageConfigKey+"/"+id, cfg)
		ps.Platforms = append(ps.Platforms, exptypes.Platform{ID: id, Platform: img.Platform})
	}
	dt, err := json.Marshal(ps)
	if err != nil {
		return nil, err
	}
	res.AddMeta(exptypes.ExporterPlatformsKey, dt)
	return res, nil
}

// PlatformsAttr is the frontend attribute naming the platforms a result
// has, so that BuildKit does not warn that they differ from its own.
func PlatformsAttr() map[string]string {
	var ids []string
	for _, p := range Platforms {
		ids = append(ids, platforms.Format(p))
	}
	return map[string]string{"platform": strings.Join(ids, ",")}
}

// Nginx is the nginx image serving tree for platform p, on the base
// image base (resolved on c, and pinned to the digest it resolved to).
func Nginx(ctx context.Context, c gwclient.Client, tree llb.State, base string, p ocispecs.Platform, description string) (PlatformImage, error) {
	_, dgst, dt, err := c.ResolveImageConfig(ctx, base, sourceresolver.Opt{
		LogName:  fmt.Sprintf("resolve nginx image %s (%s)", base, platforms.Format(p)),
		ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &p},
	})
	if err != nil {
		return PlatformImage{}, fmt.Errorf("nginx image %s (%s): %w (set --nginx-image, or --registry-mirror to a registry that has it)", base, platforms.Format(p), err)
	}
	var cfg ocispecs.Image
	if err := json.Unmarshal(dt, &cfg); err != nil {
		return PlatformImage{}, fmt.Errorf("nginx image %s: config: %w", base, err)
	}
	pinned, err := imageref.Pin(base, dgst.String())
	if err != nil {
		return PlatformImage{}, err
	}
	def, err := NginxImage(tree, pinned, p).Marshal(ctx, llb.Platform(p))
	if err != nil {
		return PlatformImage{}, err
	}
	res, err := c.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return PlatformImage{}, fmt.Errorf("nginx image (%s): %w", platforms.Format(p), err)
	}
	r, err := res.SingleRef()
	if err != nil {
		return PlatformImage{}, err
	}
	return PlatformImage{Platform: p, Ref: r, Config: NginxConfig(cfg, description)}, nil
}

// NginxImage returns the nginx image for platform p: the base image, the
// configuration of serve.NginxConf and the tree under serve.NginxRoot, as
// three layers. The last two are file operations, which do not depend on
// the platform: every platform's image has the same two layers on top of
// its base, made once.
func NginxImage(tree llb.State, base string, p ocispecs.Platform) llb.State {
	image := llb.Image(base, llb.Platform(p), llb.WithCustomName(fmt.Sprintf("nginx image %s (%s)", base, platforms.Format(p))))
	conf := llb.Scratch().File(
		llb.Mkdir("/etc/nginx", 0o755, llb.WithParents(true)).
			Mkfile(serve.NginxConfPath, 0o644, serve.NginxConf()),
		llb.WithCustomName("nginx configuration"))
	site := llb.Scratch().File(
		llb.Copy(tree, "/", serve.NginxRoot+"/", &llb.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true}),
		llb.WithCustomName("repositories into "+serve.NginxRoot))
	return llb.Merge([]llb.State{image, conf, site}, llb.WithCustomName(fmt.Sprintf("nginx image (%s)", platforms.Format(p))))
}

// NginxConfig is the image config of the nginx image: the base's, running
// nginx in the foreground with serve.NginxConf.
func NginxConfig(base ocispecs.Image, description string) ocispecs.Image {
	cfg := base
	cfg.Config.Cmd = []string{"nginx", "-g", "daemon off;"}
	port := fmt.Sprintf("%d/tcp", serve.NginxPort)
	cfg.Config.ExposedPorts = map[string]struct{}{port: {}}
	if cfg.Config.StopSignal == "" {
		cfg.Config.StopSignal = "SIGQUIT"
	}
	labels := map[string]string{}
	for k, v := range base.Config.Labels {
		labels[k] = v
	}
	labels[ocispecs.AnnotationDescription] = description + fmt.Sprintf(" (served on port %d, health %s)", serve.NginxPort, serve.HealthPath)
	cfg.Config.Labels = labels
	return cfg
}
