package builder

import (
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseCacheOptions reads two arbitrary --cache-to/--cache-from
// values (seeds: testdata/fuzz/FuzzParseCacheOptions). A refusal names the
// value at fault; what is accepted is one entry a non-empty value, of a
// known type, that written back as type=TYPE,KEY=VALUE parses to itself.
func FuzzParseCacheOptions(f *testing.F) {
	f.Add("type=local,dest=/tmp/c,mode=max", "127.0.0.1:5000/cache:debian")
	f.Add("type=gha,scope=repobuild", "type=inline")
	f.Fuzz(func(t *testing.T, first, second string) {
		values := []string{first, second}
		entries, err := ParseCacheOptions(values)
		if err != nil {
			prefix := func(v string) string { return "cache option " + strconv.Quote(v) + ": " }
			if msg := err.Error(); !(first != "" && strings.HasPrefix(msg, prefix(first))) && !(second != "" && strings.HasPrefix(msg, prefix(second))) {
				t.Fatalf("error %q names neither %q nor %q", msg, first, second)
			}
			return
		}
		var nonEmpty []string
		for _, v := range values {
			if v != "" {
				nonEmpty = append(nonEmpty, v)
			}
		}
		if len(entries) != len(nonEmpty) {
			t.Fatalf("%d entries of %d values", len(entries), len(nonEmpty))
		}
		for i, e := range entries {
			if !slices.Contains([]string{"local", "registry", "gha", "inline", "s3", "azblob"}, e.Type) {
				t.Fatalf("%q: type %q", nonEmpty[i], e.Type)
			}
			if _, ok := e.Attrs["type"]; ok {
				t.Fatalf("%q: type among the attributes %q", nonEmpty[i], e.Attrs)
			}
			back := "type=" + e.Type
			keys := make([]string, 0, len(e.Attrs))
			for k := range e.Attrs {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				back += "," + k + "=" + e.Attrs[k]
			}
			again, err := ParseCacheOptions([]string{back})
			if err != nil || len(again) != 1 || !reflect.DeepEqual(again[0], e) {
				t.Fatalf("%q gives %+v, written back as %q, which gives %+v, %v", nonEmpty[i], e, back, again, err)
			}
		}
	})
}
