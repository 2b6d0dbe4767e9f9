package builder

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"

	"github.com/moby/buildkit/client/llb"

	"github.com/repobuild/repobuild/builder/manager"
	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/plan"
)

// reposFile is where yum and dnf steps find the repositories to use, in
// /repobuild/in.
const reposFile = "repos.d/repobuild.repo"

// inputs returns the /repobuild/in mount of a step: the manager's script
// for the step, its helpers and the step's own files.
func inputs(m manager.Manager, script, label string, files map[string][]byte) llb.State {
	fa := llb.Mkfile("/"+script, 0o755, m.Files[script])
	for _, h := range m.Helpers() {
		fa = fa.Mkfile("/"+h, 0o644, m.Files[h])
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if dir := path.Dir(name); dir != "." {
			fa = fa.Mkdir("/"+dir, 0o755, llb.WithParents(true))
		}
		fa = fa.Mkfile("/"+name, 0o644, files[name])
	}
	return llb.Scratch().File(fa, llb.WithCustomName(label))
}

// rpmFiles returns the files yum and dnf steps of t need: the repositories
// of the distro definition and of packages.yaml, for t's architecture.
func (g *Graph) rpmFiles(t plan.Target) (map[string][]byte, error) {
	if !t.Distro.IsRPM() {
		return nil, nil
	}
	repos := append(append([]distros.Repo(nil), t.Distro.RPMConfig().Repos...), t.Repos...)
	data, err := t.Distro.RepoFile(repos, t.Arch, g.opts.mirror, t.Enable)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t, err)
	}
	return map[string][]byte{reposFile: data}, nil
}

// rpmEnv is the environment of yum and dnf steps.
func rpmEnv(d distros.Distro) llb.RunOption {
	if !d.IsRPM() {
		return runOptions{}
	}
	rpm := d.RPMConfig()
	return runOptions{
		llb.AddEnv("REPOBUILD_RELEASEVER", rpm.Releasever),
		llb.AddEnv("REPOBUILD_MODULE_PLATFORM_ID", rpm.ModulePlatformID),
		llb.AddEnv("REPOBUILD_IMAGE_REPOS", strconv.Itoa(boolInt(len(rpm.Repos) == 0))),
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
