package builder

import (
	"fmt"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/client"

	"github.com/repobuild/repobuild/builder/output"
)

// ParseCacheOptions reads buildx-style --cache-to/--cache-from values:
// type=local,dest=DIR | type=local,src=DIR | type=registry,ref=REF |
// type=gha[,scope=S] | type=inline. A bare value is a registry ref.
func ParseCacheOptions(values []string) ([]client.CacheOptionsEntry, error) {
	var out []client.CacheOptionsEntry
	for _, v := range values {
		if v == "" {
			continue
		}
		attrs := map[string]string{"type": "registry", "ref": v}
		if strings.Contains(v, "=") {
			var err error
			if attrs, err = output.ParseAttrs("cache option", v); err != nil {
				return nil, err
			}
		}
		typ := attrs["type"]
		delete(attrs, "type")
		if ref, ok := attrs["ref"]; ok && typ == "registry" {
			if _, err := reference.ParseNormalizedNamed(ref); err != nil {
				return nil, fmt.Errorf("cache option %q: ref %q is not an image reference: %w", v, ref, err)
			}
		}
		switch typ {
		case "local", "registry", "gha", "inline", "s3", "azblob":
		case "":
			return nil, fmt.Errorf("cache option %q: no type= (local, registry, gha)", v)
		default:
			return nil, fmt.Errorf("cache option %q: unknown type %q (local, registry, gha)", v, typ)
		}
		out = append(out, client.CacheOptionsEntry{Type: typ, Attrs: attrs})
	}
	return out, nil
}
