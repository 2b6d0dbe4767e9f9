package packages

import (
	"errors"

	"gopkg.in/yaml.v3"
)

// ErrOption is the class of problems in the "repobuild" options mapping.
var ErrOption = errors.New("bad repobuild option")

// Options are the settings under the top-level "repobuild" key:
//
//	repobuild:
//	  repos:                 # yum/dnf repositories besides the distro's own
//	    - id: docker-ce
//	      baseurl: https://download.docker.com/linux/centos/$releasever/$basearch/stable
//	      gpgkey: https://download.docker.com/linux/centos/gpg
//	      for: [centos, rocky]   # selector keys; default: yum, dnf
//	  enable: [epel]         # distro repositories that are off unless asked for
//	  distros: [debian12, rocky9]   # what the file is built for, when --distro is not given
//	  arches: [amd64, arm64]        # likewise for --arch
type Options struct {
	Repos  []Repo
	Enable []Enable
	// Distros and Arches are the targets the file is built for: the
	// defaults of --distro and --arch, and what `repobuild matrix` lists.
	// Their names are checked against the catalog by the plan.
	Distros []Name
	Arches  []Name
}

// Name is one name written in the options, with its position.
type Name struct {
	Name   string
	Source Source
}

// Repo is an upstream yum/dnf repository declared in packages.yaml. Its
// packages are verified against GPGKey, which is required. BaseURL and
// GPGKey are rendered as the rpm.repos of distro definitions are: templates
// with every variable of package tmpl.
type Repo struct {
	ID           string
	Name         string
	BaseURL      string
	GPGKey       []string
	RepoGPGCheck bool
	// For are the selector keys of the targets that use the repository;
	// empty means every yum and dnf target.
	For    []string
	Source Source
}

// Enable names a repository that distro definitions declare disabled.
type Enable struct {
	ID     string
	Source Source
}

// ParseOptions reads the "repobuild" mapping. Problems are returned as
// Errors with the position of each.
func (f *File) ParseOptions() (Options, error) {
	var o Options
	if f.Options.Kind == 0 {
		return o, nil
	}
	ps := &problems{}
	src := func(n *yaml.Node) Source {
		return Source{File: f.Name, Line: n.Line, Column: n.Column, Key: OptionsKey}
	}
	strs := func(n *yaml.Node, what string) []string {
		n = resolve(n)
		switch {
		case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && n.Value != "":
			return []string{n.Value}
		case n.Kind == yaml.SequenceNode:
			var out []string
			for _, item := range n.Content {
				item = resolve(item)
				if item.Kind != yaml.ScalarNode || item.ShortTag() != "!!str" || item.Value == "" {
					ps.add(src(item), ErrOption, nil, "%s: want a non-empty string, got %s", what, describe(item))
					continue
				}
				out = append(out, item.Value)
			}
			return out
		}
		ps.add(src(n), ErrOption, nil, "%s: want a string or a list of strings, got %s", what, describe(n))
		return nil
	}
	root := &f.Options
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], resolve(root.Content[i+1])
		switch k.Value {
		case "repos":
			if v.Kind != yaml.SequenceNode {
				ps.add(src(v), ErrOption, nil, "repos: want a list of repositories, got %s", describe(v))
				continue
			}
			for _, item := range v.Content {
				if r, ok := parseRepo(resolve(item), src, strs, ps); ok {
					o.Repos = append(o.Repos, r)
				}
			}
		case "enable":
			for _, id := range strs(v, "enable") {
				o.Enable = append(o.Enable, Enable{ID: id, Source: src(v)})
			}
		case "distros":
			o.Distros = names(v, "distros", src, strs, ps)
		case "arches":
			o.Arches = names(v, "arches", src, strs, ps)
		default:
			ps.add(src(k), ErrOption, nil, "unknown option %q under %q (known: repos, enable, distros, arches)", k.Value, OptionsKey)
		}
	}
	seen := map[string]Source{}
	for _, r := range o.Repos {
		if first, dup := seen[r.ID]; dup {
			ps.add(r.Source, ErrOption, nil, "repo %q declared twice (first at %d:%d)", r.ID, first.Line, first.Column)
		}
		seen[r.ID] = r.Source
	}
	if err := ps.err(); err != nil {
		return Options{}, err
	}
	return o, nil
}

func parseRepo(n *yaml.Node, src func(*yaml.Node) Source, strs func(*yaml.Node, string) []string, ps *problems) (Repo, bool) {
	if n.Kind != yaml.MappingNode {
		ps.add(src(n), ErrOption, nil, "repos: want a mapping (id, baseurl, gpgkey), got %s", describe(n))
		return Repo{}, false
	}
	r := Repo{Source: src(n)}
	bad := len(ps.list)
	one := func(v *yaml.Node, what string) string {
		s := strs(v, what)
		if len(s) != 1 {
			if len(s) > 1 {
				ps.add(src(v), ErrOption, nil, "%s: want one string", what)
			}
			return ""
		}
		return s[0]
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		switch k.Value {
		case "id":
			r.ID = one(v, "repo id")
		case "name":
			r.Name = one(v, "repo name")
		case "baseurl":
			r.BaseURL = one(v, "repo baseurl")
		case "gpgkey":
			r.GPGKey = strs(v, "repo gpgkey")
		case "repo_gpgcheck":
			if err := v.Decode(&r.RepoGPGCheck); err != nil {
				ps.add(src(v), ErrOption, nil, "repo_gpgcheck: want true or false, got %s", describe(v))
			}
		case "for":
			r.For = strs(v, "repo for")
		case "gpgcheck":
			ps.add(src(k), ErrOption, nil, "repo gpgcheck: packages are always checked against gpgkey; remove it")
		default:
			ps.add(src(k), ErrOption, nil, "unknown repo field %q (known: id, name, baseurl, gpgkey, repo_gpgcheck, for)", k.Value)
		}
	}
	switch {
	case r.ID == "":
		ps.add(r.Source, ErrOption, nil, "repo: id is required")
	case r.BaseURL == "":
		ps.add(r.Source, ErrOption, nil, "repo %s: baseurl is required", r.ID)
	case len(r.GPGKey) == 0:
		ps.add(r.Source, ErrOption, nil, "repo %s: gpgkey is required: repobuild verifies every package against its repository's key", r.ID)
	}
	return r, len(ps.list) == bad
}

// names reads a list of names (or one name), each with its own position;
// a name given twice is an error.
func names(n *yaml.Node, what string, src func(*yaml.Node) Source, strs func(*yaml.Node, string) []string, ps *problems) []Name {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
		if len(items) == 0 {
			ps.add(src(n), ErrOption, nil, "%s: empty list (leave %s out to give none)", what, what)
		}
	}
	var out []Name
	seen := map[string]Source{}
	for _, item := range items {
		item = resolve(item)
		if item.Kind == yaml.SequenceNode {
			ps.add(src(item), ErrOption, nil, "%s: want a name, got %s", what, describe(item))
			continue
		}
		for _, s := range strs(item, what) {
			if first, dup := seen[s]; dup {
				ps.add(src(item), ErrOption, nil, "%s: %q given twice (first at %d:%d)", what, s, first.Line, first.Column)
				continue
			}
			seen[s] = src(item)
			out = append(out, Name{Name: s, Source: src(item)})
		}
	}
	return out
}
