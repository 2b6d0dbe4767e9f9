package distros

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzParse loads arbitrary distro definitions (seeds:
// testdata/fuzz/FuzzParse, the catalog's own files among them), as
// --distros-dir does. A refusal names the file and says something; an
// accepted definition has what the builder relies on (its keys, a tree
// inside the output for every architecture, sources for every
// architecture) and written back as YAML it loads to itself.
func FuzzParse(f *testing.F) {
	f.Add([]byte("name: x1\nos: x\nversion: \"1\"\nmanager: apt\ncodename: c\nimage: i\npath: x\narches: {amd64: amd64}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const source = "fuzz.yaml"
		d, err := Parse(source, data)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, source+": ") || len(msg) == len(source+": ") {
				t.Fatalf("error %q does not name %s", msg, source)
			}
			return
		}
		if d.Source != source || !slices.Contains(Managers, d.Manager) || len(d.Arches) == 0 {
			t.Fatalf("accepted %+v", d)
		}
		keys := d.Keys()
		if !slices.Contains(keys, CommonKey) || !slices.Contains(keys, d.Manager) || !slices.Contains(keys, d.Name) || slices.Contains(keys, "") {
			t.Fatalf("keys %q", keys)
		}
		for _, arch := range d.PlatformArches() {
			tree, err := d.TreePath(arch)
			if err != nil {
				t.Fatalf("accepted, but no tree for %s: %v", arch, err)
			}
			if !filepath.IsLocal(tree) {
				t.Fatalf("the tree of %s, %q, is not inside the output", arch, tree)
			}
			if _, err := d.SourcesFor(arch, ""); err != nil {
				t.Fatalf("accepted, but no sources for %s: %v", arch, err)
			}
		}
		out, err := yaml.Marshal(d)
		if err != nil {
			t.Fatalf("marshal %+v: %v", d, err)
		}
		again, err := Parse(source, out)
		if err != nil {
			t.Fatalf("written back as\n%s\nit does not load: %v", out, err)
		}
		if back, _ := yaml.Marshal(again); string(back) != string(out) {
			t.Fatalf("written back as\n%s\nit loads as\n%s", out, back)
		}
	})
}
