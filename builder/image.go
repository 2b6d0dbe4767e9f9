package builder

import "github.com/repobuild/repobuild/builder/imageref"

// MirrorRef rewrites an image reference to the registry mirror
// HOST[/PREFIX], keeping the repository path, tag and digest.
func MirrorRef(ref, mirror string) (string, error) { return imageref.Mirror(ref, mirror) }
