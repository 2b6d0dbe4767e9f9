package frontend

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder"
	"github.com/repobuild/repobuild/internal/version"
	"github.com/repobuild/repobuild/plan"
)

// MetadataKey is the result metadata key of the build's summary. BuildKit
// copies result metadata whose key starts with "frontend." into the solve
// response, which buildx writes to its --metadata-file.
const MetadataKey = "frontend.repobuild"

// The labels of the nginx image, beside the description.
const (
	LabelDistros = "repobuild.distros"
	LabelArches  = "repobuild.arches"
	LabelVersion = "repobuild.version"
)

// Summary is what the build resolved, as the solve response carries it.
type Summary struct {
	// Version is the frontend's repobuild version.
	Version string          `json:"version"`
	Targets []TargetSummary `json:"targets"`
}

// TargetSummary is what one target resolved.
type TargetSummary struct {
	Distro   string `json:"distro"`
	Arch     string `json:"arch"`
	Packages int    `json:"packages"`
	// Bytes is the size of the closure.
	Bytes int64 `json:"bytes"`
	// Fetched is what the target's resolve downloaded when it ran; a
	// resolve BuildKit found in its cache reports the run it reuses.
	Fetched int64 `json:"fetched"`
	// LockDigest is the digest of the lock (builder/lock): two builds
	// with the same digest have the same closure.
	LockDigest string   `json:"lockDigest"`
	Skipped    []string `json:"skipped,omitempty"`
}

// Metadata is the value of MetadataKey for reports: a JSON Summary,
// base64-encoded, which buildx decodes into its metadata file as an
// object.
func Metadata(reports []builder.Report) ([]byte, error) {
	s := Summary{Version: version.String(), Targets: []TargetSummary{}}
	for _, r := range reports {
		d, err := r.Lock.Digest()
		if err != nil {
			return nil, fmt.Errorf("%s: lock: %w", r.Target, err)
		}
		t := TargetSummary{Distro: r.Target.Distro.Name, Arch: r.Target.Arch, Packages: len(r.Lock.Packages),
			Bytes: r.Bytes(), Fetched: r.Fetched, LockDigest: d}
		for _, p := range r.Skipped {
			t.Skipped = append(t.Skipped, p.Spec)
		}
		s.Targets = append(s.Targets, t)
	}
	data, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return []byte(base64.StdEncoding.EncodeToString(data)), nil
}

// ParseMetadata reads a value of MetadataKey.
func ParseMetadata(v []byte) (Summary, error) {
	data, err := base64.StdEncoding.DecodeString(string(v))
	if err != nil {
		return Summary{}, err
	}
	var s Summary
	err = json.Unmarshal(data, &s)
	return s, err
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
