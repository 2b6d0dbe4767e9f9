package packages

import "strings"

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
		if problem := plainProblem(raw); problem != "" {
			p.ps.add(src, ErrInvalidSpec, nil, "invalid package spec %q: %s", value, problem)
			return item{}, false
		}
		return it, true
	}
	if problem := shellProblem(outsideActions(raw)); problem != "" {
		p.ps.add(src, ErrInvalidSpec, nil, "invalid package spec %q: %s outside {{ }}", value, problem)
		return item{}, false
	}
	if problem := dashProblem(raw); problem != "" {
		p.ps.add(src, ErrInvalidSpec, nil, "invalid package spec %q: %s", value, problem)
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

// pinStyle says how a package manager writes specs.
type pinStyle int

const (
	aptStyle pinStyle = iota // name[:arch][=version | /release]
	rpmStyle                 // name-version-release as one opaque string
)

// managerStyles maps the package managers of the distro definitions
// (distros/*.yaml "manager:") to their spec grammar.
var managerStyles = map[string]pinStyle{"apt": aptStyle, "yum": rpmStyle, "dnf": rpmStyle}

// styleOf returns the pin style of a package manager.
func styleOf(manager string) (pinStyle, bool) {
	st, ok := managerStyles[manager]
	return st, ok
}

// split checks a templated spec against the manager's grammar and splits
// it into name and version. For apt, "name=version" is a pin and
// "name/release" a release selection (the version stays empty); rpm specs
// are not split. The returned message is non-empty when the spec is
// malformed.
func (st pinStyle) split(spec string) (name, version, problem string) {
	if st == aptStyle {
		return splitApt(spec)
	}
	if problem := checkRPM(spec); problem != "" {
		return "", "", problem
	}
	return spec, "", ""
}
