package frontend

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder"
	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/plan"
)

// The results a request's target (--target) picks.
const (
	TargetTree  = "tree"
	TargetNginx = "nginx"
)

// The build args the frontend reads (--build-arg NAME=VALUE); the CLI's
// flags of the same names.
const (
	ArgDistro         = "DISTRO"
	ArgMirror         = "MIRROR"
	ArgRegistryMirror = "REGISTRY_MIRROR"
	ArgDownloads      = "DOWNLOADS"
	ArgEmulate        = "EMULATE"
	ArgNoCache        = "NO_CACHE"
	ArgNginxImage     = "NGINX_IMAGE"
	// ArgArch names the architectures to resolve, as the CLI's --arch,
	// whatever platforms the request has: a builder of several nodes hands
	// each node only its own platforms.
	ArgArch = "ARCH"
	// ArgImagePrefix starts an image override: IMAGE_DEBIAN12=REF is the
	// CLI's --image debian12=REF. The distro's name is matched without
	// case, with any character but a letter or digit written as '_'.
	ArgImagePrefix = "IMAGE_"
)

// Request is what a build asks of the frontend.
type Request struct {
	Distros []string
	// Arches are the architectures to resolve, from the request's
	// platforms; the worker's own when it names none.
	Arches         []string
	Target         string
	Mirror         string
	RegistryMirror string
	Downloads      int
	Emulate        bool
	NoCache        bool
	NginxImage     string
	Images         map[string]string
	// Platforms are the platforms the request names, which the nginx
	// image is limited to; none: every one of image.Platforms.
	Platforms []ocispecs.Platform
}

// input is the part of a BuildKit request the frontend reads, as dockerui
// parses it.
type input struct {
	BuildArgs map[string]string
	Target    string
	Platforms []ocispecs.Platform
	// Worker is the platform the build runs on.
	Worker ocispecs.Platform
	// NoCache is the request's own no-cache (buildx --no-cache).
	NoCache bool
	// MultiPlatform is the request's multi-platform, which buildx sets on
	// every node's part of a build it splits across nodes.
	MultiPlatform bool
}

// parseRequest reads in against the names of the known distros.
func parseRequest(in input, known []string) (Request, error) {
	args := in.BuildArgs
	r := Request{Mirror: args[ArgMirror], RegistryMirror: args[ArgRegistryMirror], NginxImage: args[ArgNginxImage], Downloads: builder.DefaultDownloads}
	r.Distros = plan.Names([]string{args[ArgDistro]})
	if len(r.Distros) == 0 {
		return Request{}, fmt.Errorf("no distro given: set the build arg %s to one or more of %s (comma-separated)", ArgDistro, strings.Join(known, ", "))
	}
	for _, d := range r.Distros {
		if !slices.Contains(known, d) {
			return Request{}, fmt.Errorf("build arg %s: unknown distro %q (known: %s)", ArgDistro, d, strings.Join(known, ", "))
		}
	}
	var err error
	if r.Target, err = parseTarget(in.Target); err != nil {
		return Request{}, err
	}
	if r.Arches, r.Platforms, err = arches(in, args[ArgArch]); err != nil {
		return Request{}, err
	}
	if r.Mirror != "" {
		if err := distros.CheckMirrorURL(r.Mirror); err != nil {
			return Request{}, fmt.Errorf("build arg %s: %w", ArgMirror, err)
		}
	}
	if v := args[ArgDownloads]; v != "" {
		if r.Downloads, err = strconv.Atoi(v); err != nil || r.Downloads < 1 {
			return Request{}, fmt.Errorf("build arg %s=%q: want a number, 1 or more", ArgDownloads, v)
		}
	}
	if r.Emulate, err = boolArg(args, ArgEmulate); err != nil {
		return Request{}, err
	}
	if r.NoCache, err = boolArg(args, ArgNoCache); err != nil {
		return Request{}, err
	}
	r.NoCache = r.NoCache || in.NoCache
	if r.Images, err = images(args, known); err != nil {
		return Request{}, err
	}
	return r, nil
}

func parseTarget(t string) (string, error) {
	switch t {
	case "", TargetTree:
		return TargetTree, nil
	case TargetNginx:
		return TargetNginx, nil
	}
	return "", fmt.Errorf("unknown target %q (use %s, the default, or %s)", t, TargetTree, TargetNginx)
}

// arches are the architectures to resolve: ARCH's, else the request's
// platforms', else the worker's; and the request's platforms, normalised.
func arches(in input, arch string) ([]string, []ocispecs.Platform, error) {
	var names []string
	var ps []ocispecs.Platform
	for _, p := range in.Platforms {
		p = platforms.Normalize(p)
		if p.OS != "linux" || (p.Variant != "" && p.Architecture != "amd64") {
			return nil, nil, fmt.Errorf("platform %s: repobuild builds for linux/amd64 and linux/arm64", platforms.Format(p))
		}
		names = append(names, p.Architecture)
		ps = append(ps, p)
	}
	if len(names) > 0 {
		if _, err := plan.Arches(names); err != nil {
			return nil, nil, fmt.Errorf("platform: %w", err)
		}
	}
	if arch != "" {
		out, err := plan.Arches([]string{arch})
		if err != nil {
			return nil, nil, fmt.Errorf("build arg %s: %w", ArgArch, err)
		}
		return out, ps, nil
	}
	if in.MultiPlatform && len(ps) == 1 {
		return nil, nil, fmt.Errorf("this multi-platform build came with the one platform %s: a builder of several nodes split it, "+
			"and this node would resolve %s alone; name every architecture with the build arg %s (e.g. %s=amd64,arm64), which each node then resolves",
			platforms.Format(ps[0]), ps[0].Architecture, ArgArch, ArgArch)
	}
	if len(names) == 0 {
		names = []string{platforms.Normalize(in.Worker).Architecture}
	}
	out, err := plan.Arches(names)
	return out, ps, err
}

func boolArg(args map[string]string, name string) (bool, error) {
	v, ok := args[name]
	if !ok || v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("build arg %s=%q: want true or false (1 or 0)", name, v)
	}
	return b, nil
}

// images reads the IMAGE_<DISTRO> overrides.
func images(args map[string]string, known []string) (map[string]string, error) {
	byArg := map[string]string{}
	for _, name := range known {
		byArg[ArgImagePrefix+argName(name)] = name
	}
	out := map[string]string{}
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(args)) {
		if !strings.HasPrefix(strings.ToUpper(k), ArgImagePrefix) {
			continue
		}
		ref := args[k]
		name, ok := byArg[strings.ToUpper(k)]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("build arg %s: no such distro (known: %s)", k, strings.Join(known, ", ")))
		case ref == "":
			errs = append(errs, fmt.Errorf("build arg %s: want an image reference", k))
		default:
			out[name] = ref
		}
	}
	return out, errors.Join(errs...)
}

// argName is a distro's name in a build arg: IMAGE_OPENEULER22_03.
func argName(distro string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, distro)
}

// Options are the builder options of the request, as the CLI makes them
// from its flags.
func (r Request) Options() []builder.Option {
	opts := []builder.Option{
		builder.WithEmulation(r.Emulate),
		builder.WithNoCache(r.NoCache),
		builder.WithDownloads(r.Downloads),
		builder.WithRegistryMirror(r.RegistryMirror),
		builder.WithMirror(r.Mirror),
		builder.WithNginxImage(r.NginxImage),
	}
	for _, d := range slices.Sorted(maps.Keys(r.Images)) {
		opts = append(opts, builder.WithImage(d, r.Images[d]))
	}
	return opts
}
