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
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed apt dnf yum rpm
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
	// Files are every file the scripts may use, by name: the scripts
	// above, the helpers they source and those of the manager's library.
	Files map[string][]byte
	// Cross says whether the manager resolves for an architecture other
	// than the one it runs on. When it cannot, the builder runs it on the
	// target's platform (under QEMU for a foreign one).
	Cross bool
}

// config is a manager's manager.yaml.
type config struct {
	// Lib names a directory of files shared by several managers; the
	// manager's own files take precedence.
	Lib string `yaml:"lib"`
	// Cross defaults to true.
	Cross *bool `yaml:"cross"`
}

// Get returns the scripts of the named manager.
func Get(name string) (Manager, error) {
	if _, err := fs.Stat(scripts, path.Join(name, "fetch.sh")); err != nil {
		return Manager{}, fmt.Errorf("no scripts for package manager %q", name)
	}
	var cfg config
	if data, err := fs.ReadFile(scripts, path.Join(name, "manager.yaml")); err == nil {
		if err := yaml.Unmarshal(data, &cfg); err != nil {
			return Manager{}, fmt.Errorf("package manager %q: manager.yaml: %w", name, err)
		}
	}
	files := map[string][]byte{}
	for _, dir := range []string{cfg.Lib, name} {
		if dir == "" {
			continue
		}
		entries, err := fs.ReadDir(scripts, dir)
		if err != nil {
			return Manager{}, fmt.Errorf("package manager %q: %w", name, err)
		}
		for _, e := range entries {
			if e.IsDir() || e.Name() == "manager.yaml" {
				continue
			}
			b, err := fs.ReadFile(scripts, path.Join(dir, e.Name()))
			if err != nil {
				return Manager{}, err
			}
			files[e.Name()] = b
		}
	}
	m := Manager{Name: name, Tools: files["tools.sh"], Fetch: files["fetch.sh"], Index: files["index.sh"],
		Release: files["release.sh"], Files: files, Cross: cfg.Cross == nil || *cfg.Cross}
	if m.Fetch == nil || m.Index == nil || m.Tools == nil {
		return Manager{}, fmt.Errorf("package manager %q lacks tools.sh, fetch.sh or index.sh", name)
	}
	return m, nil
}

// Helpers returns the names of the files that are not one of the step
// scripts, sorted.
func (m Manager) Helpers() []string {
	var out []string
	for n := range m.Files {
		switch n {
		case "tools.sh", "fetch.sh", "index.sh", "release.sh":
			continue
		}
		if !strings.HasPrefix(n, ".") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
