package builder

import (
	"strconv"
	"time"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/repobuild/repobuild/builder/pipeline"
)

// Option configures a Builder.
type Option func(*options)

type options struct {
	pipeline.Config
	parallel   int
	nginxImage string
}

// WithBuildPlatform sets the platform package managers and indexers run on
// when they do not emulate. Builders take their worker's; Dockerfile
// generation needs none.
func WithBuildPlatform(p ocispecs.Platform) Option {
	return func(o *options) { o.BuildPlatform = p }
}

// WithEmulation runs each target's package manager on the target's own
// platform (QEMU for a foreign one) instead of cross-resolving natively.
func WithEmulation(on bool) Option {
	return func(o *options) { o.Emulate = on }
}

// WithRegistryMirror rewrites every base image reference to HOST[/PREFIX],
// keeping its repository path: docker.io/library/debian:bookworm becomes
// HOST/PREFIX/library/debian:bookworm.
func WithRegistryMirror(mirror string) Option {
	return func(o *options) { o.RegistryMirror = mirror }
}

// WithMirror replaces the package mirror of every distro.
func WithMirror(url string) Option {
	return func(o *options) { o.Mirror = url }
}

// WithImage uses ref as the base image of the named distro, as is.
func WithImage(distro, ref string) Option {
	return func(o *options) {
		if o.Images == nil {
			o.Images = map[string]string{}
		}
		o.Images[distro] = ref
	}
}

// WithNoCache resolves again even when nothing changed, to pick up new
// upstream versions. The package caches stay: only what changed upstream
// is downloaded. Every build with the returned option resolves the same
// way, so the outputs of one call agree.
func WithNoCache(on bool) Option {
	refresh := ""
	if on {
		refresh = strconv.FormatInt(time.Now().UnixNano(), 10)
	}
	return func(o *options) { o.Refresh = refresh }
}

// WithParallel bounds how many targets resolve at once (0: all).
func WithParallel(n int) Option {
	return func(o *options) { o.parallel = n }
}

// DefaultDownloads is how many package files a target downloads at once.
const DefaultDownloads = pipeline.DefaultDownloads

// WithDownloads sets how many package files each target downloads at once
// from its mirror (1: one after the other, as the package manager alone
// does). n < 1 keeps DefaultDownloads.
func WithDownloads(n int) Option {
	return func(o *options) { o.Downloads = n }
}

// WithNginxImage uses ref, as is, as the base of the nginx image output
// instead of DefaultNginxImage through the registry mirror.
func WithNginxImage(ref string) Option {
	return func(o *options) { o.nginxImage = ref }
}
