package builder

import (
	"fmt"

	"github.com/moby/buildkit/client/llb"

	"github.com/repobuild/repobuild/clients"
)

// clientsLayer returns the tree's clients/ directory: the configuration
// target hosts need for every distro and architecture fetched.
func clientsLayer(fetches []Fetch) (llb.State, error) {
	var repos []clients.Repo
	for _, group := range byDistro(fetches) {
		r := clients.Repo{Distro: group[0].Target.Distro}
		for _, f := range group {
			r.Arches = append(r.Arches, f.Target.Arch)
		}
		repos = append(repos, r)
	}
	files, err := clients.Files(repos)
	if err != nil {
		return llb.State{}, err
	}
	fa := llb.Mkdir("/"+clients.Dir, 0o755)
	for _, f := range files {
		fa = fa.Mkfile("/"+f.Path, f.Mode, f.Data)
	}
	return llb.Scratch().File(fa, llb.WithCustomName(fmt.Sprintf("client configuration (%d files)", len(files)))), nil
}
