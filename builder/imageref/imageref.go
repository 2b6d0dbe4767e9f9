// Package imageref rewrites image references to a registry mirror.
package imageref

import (
	"fmt"
	"strings"

	"github.com/distribution/reference"
)

// Mirror rewrites an image reference to the registry mirror
// HOST[/PREFIX], keeping the repository path, tag and digest:
// docker.io/library/debian:bookworm becomes HOST/PREFIX/library/debian:bookworm.
func Mirror(ref, mirror string) (string, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", fmt.Errorf("image reference %q: %w", ref, err)
	}
	mirror = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(mirror, "https://"), "http://"), "/")
	if mirror == "" {
		return "", fmt.Errorf("empty registry mirror")
	}
	out := mirror + "/" + reference.Path(named)
	if tagged, ok := named.(reference.Tagged); ok {
		out += ":" + tagged.Tag()
	}
	if digested, ok := named.(reference.Digested); ok {
		out += "@" + digested.Digest().String()
	}
	if _, err := reference.ParseNormalizedNamed(out); err != nil {
		return "", fmt.Errorf("registry mirror %q: %w", mirror, err)
	}
	return out, nil
}

// Pin adds the digest an image resolved to, so that its layers are those
// of the config read.
func Pin(ref, dgst string) (string, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", fmt.Errorf("image reference %q: %w", ref, err)
	}
	return named.String() + "@" + dgst, nil
}
