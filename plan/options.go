package plan

import (
	"errors"
	"fmt"
	"slices"

	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/packages"
)

// defaultRepoKeys select the targets of a packages.yaml repository that
// names none: every yum and dnf distro.
var defaultRepoKeys = []string{"yum", "dnf"}

// opts are the checked "repobuild" options of a packages file.
type opts struct {
	repos  []packages.Repo
	enable []string
	// distros and arches are what the file says it is built for (checked:
	// known distros, arches in platform spelling); empty when it does not say.
	distros []string
	arches  []string
}

// options reads and checks f's options against the catalog: the keys a
// repository is for must exist, and so must the repositories to enable.
func options(f *packages.File, catalog *distros.Catalog) (opts, error) {
	o, err := f.ParseOptions()
	if err != nil {
		return opts{}, err
	}
	var errs []error
	at := func(s packages.Source, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d:%d: %s", s.File, s.Line, s.Column, fmt.Sprintf(format, args...)))
	}
	for _, r := range o.Repos {
		if err := toDistroRepo(r).Validate(); err != nil {
			at(r.Source, "%v", err)
		}
		for _, k := range r.For {
			if !catalog.IsKnownKey(k) {
				at(r.Source, "repo %s: for: unknown key %q", r.ID, k)
			}
		}
	}
	var ids []string
	for _, d := range catalog.All() {
		for _, r := range d.RPMConfig().Repos {
			ids = append(ids, r.ID)
		}
	}
	out := opts{repos: o.Repos}
	for _, e := range o.Enable {
		if !slices.Contains(ids, e.ID) {
			at(e.Source, "enable: no distro defines a repository %q", e.ID)
		}
		out.enable = append(out.enable, e.ID)
	}
	for _, n := range o.Distros {
		if _, err := catalog.Get(n.Name); err != nil {
			at(n.Source, "distros: %v", err)
		}
		out.distros = append(out.distros, n.Name)
	}
	for _, n := range o.Arches {
		a, err := Arches([]string{n.Name})
		if err != nil {
			at(n.Source, "arches: %v", err)
			continue
		}
		if !slices.Contains(out.arches, a[0]) {
			out.arches = append(out.arches, a[0])
		}
	}
	return out, errors.Join(errs...)
}

// apply returns the repositories of the options that apply to d, and the
// repositories of d to enable.
func (o opts) apply(d distros.Distro) ([]distros.Repo, []string) {
	var repos []distros.Repo
	for _, r := range o.repos {
		keys := r.For
		if len(keys) == 0 {
			keys = defaultRepoKeys
		}
		if slices.ContainsFunc(keys, func(k string) bool { return slices.Contains(d.Keys(), k) }) {
			repos = append(repos, toDistroRepo(r))
		}
	}
	var enable []string
	for _, id := range o.enable {
		if slices.ContainsFunc(d.RPMConfig().Repos, func(r distros.Repo) bool { return r.ID == id }) {
			enable = append(enable, id)
		}
	}
	return repos, enable
}

func toDistroRepo(r packages.Repo) distros.Repo {
	return distros.Repo{ID: r.ID, Name: r.Name, BaseURL: r.BaseURL, GPGKey: r.GPGKey, RepoGPGCheck: r.RepoGPGCheck}
}
