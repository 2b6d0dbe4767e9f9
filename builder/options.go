package builder

import (
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Option configures a Graph or a Builder.
type Option func(*options)

type options struct {
	buildPlatform  ocispecs.Platform
	emulate        bool
	registryMirror string
	mirror         string
	images         map[string]string
	noCache        bool
	parallel       int
	nginxImage     string
}

// WithBuildPlatform sets the platform package managers and indexers run on
// when they do not emulate: the builder's native platform.
func WithBuildPlatform(p ocispecs.Platform) Option {
	return func(o *options) { o.buildPlatform = p }
}

// WithEmulation runs each target's package manager on the target's own
// platform (QEMU for a foreign one) instead of cross-resolving natively.
func WithEmulation(on bool) Option {
	return func(o *options) { o.emulate = on }
}

// WithRegistryMirror rewrites every base image reference to HOST[/PREFIX],
// keeping its repository path: docker.io/library/debian:bookworm becomes
// HOST/PREFIX/library/debian:bookworm.
func WithRegistryMirror(mirror string) Option {
	return func(o *options) { o.registryMirror = mirror }
}

// WithMirror replaces the package mirror of every distro.
func WithMirror(url string) Option {
	return func(o *options) { o.mirror = url }
}

// WithImage uses ref as the base image of the named distro, as is.
func WithImage(distro, ref string) Option {
	return func(o *options) {
		if o.images == nil {
			o.images = map[string]string{}
		}
		o.images[distro] = ref
	}
}

// WithNoCache re-resolves and re-downloads even when nothing changed, to
// pick up new upstream versions.
func WithNoCache(on bool) Option {
	return func(o *options) { o.noCache = on }
}

// WithParallel bounds how many targets resolve at once (0: all).
func WithParallel(n int) Option {
	return func(o *options) { o.parallel = n }
}

// WithNginxImage uses ref, as is, as the base of the nginx image output
// instead of DefaultNginxImage through the registry mirror.
func WithNginxImage(ref string) Option {
	return func(o *options) { o.nginxImage = ref }
}
