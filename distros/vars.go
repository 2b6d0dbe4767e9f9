package distros

import (
	"slices"

	"github.com/repobuild/repobuild/distros/tmpl"
)

// TemplateVars returns the variables of the distro's templates for the
// platform architecture arch, with the mirror of MirrorFor(arch, mirror).
func (d Distro) TemplateVars(arch, mirror string) (tmpl.Vars, error) {
	native, err := d.Arch(arch)
	if err != nil {
		return tmpl.Vars{}, err
	}
	v := d.vars()
	v.Arch, v.PlatformArch, v.Mirror = native, arch, d.MirrorFor(arch, mirror)
	return v, nil
}

// vars are the variables that do not depend on the architecture.
func (d Distro) vars() tmpl.Vars {
	return tmpl.Vars{ID: d.OS, Name: d.Name, Version: d.Version, Major: d.Major(), Minor: d.Minor(),
		Codename: d.Codename, Manager: d.Manager}
}

// origin is the field of the distro's definition a template came from.
func (d Distro) origin(field string) tmpl.Origin {
	return tmpl.Origin{File: d.Source, Field: field}
}

// render fills in the template text of the definition's field with v.
// noMirror reports that the template reads {{.Mirror}} and v has none.
func (d Distro) render(field, text string, v tmpl.Vars) (out string, noMirror bool, err error) {
	t, err := tmpl.Parse(d.origin(field), text)
	if err != nil {
		return "", false, err
	}
	if out, err = t.Execute(v); err != nil {
		return "", false, err
	}
	return out, v.Mirror == "" && slices.Contains(t.Uses(), "Mirror"), nil
}

// TreePath returns where the tree for arch goes in the output, with the
// template variables of Path filled in.
func (d Distro) TreePath(arch string) (string, error) {
	v, err := d.TemplateVars(arch, "")
	if err != nil {
		return "", err
	}
	return tmpl.Render(d.origin("path"), d.Path, v)
}

// ClientPath is the tree path a client's .repo file names, with $basearch
// (and $releasever, where it is the version) for the parts that vary:
// "rocky/$releasever/os/$basearch".
func (d Distro) ClientPath() string {
	version := d.Version
	if d.RPMConfig().Releasever == d.Version {
		version = "$releasever"
	}
	v := d.vars()
	v.Arch, v.Version, v.Major = "$basearch", version, version
	p, err := tmpl.Render(d.origin("path"), d.Path, v)
	if err != nil {
		return d.Path
	}
	return p
}
