package frontend

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder/image"
	"github.com/repobuild/repobuild/internal/version"
)

// imageResult is a result of images of image.Platforms, each
// described.
func imageResult(t *testing.T) *gwclient.Result {
	t.Helper()
	var images []image.PlatformImage
	for _, p := range image.Platforms {
		images = append(images, image.PlatformImage{Platform: p, Config: ocispecs.Image{Config: ocispecs.ImageConfig{
			Labels: map[string]string{ocispecs.AnnotationDescription: "repobuild repositories"}}}})
	}
	res, err := image.Result(images)
	if err != nil {
		t.Fatal(err)
	}
	res.AddMeta(MetadataKey, []byte("summary"))
	return res
}

func TestOnlyPlatforms(t *testing.T) {
	for _, tt := range []struct {
		name string
		ps   []ocispecs.Platform
		want []string
	}{
		{"none named: all", nil, []string{"linux/amd64", "linux/arm64"}},
		{"both", []ocispecs.Platform{arm64, amd64}, []string{"linux/amd64", "linux/arm64"}},
		{"one node's", []ocispecs.Platform{arm64}, []string{"linux/arm64"}},
	} {
		res, err := onlyPlatforms(imageResult(t), tt.ps)
		if err != nil {
			t.Fatal(err)
		}
		var got exptypes.Platforms
		if err := json.Unmarshal(res.Metadata[exptypes.ExporterPlatformsKey], &got); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range got.Platforms {
			ids = append(ids, p.ID)
			if _, ok := res.Metadata[exptypes.ExporterImageConfigKey+"/"+p.ID]; !ok {
				t.Errorf("%s: no image config of %s", tt.name, p.ID)
			}
		}
		if !reflect.DeepEqual(ids, tt.want) || len(res.Refs) != len(tt.want) {
			t.Errorf("%s: platforms %v (%d refs), want %v", tt.name, ids, len(res.Refs), tt.want)
		}
		if len(res.Metadata) != len(tt.want)+2 || string(res.Metadata[MetadataKey]) != "summary" {
			t.Errorf("%s: metadata %v, want the platforms, their configs and the summary", tt.name, res.Metadata)
		}
	}
}

func TestLabelImages(t *testing.T) {
	res := imageResult(t)
	if err := labelImages(res, targets(t, []string{"debian12", "rocky9"}, []string{"amd64", "arm64"})); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		ocispecs.AnnotationDescription: "repobuild repositories",
		LabelDistros:                   "debian12,rocky9",
		LabelArches:                    "amd64,arm64",
		LabelVersion:                   version.String(),
	}
	for _, id := range []string{"linux/amd64", "linux/arm64"} {
		var cfg ocispecs.Image
		if err := json.Unmarshal(res.Metadata[exptypes.ExporterImageConfigKey+"/"+id], &cfg); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(cfg.Config.Labels, want) {
			t.Errorf("%s labels = %v\nwant %v", id, cfg.Config.Labels, want)
		}
		if cfg.Platform.Architecture != id[len("linux/"):] {
			t.Errorf("%s config's platform = %v", id, cfg.Platform)
		}
	}
}
