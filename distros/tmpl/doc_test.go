package tmpl_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/distros/tmpl"
	"github.com/repobuild/repobuild/packages"
)

// documented reads the variables of the package documentation: those of
// every template (the list before "also have:") and the rest.
func documented(t *testing.T) (every, distroOnly []string) {
	t.Helper()
	data, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^//\t\.(\w+) `)
	list := &every
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasSuffix(l, "also have:") {
			list = &distroOnly
		}
		if m := line.FindStringSubmatch(l); m != nil {
			*list = append(*list, m[1])
		}
	}
	return every, distroOnly
}

func TestDocumentedVariables(t *testing.T) {
	every, distroOnly := documented(t)
	if !slices.Equal(every, tmpl.SpecVars) {
		t.Errorf("documented for every template: %v; SpecVars: %v", every, tmpl.SpecVars)
	}
	if all := append(every, distroOnly...); !slices.Equal(all, tmpl.Names()) {
		t.Errorf("documented: %v; Names: %v", all, tmpl.Names())
	}
}

// want are the values of the variables for the arm64 target of
// testDistro.
var want = map[string]string{
	"ID": "tos", "OS": "tos", "Name": "tname", "Version": "1.2", "Major": "1", "Minor": "2",
	"Codename": "tcode", "Arch": "tarm", "PlatformArch": "arm64", "Mirror": "http://m.test/arm",
}

// testDistro defines a distro for manager whose templates (path, sources,
// rpm.repos) all read the variable v.
func testDistro(t *testing.T, manager, v string) distros.Distro {
	t.Helper()
	def := fmt.Sprintf(`name: tname
os: tos
version: "1.2"
codename: tcode
manager: %s
image: i
arches: {amd64: tamd, arm64: tarm}
mirror: http://m.test/all
mirrors: {arm64: http://m.test/arm}
path: "p-{{.%s}}"
`, manager, v)
	if manager == "apt" {
		def += fmt.Sprintf("sources: ['deb {{.Mirror}} s-{{.%s}} main']\n", v)
	} else {
		def += fmt.Sprintf("rpm: {repos: [{id: r, baseurl: 'b-{{.%s}}', gpgkey: ['k-{{.%s}}']}]}\n", v, v)
	}
	d, err := distros.Parse("t.yaml", []byte(def))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestVariablesEverywhere renders every documented variable from each kind
// of template: a distro's path, apt sources and rpm repos, and the package
// specs of packages.yaml for the variables specs have.
func TestVariablesEverywhere(t *testing.T) {
	every, distroOnly := documented(t)
	for _, v := range append(every, distroOnly...) {
		t.Run(v, func(t *testing.T) {
			for _, manager := range []string{"apt", "dnf"} {
				value := want[v]
				if v == "Manager" {
					value = manager
				}
				d := testDistro(t, manager, v)
				if got, err := d.TreePath("arm64"); err != nil || got != "p-"+value {
					t.Errorf("%s path = %q, %v; want %q", manager, got, err, "p-"+value)
				}
				checkSources(t, d, value)
				checkRepo(t, d, value)
				checkSpec(t, d, v, value, slices.Contains(every, v))
			}
		})
	}
}

func checkSources(t *testing.T, d distros.Distro, value string) {
	t.Helper()
	if d.Manager != "apt" {
		return
	}
	got, err := d.SourcesFor("arm64", "")
	if want := []string{"deb http://m.test/arm s-" + value + " main"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("sources = %q, %v; want %q", got, err, want)
	}
}

func checkRepo(t *testing.T, d distros.Distro, value string) {
	t.Helper()
	if d.Manager == "apt" {
		return
	}
	got, err := d.RepoFile(d.RPMConfig().Repos, "arm64", "", nil)
	if err != nil || !strings.Contains(string(got), "\nbaseurl=b-"+value+"\n") || !strings.Contains(string(got), "\ngpgkey=k-"+value+"\n") {
		t.Errorf("repo file, err %v:\n%s\nwant baseurl=b-%s and gpgkey=k-%s", err, got, value, value)
	}
}

// checkSpec renders {{.v}} in a package spec: it is the value, or, for a
// variable specs do not have, an error naming it.
func checkSpec(t *testing.T, d distros.Distro, v, value string, inSpecs bool) {
	t.Helper()
	f, err := packages.Parse("packages.yaml", []byte(fmt.Sprintf("common: [\"x-{{.%s}}\"]\n", v)))
	if !inSpecs {
		if err == nil || !strings.Contains(err.Error(), "unknown template variable ."+v+" ") {
			t.Errorf("packages.yaml spec with .%s: error %v, want an unknown template variable", v, err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	vars, err := d.TemplateVars("arm64", "")
	if err != nil {
		t.Fatal(err)
	}
	reqs, _, err := f.Select(packages.Selector{Keys: d.Keys(), Manager: d.Manager, Vars: vars})
	if err != nil || len(reqs) != 1 || reqs[0].Spec != "x-"+value {
		t.Errorf("packages.yaml spec = %v, %v; want x-%s", reqs, err, value)
	}
}
