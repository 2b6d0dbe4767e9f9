// Package repoconf writes the configuration a package manager reads to use
// a repository: an apt source, as a one-line entry of a .list file or as a
// deb822 stanza of a .sources file, and a section of a yum/dnf .repo file.
// It is the one place that knows these formats; the client files of a tree
// (package clients), the build's own .repo files (package distros) and the
// lines the command line prints all write through it.
//
// Values are written as they are: they must be one line each (distro
// definitions and packages.yaml are checked for that when they are read).
package repoconf

import (
	"strings"
)

// AptSource is one apt source: every suite of every URI, with the same
// components and options.
type AptSource struct {
	URIs       []string
	Suites     []string
	Components []string
	// Trusted makes apt accept the repository unsigned: trusted=yes.
	Trusted bool
	// SignedBy is the keyring the repository's Release is checked
	// against: signed-by=FILE.
	SignedBy string
}

// options returns the source's options as one-line entries spell them
// (key=value) and as deb822 fields (Key: value), in the same order.
func (s AptSource) options() (oneLine, deb822 []string) {
	if s.Trusted {
		oneLine, deb822 = append(oneLine, "trusted=yes"), append(deb822, "Trusted: yes")
	}
	if s.SignedBy != "" {
		oneLine, deb822 = append(oneLine, "signed-by="+s.SignedBy), append(deb822, "Signed-By: "+s.SignedBy)
	}
	return oneLine, deb822
}

// OneLine returns the source as lines of a .list file, one for each URI
// and suite, "deb [OPTIONS] URI SUITE COMPONENT...", without a final
// newline.
func (s AptSource) OneLine() string {
	opts, _ := s.options()
	prefix := "deb "
	if len(opts) > 0 {
		prefix += "[" + strings.Join(opts, " ") + "] "
	}
	var lines []string
	for _, uri := range s.URIs {
		for _, suite := range s.Suites {
			lines = append(lines, prefix+strings.Join(append([]string{uri, suite}, s.Components...), " "))
		}
	}
	return strings.Join(lines, "\n")
}

// Deb822 returns the source as a stanza of a .sources file, without a
// final newline.
func (s AptSource) Deb822() string {
	_, opts := s.options()
	lines := []string{"Types: deb", "URIs: " + strings.Join(s.URIs, " "), "Suites: " + strings.Join(s.Suites, " ")}
	// A flat repository (suite "./") has no components.
	if len(s.Components) > 0 {
		lines = append(lines, "Components: "+strings.Join(s.Components, " "))
	}
	return strings.Join(append(lines, opts...), "\n")
}

// YumRepo is one section of a yum/dnf .repo file.
type YumRepo struct {
	ID string
	// Name is the repository's description; empty: ID.
	Name    string
	BaseURL string
	Enabled bool
	// GPGCheck checks the packages' signatures against GPGKeys.
	GPGCheck bool
	// RepoGPGCheck also checks the signature of repomd.xml.
	RepoGPGCheck bool
	// GPGKeys are the URLs of the keys, on one gpgkey line; none: no line.
	GPGKeys []string
}

// options are the lines of the section after its [ID] header.
func (r YumRepo) options() []string {
	name := r.Name
	if name == "" {
		name = r.ID
	}
	lines := []string{
		"name=" + name,
		"baseurl=" + r.BaseURL,
		"enabled=" + bit(r.Enabled),
		"gpgcheck=" + bit(r.GPGCheck),
		"repo_gpgcheck=" + bit(r.RepoGPGCheck),
	}
	if len(r.GPGKeys) > 0 {
		lines = append(lines, "gpgkey="+strings.Join(r.GPGKeys, " "))
	}
	return lines
}

// Section returns the repository as a section of a .repo file, "[ID]" and
// its key=value lines, without a final newline.
func (r YumRepo) Section() string {
	return strings.Join(append([]string{"[" + r.ID + "]"}, r.options()...), "\n")
}

// Option returns the line of the section that sets key ("baseurl=URL"),
// or "" when the section has none.
func (r YumRepo) Option(key string) string {
	for _, line := range r.options() {
		if strings.HasPrefix(line, key+"=") {
			return line
		}
	}
	return ""
}

func bit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
