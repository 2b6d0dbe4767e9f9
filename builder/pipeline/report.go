package pipeline

import (
	"errors"
	"fmt"

	"github.com/repobuild/repobuild/internal/strictjson"
)

// Report is a fetch step's report.json (builder/manager/common/report.sh).
type Report struct {
	Version int `json:"version"`
	// Fetched is how many bytes the fetch downloaded; the rest of the
	// closure came from the cache.
	Fetched int64 `json:"fetched"`
	// Failed are requests that cannot be met, Skipped optional requests
	// left out, each with the package manager's words.
	Failed  []Problem `json:"failed"`
	Skipped []Problem `json:"skipped"`
}

// Problem is a request the package manager could not meet, in its words.
// Spec "*" stands for the requests together (they conflict).
type Problem struct {
	Spec   string `json:"spec"`
	Reason string `json:"reason"`
}

// ParseReport reads and checks a report.
func ParseReport(data []byte) (Report, error) {
	var r Report
	if err := strictjson.Unmarshal(data, &r); err != nil {
		return Report{}, err
	}
	if r.Version != 1 {
		return Report{}, fmt.Errorf("version %d, want 1", r.Version)
	}
	if r.Fetched < 0 {
		return Report{}, errors.New("negative bytes fetched")
	}
	for _, p := range append(append([]Problem(nil), r.Failed...), r.Skipped...) {
		if p.Spec == "" {
			return Report{}, errors.New("a problem without a spec")
		}
	}
	return r, nil
}
