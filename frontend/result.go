package frontend

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/internal/version"
	"github.com/repobuild/repobuild/plan"
)

// The labels of the nginx image, beside the description.
const (
	LabelDistros = "repobuild.distros"
	LabelArches  = "repobuild.arches"
	LabelVersion = "repobuild.version"
)

// onlyPlatforms returns the multi-platform result res with only the
// images of ps (all of them when ps is empty): a node of a builder that
// split the build returns its own platforms' images, which buildx joins.
func onlyPlatforms(res *gwclient.Result, ps []ocispecs.Platform) (*gwclient.Result, error) {
	if len(ps) == 0 {
		return res, nil
	}
	var all exptypes.Platforms
	if err := json.Unmarshal(res.Metadata[exptypes.ExporterPlatformsKey], &all); err != nil {
		return nil, fmt.Errorf("the image result names no platforms: %w", err)
	}
	match := platforms.Any(ps...)
	out := gwclient.NewResult()
	var kept exptypes.Platforms
	for _, p := range all.Platforms {
		if !match.Match(p.Platform) {
			continue
		}
		out.AddRef(p.ID, res.Refs[p.ID])
		key := exptypes.ExporterImageConfigKey + "/" + p.ID
		out.AddMeta(key, res.Metadata[key])
		kept.Platforms = append(kept.Platforms, p)
	}
	for k, v := range res.Metadata {
		if k != exptypes.ExporterPlatformsKey && !strings.HasPrefix(k, exptypes.ExporterImageConfigKey+"/") {
			out.AddMeta(k, v)
		}
	}
	dt, err := json.Marshal(kept)
	if err != nil {
		return nil, err
	}
	out.AddMeta(exptypes.ExporterPlatformsKey, dt)
	return out, nil
}

// labelImages adds the distros, architectures and repobuild's version to
// the config of every platform's image of res.
func labelImages(res *gwclient.Result, targets []plan.Target) error {
	var ps exptypes.Platforms
	if err := json.Unmarshal(res.Metadata[exptypes.ExporterPlatformsKey], &ps); err != nil {
		return fmt.Errorf("the image result names no platforms: %w", err)
	}
	var distros, arches []string
	for _, t := range targets {
		if !slices.Contains(distros, t.Distro.Name) {
			distros = append(distros, t.Distro.Name)
		}
		if !slices.Contains(arches, t.Arch) {
			arches = append(arches, t.Arch)
		}
	}
	labels := map[string]string{
		LabelDistros: strings.Join(distros, ","),
		LabelArches:  strings.Join(arches, ","),
		LabelVersion: version.String(),
	}
	for _, p := range ps.Platforms {
		key := exptypes.ExporterImageConfigKey + "/" + p.ID
		var cfg ocispecs.Image
		if err := json.Unmarshal(res.Metadata[key], &cfg); err != nil {
			return fmt.Errorf("image config of %s: %w", p.ID, err)
		}
		if cfg.Config.Labels == nil {
			cfg.Config.Labels = map[string]string{}
		}
		for k, v := range labels {
			cfg.Config.Labels[k] = v
		}
		data, err := json.Marshal(cfg)
		if err != nil {
			return err
		}
		res.AddMeta(key, data)
	}
	return nil
}
