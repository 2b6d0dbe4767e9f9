package pipeline

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files (step lists, dockerfiles/)")

// TestStepsGolden pins the step list of each manager: order, images,
// platforms, scripts, inputs, files, mounts, caches and networks. A change
// to any of them shows here as a diff to review (go test
// ./builder/pipeline -run TestStepsGolden -update rewrites them).
func TestStepsGolden(t *testing.T) {
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	for _, tt := range []struct {
		name string
		cfg  Config
		dist string
	}{
		{"apt-debian12", Config{BuildPlatform: amd64}, "debian12"},
		{"apt-ubuntu2204-mirror", Config{BuildPlatform: amd64, Mirror: "http://127.0.0.1:8080/ubuntu", RegistryMirror: "127.0.0.1:5000"}, "ubuntu2204"},
		{"dnf-rocky9", Config{BuildPlatform: amd64}, "rocky9"},
		{"yum-centos7", Config{BuildPlatform: amd64}, "centos7"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var p *Pipeline
			var err error
			if tt.dist == "centos7" || tt.dist == "rocky9" {
				p, err = New(tt.cfg, []plan.Target{rpmTarget(t, tt.dist, "amd64"), rpmTarget(t, tt.dist, "arm64")})
			} else {
				p, err = New(tt.cfg, []plan.Target{target(t, tt.dist, "amd64", debianTarget(t, "amd64").Requests...), target(t, tt.dist, "arm64")})
			}
			if err != nil {
				t.Fatal(err)
			}
			got := golden(t, p)
			path := filepath.Join("testdata", "steps", tt.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (-update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the step list differs from %s (-update rewrites it; review the diff):\n%s", path, got)
			}
		})
	}
}

// golden is the pipeline as JSON, with the text of every file.
func golden(t *testing.T, p *Pipeline) []byte {
	t.Helper()
	type file struct {
		Name string
		Mode string
		Text string
	}
	type step struct {
		Step
		Files []file `json:",omitempty"`
	}
	var out struct {
		Steps   []step
		Tree    []Layer
		Clients []string
	}
	for _, s := range p.Steps {
		gs := step{Step: s}
		for _, f := range s.Files {
			gs.Files = append(gs.Files, file{f.Name, f.Mode.String(), string(f.Data)})
		}
		gs.Step.Files = nil
		out.Steps = append(out.Steps, gs)
	}
	out.Tree = p.Tree
	for _, f := range p.Clients {
		out.Clients = append(out.Clients, f.Name)
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}
