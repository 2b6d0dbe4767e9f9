// Package version says which repobuild a binary is: the module version the
// go command stamped, else the commit it was built from.
package version

import (
	"runtime/debug"
	"strings"
)

// Override, set with -ldflags "-X github.com/repobuild/repobuild/internal/version.Override=V"
// (LDFlag), replaces what the build information says.
var Override string

const overrideFlag = "github.com/repobuild/repobuild/internal/version.Override="

// LDFlag is the linker flag that sets Override to v.
func LDFlag(v string) string { return "-X " + overrideFlag + v }

// String is this binary's repobuild version: Override, else what its build
// information says (Of).
func String() string {
	if Override != "" {
		return Override
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	return Of(info)
}

// Of is the version a binary's build information says: the Override its
// linker flags set, the main module's version, or "git-<commit>[-dirty]";
// "unknown" when it says none of them.
func Of(info *debug.BuildInfo) string {
	for _, s := range info.Settings {
		if s.Key != "-ldflags" {
			continue
		}
		for _, f := range strings.Fields(s.Value) {
			if v, ok := strings.CutPrefix(f, overrideFlag); ok && v != "" {
				return v
			}
		}
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if rev == "" {
		return "unknown"
	}
	return "git-" + rev[:min(len(rev), 12)] + dirty
}
