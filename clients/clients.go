// Package clients writes the files target hosts need to use a built tree:
// per distro an apt source (one-line .list and deb822 .sources) or a
// yum/dnf .repo file and a DISTRO.env telling install.sh how to recognise
// the distro, and install.sh, which points a host at the server, keeping
// its own configuration to restore later. install.sh is the same file in
// every tree (Script, this package's install.sh): it reads the tree's
// distros from the DISTRO.env files, so the clients/ directories of trees
// built separately join by a plain union. The per-distro files are
// generated from the distro definitions alone and carry the placeholder
// Host where the server goes; the repository lines are written by package
// repoconf.
package clients

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"text/template"

	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/repoconf"
)

// Dir is where the files go in the tree.
const Dir = "clients"

// ScriptPath is install.sh in the tree and in a checkout of repobuild:
// the same bytes, which a Dockerfile build copies from its context.
const ScriptPath = Dir + "/install.sh"

// Script is install.sh.
//
//go:embed install.sh
var Script []byte

// Host stands for the server in the generated files: http://{{HOST}}/debian.
// install.sh replaces "http://"+Host with the URL it is given.
const Host = "{{HOST}}"

// component is the one component of the apt repositories repobuild writes
// (builder/manager/apt/release.sh).
const component = "main"

// Repo is one distro of the tree, with the architectures built for it.
type Repo struct {
	Distro distros.Distro
	Arches []string
}

// File is one generated file, its Path relative to the tree.
type File struct {
	Path string
	Mode fs.FileMode
	Data []byte
	// Checkout is the file's path in a checkout of repobuild when the
	// file is one of the checkout's, byte for byte (install.sh).
	Checkout string
}

//go:embed templates
var templates embed.FS

var tmpl = template.Must(template.New("").Funcs(template.FuncMap{"join": strings.Join}).
	ParseFS(templates, "templates/*"))

// formats are the files each package manager's hosts get, by template;
// install.sh installs the first. Every distro also gets DISTRO.env.
var formats = map[string][]string{
	"apt": {"list", "sources"},
	"yum": {"repo"},
	"dnf": {"repo"},
}

// entry is what the templates know of one distro.
type entry struct {
	Name, OS, Version, Codename, Manager string
	Arches                               []string
	// Apt and Yum are the distro's repository on the server, for apt
	// distros and for yum and dnf distros.
	Apt repoconf.AptSource
	Yum repoconf.YumRepo
	// File is the file install.sh installs: DISTRO.list or DISTRO.repo.
	File string
}

// Files returns the files of Dir for repos, sorted by path. Each file but
// install.sh belongs to one distro and depends on nothing else, so the
// files of two trees never differ at one path unless the trees build one
// distro for different architectures (the comments name them).
func Files(repos []Repo) ([]File, error) {
	var out []File
	for _, r := range repos {
		d := r.Distro
		kinds, ok := formats[d.Manager]
		if !ok {
			return nil, fmt.Errorf("%s: no client configuration for package manager %q", d.Source, d.Manager)
		}
		url, err := treeURL(d)
		if err != nil {
			return nil, err
		}
		e := entry{Name: d.Name, OS: d.OS, Version: d.Version, Codename: d.Codename, Manager: d.Manager,
			Arches: r.Arches, Apt: AptSource(d, url), Yum: YumRepo(d, url), File: d.Name + "." + kinds[0]}
		for _, kind := range append(slices.Clone(kinds), "env") {
			data, err := execute(kind, e)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", d.Name, kind, err)
			}
			out = append(out, File{Path: Dir + "/" + d.Name + "." + kind, Mode: 0o644, Data: data})
		}
	}
	out = append(out, File{Path: ScriptPath, Mode: 0o755, Data: Script, Checkout: ScriptPath})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// AptSource is the apt source of an apt distro's tree at url. Its Release
// is written by repobuild and not signed: the source is trusted.
func AptSource(d distros.Distro, url string) repoconf.AptSource {
	return repoconf.AptSource{URIs: []string{url}, Suites: []string{d.Codename}, Components: []string{component}, Trusted: true}
}

// YumRepo is the repository of a yum or dnf distro's tree at url.
// Packages keep their vendors' signatures, checked with the keys the host
// trusts (install.sh adds them); the metadata is not signed.
func YumRepo(d distros.Distro, url string) repoconf.YumRepo {
	return repoconf.YumRepo{ID: "repobuild-" + d.Name, Name: "repobuild offline repository (" + d.Name + ")",
		BaseURL: url + "/", Enabled: true, GPGCheck: true}
}

func execute(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// treeURL is the distro's tree on the server. A path per architecture
// ({{.Arch}}) becomes $basearch, which yum and dnf replace with the
// host's: the distro's names for architectures are base architectures.
func treeURL(d distros.Distro) (string, error) {
	// TreePath fills {{.Arch}} with the distro's name for the arch: give
	// it one arch named $basearch.
	d.Arches = map[string]string{"amd64": "$basearch"}
	p, err := d.TreePath("amd64")
	if err != nil {
		return "", err
	}
	return "http://" + Host + "/" + strings.Trim(p, "/"), nil
}
