package frontend

import (
	"context"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/moby/buildkit/client/llb"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// fakeGateway serves the packages file from its dockerfile local and
// fails every other solve, recording which locals were read and whether
// the build got as far as solving its graph.
type fakeGateway struct {
	gwclient.Client // the methods the frontend does not call
	opts            map[string]string
	files           map[string]string // the dockerfile local's
	distros         map[string]string // the distros local's

	mu       sync.Mutex
	locals   []string
	built    int
	warnings []string
}

var errBuilt = errors.New("the fake gateway builds nothing")

func (f *fakeGateway) BuildOpts() gwclient.BuildOpts {
	return gwclient.BuildOpts{
		Opts:    f.opts,
		Workers: []gwclient.WorkerInfo{{Platforms: []ocispecs.Platform{amd64}}},
		LLBCaps: pb.Caps.CapSet(pb.Caps.All()),
		Caps:    gwpb.Caps.CapSet(gwpb.Caps.All()),
	}
}

func (f *fakeGateway) Solve(ctx context.Context, req gwclient.SolveRequest) (*gwclient.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, dt := range req.Definition.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return nil, err
		}
		if id := op.GetSource().GetIdentifier(); strings.HasPrefix(id, "local://") {
			name := strings.TrimPrefix(id, "local://")
			f.locals = append(f.locals, name)
			res := gwclient.NewResult()
			res.SetRef(fileRef{map[string]map[string]string{"dockerfile": f.files, "distros": f.distros}[name]})
			return res, nil
		}
	}
	f.built++
	return nil, errBuilt
}

func (f *fakeGateway) Warn(_ context.Context, _ digest.Digest, msg string, _ gwclient.WarnOpts) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.warnings = append(f.warnings, msg)
	return nil
}

func (f *fakeGateway) Inputs(context.Context) (map[string]llb.State, error) { return nil, nil }

// fileRef is a reference whose files are a map.
type fileRef struct{ files map[string]string }

func (r fileRef) ToState() (llb.State, error)    { return llb.Scratch(), nil }
func (r fileRef) Evaluate(context.Context) error { return nil }
func (r fileRef) ReadFile(_ context.Context, req gwclient.ReadRequest) ([]byte, error) {
	data, ok := r.files[strings.TrimPrefix(req.Filename, "/")]
	if !ok {
		return nil, os.ErrNotExist
	}
	return []byte(data), nil
}
func (r fileRef) StatFile(context.Context, gwclient.StatRequest) (*fstypes.Stat, error) {
	return nil, errors.New("no stat")
}
func (r fileRef) ReadDir(context.Context, gwclient.ReadDirRequest) ([]*fstypes.Stat, error) {
	var out []*fstypes.Stat
	for _, name := range slices.Sorted(maps.Keys(r.files)) {
		out = append(out, &fstypes.Stat{Path: name, Mode: 0o644})
	}
	return out, nil
}

const goodFile = `# syntax=127.0.0.1:5000/repobuild/frontend:test
common:
  - curl
`

// fixture9 is the RPM fixture's distro definition.
func fixture9(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../testdata/rpmworld/distros/fixture9.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestBuildRequests(t *testing.T) {
	tests := []struct {
		name    string
		opts    map[string]string
		files   map[string]string
		distros map[string]string
		wantErr string
		// built says the request got as far as the build's solves.
		built bool
		// early says the request fails before the packages file is read.
		early bool
	}{
		{name: "the default file, with its syntax line", opts: map[string]string{"build-arg:DISTRO": "debian12"},
			files: map[string]string{"packages.yaml": goodFile}, built: true},
		{name: "the -f file, two platforms", opts: map[string]string{"build-arg:DISTRO": "debian12", "filename": "repos.yaml", "platform": "linux/amd64,linux/arm64/v8"},
			files: map[string]string{"repos.yaml": goodFile}, built: true},
		{name: "the nginx target", opts: map[string]string{"build-arg:DISTRO": "debian12", "target": "nginx"},
			files: map[string]string{"packages.yaml": goodFile}, built: true},
		{name: "a distro of the distros context",
			opts:  map[string]string{"build-arg:DISTRO": "fixture9", "context:distros": "local:distros"},
			files: map[string]string{"packages.yaml": "dnf:\n  - fx-app\n"}, distros: map[string]string{"fixture9.yaml": fixture9(t), "README": "not one"}, built: true},
		{name: "a bad definition in the distros context", early: true,
			opts:  map[string]string{"build-arg:DISTRO": "debian12", "context:distros": "local:distros"},
			files: map[string]string{"packages.yaml": goodFile}, distros: map[string]string{"fixture9.yaml": "name: fixture9\nos: [\n"},
			wantErr: "distros/fixture9.yaml: "},
		{name: "no distro", early: true, opts: map[string]string{}, files: map[string]string{"packages.yaml": goodFile},
			wantErr: "no distro given: set the build arg DISTRO to one or more of "},
		{name: "unknown distro", early: true, opts: map[string]string{"build-arg:DISTRO": "debian99"}, files: map[string]string{"packages.yaml": goodFile},
			wantErr: `build arg DISTRO: unknown distro "debian99" (known: `},
		{name: "no packages file", opts: map[string]string{"build-arg:DISTRO": "debian12"}, files: map[string]string{},
			wantErr: "reading the packages file packages.yaml from the build's dockerfile directory: failed to read dockerfile"},
		{name: "a bad line", opts: map[string]string{"build-arg:DISTRO": "debian12"},
			files:   map[string]string{"packages.yaml": goodFile + "  - \"curl rsync\"\n"},
			wantErr: "packages.yaml:4:5"},
		{name: "an unknown key", opts: map[string]string{"build-arg:DISTRO": "debian12"},
			files:   map[string]string{"packages.yaml": goodFile + "debain12:\n  - vim\n"},
			wantErr: "packages.yaml:4:1"},
		{name: "nothing for the distro", opts: map[string]string{"build-arg:DISTRO": "rocky9"},
			files:   map[string]string{"packages.yaml": "apt:\n  - curl\n"},
			wantErr: "rocky9/amd64: packages.yaml selects no package"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw := &fakeGateway{opts: tt.opts, files: tt.files, distros: tt.distros}
			_, err := Build(context.Background(), gw)
			t.Logf("error: %v", err)
			if tt.built != (gw.built > 0) {
				t.Errorf("solved the build's graph: %v, want %v (error %v)", gw.built > 0, tt.built, err)
			}
			if tt.built {
				if !errors.Is(err, errBuilt) && (err == nil || !strings.Contains(err.Error(), errBuilt.Error())) {
					t.Errorf("error = %v, want the fake's", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
			var wantLocals []string
			if tt.opts["context:distros"] != "" {
				wantLocals = append(wantLocals, "distros")
			}
			if !tt.early {
				wantLocals = append(wantLocals, "dockerfile")
			}
			// dockerui reads a named local context twice: its
			// .dockerignore, then the context.
			if !slices.Equal(slices.Compact(gw.locals), wantLocals) {
				t.Errorf("locals read: %v, want %v", gw.locals, wantLocals)
			}
		})
	}
}
