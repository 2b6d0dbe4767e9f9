// Package manager holds the scripts that drive each package manager inside
// the build graph. A manager is data: shell scripts run by the builder with
// a fixed contract of mounts and environment variables (see README.md), so
// that the same scripts serve the BuildKit graph and the generated
// Dockerfiles.
package manager

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed apt
var scripts embed.FS

// Manager is the set of scripts for one package manager.
type Manager struct {
	Name string
	// Tools installs $REPOBUILD_TOOLS on the build image.
	Tools []byte
	// Fetch resolves and downloads one target's closure.
	Fetch []byte
	// Index writes one architecture's index.
	Index []byte
	// Release writes the per-suite index over every architecture; nil
	// where each architecture is a repository of its own.
	Release []byte
	// Sources is sourced by Tools and Fetch to point the package manager
	// at the distro's mirror; nil when the manager has none.
	Sources []byte
}

// Get returns the scripts of the named manager.
func Get(name string) (Manager, error) {
	if _, err := fs.Stat(scripts, name); err != nil {
		return Manager{}, fmt.Errorf("no scripts for package manager %q", name)
	}
	read := func(file string) []byte {
		b, err := fs.ReadFile(scripts, name+"/"+file)
		if err != nil {
			return nil
		}
		return b
	}
	m := Manager{Name: name, Tools: read("tools.sh"), Fetch: read("fetch.sh"), Index: read("index.sh"), Release: read("release.sh"), Sources: read("sources.sh")}
	if m.Fetch == nil || m.Index == nil || m.Tools == nil {
		return Manager{}, fmt.Errorf("package manager %q lacks tools.sh, fetch.sh or index.sh", name)
	}
	return m, nil
}
