package pipeline

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/packages"
	"github.com/repobuild/repobuild/plan"
)

// exampleTargets plans the repository's example packages.yaml for every
// architecture of the named distro.
func exampleTargets(t *testing.T, cat *distros.Catalog, name string) []plan.Target {
	t.Helper()
	data, err := os.ReadFile("../../packages.yaml")
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
// example packages.yaml (go test ./builder/pipeline -run TestDockerfilesInSync
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
			got, err := Dockerfile(Config{}, exampleTargets(t, cat, d.Name), dockerfileCommand(d))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("..", "..", "dockerfiles", d.Name, "Dockerfile")
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
				t.Fatalf("%v (go test ./builder/pipeline -run TestDockerfilesInSync -update writes it)", err)
			}
			if !bytes.Equal(have, got) {
				t.Errorf("%s has drifted from the generator: go test ./builder/pipeline -run TestDockerfilesInSync -update, and review the diff", path)
			}
		})
	}
	entries, err := os.ReadDir(filepath.Join("..", "..", "dockerfiles"))
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

// heredocs returns the files a stage's COPY instructions write: its
// heredocs, and those it copies from the heredocs of other stages.
func heredocs(s instructions.Stage, all map[string]instructions.Stage) map[string]string {
	out := map[string]string{}
	for _, c := range s.Commands {
		cp, ok := c.(*instructions.CopyCommand)
		if !ok {
			continue
		}
		for _, sc := range cp.SourceContents {
			out[strings.TrimPrefix(cp.DestPath, "/")] = sc.Data
		}
		if cp.From != "" {
			for _, src := range cp.SourcePaths {
				out[strings.TrimPrefix(cp.DestPath, "/")] = heredocs(all[cp.From], all)[strings.TrimPrefix(src, "/")]
			}
		}
	}
	return out
}

// runMounts returns the mounts of a stage's RUN, as the frontend reads
// them: target -> "bind from=STAGE", "bind source=PATH" or "cache id=ID".
func runMounts(t *testing.T, s instructions.Stage) (map[string]string, *instructions.RunCommand) {
	t.Helper()
	for _, c := range s.Commands {
		run, ok := c.(*instructions.RunCommand)
		if !ok {
			continue
		}
		// The frontend expands the flags before it reads them.
		if err := run.Expand(func(word string) (string, error) { return word, nil }); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, m := range instructions.GetMounts(run) {
			switch {
			case m.Type == instructions.MountTypeCache:
				out[m.Target] = "cache id=" + m.CacheID + " sharing=" + string(m.CacheSharing)
			case m.From != "" && m.Source != "":
				out[m.Target] = "bind from=" + m.From + " source=" + m.Source
			case m.From != "":
				out[m.Target] = "bind from=" + m.From
			default:
				out[m.Target] = "bind source=" + m.Source
			}
		}
		return out, run
	}
	t.Fatalf("stage %s has no RUN", s.Name)
	return nil, nil
}

// TestDockerfileMatchesSteps parses generated Dockerfiles with BuildKit's
// own parser and checks that each stage runs what its step says: the
// script from the checkout's builder/manager, the step's input.json and
// files byte for byte, its mounts (each from the stage of the step the
// pipeline names), its cache mount, network and platform.
func TestDockerfileMatchesSteps(t *testing.T) {
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		distro string
		cfg    Config
	}{
		{"debian12", Config{}},
		{"debian12", Config{Mirror: "http://127.0.0.1:8080/debian"}},
		{"ubuntu2204", Config{}},
		{"debian10", Config{}},
		{"rocky9", Config{}},
		{"rocky9", Config{Mirror: "http://127.0.0.1:8080/rocky"}},
		{"centos7", Config{}},
	} {
		t.Run(tt.distro, func(t *testing.T) {
			targets := exampleTargets(t, cat, tt.distro)
			df, err := Dockerfile(tt.cfg, targets, "repobuild dockerfile")
			if err != nil {
				t.Fatal(err)
			}
			st := stages(t, df)
			strict := tt.cfg
			strict.Strict = true
			p, err := New(strict, targets)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range p.Steps {
				id := s.ID
				if s.Kind == Tools {
					id += "-amd64"
				}
				stage, ok := st[id]
				if !ok {
					t.Fatalf("no stage %s", id)
				}
				want := map[string]string{InputFile: mustEncode(t, s.Input)}
				for _, f := range s.Files {
					want[f.Name] = string(f.Data)
				}
				if got := heredocs(st[id+"-in"], st); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: the input stage holds %v, want %v", id, got, want)
				}
				mounts, run := runMounts(t, stage)
				wantMounts := map[string]string{ManagerDir: "bind source=" + ScriptsContext, InDir: "bind from=" + id + "-in"}
				for _, m := range s.Mounts {
					wantMounts[m.Target] = "bind from=" + m.Step + " source=" + m.Output
					if n := countMounts(s, m.Target); n > 1 {
						wantMounts[m.Target] = "bind from=" + s.ID + "-" + path.Base(m.Target)
					}
				}
				if s.Cache != nil {
					wantMounts[s.Cache.Target] = "cache id=" + s.Cache.ID + " sharing=locked"
				}
				if !reflect.DeepEqual(mounts, wantMounts) {
					t.Errorf("%s: mounts %v, want %v", id, mounts, wantMounts)
				}
				if got := instructions.GetNetwork(run); (got == instructions.NetworkNone) == s.Network {
					t.Errorf("%s: network %q, step network %v", id, got, s.Network)
				}
				if cmd := strings.Join(run.CmdLine, " "); !strings.HasSuffix(cmd, "/bin/sh "+ManagerDir+"/"+s.Script) {
					t.Errorf("%s: runs %q, want %s", id, cmd, s.Script)
				}
				platform := "$BUILDPLATFORM"
				if s.OwnPlatform || s.Emulated {
					platform = "linux/" + s.Input.TargetArch
				}
				if s.On != "" {
					platform = ""
				}
				if stage.Platform != platform {
					t.Errorf("%s: platform %q, want %q", id, stage.Platform, platform)
				}
				if s.On != "" && stage.BaseName != s.On {
					t.Errorf("%s: FROM %s, want the stage of step %s", id, stage.BaseName, s.On)
				}
			}
			tools := p.Of(Tools)[0].ID
			if st[tools].BaseName != tools+"-${BUILDARCH}" {
				t.Errorf("the tools stage is FROM %q, want the builder's own architecture", st[tools].BaseName)
			}
			checkClients(t, st[""], p.Clients)
		})
	}
}

// checkClients checks that the tree's stage (the last, unnamed) writes
// the pipeline's clients/ files: install.sh copied from the build
// context, whose file at that path (the checkout's) has the bytes and
// mode the LLB build writes, and the per-distro files as heredocs, byte
// for byte.
func checkClients(t *testing.T, tree instructions.Stage, files []File) {
	t.Helper()
	want := map[string]string{}
	wantCopies := map[string]string{}
	for _, f := range files {
		if f.Context == "" {
			want[f.Name] = string(f.Data)
			continue
		}
		wantCopies[f.Context] = fmt.Sprintf("/%s %o", f.Name, f.Mode.Perm())
		checkout, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(f.Context)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(checkout, f.Data) {
			t.Errorf("%s of the checkout differs from the tree's %s", f.Context, f.Name)
		}
	}
	if len(want) == 0 || len(wantCopies) == 0 {
		t.Fatalf("clients: %d files as heredocs, %d from the context: want both kinds", len(want), len(wantCopies))
	}
	got := map[string]string{}
	for name, data := range heredocs(tree, nil) {
		if strings.HasPrefix(name, "clients/") {
			got[name] = data
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the tree's heredocs hold %v, want %v", got, want)
	}
	copies := map[string]string{}
	for _, c := range tree.Commands {
		if cp, ok := c.(*instructions.CopyCommand); ok && cp.From == "" && len(cp.SourcePaths) > 0 {
			copies[strings.Join(cp.SourcePaths, " ")] = cp.DestPath + " " + cp.Chmod
		}
	}
	if !reflect.DeepEqual(copies, wantCopies) {
		t.Errorf("the tree copies %v from the context, want %v", copies, wantCopies)
	}
}

func countMounts(s Step, target string) int {
	n := 0
	for _, m := range s.Mounts {
		if m.Target == target {
			n++
		}
	}
	return n
}

func mustEncode(t *testing.T, in Input) string {
	t.Helper()
	data, err := in.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestDockerfileOneDistro(t *testing.T) {
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	targets := append(exampleTargets(t, cat, "debian12"), exampleTargets(t, cat, "debian11")...)
	_, err = Dockerfile(Config{}, targets, "x")
	if err == nil || err.Error() != "a Dockerfile builds one distro: debian12 and debian11 given" {
		t.Errorf("error = %v", err)
	}
}
