package packages

import (
	"fmt"
	"slices"
	"strings"

	"github.com/repobuild/repobuild/distros/tmpl"
)

// Selector says which keys apply to one target and the template variables.
type Selector struct {
	// Keys are the applicable selector keys in order, e.g. common, apt,
	// debian, debian12, bookworm. Only membership matters for selection.
	Keys []string
	// Manager is "apt", "yum" or "dnf"; it decides the pin syntax.
	Manager string
	// Vars are the template variables. An empty Vars.Manager defaults to
	// Manager.
	Vars Vars
}

// Vars are the template variables of a target: those of every template of
// repobuild (package tmpl), of which specs may use [tmpl.SpecVars].
type Vars = tmpl.Vars

// Request is one package to put in a repository.
type Request struct {
	// Spec is what is handed to the package manager after templating, e.g.
	// "curl" or "docker-ce=5:24.0.9-1~debian.12~bookworm".
	Spec string
	// Name is the package name: for apt the part before "=" or "/", for
	// rpm the whole spec.
	Name string
	// Version is the apt pin after "=", else "".
	Version string
	// Optional packages may be missing from the upstream repositories.
	Optional bool
	// Sources are where the spec was written; the first is the primary.
	Sources []Source
}

// String returns the spec.
func (r Request) String() string { return r.Spec }

// Select returns the requests of the lists whose selector key is in
// sel.Keys, in file order. Identical specs are merged (see the package
// documentation); identical specs within one list are also reported as
// warnings. Template execution and pin problems are returned as Errors.
func (f *File) Select(sel Selector) ([]Request, []string, error) {
	style, ok := styleOf(sel.Manager)
	if !ok {
		return nil, nil, fmt.Errorf("select packages from %s: unknown package manager %q (want apt, yum or dnf)", f.Name, sel.Manager)
	}
	data := specVars(sel.Vars, sel.Manager)
	ps := &problems{}
	var (
		reqs     []Request
		warnings []string
		index    = map[string]int{} // spec -> position in reqs
		byName   = map[string]pinned{}
	)
	for _, l := range f.lists {
		if !slices.Contains(sel.Keys, l.key) {
			continue
		}
		inList := map[string]Source{}
		for _, it := range l.items {
			spec, ok := f.render(it, sel, data, ps)
			if !ok {
				continue
			}
			name, version, problem := style.split(spec)
			if problem != "" {
				ps.add(it.src, ErrInvalidSpec, nil, "invalid %s package spec %q: %s", sel.Manager, spec, problem)
				continue
			}
			if first, dup := inList[spec]; dup {
				warnings = append(warnings, fmt.Sprintf("%s:%d:%d: duplicate package %q in %q (first at %d:%d)",
					it.src.File, it.src.Line, it.src.Column, spec, l.path, first.Line, first.Column))
			} else {
				inList[spec] = it.src
			}
			if i, dup := index[spec]; dup {
				reqs[i].Optional = reqs[i].Optional && it.optional
				reqs[i].Sources = append(reqs[i].Sources, it.src)
				continue
			}
			if first, ok := byName[name]; ok && first.list != l.path {
				ps.add(it.src, ErrConflictingPins, nil,
					"conflicting versions of %q for %s: %q here, %q in %q at %d:%d (to carry several versions, list them under one key)",
					name, target(sel), spec, first.spec, first.list, first.src.Line, first.src.Column)
				continue
			}
			if _, ok := byName[name]; !ok && style == aptStyle {
				byName[name] = pinned{spec: spec, list: l.path, src: it.src}
			}
			index[spec] = len(reqs)
			reqs = append(reqs, Request{
				Spec:     spec,
				Name:     name,
				Version:  version,
				Optional: it.optional,
				Sources:  []Source{it.src},
			})
		}
	}
	if err := ps.err(); err != nil {
		return nil, warnings, err
	}
	return reqs, warnings, nil
}

// pinned is the first request of a package name in a target.
type pinned struct {
	spec, list string
	src        Source
}

// render executes the template of an item and checks the result.
func (f *File) render(it item, sel Selector, data Vars, ps *problems) (string, bool) {
	if it.template == nil {
		return it.raw, true
	}
	spec, err := it.template.Execute(data)
	switch {
	case err != nil:
		ps.add(it.src, ErrTemplate, err, "template error in %q for %s: %s", it.raw, target(sel), detail(err))
		return "", false
	case spec == "":
		ps.add(it.src, ErrEmptySpec, nil, "package spec %q is empty after templating for %s", it.raw, target(sel))
		return "", false
	}
	if problem := plainProblem(spec); problem != "" {
		ps.add(it.src, ErrInvalidSpec, nil, "invalid package spec %q after templating for %s: %s", spec, target(sel), problem)
		return "", false
	}
	return spec, true
}

// target names a selector in messages, e.g. "debian 12".
func target(sel Selector) string {
	switch {
	case sel.Vars.ID != "" && sel.Vars.Version != "":
		return sel.Vars.ID + " " + sel.Vars.Version
	case sel.Vars.ID != "":
		return sel.Vars.ID
	}
	return "keys " + strings.Join(sel.Keys, ",")
}
