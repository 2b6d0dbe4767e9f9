// Package version says which repobuild a binary is: the module version the
// go command stamped, else the commit it was built from.
package version

import (
	"runtime/debug"
	"strings"
)

// Override, set with -ldflags "-X github.com/repobuild/repobuild/internal/version.Override=V",
// replaces what the build information says.
var Override string

// String is repobuild's version: Override, the main module's version, or
// "git-<commit>[-dirty]" for a build from a checkout; "unknown" without
// build information.
func String() string {
	if Override != "" {
		return Override
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
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
	return "git-" + rev[:min(len(rev), 12)] + strings.TrimSpace(dirty)
}
