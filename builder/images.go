package builder

import (
	"context"
	"strings"

	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder/image"
	"github.com/repobuild/repobuild/builder/imageref"
)

// description labels the images with what they hold.
func (b *Builder) description() string {
	var names []string
	for _, t := range b.targets {
		names = append(names, t.String())
	}
	return "repobuild repositories: " + strings.Join(names, ", ")
}

// DefaultNginxImage is the base of the nginx image output.
const DefaultNginxImage = image.DefaultNginx

// BuildDataImage builds the tree and returns it as a scratch image with a
// manifest for each of image.Platforms, all of the same single layer. It is
// a gateway BuildFunc.
func (b *Builder) BuildDataImage(ctx context.Context, c gwclient.Client) (*gwclient.Result, []Report, error) {
	tree, reports, err := b.treeRef(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	var images []image.PlatformImage
	for _, p := range image.Platforms {
		images = append(images, image.PlatformImage{Platform: p, Ref: tree, Config: ocispecs.Image{
			Config: ocispecs.ImageConfig{Labels: map[string]string{
				ocispecs.AnnotationDescription: b.description(),
			}},
		}})
	}
	res, err := image.Result(images)
	return res, reports, err
}

// BuildNginxImage builds the tree and returns the nginx image that serves
// it, for each of image.Platforms. It is a gateway BuildFunc.
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
	var images []image.PlatformImage
	for _, p := range image.Platforms {
		img, err := image.Nginx(ctx, c, tree, base, p, b.description())
		if err != nil {
			return nil, nil, err
		}
		images = append(images, img)
	}
	res, err := image.Result(images)
	return res, reports, err
}

// nginxBase returns the reference of the nginx image's base: the one
// WithNginxImage names, used as is, or image.DefaultNginx through the
// registry mirror.
func nginxBase(o options) (string, error) {
	if o.nginxImage != "" {
		return o.nginxImage, nil
	}
	if o.RegistryMirror != "" {
		return imageref.Mirror(image.DefaultNginx, o.RegistryMirror)
	}
	return image.DefaultNginx, nil
}
