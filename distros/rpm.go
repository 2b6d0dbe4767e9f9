package distros

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/repobuild/repobuild/repoconf"
)

// RPM is what yum and dnf distros add to a definition.
type RPM struct {
	// Releasever is $releasever for the package manager; default: the
	// major version.
	Releasever string `yaml:"releasever,omitempty"`
	// ModulePlatformID is dnf's module_platform_id ("platform:el9"). An
	// empty install root has no /etc/os-release to read it from, and
	// without it every module that requires the platform is filtered out.
	// Empty: read PLATFORM_ID from the image's /etc/os-release.
	ModulePlatformID string `yaml:"module_platform_id,omitempty"`
	// Repos are the upstream repositories repobuild configures instead of
	// the image's own, so that end-of-life images with dead mirrors build
	// and --mirror applies. Empty: the image's /etc/yum.repos.d is used
	// (distros whose repositories the user supplies with the image).
	Repos []Repo `yaml:"repos,omitempty"`
}

// Repo is one yum/dnf repository. BaseURL and GPGKey are templates
// (package tmpl), mostly over .Mirror (the distro's mirror, or --mirror);
// $releasever and $basearch are left to the package manager.
type Repo struct {
	ID      string `yaml:"id"`
	Name    string `yaml:"name,omitempty"`
	BaseURL string `yaml:"baseurl"`
	// GPGKey are the URLs of the keys that sign the repository's packages.
	// Required: repobuild never turns gpgcheck off.
	GPGKey []string `yaml:"gpgkey"`
	// RepoGPGCheck also checks the signature of repomd.xml.
	RepoGPGCheck bool `yaml:"repo_gpgcheck,omitempty"`
	// Disabled repositories are used only when packages.yaml enables them
	// (`repobuild: {enable: [epel]}`).
	Disabled bool `yaml:"disabled,omitempty"`
}

var repoIDRE = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)

// Validate checks a repository definition.
func (r Repo) Validate() error {
	var errs []error
	if !repoIDRE.MatchString(r.ID) {
		errs = append(errs, fmt.Errorf("repo id %q: want letters, digits, and _ . : -", r.ID))
	}
	if r.BaseURL == "" {
		errs = append(errs, fmt.Errorf("repo %s: baseurl is required", r.ID))
	}
	if len(r.GPGKey) == 0 {
		errs = append(errs, fmt.Errorf("repo %s: gpgkey is required: repobuild verifies every package against its repository's key", r.ID))
	}
	for _, v := range append([]string{r.BaseURL, r.Name}, r.GPGKey...) {
		if strings.ContainsAny(v, "\n\r") {
			errs = append(errs, fmt.Errorf("repo %s: values must be one line", r.ID))
		}
	}
	return errors.Join(errs...)
}

// IsRPM reports whether the distro's package manager is yum or dnf.
func (d Distro) IsRPM() bool { return d.Manager == "yum" || d.Manager == "dnf" }

func (d Distro) validateRPM() error {
	if d.RPM == nil && !d.IsRPM() {
		return nil
	}
	var errs []error
	if !d.IsRPM() {
		errs = append(errs, fmt.Errorf("rpm: only for yum and dnf distros, not %s", d.Manager))
	}
	seen := map[string]bool{}
	for _, r := range d.RPMConfig().Repos {
		if seen[r.ID] {
			errs = append(errs, fmt.Errorf("repo %s: defined twice", r.ID))
		}
		seen[r.ID] = true
		errs = append(errs, r.Validate())
	}
	return errors.Join(errs...)
}

// RPMConfig returns the RPM section with its defaults filled in.
func (d Distro) RPMConfig() RPM {
	var r RPM
	if d.RPM != nil {
		r = *d.RPM
	}
	if r.Releasever == "" {
		r.Releasever = d.Major()
	}
	return r
}

// RepoFile renders repos as a .repo file for the distro's architecture
// arch (a platform architecture), with {{.Mirror}} the mirror of
// MirrorFor(arch, mirror), without a trailing slash. Disabled repositories are enabled when enable names
// them; enable naming a repository that none of repos is, is an error.
func (d Distro) RepoFile(repos []Repo, arch, mirror string, enable []string) ([]byte, error) {
	v, err := d.TemplateVars(arch, mirror)
	if err != nil {
		return nil, err
	}
	v.Mirror = strings.TrimSuffix(v.Mirror, "/")
	render := func(what, text string) (string, error) {
		out, noMirror, err := d.render(what, text, v)
		if err == nil && noMirror {
			err = fmt.Errorf("%s: %s uses {{.Mirror}}, but the distro has no mirror: pass --mirror URL", d.Source, what)
		}
		return out, err
	}
	for _, id := range enable {
		if !slices.ContainsFunc(repos, func(r Repo) bool { return r.ID == id }) {
			var ids []string
			for _, r := range repos {
				ids = append(ids, r.ID)
			}
			return nil, fmt.Errorf("%s has no repository %q to enable (it has: %s)", d.Name, id, strings.Join(ids, ", "))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# written by repobuild for %s/%s\n", d.Name, arch)
	for _, r := range repos {
		baseurl, err := render("repo "+r.ID+" baseurl", r.BaseURL)
		if err != nil {
			return nil, err
		}
		var keys []string
		for _, k := range r.GPGKey {
			key, err := render("repo "+r.ID+" gpgkey", k)
			if err != nil {
				return nil, err
			}
			if key = strings.TrimSpace(key); key != "" {
				keys = append(keys, key)
			}
		}
		if len(keys) == 0 {
			return nil, fmt.Errorf("%s: repo %s has no gpgkey for %s", d.Source, r.ID, v.Arch)
		}
		enabled := !r.Disabled || slices.Contains(enable, r.ID)
		section := repoconf.YumRepo{ID: r.ID, Name: r.Name, BaseURL: baseurl, Enabled: enabled,
			GPGCheck: true, RepoGPGCheck: r.RepoGPGCheck, GPGKeys: keys}
		b.WriteString("\n" + section.Section() + "\n")
	}
	return []byte(b.String()), nil
}
