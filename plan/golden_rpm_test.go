package plan

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/internal/golden"
	"github.com/repobuild/repobuild/packages"
)

// TestGoldenRPM records what every yum/dnf distro of the catalog selects
// from the anchors' packages files (packages/testdata/anchors): the lists
// `repobuild plan` prints. The anchors also use keys of distros the
// catalog lacks (redhat8, tencentos31, ...), which Make rejects, so the
// selection is checked per target here.
func TestGoldenRPM(t *testing.T) {
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	anchors, err := filepath.Glob(filepath.Join("..", "packages", "testdata", "anchors", "*"))
	if err != nil || len(anchors) == 0 {
		t.Fatalf("no anchors: %v", err)
	}
	for _, path := range anchors {
		f, err := packages.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			fmt.Fprintf(&b, "# %s for every yum/dnf distro (go test ./plan -update rewrites this file)\n", filepath.Base(path))
			for _, d := range cat.All() {
				if !d.IsRPM() {
					continue
				}
				for _, arch := range d.PlatformArches() {
					tg, err := target(f, d, arch)
					fmt.Fprintf(&b, "\n%s/%s (%s; keys %s)\n", d.Name, arch, tg.NativeArch, strings.Join(d.Keys(), " "))
					if err != nil {
						fmt.Fprintf(&b, "  error: %v\n", err)
						continue
					}
					for _, r := range tg.Requests {
						var from []string
						for _, s := range r.Sources {
							from = append(from, fmt.Sprintf("%d:%d (%s)", s.Line, s.Column, s.Key))
						}
						opt := ""
						if r.Optional {
							opt = " (optional)"
						}
						fmt.Fprintf(&b, "  %s%s <- %s\n", r.Spec, opt, strings.Join(from, ", "))
					}
				}
			}
			golden.Check(t, filepath.Join("testdata", "golden", name+".rpm.txt"), b.String())
		})
	}
}
