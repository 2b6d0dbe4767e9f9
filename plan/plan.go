// Package plan decides what each build target resolves: for every distro
// and architecture asked for, the requests packages.yaml selects for it.
// It needs no builder, so `repobuild plan` runs without a daemon.
package plan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/packages"
)

// Target is one (distro, architecture) pair and what it resolves.
type Target struct {
	Distro distros.Distro
	// Arch is the platform architecture: amd64 or arm64.
	Arch string
	// NativeArch is the distro's name for Arch: amd64 or x86_64.
	NativeArch string
	Requests   []packages.Request
	Warnings   []string
	// Repos are the yum/dnf repositories packages.yaml adds for the target
	// (its "repobuild: repos"), and Enable the distro repositories it
	// turns on.
	Repos  []distros.Repo
	Enable []string
}

// String names the target the way messages do: "debian12/arm64".
func (t Target) String() string { return t.Distro.Name + "/" + t.Arch }

// Arches parses a comma-separated list of architectures, accepting the
// distro names (x86_64, aarch64) as aliases.
func Arches(list []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, item := range list {
		for _, a := range strings.Split(item, ",") {
			a = strings.TrimSpace(a)
			switch a {
			case "":
				continue
			case "x86_64":
				a = "amd64"
			case "aarch64":
				a = "arm64"
			case "amd64", "arm64":
			default:
				return nil, fmt.Errorf("unknown architecture %q (use amd64 or arm64)", a)
			}
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no architecture given (use --arch amd64,arm64)")
	}
	return out, nil
}

// Names splits comma-separated distro names.
func Names(list []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, item := range list {
		for _, n := range strings.Split(item, ",") {
			if n = strings.TrimSpace(n); n != "" && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// DefaultArch is the architecture built when neither the caller nor the
// packages file names any.
const DefaultArch = "amd64"

// Make validates f against the catalog and returns the targets for every
// named distro and architecture, in that order. Without names (arches),
// the distros (arches) the file names under "repobuild:" are built; without
// those either, no distro is an error and the arch is DefaultArch.
func Make(f *packages.File, catalog *distros.Catalog, names, arches []string) ([]Target, error) {
	known := catalog.KnownKeys()
	if err := f.Validate(catalog.IsKnownKey, known); err != nil {
		return nil, err
	}
	opts, err := options(f, catalog)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		names = opts.distros
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no distro given: use --distro, or name them in %s under %s: distros: (see `repobuild distros`)", f.Name, packages.OptionsKey)
	}
	switch {
	case len(arches) > 0:
	case len(opts.arches) > 0:
		arches = opts.arches
	default:
		arches = []string{DefaultArch}
	}
	var targets []Target
	var errs []error
	for _, name := range names {
		d, err := catalog.Get(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, arch := range arches {
			t, err := target(f, d, arch)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			t.Repos, t.Enable = opts.apply(d)
			targets = append(targets, t)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return targets, nil
}

func target(f *packages.File, d distros.Distro, arch string) (Target, error) {
	vars, err := d.TemplateVars(arch, "")
	if err != nil {
		return Target{}, err
	}
	sel := packages.Selector{Keys: d.Keys(), Manager: d.Manager, Vars: vars}
	reqs, warnings, err := f.Select(sel)
	if err != nil {
		return Target{}, fmt.Errorf("%s/%s: %w", d.Name, arch, err)
	}
	if len(reqs) == 0 {
		return Target{}, fmt.Errorf("%s/%s: %s selects no package for keys %s", d.Name, arch, f.Name, strings.Join(d.Keys(), ", "))
	}
	return Target{Distro: d, Arch: arch, NativeArch: vars.Arch, Requests: reqs, Warnings: warnings}, nil
}
