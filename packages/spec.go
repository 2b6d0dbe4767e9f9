package packages

import (
	"strings"
	"unicode"
)

// optionalMarker ends a spec that names an optional package.
const optionalMarker = "?"

// spec checks a package spec string as written and prepares its template.
func (p *parser) spec(value string, src Source, optional bool) (item, bool) {
	raw, marked := strings.CutSuffix(value, optionalMarker)
	switch {
	case value == "":
		p.ps.add(src, ErrEmptySpec, nil, "empty package spec")
		return item{}, false
	case raw == "":
		p.ps.add(src, ErrEmptySpec, nil, "empty package spec %q", value)
		return item{}, false
	}
	it := item{raw: raw, optional: optional || marked, src: src}
	if !isTemplate(raw) {
		if hasSpace(raw) {
			p.ps.add(src, ErrInvalidSpec, nil, "invalid package spec %q: contains whitespace", value)
			return item{}, false
		}
		return it, true
	}
	if hasSpace(outsideActions(raw)) {
		p.ps.add(src, ErrInvalidSpec, nil, "invalid package spec %q: contains whitespace outside {{ }}", value)
		return item{}, false
	}
	t, ok := p.template(raw, src)
	if !ok {
		return item{}, false
	}
	it.template = t
	return it, true
}

// isTemplate reports whether a spec must go through text/template.
func isTemplate(s string) bool {
	return strings.Contains(s, "{{")
}

func hasSpace(s string) bool {
	return strings.IndexFunc(s, unicode.IsSpace) >= 0
}

// outsideActions returns s without its "{{ ... }}" actions.
func outsideActions(s string) string {
	var b strings.Builder
	for {
		before, rest, found := strings.Cut(s, "{{")
		b.WriteString(before)
		if !found {
			return b.String()
		}
		_, after, closed := strings.Cut(rest, "}}")
		if !closed {
			return b.String()
		}
		s = after
	}
}

// pinStyle says how a package manager writes versioned specs.
type pinStyle int

const (
	aptStyle pinStyle = iota // name=version, name/release
	rpmStyle                 // name-version-release as one opaque string
)

// styleOf returns the pin style of a package manager.
func styleOf(manager string) (pinStyle, bool) {
	switch manager {
	case "apt":
		return aptStyle, true
	case "yum", "dnf":
		return rpmStyle, true
	}
	return 0, false
}

// split splits a templated spec into name and version. For apt,
// "name=version" is a pin and "name/release" a release selection (the
// version stays empty); rpm specs are not split. The returned message is
// non-empty when the spec is malformed.
func (st pinStyle) split(spec string) (name, version, problem string) {
	if st != aptStyle {
		return spec, "", ""
	}
	if n, v, ok := strings.Cut(spec, "="); ok {
		switch {
		case n == "":
			return "", "", "missing package name before \"=\""
		case v == "":
			return "", "", "missing version after \"=\""
		}
		return n, v, ""
	}
	if n, r, ok := strings.Cut(spec, "/"); ok {
		switch {
		case n == "":
			return "", "", "missing package name before \"/\""
		case r == "":
			return "", "", "missing release after \"/\""
		}
		return n, "", ""
	}
	return spec, "", ""
}
