package builder

import (
	"fmt"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/cmd/buildctl/build"

	"github.com/repobuild/repobuild/builder/output"
)

// ParseCacheOptions reads buildx-style --cache-to/--cache-from values:
// type=local,dest=DIR | type=local,src=DIR | type=registry,ref=REF |
// type=gha[,scope=S] | type=inline. A bare value is a registry ref.
// type=gha takes the cache service's URL and token from the runner's
// environment as buildx and buildctl do (ACTIONS_CACHE_URL or
// ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN, ACTIONS_CACHE_SERVICE_V2)
// unless url=, url_v2= or token= are given.
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
		if typ == "gha" {
			if err := githubEnv(v, attrs); err != nil {
				return nil, err
			}
		}
		out = append(out, client.CacheOptionsEntry{Type: typ, Attrs: attrs})
	}
	return out, nil
}

// githubEnv adds to attrs of the gha cache option v what BuildKit's own
// client reads from the Actions runner's environment.
func githubEnv(v string, attrs map[string]string) error {
	filled, err := build.ParseImportCache([]string{v})
	if err != nil {
		return fmt.Errorf("cache option %q: %v (the runner gives these to actions, not to run: steps: export ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL to the step)", v, err)
	}
	for k, val := range filled[0].Attrs {
		if _, set := attrs[k]; !set {
			attrs[k] = val
		}
	}
	return nil
}
