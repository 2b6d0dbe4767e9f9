package packages

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/repobuild/repobuild/internal/golden"
)

// goldenFiles are the real-world anchor files, which must parse unchanged,
// and an example exercising the rest of the format.
var goldenFiles = []string{
	"testdata/anchors/k8sli-packages.yaml",
	"testdata/anchors/kubean-packages.yml",
	"testdata/anchors/muzi502-packages.yaml",
	"testdata/example.yaml",
}

var goldenTargets = []struct {
	name string
	sel  Selector
}{
	{"debian12", debian12},
	{"centos7", centos7},
	{"rocky9", rocky9},
	{"ubuntu2204", ubuntu2204},
}

func TestGolden(t *testing.T) {
	for _, path := range goldenFiles {
		f, err := Load(path)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if err := f.Validate(isKnown, knownKeys); err != nil {
			t.Errorf("Validate %s: %v", path, err)
		}
		base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		for _, tg := range goldenTargets {
			t.Run(base+"/"+tg.name, func(t *testing.T) {
				reqs, warnings, err := f.Select(tg.sel)
				if err != nil {
					t.Fatalf("Select: %v", err)
				}
				var b strings.Builder
				fmt.Fprintf(&b, "# %s for %s (manager %s; keys %s)\n",
					filepath.ToSlash(path), tg.name, tg.sel.Manager, strings.Join(tg.sel.Keys, " "))
				for _, w := range warnings {
					fmt.Fprintf(&b, "# warning: %s\n", w)
				}
				b.WriteString(summary(reqs))
				golden.Check(t, filepath.Join("testdata", "golden", base+"."+tg.name+".txt"), b.String())
			})
		}
	}
}
