package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	checkout := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/repobuild/repobuild", Version: "(devel)"},
		Deps:      []*debug.Module{{Path: "github.com/moby/buildkit", Version: "v0.33.1"}},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "62ed457aa"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	installed := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/repobuild/repobuild", Version: "v1.2.0"},
		Deps:      []*debug.Module{{Path: "github.com/moby/buildkit", Version: "v0.33.0", Replace: &debug.Module{Version: "v0.33.1"}}},
	}
	tests := []struct {
		name            string
		bi              *debug.BuildInfo
		version, commit string
		want            string
	}{
		{"from a checkout", checkout, "", "", "repobuild (devel) (commit 62ed457aa+modified, BuildKit v0.33.1, go1.26.8)"},
		{"go install @version", installed, "", "", "repobuild v1.2.0 (BuildKit v0.33.1, go1.26.8)"},
		{"stamped by -ldflags", checkout, "v1.3.0", "0123abc", "repobuild v1.3.0 (commit 0123abc, BuildKit v0.33.1, go1.26.8)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fromBuildInfo(tt.bi, tt.version, tt.commit).String(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	if got := fromBuildInfo(nil, "", ""); got.Version != "unknown" || got.BuildKit != "unknown" || got.Go == "" {
		t.Errorf("without build information: %+v", got)
	}
}
func TestOf(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"a module version", debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, "v1.2.0"},
		{"a checkout", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}}, "git-0123456789ab"},
		{"a changed checkout", debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}}}, "git-0123456789ab-dirty"},
		{"the linker's", debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{{Key: "-ldflags", Value: "-s -w " + LDFlag("git-abc")}}}, "git-abc"},
		{"nothing stamped", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "unknown"},
	}
	for _, tt := range tests {
		if got := Of(&tt.info); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
