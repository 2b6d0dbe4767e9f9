package builder

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

// DefaultNginxImage is the base of the nginx image output: the official
// image, Debian-based, of nginx's stable branch.
const DefaultNginxImage = "docker.io/library/nginx:stable"

// ImagePlatforms are the platforms of the image outputs: the tree serves
// every architecture, so one tag holds a manifest for each.
var ImagePlatforms = []ocispecs.Platform{
	{OS: "linux", Architecture: "amd64"},
	{OS: "linux", Architecture: "arm64"},
}

// PlatformImage is one platform's image of a multi-platform result.
type PlatformImage struct {
	Platform ocispecs.Platform
	Ref      gwclient.Reference
	Config   ocispecs.Image
}

// PlatformResult returns a result that image exporters write as one image
// index with a manifest per platform.
func PlatformResult(images []PlatformImage) (*gwclient.Result, error) {
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

// platformsAttr is the frontend attribute naming the platforms a result
// has, so that BuildKit does not warn that they differ from its own.
func platformsAttr() map[string]string {
	var ids []string
	for _, p := range ImagePlatforms {
		ids = append(ids, platforms.Format(p))
	}
	return map[string]string{"platform": strings.Join(ids, ",")}
}

// description labels the images with what they hold.
func (b *Builder) description() string {
	var names []string
	for _, t := range b.targets {
		names = append(names, t.String())
	}
	return "repobuild repositories: " + strings.Join(names, ", ")
}

// BuildDataImage builds the tree and returns it as a scratch image with a
// manifest for each of ImagePlatforms, all of the same single layer. It is
// a gateway BuildFunc.
func (b *Builder) BuildDataImage(ctx context.Context, c gwclient.Client) (*gwclient.Result, []Report, error) {
	tree, reports, err := b.treeRef(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	var images []PlatformImage
	for _, p := range ImagePlatforms {
		images = append(images, PlatformImage{Platform: p, Ref: tree, Config: ocispecs.Image{
			Config: ocispecs.ImageConfig{Labels: map[string]string{
				ocispecs.AnnotationDescription: b.description(),
			}},
		}})
	}
	res, err := PlatformResult(images)
	return res, reports, err
}

// BuildNginxImage builds the tree and returns the nginx image that serves
// it, for each of ImagePlatforms. It is a gateway BuildFunc.
func (b *Builder) BuildNginxImage(ctx context.Context, c gwclient.Client) (*gwclient.Result, []Report, error) {
	ref, reports, err := b.treeRef(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	tree, err := ref.ToState()
	if err != nil {
		return nil, nil, err
	}
	_, o, err := b.config(c)
	if err != nil {
		return nil, nil, err
	}
	base, err := nginxBase(o)
	if err != nil {
		return nil, nil, err
	}
	var images []PlatformImage
	for _, p := range ImagePlatforms {
		img, err := nginxPlatformImage(ctx, c, tree, base, p, b.description())
		if err != nil {
			return nil, nil, err
		}
		images = append(images, img)
	}
	res, err := PlatformResult(images)
	return res, reports, err
}

// nginxPlatformImage is the nginx image serving tree for platform p.
func nginxPlatformImage(ctx context.Context, c gwclient.Client, tree llb.State, base string, p ocispecs.Platform, description string) (PlatformImage, error) {
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

// nginxBase returns the reference of the nginx image's base: the one
// WithNginxImage names, used as is, or DefaultNginxImage through the
// registry mirror.
func nginxBase(o options) (string, error) {
	if o.nginxImage != "" {
		return o.nginxImage, nil
	}
	if o.RegistryMirror != "" {
		return imageref.Mirror(DefaultNginxImage, o.RegistryMirror)
	}
	return DefaultNginxImage, nil
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
