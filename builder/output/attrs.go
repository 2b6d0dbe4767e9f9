package output

import (
	"fmt"
	"strings"
)

// ParseAttrs reads buildx's comma-separated KEY=VALUE syntax (-o,
// --cache-to, --cache-from); what names the flag in errors. Each key may
// be given once.
func ParseAttrs(what, spec string) (map[string]string, error) {
	attrs := map[string]string{}
	for _, field := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(field, "=")
		k = strings.TrimSpace(k)
		switch _, dup := attrs[k]; {
		case !ok:
			return nil, fmt.Errorf("%s %q: %q is not KEY=VALUE", what, spec, field)
		case k == "":
			return nil, fmt.Errorf("%s %q: %q has no KEY", what, spec, field)
		case dup:
			return nil, fmt.Errorf("%s %q: %s= is given twice", what, spec, k)
		}
		attrs[k] = strings.TrimSpace(v)
	}
	return attrs, nil
}
