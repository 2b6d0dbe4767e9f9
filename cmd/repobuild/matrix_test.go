package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/repobuild/repobuild/internal/golden"
)

// TestMatrixGolden prints the matrix of testdata/matrix.yaml as a workflow
// would and compares it, indented for review, with testdata/golden/.
func TestMatrixGolden(t *testing.T) {
	t.Setenv("GITHUB_REPOSITORY", "Example/OS-Packages")
	tests := []struct {
		name string
		args []string
	}{
		{"matrix", nil},
		{"matrix-split-arch", []string{"--split", "arch", "--image", "registry.local:5000/Example/OS-Packages"}},
		{"matrix-distro-flag", []string{"--distro", "debian13,centos7", "--platform", "linux/arm64", "--artifact-prefix", "repos"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := repobuild(t, append([]string{"matrix", "-f", "testdata/matrix.yaml"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			// $GITHUB_OUTPUT takes name=value on one line.
			if strings.Count(stdout, "\n") != 1 || !strings.HasSuffix(stdout, "\n") {
				t.Errorf("not one line:\n%s", stdout)
			}
			var b bytes.Buffer
			if err := json.Indent(&b, []byte(stdout), "", "  "); err != nil {
				t.Fatalf("%v: %s", err, stdout)
			}
			golden.Check(t, filepath.Join("testdata", "golden", tt.name+".json"), b.String())
		})
	}
}

func TestMatrixErrors(t *testing.T) {
	bare := writeFile(t, t.TempDir(), "packages.yaml", "common: [curl]\n")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-f", bare}, "repobuild: no distro given: use --distro, or name them in " + bare + " under repobuild: distros: (see `repobuild distros`)\n"},
		{[]string{"-f", "testdata/matrix.yaml", "--split", "target"}, "repobuild: --split \"target\": use distro or arch\n"},
		{[]string{"-f", "testdata/matrix.yaml", "--image", "repos:v1"},
			"repobuild: --image: image \"repos:v1\": want a repository without tag or digest (the tags are the distros)\n"},
		{[]string{"-f", "testdata/matrix.yaml", "--image", "a b"}, "repobuild: --image: image \"a b\": invalid reference format\n"},
		{[]string{"-f", bare, "--distro", "debian99"}, "repobuild: unknown distro \"debian99\""},
	}
	for _, tt := range tests {
		stdout, stderr, code := repobuild(t, append([]string{"matrix"}, tt.args...)...)
		if code != 1 || stdout != "" || !strings.HasPrefix(stderr, tt.want) {
			t.Errorf("matrix %v: exit %d, stdout %q, stderr:\n%s\nwant 1 and:\n%s", tt.args, code, stdout, stderr, tt.want)
		}
	}
}
