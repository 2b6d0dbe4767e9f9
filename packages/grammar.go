package packages

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// shellMeta are the characters a POSIX shell reads as something other than
// a word's letters. The manager scripts pass specs to the package manager
// as unquoted words, so no spec may hold one ("?" is also a glob character:
// it may only end a spec, as the optional marker).
const shellMeta = "|&;<>()$`\\\"'*?[]{}#!"

// plainProblem checks what every spec must satisfy whatever its manager:
// no white space, control or shell characters and no leading "-", which
// the package manager would take for an option. It returns "" when s is
// fine.
func plainProblem(s string) string {
	if problem := shellProblem(s); problem != "" {
		return problem
	}
	return dashProblem(s)
}

// shellProblem reports white space, control and shell characters in s.
func shellProblem(s string) string {
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return "contains whitespace"
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		return fmt.Sprintf("contains control character %U", []rune(s[i:])[0])
	}
	if i := strings.IndexAny(s, shellMeta); i >= 0 {
		return fmt.Sprintf("contains %q, which the shell would interpret", s[i:i+1])
	}
	return ""
}

// dashProblem reports a leading "-".
func dashProblem(s string) string {
	if strings.HasPrefix(s, "-") {
		return `starts with "-": package names start with a letter or digit (options cannot be given in packages.yaml)`
	}
	return ""
}

// The Debian grammar (Debian policy 5.6.1, 5.6.12): a spec is
// NAME[:ARCH][=VERSION | /RELEASE].
var (
	debName    = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)
	debArch    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	debVersion = regexp.MustCompile(`^([0-9]+:)?[A-Za-z0-9][A-Za-z0-9.+~-]*$`)
	debRelease = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.+_~-]*$`)
)

// Messages naming the Debian grammar's parts.
const (
	debNameRule    = `lowercase letters, digits and "+-.", starting with a letter or digit, at least 2 characters`
	debArchRule    = `lowercase letters, digits and "-"`
	debVersionRule = `[EPOCH:]VERSION: letters, digits and ".+~-", starting with a letter or digit; EPOCH is digits`
	debReleaseRule = `letters, digits and ".+_~-", starting with a letter or digit`
)

// splitApt checks an apt spec and splits it into name ("curl",
// "curl:arm64") and version (after "=", else "").
func splitApt(spec string) (name, version, problem string) {
	i := strings.IndexAny(spec, "=/")
	name, rest := spec, ""
	if i >= 0 {
		name, rest = spec[:i], spec[i+1:]
	}
	switch {
	case i >= 0 && name == "":
		return "", "", fmt.Sprintf("missing package name before %q", spec[i:i+1])
	case i >= 0 && rest == "" && spec[i] == '=':
		return "", "", `missing version after "="`
	case i >= 0 && rest == "":
		return "", "", `missing release after "/"`
	}
	bare, arch, qualified := strings.Cut(name, ":")
	switch {
	case !debName.MatchString(bare):
		return "", "", fmt.Sprintf("package name %q: want %s", bare, debNameRule)
	case qualified && !debArch.MatchString(arch):
		return "", "", fmt.Sprintf("architecture %q after %q: want %s", arch, bare+":", debArchRule)
	case i < 0:
		return name, "", ""
	case spec[i] == '=' && !debVersion.MatchString(rest):
		return "", "", fmt.Sprintf("version %q: want %s", rest, debVersionRule)
	case spec[i] == '=':
		return name, rest, ""
	case !debRelease.MatchString(rest):
		return "", "", fmt.Sprintf("release %q: want %s", rest, debReleaseRule)
	}
	return name, "", ""
}

// The RPM grammar: NAME, NAME.ARCH, NAME-VERSION[-RELEASE][.ARCH] or
// NAME-EPOCH:VERSION-RELEASE[.ARCH], as yum and dnf match them. The name
// cannot be told from the version syntactically, so the spec stays whole.
var (
	rpmChars = regexp.MustCompile(`^[A-Za-z0-9._+~^:-]*$`)
	rpmEpoch = regexp.MustCompile(`-[0-9]+:[A-Za-z0-9]`)
)

// rpmRule describes the RPM grammar in messages.
const rpmRule = `NAME[-[EPOCH:]VERSION[-RELEASE]][.ARCH] of letters, digits and "._+~^-"`

// checkRPM checks a yum or dnf spec.
func checkRPM(spec string) string {
	if !rpmChars.MatchString(spec) {
		i := strings.IndexFunc(spec, func(r rune) bool { return !rpmChars.MatchString(string(r)) })
		return fmt.Sprintf("%q is not allowed: want %s", string([]rune(spec[i:])[0]), rpmRule)
	}
	first, last := spec[0], spec[len(spec)-1]
	switch colons := strings.Count(spec, ":"); {
	case !isAlnum(first) && first != '_':
		return fmt.Sprintf("starts with %q: want %s", string(first), rpmRule)
	case !isAlnum(last) && last != '+' && last != '_':
		return fmt.Sprintf("ends with %q: want %s", string(last), rpmRule)
	case colons > 1:
		return fmt.Sprintf("more than one \":\": want %s", rpmRule)
	case colons == 1 && !rpmEpoch.MatchString(spec):
		return fmt.Sprintf("\":\" must follow an epoch (NAME-EPOCH:VERSION-RELEASE, e.g. docker-ce-3:24.0.9-1.el8), want %s", rpmRule)
	}
	return ""
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
