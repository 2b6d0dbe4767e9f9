package builder

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/repobuild/repobuild/builder/manager"
	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/packages"
	"github.com/repobuild/repobuild/plan"
)

var update = flag.Bool("update", false, "rewrite the generated Dockerfiles in dockerfiles/")

// exampleTargets plans the repository's example packages.yaml for every
// architecture of the named distro.
func exampleTargets(t *testing.T, cat *distros.Catalog, name string) []plan.Target {
	t.Helper()
	data, err := os.ReadFile("../packages.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := packages.Parse("packages.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	d, err := cat.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	targets, err := plan.Make(f, cat, []string{name}, d.PlatformArches())
	if err != nil {
		t.Fatal(err)
	}
	return targets
}

func dockerfileCommand(d distros.Distro) string {
	return "repobuild dockerfile --distro " + d.Name + " --arch " + strings.Join(d.PlatformArches(), ",") + " -f packages.yaml"
}

// TestDockerfilesInSync fails when dockerfiles/DISTRO/Dockerfile differs
// from what `repobuild dockerfile` generates for the catalog and the
// example packages.yaml (go test ./builder -run TestDockerfilesInSync
// -update regenerates them).
func TestDockerfilesInSync(t *testing.T) {
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, d := range cat.All() {
		if d.Image == "" {
			continue // the user names the image (kylin-v10)
		}
		want[d.Name] = true
		t.Run(d.Name, func(t *testing.T) {
			got, err := NewGraph().Dockerfile(exampleTargets(t, cat, d.Name), dockerfileCommand(d))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("..", "dockerfiles", d.Name, "Dockerfile")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			have, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./builder -run TestDockerfilesInSync -update writes it)", err)
			}
			if !bytes.Equal(have, got) {
				t.Errorf("%s has drifted from the generator: go test ./builder -run TestDockerfilesInSync -update, and review the diff", path)
			}
		})
	}
	entries, err := os.ReadDir(filepath.Join("..", "dockerfiles"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !want[e.Name()] {
			t.Errorf("dockerfiles/%s is for a distro the catalog does not have", e.Name())
		}
	}
}

// stages parses a Dockerfile the way BuildKit's frontend does.
func stages(t *testing.T, dockerfile []byte) map[string]instructions.Stage {
	t.Helper()
	ast, err := parser.Parse(bytes.NewReader(dockerfile))
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]instructions.Stage{}
	for _, s := range list {
		out[s.Name] = s
	}
	return out
}

// heredocs returns the files a stage's COPY heredocs write.
func heredocs(s instructions.Stage) map[string]string {
	out := map[string]string{}
	for _, c := range s.Commands {
		if cp, ok := c.(*instructions.CopyCommand); ok {
			for _, sc := range cp.SourceContents {
				out[strings.TrimPrefix(cp.DestPath, "/")] = sc.Data
			}
		}
	}
	return out
}

// stageEnv returns the variables a stage's ENV instructions set, as the
// frontend expands them.
func stageEnv(t *testing.T, s instructions.Stage) []envVar {
	t.Helper()
	lex := shell.NewLex('\\')
	var out []envVar
	for _, c := range s.Commands {
		if e, ok := c.(*instructions.EnvCommand); ok {
			for _, kv := range e.Env {
				v, _, err := lex.ProcessWord(kv.Value, shell.EnvsFromSlice(nil))
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, envVar{kv.Key, v})
			}
		}
	}
	return out
}

// TestDockerfileMatchesGraph parses generated Dockerfiles with BuildKit's
// own parser and checks that they carry what the graph runs: the manager's
// scripts byte for byte, each step's requests and sources, and its
// environment.
func TestDockerfileMatchesGraph(t *testing.T) {
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		distro string
		opts   []Option
	}{
		{"debian12", nil},
		{"debian12", []Option{WithMirror("http://127.0.0.1:8080/debian")}},
		{"ubuntu2204", nil},
		{"debian10", nil},
		{"rocky9", nil},
		{"rocky9", []Option{WithMirror("http://127.0.0.1:8080/rocky")}},
		{"centos7", nil},
	} {
		t.Run(tt.distro, func(t *testing.T) {
			g := NewGraph(tt.opts...)
			targets := exampleTargets(t, cat, tt.distro)
			d := targets[0].Distro
			df, err := g.Dockerfile(targets, "repobuild dockerfile")
			if err != nil {
				t.Fatal(err)
			}
			st := stages(t, df)
			m, err := manager.Get(d.Manager)
			if err != nil {
				t.Fatal(err)
			}
			// Every file of the manager, byte for byte.
			scripts := heredocs(st["scripts"])
			for name, want := range m.Files {
				if !strings.HasPrefix(name, ".") && scripts[name] != string(want) {
					t.Errorf("the Dockerfile's %s is not builder/manager's %s", name, name)
				}
			}
			for _, tg := range targets {
				files, err := g.stepFiles(d, m, tg.Arch, "fetch.sh", m.Fetch)
				if err != nil {
					t.Fatal(err)
				}
				rpm, err := g.rpmFiles(tg)
				if err != nil {
					t.Fatal(err)
				}
				files = append(append(files, rpm...), stepFile{name: "requests", data: []byte(requestsFile(tg))})
				in := heredocs(st["fetch-in-"+tg.Arch])
				var own []string
				for _, f := range files {
					if _, ok := m.Files[f.name]; ok {
						continue
					}
					own = append(own, f.name)
					if in[f.name] != string(f.data) {
						t.Errorf("%s: the Dockerfile's %s is %q, the graph's %q", tg, f.name, in[f.name], f.data)
					}
				}
				if len(in) != len(own) {
					t.Errorf("%s: the Dockerfile's fetch has files %v, want %v", tg, keysOf(in), own)
				}
				tree, _ := d.TreePath(tg.Arch)
				want := append(g.stepEnv(d, tg.Arch, tg.NativeArch, tree), rpmVars(d)...)
				for _, stage := range []string{"fetch-", "index-"} {
					if got := stageEnv(t, st[stage+tg.Arch]); !equalEnv(got, want) {
						t.Errorf("%s: %s stage env %v, want %v", tg, stage, got, want)
					}
				}
				// The platform the graph runs the fetch on.
				platform := "$BUILDPLATFORM"
				if g.emulated(tg, m) || !m.Cross {
					platform = "linux/" + tg.Arch
				}
				if got := st["fetch-"+tg.Arch].Platform; got != platform {
					t.Errorf("%s: the fetch runs on %q, want %q", tg, got, platform)
				}
			}
			for _, arch := range d.PlatformArches() {
				native, _ := d.Arch(arch)
				want := append(g.toolsEnv(d, arch, native), rpmVars(d)...)
				if got := stageEnv(t, st["tools-"+arch]); !equalEnv(got, want) {
					t.Errorf("tools-%s env %v, want %v", arch, got, want)
				}
			}
			if st["tools"].BaseName != "tools-${BUILDARCH}" {
				t.Errorf("the tools stage is FROM %q, want the builder's own architecture", st["tools"].BaseName)
			}
		})
	}
}

func equalEnv(a, b []envVar) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDockerfileOneDistro(t *testing.T) {
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	targets := append(exampleTargets(t, cat, "debian12"), exampleTargets(t, cat, "debian11")...)
	_, err = NewGraph().Dockerfile(targets, "x")
	if err == nil || err.Error() != "a Dockerfile builds one distro: debian12 and debian11 given" {
		t.Errorf("error = %v", err)
	}
}
