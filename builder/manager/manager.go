// Package manager holds the scripts that drive each package manager inside
// the build: one directory per manager, plus the libraries they share
// (common/, rpm/). A manager is data: shell scripts that read the step's
// typed input (builder/pipeline.Input) and write typed reports (README.md).
// The whole directory is mounted read-only at /repobuild/manager in every
// step, from the binary (LLB) or from the checkout (Dockerfiles).
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

//go:embed apt dnf yum rpm common
var scripts embed.FS

// Manager is the set of scripts for one package manager.
type Manager struct {
	Name string
	// scripts maps a step script's name (tools.sh, fetch.sh, index.sh,
	// release.sh) to its path in FS: the manager's own, else its lib's.
	scripts map[string]string
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
	if name == "" || strings.ContainsAny(name, "/.") {
		return Manager{}, fmt.Errorf("no scripts for package manager %q", name)
	}
	if _, err := fs.Stat(scripts, path.Join(name, "fetch.sh")); err != nil {
		return Manager{}, fmt.Errorf("no scripts for package manager %q", name)
	}
	var cfg config
	if data, err := fs.ReadFile(scripts, path.Join(name, "manager.yaml")); err == nil {
		if err := yaml.Unmarshal(data, &cfg); err != nil {
			return Manager{}, fmt.Errorf("package manager %q: manager.yaml: %w", name, err)
		}
	}
	m := Manager{Name: name, scripts: map[string]string{}, Cross: cfg.Cross == nil || *cfg.Cross}
	for _, s := range []string{"tools.sh", "fetch.sh", "index.sh", "release.sh"} {
		for _, dir := range []string{name, cfg.Lib} {
			if _, err := fs.Stat(scripts, path.Join(dir, s)); dir != "" && err == nil {
				m.scripts[s] = path.Join(dir, s)
				break
			}
		}
	}
	for _, s := range []string{"tools.sh", "fetch.sh", "index.sh"} {
		if m.scripts[s] == "" {
			return Manager{}, fmt.Errorf("package manager %q lacks %s", name, s)
		}
	}
	return m, nil
}

// Script returns the path, relative to the scripts' root, of one of the
// manager's step scripts ("dnf/fetch.sh", "rpm/index.sh"), or "" when it
// has none.
func (m Manager) Script(name string) string { return m.scripts[name] }

// HasRelease says whether the manager writes a release index over every
// architecture of a suite (apt); else each architecture is a repository
// of its own.
func (m Manager) HasRelease() bool { return m.scripts["release.sh"] != "" }

// File is one file of the scripts' tree.
type File struct {
	Path string
	Mode fs.FileMode
	Data []byte
}

// Files returns every file the steps may use, sorted by path: the scripts,
// helpers and data of every manager (not this package's Go or docs).
func Files() ([]File, error) {
	var out []File
	err := fs.WalkDir(scripts, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".md") {
			return err
		}
		data, err := fs.ReadFile(scripts, p)
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if strings.HasSuffix(p, ".sh") || strings.HasSuffix(p, ".py") {
			mode = 0o755
		}
		out = append(out, File{Path: p, Mode: mode, Data: data})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

// FS is the scripts' tree.
func FS() fs.FS { return scripts }
