// Package pipeline turns build targets into the ordered list of typed steps
// that build their repositories: install the index tools, resolve and
// download each target's closure, index each architecture, write each
// suite's release file, and lay the tree out. It is pure data: the LLB
// graph (ToLLB) and the Dockerfile (Dockerfile) are two renderers over the
// same steps, so every rule (where a manager runs, which requests go into
// which transaction, what a step mounts, whether it has the network) is
// written once, here.
package pipeline

import (
	"os"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/plan"
)

// Where steps see their inputs and outputs (builder/manager/README.md).
const (
	// ManagerDir holds builder/manager, read-only: every step's script
	// and the helpers it sources.
	ManagerDir = "/repobuild/manager"
	// InDir holds the step's own input: input.json and data files.
	InDir = "/repobuild/in"
	// InputFile is the step's typed input (Input), in InDir.
	InputFile = "input.json"
	// TreeDir is the tree built so far, read-only (index, release).
	TreeDir = "/repobuild/tree"
	// OutDir is the step's output, laid out as the final tree.
	OutDir = "/repobuild/out"
	// ReportDir holds a fetch's report.json and lock.json, and what it
	// kept of the upstream metadata (repodata/).
	ReportDir = "/repobuild/report"
	// CacheDir is the per distro and architecture cache mount.
	CacheDir = "/var/cache/repobuild"

	// ReportFile and LockFile are the fetch's typed outputs, in ReportDir.
	ReportFile = "report.json"
	LockFile   = "lock.json"

	// DefaultPath is the PATH every step runs with.
	DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

// Kind says what a step does.
type Kind string

const (
	Tools   Kind = "tools"   // installs the index tools on the build platform's image
	Fetch   Kind = "fetch"   // resolves and downloads one target's closure
	Index   Kind = "index"   // writes one architecture's index
	Release Kind = "release" // writes one suite's release file over its architectures
)

// Step is one container run.
type Step struct {
	// ID names the step uniquely and stably: "fetch-debian12-arm64".
	ID   string
	Kind Kind
	// Name is what progress output shows.
	Name string
	// Target is the target of fetch and index steps; Distro names the
	// distro of every step.
	Target *plan.Target `json:"-"`
	Distro string
	// Image is the base image; Platform is where the step runs.
	Image    string
	Platform ocispecs.Platform
	// Emulated says a fetch runs on its target's platform, not the
	// build platform (QEMU for a foreign one); OwnPlatform that it does
	// on any builder, since its manager cannot resolve for another
	// architecture than its own.
	Emulated    bool `json:",omitempty"`
	OwnPlatform bool `json:",omitempty"`
	// On names the step whose root file system this step runs on (the
	// tools step for index and release); empty: Image itself.
	On string `json:",omitempty"`
	// Script is the script's path under ManagerDir: "apt/fetch.sh".
	Script string
	// Input is written to InDir/input.json; Files are the other files of
	// InDir.
	Input Input
	Files []File `json:",omitempty"`
	// Mounts are read-only outputs of earlier steps.
	Mounts []Mount `json:",omitempty"`
	// Cache is the step's cache mount, if any.
	Cache *Cache `json:",omitempty"`
	// Network says whether the step may reach the network.
	Network bool
	// Outputs are the directories whose contents later steps and the
	// tree take: OutDir, and ReportDir for fetches.
	Outputs []string `json:",omitempty"`
}

// File is one file of a step's InDir.
type File struct {
	Name string
	Mode os.FileMode
	Data []byte `json:"-"`
	// Context is the file's path in a checkout of repobuild, when it is
	// one of the checkout's files: a Dockerfile build, whose context is
	// the checkout, copies it from there.
	Context string `json:",omitempty"`
}

// Mount is an output of an earlier step, mounted read-only at Target.
// Several mounts at one Target are merged.
type Mount struct {
	Target string
	Step   string
	Output string
}

// Cache is a persistent cache mount, locked against concurrent use.
type Cache struct {
	ID     string
	Target string
}

// Layer is one part of the final tree: an output of a step, or a file
// copied out of one (Path set: Output/From is copied to Path).
type Layer struct {
	Step   string
	Output string
	From   string `json:",omitempty"`
	Path   string `json:",omitempty"`
}

// Pipeline is a build's steps, in an order where each step comes after
// every step it mounts, and how the tree is made of their outputs.
type Pipeline struct {
	Steps []Step
	// Tree lists the layers of the result, merged in order, and then
	// Clients: the files of the tree's clients/ directory.
	Tree    []Layer
	Clients []File
}

// Step returns the step with the given ID.
func (p *Pipeline) Step(id string) (Step, bool) {
	for _, s := range p.Steps {
		if s.ID == id {
			return s, true
		}
	}
	return Step{}, false
}

// Targets groups the step's mounts by target, in the order of their first
// mention: several outputs at one target are merged there.
func (s Step) Targets() []Target {
	var out []Target
	at := map[string]int{}
	for _, m := range s.Mounts {
		i, ok := at[m.Target]
		if !ok {
			i = len(out)
			at[m.Target] = i
			out = append(out, Target{Path: m.Target})
		}
		out[i].Mounts = append(out[i].Mounts, m)
	}
	return out
}

// Target is one mount point of a step and the outputs mounted there.
type Target struct {
	Path   string
	Mounts []Mount
}

// Of returns the steps of a kind, in order.
func (p *Pipeline) Of(k Kind) []Step {
	var out []Step
	for _, s := range p.Steps {
		if s.Kind == k {
			out = append(out, s)
		}
	}
	return out
}
