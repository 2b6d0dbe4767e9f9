// Package version says which repobuild this is: its version and VCS commit,
// from the Go build information or stamped at link time, and the BuildKit
// client it was built with.
//
// Release builds stamp both (make release):
//
//	go build -ldflags "-X github.com/repobuild/repobuild/internal/version.Version=v1.2.0 \
//	  -X github.com/repobuild/repobuild/internal/version.Commit=$(git rev-parse HEAD)"
package version

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Set by -ldflags -X; they win over the build information.
var (
	Version string
	Commit  string
)

// Info describes the running binary.
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	// Modified is true when the commit's tree had local changes.
	Modified bool   `json:"modified,omitempty"`
	BuildKit string `json:"buildkit"`
	Go       string `json:"go"`
}

// Get returns the running binary's Info.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return fromBuildInfo(bi, Version, Commit)
}

// fromBuildInfo fills Info from bi (nil when there is none) and the
// link-time values, which take precedence when set.
func fromBuildInfo(bi *debug.BuildInfo, version, commit string) Info {
	info := Info{Version: "unknown", BuildKit: "unknown", Go: runtime.Version()}
	if bi != nil {
		// "(devel)" for a build from a checkout, the module version for
		// `go install ...@vX`.
		if v := bi.Main.Version; v != "" {
			info.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Commit = s.Value
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
		for _, m := range bi.Deps {
			if m.Path == "github.com/moby/buildkit" {
				info.BuildKit = m.Version
				if m.Replace != nil && m.Replace.Version != "" {
					info.BuildKit = m.Replace.Version
				}
			}
		}
		if bi.GoVersion != "" {
			info.Go = bi.GoVersion
		}
	}
	if version != "" {
		info.Version = version
	}
	if commit != "" {
		info.Commit, info.Modified = commit, false
	}
	return info
}

// String is the line `repobuild version` prints, e.g.
// "repobuild v1.2.0 (commit 0123abc, BuildKit v0.33.1, go1.26.8)".
func (i Info) String() string {
	s := "repobuild " + i.Version + " ("
	if i.Commit != "" {
		s += "commit " + i.Commit
		if i.Modified {
			s += "+modified"
		}
		s += ", "
	}
	return s + "BuildKit " + i.BuildKit + ", " + i.Go + ")"
}

// versionFlag is the linker flag's name of Version.
const versionFlag = "github.com/repobuild/repobuild/internal/version.Version="

// LDFlag is the linker flag that stamps v as the Version.
func LDFlag(v string) string { return "-X " + versionFlag + v }

// String is this binary's version, in one word (Of).
func String() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return word(fromBuildInfo(bi, Version, Commit))
}

// Of is the version a binary's build information says, in one word: the
// Version its linker flags stamp, the main module's version, or
// "git-<commit>[-dirty]" for a build from a checkout; "unknown" when it
// says none of them.
func Of(bi *debug.BuildInfo) string {
	stamped := ""
	for _, s := range bi.Settings {
		if s.Key != "-ldflags" {
			continue
		}
		for _, f := range strings.Fields(s.Value) {
			if v, ok := strings.CutPrefix(f, versionFlag); ok && v != "" {
				stamped = v
			}
		}
	}
	return word(fromBuildInfo(bi, stamped, ""))
}

// word is the version of i in one word.
func word(i Info) string {
	if i.Version != "unknown" && i.Version != "(devel)" && i.Version != "" {
		return i.Version
	}
	if i.Commit == "" {
		return "unknown"
	}
	w := "git-" + i.Commit[:min(len(i.Commit), 12)]
	if i.Modified {
		w += "-dirty"
	}
	return w
}
