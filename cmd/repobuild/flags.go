package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/spf13/cobra"

	"github.com/repobuild/repobuild/packages"
	"github.com/repobuild/repobuild/plan"
)

// buildx's spellings of what repobuild's own flags say: --platform beside
// --arch, -f - for stdin, BUILDKIT_PROGRESS as --progress's default.

// stdinName names packages.yaml read from stdin (-f -) in messages.
const stdinName = "<stdin>"

// archFlags returns the architectures --arch or --platform name, in
// platform spelling (amd64, arm64), or nil when neither is given.
func (c *common) archFlags() ([]string, error) {
	switch {
	case len(c.arches) > 0 && len(c.platforms) > 0:
		return nil, errors.New("--arch and --platform name the same thing: give one")
	case len(c.platforms) > 0:
		return platformArches(c.platforms)
	case len(c.arches) > 0:
		return plan.Arches(c.arches)
	}
	return nil, nil
}

// platformArches parses buildx's --platform list (linux/amd64,linux/arm64;
// arm64/v8, aarch64 and a bare arm64 are accepted) into architectures.
func platformArches(list []string) ([]string, error) {
	var out []string
	for _, item := range list {
		for _, s := range strings.Split(item, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			spec := s
			if !strings.Contains(spec, "/") {
				spec = "linux/" + spec // an architecture alone, as buildx takes it
			}
			p, err := platforms.Parse(spec)
			if err != nil {
				return nil, fmt.Errorf("--platform %q: %w", s, err)
			}
			p = platforms.Normalize(p)
			if p.OS != "linux" || p.Variant != "" || (p.Architecture != "amd64" && p.Architecture != "arm64") {
				return nil, fmt.Errorf("--platform %q: repobuild builds repositories for linux/amd64 and linux/arm64, not %s", s, platforms.Format(p))
			}
			if !slices.Contains(out, p.Architecture) {
				out = append(out, p.Architecture)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("--platform: no platform given (use linux/amd64,linux/arm64)")
	}
	return out, nil
}

// loadFile reads the packages file, from stdin for "-".
func (c *common) loadFile(cmd *cobra.Command) (*packages.File, error) {
	if c.file != "-" {
		return packages.Load(c.file)
	}
	data, err := io.ReadAll(cmd.InOrStdin())
	if err != nil {
		return nil, fmt.Errorf("load packages from stdin: %w", err)
	}
	return packages.Parse(stdinName, data)
}

// progressModes are buildx's --progress values.
var progressModes = []string{"auto", "plain", "tty", "quiet", "rawjson"}

// progressValue is --progress: one of progressModes.
type progressValue struct{ mode *string }

func (v progressValue) String() string { return *v.mode }
func (v progressValue) Type() string   { return "string" }
func (v progressValue) Set(s string) error {
	if !slices.Contains(progressModes, s) {
		return fmt.Errorf("use %s", strings.Join(progressModes, ", "))
	}
	*v.mode = s
	return nil
}

// progressFlag adds --progress to cmd, defaulting to $BUILDKIT_PROGRESS
// (as buildx and buildctl do) or fallback. A bad $BUILDKIT_PROGRESS fails
// the command before it runs, unless --progress is given.
func progressFlag(cmd *cobra.Command, mode *string, fallback string) {
	*mode = fallback
	env := os.Getenv("BUILDKIT_PROGRESS")
	if env != "" {
		*mode = env
	}
	cmd.Flags().Var(progressValue{mode}, "progress", "progress output: "+strings.Join(progressModes, ", ")+" ($BUILDKIT_PROGRESS)")
	next := cmd.PreRunE
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		if !cmd.Flags().Changed("progress") && !slices.Contains(progressModes, *mode) {
			return fmt.Errorf("BUILDKIT_PROGRESS=%q: use %s", env, strings.Join(progressModes, ", "))
		}
		if next != nil {
			return next(cmd, args)
		}
		return nil
	}
}
