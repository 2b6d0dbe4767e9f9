package builder

import (
	"fmt"
	"strings"

	"github.com/distribution/reference"
)

// MirrorRef rewrites an image reference to the registry mirror
// HOST[/PREFIX], keeping the repository path, tag and digest.
func MirrorRef(ref, mirror string) (string, error) {
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
