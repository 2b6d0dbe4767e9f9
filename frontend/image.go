package frontend

import (
	"context"
	"fmt"

	"github.com/moby/buildkit/client/llb"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder/image"
)

// Binary is the frontend binary's name, in its image and in the build
// directory of each architecture.
const Binary = "repobuild-frontend"

// ImagePlatforms are the platforms of the frontend image.
var ImagePlatforms = image.Platforms

// BinaryLocal is the name of the local directory holding the frontend
// binary for arch, which ImageBuild reads.
func BinaryLocal(arch string) string { return "frontend-" + arch }

// ImageBuild returns a build function whose result is the frontend image:
// for each of ImagePlatforms, the binary of BinaryLocal(arch) alone on
// scratch, as the entrypoint; labelled with the binaries' version.
func ImageBuild(version string) gwclient.BuildFunc {
	return func(ctx context.Context, c gwclient.Client) (*gwclient.Result, error) {
		var images []image.PlatformImage
		for _, p := range ImagePlatforms {
			src := llb.Local(BinaryLocal(p.Architecture), llb.IncludePatterns([]string{Binary}), llb.SharedKeyHint(BinaryLocal(p.Architecture)))
			st := llb.Scratch().File(llb.Copy(src, "/"+Binary, "/"+Binary), llb.WithCustomName(fmt.Sprintf("%s (%s)", Binary, p.Architecture)))
			def, err := st.Marshal(ctx, llb.Platform(p))
			if err != nil {
				return nil, err
			}
			res, err := c.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
			if err != nil {
				return nil, err
			}
			ref, err := res.SingleRef()
			if err != nil {
				return nil, err
			}
			images = append(images, image.PlatformImage{Platform: p, Ref: ref, Config: ocispecs.Image{Config: ocispecs.ImageConfig{
				Entrypoint: []string{"/" + Binary},
				Labels: map[string]string{
					ocispecs.AnnotationDescription: "repobuild as a BuildKit frontend: # syntax=THIS-IMAGE on top of packages.yaml",
					LabelVersion:                   version,
				},
			}}})
		}
		return image.Result(images)
	}
}
