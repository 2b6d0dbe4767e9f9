package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"

	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/packages"
	"github.com/repobuild/repobuild/plan"
)

// graph is a marshalled LLB graph, walked by its edges as BuildKit's
// llbtest does: every op by digest, and what each input of an op is.
type graph struct {
	t       *testing.T
	ops     map[digest.Digest]*pb.Op
	order   []digest.Digest
	execs   []*pb.Op
	sources []*pb.Op
}

func walk(t *testing.T, st llb.State) *graph {
	t.Helper()
	def, err := st.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	g := &graph{t: t, ops: map[digest.Digest]*pb.Op{}}
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		d := digest.FromBytes(dt)
		g.ops[d] = &op
		g.order = append(g.order, d)
		switch {
		case op.GetExec() != nil:
			g.execs = append(g.execs, &op)
		case op.GetSource() != nil:
			g.sources = append(g.sources, &op)
		}
	}
	return g
}

// script names the script an exec op runs: fetch.sh, index.sh, ...
func script(op *pb.Op) string {
	args := op.GetExec().GetMeta().GetArgs()
	if len(args) != 2 || args[0] != "/bin/sh" {
		return ""
	}
	return args[1][strings.LastIndex(args[1], "/")+1:]
}

func (g *graph) byScript(name string) []*pb.Op {
	g.t.Helper()
	var out []*pb.Op
	for _, op := range g.execs {
		if script(op) == name {
			out = append(out, op)
		}
	}
	if len(out) == 0 {
		g.t.Fatalf("no exec op runs %s", name)
	}
	return out
}

// mount returns op's mount at dest, or nil.
func mount(op *pb.Op, dest string) *pb.Mount {
	for _, m := range op.GetExec().GetMounts() {
		if m.GetDest() == dest {
			return m
		}
	}
	return nil
}

// input returns the op and output index an exec's mount at dest reads.
func (g *graph) input(op *pb.Op, dest string) (*pb.Op, int64) {
	g.t.Helper()
	m := mount(op, dest)
	if m == nil || m.GetInput() < 0 {
		g.t.Fatalf("%s has no input mounted at %s", script(op), dest)
	}
	in := op.GetInputs()[m.GetInput()]
	src, ok := g.ops[digest.Digest(in.GetDigest())]
	if !ok {
		g.t.Fatalf("%s: the input at %s is not in the graph", script(op), dest)
	}
	return src, in.GetIndex()
}

// output returns the directory of exec op whose output index is i.
func output(op *pb.Op, i int64) string {
	for _, m := range op.GetExec().GetMounts() {
		if m.GetOutput() == i {
			return m.GetDest()
		}
	}
	return ""
}

// files returns the files op's file actions write, by path without the
// leading slash.
func files(op *pb.Op) map[string]string {
	out := map[string]string{}
	for _, a := range op.GetFile().GetActions() {
		if mk := a.GetMkfile(); mk != nil {
			out[strings.TrimPrefix(mk.GetPath(), "/")] = string(mk.GetData())
		}
	}
	return out
}

// inFiles returns the files of an exec's /repobuild/in.
func (g *graph) inFiles(op *pb.Op) map[string]string {
	g.t.Helper()
	src, _ := g.input(op, InDir)
	return files(src)
}

// env is what the step's script sees: PATH from the exec and every
// REPOBUILD_* variable its input.json gives, read by common/input.awk.
func (g *graph) env(op *pb.Op) map[string]string {
	g.t.Helper()
	vars, err := readInput(g.t, []byte(g.inFiles(op)[InputFile]))
	if err != nil {
		g.t.Fatal(err)
	}
	for _, kv := range op.GetExec().GetMeta().GetEnv() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	return vars
}

func target(t *testing.T, distro, arch string, reqs ...packages.Request) plan.Target {
	t.Helper()
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	d, err := cat.Get(distro)
	if err != nil {
		t.Fatal(err)
	}
	native, _ := d.Arch(arch)
	if len(reqs) == 0 {
		reqs = []packages.Request{{Spec: "curl", Name: "curl"}}
	}
	return plan.Target{Distro: d, Arch: arch, NativeArch: native, Requests: reqs}
}

func debianTarget(t *testing.T, arch string) plan.Target {
	return target(t, "debian12", arch,
		packages.Request{Spec: "curl", Name: "curl"},
		packages.Request{Spec: "socat=1.7.4.4-2", Name: "socat", Version: "1.7.4.4-2"},
		packages.Request{Spec: "debian-builder", Name: "debian-builder", Optional: true})
}

func rpmTarget(t *testing.T, distro, arch string) plan.Target {
	return target(t, distro, arch,
		packages.Request{Spec: "docker-ce-24.0.9-1.el7", Name: "docker-ce-24.0.9-1.el7"},
		packages.Request{Spec: "socat", Name: "socat"},
		packages.Request{Spec: "nosuch", Name: "nosuch", Optional: true})
}

// tree plans and renders targets and walks the whole tree's graph.
func tree(t *testing.T, cfg Config, targets ...plan.Target) (*Pipeline, *graph) {
	t.Helper()
	p, err := New(cfg, targets)
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.ToLLB()
	if err != nil {
		t.Fatal(err)
	}
	st, err := g.Tree()
	if err != nil {
		t.Fatal(err)
	}
	return p, walk(t, st)
}

func digestOf(in *pb.Input) digest.Digest { return digest.Digest(in.GetDigest()) }
