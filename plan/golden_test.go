package plan

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/internal/golden"
	"github.com/repobuild/repobuild/packages"
)

// anchors are the packages files of kubean, k8sli/os-packages and
// muzi502/scripts, unchanged.
var anchors = []string{
	"../packages/testdata/anchors/kubean-packages.yml",
	"../packages/testdata/anchors/k8sli-packages.yaml",
	"../packages/testdata/anchors/muzi502-packages.yaml",
}

// TestAnchorsGolden plans every anchor file, as it is, for every
// Debian-family distro of the catalog, and compares what `repobuild plan`
// prints with testdata/golden/ANCHOR.DISTRO.txt.
func TestAnchorsGolden(t *testing.T) {
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	var apt []distros.Distro
	for _, d := range cat.All() {
		if d.Manager == "apt" {
			apt = append(apt, d)
		}
	}
	if len(apt) < 9 {
		t.Fatalf("%d Debian-family distros in the catalog, want ubuntu1804-2404 and debian9-13", len(apt))
	}
	for _, path := range anchors {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(path)
		f, err := packages.Parse(name, data)
		if err != nil {
			t.Fatalf("%s does not parse: %v", name, err)
		}
		base := strings.TrimSuffix(name, filepath.Ext(name))
		for _, d := range apt {
			t.Run(base+"/"+d.Name, func(t *testing.T) {
				targets, err := Make(f, cat, []string{d.Name}, []string{"amd64"})
				if err != nil {
					t.Fatalf("plan: %v", err)
				}
				var b bytes.Buffer
				if err := WriteText(&b, targets); err != nil {
					t.Fatal(err)
				}
				golden.Check(t, filepath.Join("testdata", "golden", base+"."+d.Name+".txt"), b.String())
			})
		}
	}
}
