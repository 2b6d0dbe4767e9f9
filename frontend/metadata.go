package frontend

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/repobuild/repobuild/builder"
	"github.com/repobuild/repobuild/internal/version"
)

// MetadataKey is the result metadata key of the build's summary. BuildKit
// copies result metadata whose key starts with "frontend." into the solve
// response, which buildx writes to its --metadata-file.
const MetadataKey = "frontend.repobuild"

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
