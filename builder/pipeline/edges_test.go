package pipeline

import (
	"testing"

	"github.com/moby/buildkit/solver/pb"
)

// TestEdges walks the tree's graph by its edges, as BuildKit's llbtest
// does: each step reads exactly what the pipeline says, from the step it
// says, and only the steps that talk to a mirror have the network.
func TestEdges(t *testing.T) {
	_, g := tree(t, Config{}, debianTarget(t, "amd64"), debianTarget(t, "arm64"))
	fetches := map[string]*pb.Op{}
	for _, f := range g.byScript("fetch.sh") {
		fetches[g.env(f)["REPOBUILD_TARGET_ARCH"]] = f
		if f.GetExec().GetNetwork() == pb.NetMode_NONE {
			t.Errorf("the fetch for %s has no network", g.env(f)["REPOBUILD_TARGET_ARCH"])
		}
		if c := mount(f, CacheDir); c == nil || c.GetMountType() != pb.MountType_CACHE || c.GetCacheOpt().GetSharing() != pb.CacheSharingOpt_LOCKED {
			t.Errorf("the fetch has no locked cache mount at %s", CacheDir)
		}
	}
	tools := g.byScript("tools.sh")[0]
	for _, ix := range g.byScript("index.sh") {
		arch := g.env(ix)["REPOBUILD_TARGET_ARCH"]
		fetch := fetches[arch]
		if ix.GetExec().GetNetwork() != pb.NetMode_NONE {
			t.Errorf("the index for %s has the network", arch)
		}
		for dir, want := range map[string]string{TreeDir: OutDir, ReportDir: ReportDir} {
			src, i := g.input(ix, dir)
			if src != fetch || output(src, i) != want {
				t.Errorf("the index for %s mounts at %s output %q of %q, want the fetch's %s", arch, dir, output(src, i), script(src), want)
			}
			if !mount(ix, dir).GetReadonly() {
				t.Errorf("the index for %s may write its %s", arch, dir)
			}
		}
		if root, _ := g.input(ix, "/"); root != tools {
			t.Errorf("the index for %s runs on %q, want the tools step's root", arch, script(root))
		}
	}
	release := g.byScript("release.sh")[0]
	if release.GetExec().GetNetwork() != pb.NetMode_NONE {
		t.Error("the release step has the network")
	}
	merged, _ := g.input(release, TreeDir)
	if merged.GetMerge() == nil || len(merged.GetInputs()) != 2 {
		t.Fatalf("the release step's tree is not a merge of the two indexes: %v", merged)
	}
	for _, in := range merged.GetInputs() {
		src := g.ops[digestOf(in)]
		if script(src) != "index.sh" || output(src, in.GetIndex()) != OutDir {
			t.Errorf("the release step's tree merges %s output %q, want an index's %s", script(src), output(src, in.GetIndex()), OutDir)
		}
	}
	// The tree's locks are the fetches' lock.json.
	locks := 0
	for _, op := range g.ops {
		for _, a := range op.GetFile().GetActions() {
			cp := a.GetCopy()
			if cp == nil || cp.GetSrc() != "/"+LockFile {
				continue
			}
			locks++
			in := op.GetInputs()[a.GetSecondaryInput()]
			if src := g.ops[digestOf(in)]; script(src) != "fetch.sh" || output(src, in.GetIndex()) != ReportDir {
				t.Errorf("%s is copied from %s output %q, want a fetch's report", cp.GetDest(), script(src), output(src, in.GetIndex()))
			}
		}
	}
	if locks != 2 {
		t.Errorf("%d locks in the tree, want 2", locks)
	}
}

// TestGraphIsStable: the same pipeline marshals to the same graph, so
// that BuildKit's cache finds it again.
func TestGraphIsStable(t *testing.T) {
	a, b := make([]string, 0), make([]string, 0)
	for _, out := range []*[]string{&a, &b} {
		_, g := tree(t, Config{}, debianTarget(t, "amd64"), debianTarget(t, "arm64"), rpmTarget(t, "rocky9", "arm64"))
		for _, d := range g.order {
			*out = append(*out, string(d))
		}
	}
	if len(a) != len(b) {
		t.Fatalf("%d ops, then %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("op %d differs between two renderings", i)
		}
	}
}
