package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// repobuild runs the CLI in-process as main does and returns its stdout,
// stderr and exit status.
func repobuild(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPackagesFileErrors gives each command a broken packages.yaml and
// checks the exact message on stderr (file, line, column, what is wrong),
// the exit status, and that the output directory is untouched. No daemon
// is needed: the file is rejected before anything runs.
func TestPackagesFileErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       string // stderr, with FILE for the file's path
	}{
		{
			name: "unknown key",
			yaml: "common: [curl]\ndebain12:\n  - socat\n",
			want: "repobuild: FILE:2:1: unknown key \"debain12\" (did you mean \"debian12\"?)\n",
		},
		{
			name: "wrong type",
			yaml: "common: [curl]\napt: nfs-common\n",
			want: "repobuild: FILE:2:6: wrong type: \"apt\" must be a list of package specs or a group mapping, got string \"nfs-common\"\n",
		},
		{
			name: "conflicting pins",
			yaml: "apt:\n  - containerd.io=1.6.32-1\ndebian12:\n  - containerd.io=1.7.27-1\n",
			want: "repobuild: debian12/amd64: FILE:4:5: conflicting versions of \"containerd.io\" for debian 12: \"containerd.io=1.7.27-1\" here, \"containerd.io=1.6.32-1\" in \"apt\" at 2:5 (to carry several versions, list them under one key)\n",
		},
		{
			name: "unknown template variable",
			yaml: "apt:\n  - curl\n  - \"docker-ce=5:24.0.9-1~{{ .Distro }}.{{ .Version }}\"\n",
			want: "repobuild: FILE:3:5: unknown template variable .Distro in \"docker-ce=5:24.0.9-1~{{ .Distro }}.{{ .Version }}\" (valid: .ID, .Version, .Major, .Minor, .Codename, .Arch, .Manager)\n",
		},
		{
			name: "template syntax",
			yaml: "apt:\n  - \"docker-ce=5:24.0.9-1~{{ .ID }\"\n",
			want: "repobuild: FILE:2:5: template syntax error in \"docker-ce=5:24.0.9-1~{{ .ID }\": unexpected \"}\" in operand\n",
		},
		{
			// Options would land on apt-get's or dnf's command line.
			name: "options as packages",
			yaml: "apt:\n  - curl\n  - -o\n  - --allow-unauthenticated\n",
			want: "repobuild: FILE:3:5: invalid package spec \"-o\": starts with \"-\": package names start with a letter or digit (options cannot be given in packages.yaml)\n" +
				"FILE:4:5: invalid package spec \"--allow-unauthenticated\": starts with \"-\": package names start with a letter or digit (options cannot be given in packages.yaml)\n",
		},
		{
			name: "shell word",
			yaml: "common:\n  - curl;reboot\n",
			want: "repobuild: FILE:2:5: invalid package spec \"curl;reboot\": contains \";\", which the shell would interpret\n",
		},
		{
			// The target's manager decides the grammar.
			name: "not a Debian name",
			yaml: "common:\n  - curl\n  - NetworkManager\n",
			want: "repobuild: debian12/amd64: FILE:3:5: invalid apt package spec \"NetworkManager\": package name \"NetworkManager\": want lowercase letters, digits and \"+-.\", starting with a letter or digit, at least 2 characters\n",
		},
		{
			// yaml.v3 names the line of the mapping that the bad line breaks.
			name: "bad YAML",
			yaml: "common:\n  - curl\n - socat\n",
			want: "repobuild: FILE:2: bad YAML: did not find expected key\n",
		},
	}
	for _, tt := range tests {
		for _, command := range [][]string{{"plan"}, {"dockerfile"}, {}} {
			name := tt.name + "/build"
			if len(command) > 0 {
				name = tt.name + "/" + command[0]
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				file := writeFile(t, dir, "packages.yaml", tt.yaml)
				out := filepath.Join(dir, "out")
				if err := os.MkdirAll(out, 0o755); err != nil {
					t.Fatal(err)
				}
				marker := writeFile(t, out, "marker", "from an earlier build")
				args := append(append([]string(nil), command...), "--distro", "debian12", "-f", file)
				if len(command) == 0 {
					args = append(args, "-o", out, "--addr", "unix:///nonexistent/buildkitd.sock")
				}
				stdout, stderr, code := repobuild(t, args...)
				if want := strings.ReplaceAll(tt.want, "FILE", file); stderr != want {
					t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
				}
				if code != 1 || stdout != "" {
					t.Errorf("exit %d, stdout %q; want 1 and nothing", code, stdout)
				}
				entries, _ := os.ReadDir(out)
				if data, err := os.ReadFile(marker); err != nil || string(data) != "from an earlier build" || len(entries) != 1 {
					t.Errorf("the output directory changed: %v", entries)
				}
			})
		}
	}
}

func TestFlagErrors(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "packages.yaml", "common: [curl]\n")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"plan", "--distro", "debian12", "-f", file, "--mirror", "deb.example/debian"},
			"repobuild: --mirror: \"deb.example/debian\" is not an http://, https:// or file: URL\n"},
		{[]string{"plan", "--distro", "debian12", "-f", file, "-o", "yaml"},
			"repobuild: -o \"yaml\": use text or json\n"},
		{[]string{"plan", "--distro", "debian99", "-f", file},
			"repobuild: unknown distro \"debian99\" (known: almalinux8, almalinux9, centos7, centos8, debian9, debian10, debian11, debian12, debian13, fedora44, kylin-v10, openeuler22.03, openeuler24.03, oraclelinux8, oraclelinux9, rocky8, rocky9, ubuntu1804, ubuntu2004, ubuntu2204, ubuntu2404; see `repobuild distros`)\n"},
		{[]string{"plan", "--distro", "debian12", "--arch", "riscv64", "-f", file},
			"repobuild: unknown architecture \"riscv64\" (use amd64 or arm64)\n"},
		{[]string{"dockerfile", "--distro", "debian12,debian11", "-f", file},
			"repobuild: dockerfile takes one --distro (a Dockerfile builds one distro)\n"},
		{[]string{"plan", "--distro", "debian12", "-f", filepath.Join(dir, "missing.yaml")},
			"repobuild: load packages: open " + filepath.Join(dir, "missing.yaml") + ": no such file or directory\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:2], " "), func(t *testing.T) {
			_, stderr, code := repobuild(t, tt.args...)
			if code != 1 || stderr != tt.want {
				t.Errorf("exit %d, stderr:\n%s\nwant 1 and:\n%s", code, stderr, tt.want)
			}
		})
	}
}

// TestPlanOutput checks that -o json and --format json (the older
// spelling) print the same targets, and what a script reads from them.
func TestPlanOutput(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "packages.yaml", "common: [curl]\nubuntu:\n  - \"linux-tools-{{ .Arch }}?\"\njammy: [containerd.io=1.7.27-1]\n")
	stdout, stderr, code := repobuild(t, "plan", "--distro", "ubuntu2204", "--arch", "amd64,arm64", "-f", file, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	old, _, _ := repobuild(t, "plan", "--distro", "ubuntu2204", "--arch", "amd64,arm64", "-f", file, "--format", "json")
	if old != stdout {
		t.Errorf("--format json and -o json differ:\n%s\n%s", old, stdout)
	}
	type pkg struct {
		Spec     string   `json:"spec"`
		Name     string   `json:"name"`
		Version  string   `json:"version"`
		Optional bool     `json:"optional"`
		From     []string `json:"from"`
	}
	var got []struct {
		Distro   string   `json:"distro"`
		Arch     string   `json:"arch"`
		Keys     []string `json:"keys"`
		Packages []pkg    `json:"packages"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(got) != 2 || got[1].Distro != "ubuntu2204" || got[1].Arch != "arm64" {
		t.Fatalf("targets = %+v", got)
	}
	want := []pkg{
		{Spec: "curl", Name: "curl", From: []string{file + ":1:10 (common)"}},
		{Spec: "linux-tools-arm64", Name: "linux-tools-arm64", Optional: true, From: []string{file + ":3:5 (ubuntu)"}},
		{Spec: "containerd.io=1.7.27-1", Name: "containerd.io", Version: "1.7.27-1", From: []string{file + ":4:9 (jammy)"}},
	}
	if !reflect.DeepEqual(got[1].Packages, want) {
		t.Errorf("arm64 packages = %+v\nwant %+v", got[1].Packages, want)
	}
	if want := []string{"common", "apt", "ubuntu", "ubuntu2204", "jammy"}; !reflect.DeepEqual(got[1].Keys, want) {
		t.Errorf("keys = %v, want %v", got[1].Keys, want)
	}
}
