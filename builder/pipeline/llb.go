package pipeline

import (
	"fmt"
	"path"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"

	"github.com/repobuild/repobuild/builder/manager"
)

// Graph is a pipeline rendered to LLB: the states of every step's outputs.
type Graph struct {
	p       *Pipeline
	outputs map[string]map[string]llb.State
	roots   map[string]llb.State
}

// ToLLB renders the pipeline's steps to LLB. It needs no daemon: the
// states can be marshalled and walked in tests.
func (p *Pipeline) ToLLB() (*Graph, error) {
	files, err := manager.Files()
	if err != nil {
		return nil, err
	}
	var mf []File
	for _, f := range files {
		mf = append(mf, File{Name: f.Path, Mode: f.Mode, Data: f.Data})
	}
	scripts := mkfiles(mf, "repobuild's manager scripts")
	g := &Graph{p: p, outputs: map[string]map[string]llb.State{}, roots: map[string]llb.State{}}
	for _, s := range p.Steps {
		if err := g.run(s, scripts); err != nil {
			return nil, err
		}
	}
	return g, nil
}

func (g *Graph) run(s Step, scripts llb.State) error {
	input, err := s.Input.Encode()
	if err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	base := llb.Image(s.Image, llb.Platform(s.Platform),
		llb.WithCustomName(fmt.Sprintf("[%s] %s (%s)", s.Distro, s.Image, platforms.Format(s.Platform))))
	if s.On != "" {
		root, ok := g.roots[s.On]
		if !ok {
			return fmt.Errorf("%s runs on %s, which comes later", s.ID, s.On)
		}
		base = root
	}
	in := mkfiles(append([]File{{Name: InputFile, Mode: 0o644, Data: input}}, s.Files...), fmt.Sprintf("[%s] %s input", s.Distro, s.ID))
	opts := []llb.RunOption{
		llb.Args([]string{"/bin/sh", path.Join(ManagerDir, s.Script)}),
		llb.AddEnv("PATH", DefaultPath),
		llb.AddMount(ManagerDir, scripts, llb.Readonly),
		llb.AddMount(InDir, in, llb.Readonly),
		llb.WithCustomName(s.Name),
	}
	mounts, err := g.mounts(s)
	if err != nil {
		return err
	}
	for _, m := range mounts {
		opts = append(opts, llb.AddMount(m.target, m.state, llb.Readonly))
	}
	if s.Cache != nil {
		opts = append(opts, llb.AddMount(s.Cache.Target, llb.Scratch(), llb.AsPersistentCacheDir(s.Cache.ID, llb.CacheMountLocked)))
	}
	if !s.Network {
		opts = append(opts, llb.Network(llb.NetModeNone))
	}
	run := base.Run(opts...)
	g.roots[s.ID] = run.Root()
	g.outputs[s.ID] = map[string]llb.State{}
	for _, o := range s.Outputs {
		g.outputs[s.ID][o] = run.AddMount(o, llb.Scratch())
	}
	return nil
}

type stateMount struct {
	target string
	state  llb.State
}

// mounts returns the read-only inputs of s, several outputs at one
// target merged.
func (g *Graph) mounts(s Step) ([]stateMount, error) {
	var out []stateMount
	for _, t := range s.Targets() {
		var states []llb.State
		for _, m := range t.Mounts {
			st, err := g.Output(m.Step, m.Output)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.ID, err)
			}
			states = append(states, st)
		}
		out = append(out, stateMount{t.Path, merge(states)})
	}
	return out, nil
}

// Output returns the state of one output directory of a step.
func (g *Graph) Output(step, dir string) (llb.State, error) {
	st, ok := g.outputs[step][dir]
	if !ok {
		return llb.State{}, fmt.Errorf("no output %s of step %s (before it in the pipeline?)", dir, step)
	}
	return st, nil
}

// Root returns the root file system of a step after it ran.
func (g *Graph) Root(step string) (llb.State, bool) {
	st, ok := g.roots[step]
	return st, ok
}

// Tree returns the whole output tree: every layer of the pipeline's Tree
// and the clients/ files, merged.
func (g *Graph) Tree() (llb.State, error) {
	var layers []llb.State
	for _, l := range g.p.Tree {
		st, err := g.Output(l.Step, l.Output)
		if err != nil {
			return llb.State{}, err
		}
		if l.Path != "" {
			st = llb.Scratch().File(llb.Copy(st, l.From, l.Path, &llb.CopyInfo{CreateDestPath: true}),
				llb.WithCustomName(fmt.Sprintf("%s: %s", l.Step, l.Path)))
		}
		layers = append(layers, st)
	}
	if len(layers) == 0 {
		return llb.State{}, fmt.Errorf("nothing to build")
	}
	if len(g.p.Clients) > 0 {
		layers = append(layers, mkfiles(g.p.Clients, fmt.Sprintf("client configuration (%d files)", len(g.p.Clients))))
	}
	return merge(layers), nil
}

// mkfiles returns a state holding files, in directories of their own
// where their names say so.
func mkfiles(files []File, name string) llb.State {
	var fa *llb.FileAction
	then := func(mkdir bool, f File, dir string) {
		switch {
		case mkdir && fa == nil:
			fa = llb.Mkdir(dir, 0o755, llb.WithParents(true))
		case mkdir:
			fa = fa.Mkdir(dir, 0o755, llb.WithParents(true))
		case fa == nil:
			fa = llb.Mkfile("/"+f.Name, f.Mode, f.Data)
		default:
			fa = fa.Mkfile("/"+f.Name, f.Mode, f.Data)
		}
	}
	dirs := map[string]bool{}
	for _, f := range files {
		if dir := path.Dir(f.Name); dir != "." && !dirs[dir] {
			dirs[dir] = true
			then(true, f, "/"+dir)
		}
		then(false, f, "")
	}
	if fa == nil {
		return llb.Scratch()
	}
	return llb.Scratch().File(fa, llb.WithCustomName(name))
}

func merge(states []llb.State) llb.State {
	if len(states) == 1 {
		return states[0]
	}
	return llb.Merge(states, llb.WithCustomName("merge"))
}
