// Package distros is the catalog of Linux distributions repobuild builds
// repositories for. Each distribution is a YAML data file in this directory,
// embedded in the binary; users add or override definitions with files of
// their own (LoadDir). Distro knowledge lives in these files, not in code:
// the builder only reads the fields of a Distro.
package distros

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed *.yaml
var embedded embed.FS

// Managers are the package managers a distro may name. Each is also a key
// of packages.yaml.
var Managers = []string{"apt", "dnf", "yum"}

// CommonKey is the packages.yaml key that applies to every distro.
const CommonKey = "common"

// Distro describes one distribution release.
type Distro struct {
	// Name identifies the distro on the command line and is its
	// OS-version key in packages.yaml, e.g. "debian12".
	Name string `yaml:"name"`
	// OS is the OS key in packages.yaml and the .ID (or .OS) template
	// variable, e.g. "debian".
	OS string `yaml:"os"`
	// Version is the release, e.g. "12" or "22.04".
	Version string `yaml:"version"`
	// Codename is the release codename for Debian-family distros, e.g.
	// "bookworm"; it is also a packages.yaml key.
	Codename string `yaml:"codename,omitempty"`
	// Manager is the package manager: one of Managers.
	Manager string `yaml:"manager"`
	// Image is the distro's base image reference.
	Image string `yaml:"image"`
	// Arches maps the platform architectures the distro is built for
	// (amd64, arm64) to the distro's own names for them (amd64 or x86_64).
	Arches map[string]string `yaml:"arches"`
	// Tools are packages installed on the native build image to write the
	// repository indexes (apt-utils, createrepo_c).
	Tools []string `yaml:"tools,omitempty"`
	// Path is where the distro's tree goes in the output, relative to its
	// root: a template (package tmpl) such as "{{.OS}}/{{.Version}}/os/{{.Arch}}"
	// for per-architecture trees.
	Path string `yaml:"path"`
	// Aliases are further packages.yaml keys that select this distro.
	Aliases []string `yaml:"aliases,omitempty"`
	// Mirror is the distro's package mirror, for every architecture: the
	// {{.Mirror}} of Sources, and where `repobuild base` bootstraps from.
	// Without Sources, a Mirror replaces the main archive the image's own
	// sources name. Empty: the image's sources as they are.
	Mirror string `yaml:"mirror,omitempty"`
	// Mirrors are per-architecture mirrors that override Mirror (Ubuntu
	// serves amd64 and arm64 from different archives).
	Mirrors map[string]string `yaml:"mirrors,omitempty"`
	// Sources, when set, replace the image's package sources, one entry a
	// line in the manager's own format (apt: "deb [OPTIONS] URI SUITE
	// COMPONENT..."). They are templates (package tmpl), mostly over
	// {{.Mirror}}: the target architecture's mirror. For archived releases
	// and for distros whose archive differs per architecture.
	Sources []string `yaml:"sources,omitempty"`
	// CheckValidUntil false lets the package manager accept signed indexes
	// past their expiry date, as archived releases need (apt:
	// Acquire::Check-Valid-Until=false). Signatures are still checked.
	CheckValidUntil *bool `yaml:"check-valid-until,omitempty"`
	// Bootstrap says how `repobuild base` builds the base image from the
	// distro's package mirror when the official image cannot be pulled.
	Bootstrap *Bootstrap `yaml:"bootstrap,omitempty"`
	// UserSupplied, when set, says what the user must supply for the
	// distro (its image is not public): a build without --image fails
	// with this text. Image may then be empty.
	UserSupplied string `yaml:"user_supplied,omitempty"`
	// RPM holds what yum and dnf distros need: see RPM.
	RPM *RPM `yaml:"rpm,omitempty"`

	// Source is the file the definition was read from.
	Source string `yaml:"-"`
}

// Bootstrap holds what mmdebstrap needs to build a base image.
type Bootstrap struct {
	Suite   string   `yaml:"suite"`
	Variant string   `yaml:"variant,omitempty"`
	Include []string `yaml:"include,omitempty"`
}

// Major is the part of Version before the first dot.
func (d Distro) Major() string {
	major, _, _ := strings.Cut(d.Version, ".")
	return major
}

// Minor is the part of Version after the first dot, or "".
func (d Distro) Minor() string {
	_, minor, _ := strings.Cut(d.Version, ".")
	return minor
}

// Keys returns the packages.yaml keys that apply to the distro, from the
// most general to the most specific.
func (d Distro) Keys() []string {
	keys := []string{CommonKey, d.Manager, d.OS, d.Name}
	if d.Codename != "" {
		keys = append(keys, d.Codename)
	}
	keys = append(keys, d.Aliases...)
	return dedupe(keys)
}

// Arch returns the distro's name for the platform architecture arch
// (amd64 → x86_64 on RPM distros).
func (d Distro) Arch(arch string) (string, error) {
	native, ok := d.Arches[arch]
	if !ok {
		return "", fmt.Errorf("distro %s is not built for %s (it has: %s)", d.Name, arch, strings.Join(d.PlatformArches(), ", "))
	}
	return native, nil
}

// PlatformArches returns the platform architectures the distro supports,
// sorted.
func (d Distro) PlatformArches() []string {
	arches := make([]string, 0, len(d.Arches))
	for a := range d.Arches {
		arches = append(arches, a)
	}
	sort.Strings(arches)
	return arches
}

func (d Distro) validate() error {
	var errs []error
	missing := func(field, value string) {
		if value == "" {
			errs = append(errs, fmt.Errorf("%s is required", field))
		}
	}
	missing("name", d.Name)
	missing("os", d.OS)
	missing("version", d.Version)
	missing("manager", d.Manager)
	if d.UserSupplied == "" {
		missing("image", d.Image)
	}
	missing("path", d.Path)
	if d.Manager != "" && !slices.Contains(Managers, d.Manager) {
		errs = append(errs, fmt.Errorf("manager %q is not one of %s", d.Manager, strings.Join(Managers, ", ")))
	}
	if d.Manager == "apt" && d.Codename == "" {
		errs = append(errs, errors.New("codename is required for apt distros"))
	}
	if len(d.Arches) == 0 {
		errs = append(errs, errors.New("arches is required"))
	}
	errs = append(errs, d.validateRPM())
	for a, native := range d.Arches {
		if a != "amd64" && a != "arm64" {
			errs = append(errs, fmt.Errorf("arches: %q is not a platform architecture (amd64, arm64)", a))
		}
		if native == "" {
			errs = append(errs, fmt.Errorf("arches: %s has no distro name", a))
		}
	}
	errs = append(errs, d.validateSources()...)
	errs = append(errs, d.validateWords()...)
	return errors.Join(errs...)
}

// Catalog is a set of distro definitions by name.
type Catalog struct {
	byName map[string]Distro
	// otherKeys are keys of distributions the catalog may not build that
	// packages files name (keys/other-distros.yaml).
	otherKeys []string
}

// Default returns the catalog embedded in repobuild.
func Default() (*Catalog, error) {
	other, err := loadOtherKeys()
	if err != nil {
		return nil, err
	}
	c := &Catalog{byName: map[string]Distro{}, otherKeys: other}
	if err := c.addFS(embedded, "."); err != nil {
		return nil, err
	}
	return c, nil
}

// LoadDir adds the definitions in dir (*.yaml, *.yml) to the catalog,
// replacing embedded ones of the same name.
func (c *Catalog) LoadDir(dir string) error {
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("distros dir: %w", err)
	}
	return c.addFS(os.DirFS(dir), dir)
}

func (c *Catalog) addFS(fsys fs.FS, label string) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return fmt.Errorf("reading distro definitions in %s: %w", label, err)
	}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		source := name
		if label != "." {
			source = filepath.Join(label, name)
		}
		if err := c.Add(source, data); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Add parses the definition data, named source in messages, and adds it
// to the catalog, replacing a definition of the same name.
func (c *Catalog) Add(source string, data []byte) error {
	d, err := Parse(source, data)
	if err != nil {
		return err
	}
	c.byName[d.Name] = d
	return nil
}

// Parse reads one distro definition. Unknown fields are errors.
func Parse(source string, data []byte) (Distro, error) {
	var d Distro
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		return Distro{}, fmt.Errorf("%s: %w", source, err)
	}
	d.Source = source
	if err := d.validate(); err != nil {
		return Distro{}, fmt.Errorf("%s: %w", source, err)
	}
	return d, nil
}

// Get returns the named distro.
func (c *Catalog) Get(name string) (Distro, error) {
	d, ok := c.byName[name]
	if !ok {
		return Distro{}, fmt.Errorf("unknown distro %q (known: %s; see `repobuild distros`)", name, strings.Join(c.Names(), ", "))
	}
	return d, nil
}

// Names returns the names of all distros, sorted by OS and then by
// version: debian9 before debian10.
func (c *Catalog) Names() []string {
	names := make([]string, 0, len(c.byName))
	for n := range c.byName {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return nameLess(names[i], names[j]) })
	return names
}

// nameLess orders distro names by their letters, then by the number that
// follows.
func nameLess(a, b string) bool {
	split := func(s string) (string, int, string) {
		i := strings.IndexAny(s, "0123456789")
		if i < 0 {
			return s, -1, ""
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(s[i:j])
		return s[:i], n, s[j:]
	}
	pa, na, ra := split(a)
	pb, nb, rb := split(b)
	if pa != pb {
		return pa < pb
	}
	if na != nb {
		return na < nb
	}
	return ra < rb
}

// All returns every distro, sorted by name.
func (c *Catalog) All() []Distro {
	all := make([]Distro, 0, len(c.byName))
	for _, n := range c.Names() {
		all = append(all, c.byName[n])
	}
	return all
}

// KnownKeys returns every packages.yaml key some distro in the catalog
// applies, and the keys of other distributions that packages files name
// (keys/other-distros.yaml), sorted.
func (c *Catalog) KnownKeys() []string {
	keys := []string{CommonKey}
	keys = append(keys, Managers...)
	keys = append(keys, c.otherKeys...)
	for _, d := range c.byName {
		keys = append(keys, d.Keys()...)
	}
	keys = dedupe(keys)
	sort.Strings(keys)
	return keys
}

// IsKnownKey reports whether key is a packages.yaml key of some distro.
func (c *Catalog) IsKnownKey(key string) bool {
	return slices.Contains(c.KnownKeys(), key)
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := in[:0:0]
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
