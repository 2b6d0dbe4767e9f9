package distros

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// wordRE matches the values that end up in file names, cache ids, image
// paths and command lines: name, os, version, codename, the distro's
// names of its architectures, aliases and tools.
var wordRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)

const wordRule = `letters, digits and "._+-", starting with a letter or digit`

// validateWords checks the fields that name things, and that the tree of
// every architecture stays inside the output.
func (d Distro) validateWords() []error {
	var errs []error
	word := func(field, v string) {
		if v != "" && !wordRE.MatchString(v) {
			errs = append(errs, fmt.Errorf("%s %q: want %s", field, v, wordRule))
		}
	}
	word("name", d.Name)
	word("os", d.OS)
	word("version", d.Version)
	word("codename", d.Codename)
	for _, a := range d.PlatformArches() {
		word("arches."+a, d.Arches[a])
	}
	for _, a := range d.Aliases {
		word("aliases:", a)
	}
	for _, t := range d.Tools {
		word("tools:", t)
	}
	if len(errs) > 0 || d.Path == "" {
		return errs
	}
	for _, a := range d.PlatformArches() {
		tree, err := d.TreePath(a)
		switch {
		case err != nil:
			return append(errs, fmt.Errorf("path: %s", strings.TrimPrefix(err.Error(), d.Source+": path: ")))
		case !filepath.IsLocal(tree) || filepath.Clean(tree) == ".":
			return append(errs, fmt.Errorf("path %q: the tree of %s, %q, must be a directory inside the output", d.Path, a, tree))
		}
	}
	return errs
}
