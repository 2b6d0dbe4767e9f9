package repoconf

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// printURIs returns the index URIs apt would fetch for one sources file,
// sorted.
func printURIs(t *testing.T, apt, file string) []string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"parts", "lists/partial", "cache"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "parts", "x"+filepath.Ext(file)), data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(apt, "-o", "Dir::Etc::SourceList=/dev/null", "-o", "Dir::Etc::SourceParts="+dir+"/parts",
		"-o", "Dir::State::Lists="+dir+"/lists", "-o", "Dir::Cache="+dir+"/cache", "-o", "Debug::NoLocking=1",
		"-o", "APT::Architecture=amd64", "-o", "APT::Architectures::=amd64", "update", "--print-uris").CombinedOutput()
	if err != nil || strings.Contains(string(out), "E:") || strings.Contains(string(out), "W:") {
		t.Fatalf("apt-get update --print-uris with %s: %v\n%s", file, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	slices.Sort(lines)
	return lines
}

// TestAptReadsGolden has apt read each golden source in both formats: it
// accepts them, and they name the same indexes.
func TestAptReadsGolden(t *testing.T) {
	apt, err := exec.LookPath("apt-get")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("apt-get is not installed")
		}
		t.Skip("apt-get is not installed")
	}
	lists, err := filepath.Glob(filepath.Join("testdata", "golden", "*.list"))
	if err != nil || len(lists) == 0 {
		t.Fatalf("no golden .list files: %v", err)
	}
	for _, list := range lists {
		t.Run(filepath.Base(list), func(t *testing.T) {
			oneLine := printURIs(t, apt, list)
			deb822 := printURIs(t, apt, strings.TrimSuffix(list, ".list")+".sources")
			if len(oneLine) == 0 || !slices.Equal(oneLine, deb822) {
				t.Errorf("the formats differ for apt:\n.list:\n%s\n.sources:\n%s", strings.Join(oneLine, "\n"), strings.Join(deb822, "\n"))
			}
		})
	}
}
