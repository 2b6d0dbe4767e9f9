package distros

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// MirrorFor returns the package mirror of the platform architecture arch:
// override (the --mirror of a build) when set, else Mirrors[arch], else
// Mirror. "" means the image's own sources, as they are.
func (d Distro) MirrorFor(arch, override string) string {
	if override != "" {
		return override
	}
	if m := d.Mirrors[arch]; m != "" {
		return m
	}
	return d.Mirror
}

// SourcesFor returns the package sources that replace the image's own for
// the platform architecture arch, with the templates of Sources filled in,
// or nil when the distro keeps the image's sources.
func (d Distro) SourcesFor(arch, override string) ([]string, error) {
	if len(d.Sources) == 0 {
		return nil, nil
	}
	v, err := d.TemplateVars(arch, override)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(d.Sources))
	for i, s := range d.Sources {
		line, noMirror, err := d.render(fmt.Sprintf("sources[%d]", i), s, v)
		if err != nil {
			return nil, err
		}
		if noMirror {
			return nil, fmt.Errorf("%s: sources[%d] uses {{.Mirror}}, but %s has no mirror for %s (set mirror or mirrors.%s)", d.Source, i, d.Name, arch, arch)
		}
		out = append(out, line)
	}
	return out, nil
}

// ChecksValidUntil reports whether the package manager should refuse
// signed indexes past their expiry date (the default).
func (d Distro) ChecksValidUntil() bool {
	return d.CheckValidUntil == nil || *d.CheckValidUntil
}

// validateSources checks mirrors and sources for every architecture.
func (d Distro) validateSources() []error {
	var errs []error
	if d.Mirror != "" {
		if err := CheckMirrorURL(d.Mirror); err != nil {
			errs = append(errs, fmt.Errorf("mirror: %w", err))
		}
	}
	arches := make([]string, 0, len(d.Mirrors))
	for a := range d.Mirrors {
		arches = append(arches, a)
	}
	sort.Strings(arches)
	for _, a := range arches {
		if _, ok := d.Arches[a]; !ok {
			errs = append(errs, fmt.Errorf("mirrors: %s is not one of the distro's arches", a))
		}
		if err := CheckMirrorURL(d.Mirrors[a]); err != nil {
			errs = append(errs, fmt.Errorf("mirrors.%s: %w", a, err))
		}
	}
	if len(errs) > 0 || len(d.Arches) == 0 {
		return errs
	}
	for _, a := range d.PlatformArches() {
		if _, err := d.SourcesFor(a, ""); err != nil {
			// The error names the file already; validate's caller does too.
			errs = append(errs, errors.New(strings.TrimPrefix(err.Error(), d.Source+": ")))
			break
		}
	}
	return errs
}

// CheckMirrorURL checks that u can name a package mirror: an absolute
// http, https or file URL.
func CheckMirrorURL(u string) error {
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", u, err)
	}
	switch p.Scheme {
	case "http", "https":
		if p.Host == "" {
			return fmt.Errorf("%q has no host (want http://HOST/PATH)", u)
		}
	case "file":
		if p.Path == "" {
			return fmt.Errorf("%q has no path (want file:/PATH)", u)
		}
	default:
		return fmt.Errorf("%q is not an http://, https:// or file: URL", u)
	}
	if strings.ContainsAny(u, " \t\n") {
		return fmt.Errorf("%q contains white space", u)
	}
	return nil
}
