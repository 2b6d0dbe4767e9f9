package builder

import (
	"fmt"
	"strconv"

	"github.com/moby/buildkit/client/llb"

	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/plan"
)

// reposFile is where yum and dnf steps find the repositories to use, in
// /repobuild/in.
const reposFile = "repos.d/repobuild.repo"

// rpmFiles returns the files yum and dnf steps of t need: the repositories
// of the distro definition and of packages.yaml, for t's architecture.
func (g *Graph) rpmFiles(t plan.Target) ([]stepFile, error) {
	if !t.Distro.IsRPM() {
		return nil, nil
	}
	repos := append(append([]distros.Repo(nil), t.Distro.RPMConfig().Repos...), t.Repos...)
	data, err := t.Distro.RepoFile(repos, t.Arch, g.opts.mirror, t.Enable)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t, err)
	}
	return []stepFile{{name: reposFile, mode: 0o644, data: data}}, nil
}

// rpmEnv is the environment of yum and dnf steps.
func rpmEnv(d distros.Distro) llb.RunOption {
	return runEnv(rpmVars(d))
}

// rpmVars are the variables of rpmEnv, in a fixed order; none for other
// distros.
func rpmVars(d distros.Distro) []envVar {
	if !d.IsRPM() {
		return nil
	}
	rpm := d.RPMConfig()
	return []envVar{
		{"REPOBUILD_RELEASEVER", rpm.Releasever},
		{"REPOBUILD_MODULE_PLATFORM_ID", rpm.ModulePlatformID},
		{"REPOBUILD_IMAGE_REPOS", strconv.Itoa(boolInt(len(rpm.Repos) == 0))},
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
