package builder

import (
	"context"
	"errors"
	"strings"
	"testing"

	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder/pipeline"
	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/packages"
	"github.com/repobuild/repobuild/plan"
)

func debianTarget(t *testing.T, arch string) plan.Target {
	t.Helper()
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	d, err := cat.Get("debian12")
	if err != nil {
		t.Fatal(err)
	}
	native, _ := d.Arch(arch)
	return plan.Target{Distro: d, Arch: arch, NativeArch: native, Requests: []packages.Request{
		{Spec: "curl", Name: "curl"},
		{Spec: "socat=1.7.4.4-2", Name: "socat", Version: "1.7.4.4-2"},
		{Spec: "debian-builder", Name: "debian-builder", Optional: true},
	}}
}

func TestResolveErrorMessage(t *testing.T) {
	target := debianTarget(t, "arm64")
	target.Requests[0].Sources = []packages.Source{{File: "packages.yaml", Line: 3, Column: 5, Key: "common"}}
	err := &ResolveError{Target: target, Problems: []pipeline.Problem{
		{Spec: "curl", Reason: "Unable to locate package curl"},
		{Spec: "*", Reason: "the requests conflict"},
	}}
	want := `debian12/arm64: 2 of 3 requested packages cannot be installed:
  curl (packages.yaml:3:5 (common)): Unable to locate package curl
  *: the requests conflict`
	if got := err.Error(); got != want {
		t.Errorf("message:\n%s\nwant:\n%s", got, want)
	}
}

func TestCheckPlatforms(t *testing.T) {
	amd64 := gwclient.WorkerInfo{Platforms: []ocispecs.Platform{{OS: "linux", Architecture: "amd64"}}}
	both := gwclient.WorkerInfo{Platforms: []ocispecs.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}}
	if err := checkPlatforms([]gwclient.WorkerInfo{both}, nil); err != nil {
		t.Errorf("no targets: %v", err)
	}
	targets := []plan.Target{debianTarget(t, "amd64"), debianTarget(t, "arm64")}
	if err := checkPlatforms([]gwclient.WorkerInfo{both}, targets); err != nil {
		t.Errorf("both platforms there: %v", err)
	}
	err := checkPlatforms([]gwclient.WorkerInfo{amd64}, targets)
	want := "running package managers on linux/arm64 (--emulate, or a manager that cannot resolve for another architecture) needs QEMU, " +
		"but the builder runs only linux/amd64: install QEMU user emulation " +
		"(apt-get install qemu-user-static binfmt-support) and restart buildkitd, or drop --emulate to " +
		"resolve natively for any architecture"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant %s", err, want)
	}
}

// failingGateway fails every solve: the index tools' at once, the fetch's
// only once the tools' has failed, the order a dead mirror gives when the
// tools' apt-get update is the first to give up.
type failingGateway struct {
	gwclient.Client // the methods Build does not call
	toolsFailed     chan struct{}
}

func (f *failingGateway) BuildOpts() gwclient.BuildOpts {
	return gwclient.BuildOpts{Workers: []gwclient.WorkerInfo{{Platforms: []ocispecs.Platform{{OS: "linux", Architecture: "amd64"}}}}}
}

func (f *failingGateway) Solve(ctx context.Context, req gwclient.SolveRequest) (*gwclient.Result, error) {
	for _, dt := range req.Definition.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return nil, err
		}
		if args := op.GetExec().GetMeta().GetArgs(); len(args) == 2 && strings.HasSuffix(args[1], "/tools.sh") {
			close(f.toolsFailed)
			return nil, errors.New("apt-get update failed for debian12/amd64")
		}
	}
	select {
	case <-f.toolsFailed:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return nil, errors.New("apt-get update failed for debian12/arm64")
}

// TestBuildReportsTheTargetsError: when the index tools and a target's
// fetch both fail, the error is the fetch's, naming the target asked for,
// whichever failed first.
func TestBuildReportsTheTargetsError(t *testing.T) {
	_, _, err := New([]plan.Target{debianTarget(t, "arm64")}).Build(context.Background(), &failingGateway{toolsFailed: make(chan struct{})})
	want := "debian12/arm64: apt-get update failed for debian12/arm64"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant %s", err, want)
	}
}
