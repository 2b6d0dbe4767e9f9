package distros

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDefaultCatalog(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range c.All() {
		t.Run(d.Name, func(t *testing.T) {
			if d.Source != d.Name+".yaml" {
				t.Errorf("%s is defined in %s: one file per distro, named after it", d.Name, d.Source)
			}
			for _, arch := range []string{"amd64", "arm64"} {
				if _, err := d.TreePath(arch); err != nil {
					t.Error(err)
				}
			}
			if d.Manager == "apt" && (d.Bootstrap == nil || d.Bootstrap.Suite != d.Codename) {
				t.Errorf("apt distro without a bootstrap of its own suite")
			}
		})
	}
}

func TestKeys(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Get("debian12")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Keys(), []string{"common", "apt", "debian", "debian12", "bookworm"}; !slices.Equal(got, want) {
		t.Errorf("Keys = %v, want %v", got, want)
	}
	for _, k := range []string{"common", "apt", "yum", "dnf", "debian", "debian11", "trixie"} {
		if !c.IsKnownKey(k) {
			t.Errorf("%q is not a known key", k)
		}
	}
	if c.IsKnownKey("debain12") {
		t.Error("a misspelt key is known")
	}
}

func TestTreePath(t *testing.T) {
	d := Distro{Name: "el", Version: "9.4", Path: "rocky/{{.Major}}/os/{{.Arch}}", Arches: map[string]string{"amd64": "x86_64", "arm64": "aarch64"}}
	tests := map[string]string{"amd64": "rocky/9/os/x86_64", "arm64": "rocky/9/os/aarch64"}
	for arch, want := range tests {
		if got, err := d.TreePath(arch); err != nil || got != want {
			t.Errorf("TreePath(%s) = %q, %v; want %q", arch, got, err, want)
		}
	}
	if _, err := d.TreePath("riscv64"); err == nil || !strings.Contains(err.Error(), "not built for riscv64") {
		t.Errorf("unknown arch: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown field", "name: x\nos: x\nversion: '1'\nmanager: apt\ncodename: c\nimage: i\npath: p\narches: {amd64: amd64}\nmirorr: m\n",
			"x.yaml: yaml: unmarshal errors:\n  line 9: field mirorr not found in type distros.Distro"},
		{"missing fields", "name: x\n", "x.yaml: os is required\nversion is required\nmanager is required\nimage is required\npath is required\narches is required"},
		{"bad manager", "name: x\nos: x\nversion: '1'\nmanager: zypper\nimage: i\npath: p\narches: {amd64: x86_64}\n",
			`x.yaml: manager "zypper" is not one of apt, dnf, yum`},
		{"apt without codename", "name: x\nos: x\nversion: '1'\nmanager: apt\nimage: i\npath: p\narches: {amd64: amd64}\n",
			"x.yaml: codename is required for apt distros"},
		{"bad arch", "name: x\nos: x\nversion: '1'\nmanager: dnf\nimage: i\npath: p\narches: {x86_64: x86_64}\n",
			`x.yaml: arches: "x86_64" is not a platform architecture (amd64, arm64)`},
		// Found by FuzzParse: "path: /" put the tree over the output's root.
		{"tree at the root", "name: x\nos: x\nversion: '1'\nmanager: dnf\nimage: i\npath: /\narches: {arm64: aarch64}\n",
			`x.yaml: path "/": the tree of arm64, "/", must be a directory inside the output`},
		{"tree outside", "name: x\nos: x\nversion: '1'\nmanager: dnf\nimage: i\npath: \"{{.OS}}/../../{{.Arch}}\"\narches: {amd64: x86_64}\n",
			`x.yaml: path "{{.OS}}/../../{{.Arch}}": the tree of amd64, "x/../../x86_64", must be a directory inside the output`},
		{"tree is the output", "name: x\nos: x\nversion: '1'\nmanager: dnf\nimage: i\npath: \"{{.OS}}/..\"\narches: {amd64: x86_64}\n",
			`x.yaml: path "{{.OS}}/..": the tree of amd64, "x/..", must be a directory inside the output`},
		{"path template", "name: x\nos: x\nversion: '1'\nmanager: dnf\nimage: i\npath: \"{{.Codenam}}\"\narches: {amd64: x86_64}\n",
			`x.yaml: path: template: path:1:2: executing "path" at <.Codenam>: map has no entry for key "Codenam"`},
		// .Codename is "" for rpm distros (see package tmpl).
		{"empty tree", "name: x\nos: x\nversion: '1'\nmanager: dnf\nimage: i\npath: \"{{.Codename}}\"\narches: {amd64: x86_64}\n",
			`x.yaml: path "{{.Codename}}": the tree of amd64, "", must be a directory inside the output`},
		{"names that are no words", "name: ../x\nos: x y\nversion: '1;2'\nmanager: apt\ncodename: -c\nimage: i\npath: p\n" +
			"arches: {amd64: $(id)}\naliases: [\"\"]\ntools: [-oAPT::Get::AllowUnauthenticated=true]\n",
			"x.yaml: name \"../x\": want letters, digits and \"._+-\", starting with a letter or digit\n" +
				"os \"x y\": want letters, digits and \"._+-\", starting with a letter or digit\n" +
				"version \"1;2\": want letters, digits and \"._+-\", starting with a letter or digit\n" +
				"codename \"-c\": want letters, digits and \"._+-\", starting with a letter or digit\n" +
				"arches.amd64 \"$(id)\": want letters, digits and \"._+-\", starting with a letter or digit\n" +
				"tools: \"-oAPT::Get::AllowUnauthenticated=true\": want letters, digits and \"._+-\", starting with a letter or digit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.yaml))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestLoadDirOverrides(t *testing.T) {
	dir := t.TempDir()
	def := "name: debian12\nos: debian\nversion: '12'\ncodename: bookworm\nmanager: apt\nimage: registry.local/debian:12\npath: debian\narches: {amd64: amd64}\n"
	if err := os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.LoadDir(dir); err != nil {
		t.Fatal(err)
	}
	d, err := c.Get("debian12")
	if err != nil {
		t.Fatal(err)
	}
	if d.Image != "registry.local/debian:12" || d.Source != filepath.Join(dir, "mine.yaml") {
		t.Errorf("override not taken: %+v", d)
	}
	if _, err := c.Get("debian13"); err != nil {
		t.Errorf("built-in distros lost: %v", err)
	}
	if _, err := c.Get("nosuch"); err == nil || !strings.HasPrefix(err.Error(), `unknown distro "nosuch" (known: `) ||
		!strings.Contains(err.Error(), "debian9, debian10, debian11, debian12, debian13") {
		t.Errorf("unknown distro error = %v", err)
	}
}

// TestRPMRepoFiles renders the repositories of every yum/dnf distro for
// both architectures: every template resolves, every repository checks
// signatures.
func TestRPMRepoFiles(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range c.All() {
		if !d.IsRPM() {
			continue
		}
		t.Run(d.Name, func(t *testing.T) {
			repos := d.RPMConfig().Repos
			if len(repos) == 0 && d.UserSupplied == "" {
				t.Fatal("no repositories and no user_supplied note")
			}
			if want := d.OS + "/$releasever/os/$basearch"; d.ClientPath() != want {
				t.Errorf("ClientPath = %q, want %q", d.ClientPath(), want)
			}
			for _, arch := range d.PlatformArches() {
				data, err := d.RepoFile(repos, arch, "", nil)
				if err != nil {
					t.Fatal(err)
				}
				text := string(data)
				if n := strings.Count(text, "\n["); n != len(repos) {
					t.Errorf("%s: %d repositories, want %d", arch, n, len(repos))
				}
				if strings.Count(text, "gpgcheck=1\n") != len(repos) || strings.Contains(text, "gpgkey=\n") || strings.Contains(text, "{{") {
					t.Errorf("%s:\n%s", arch, text)
				}
			}
		})
	}
}
