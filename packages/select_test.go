package packages

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

var (
	debian12 = Selector{
		Keys:    []string{"common", "apt", "debian", "debian12", "bookworm"},
		Manager: "apt",
		Vars:    Vars{ID: "debian", Version: "12", Major: "12", Codename: "bookworm", Arch: "amd64", Manager: "apt"},
	}
	centos7 = Selector{
		Keys:    []string{"common", "yum", "centos", "centos7"},
		Manager: "yum",
		Vars:    Vars{ID: "centos", Version: "7", Major: "7", Arch: "x86_64", Manager: "yum"},
	}
	// rocky9 assumes the distro catalog lets dnf distros use yum lists too,
	// as the anchor files expect.
	rocky9 = Selector{
		Keys:    []string{"common", "yum", "dnf", "rocky", "rocky9"},
		Manager: "dnf",
		Vars:    Vars{ID: "rocky", Version: "9", Major: "9", Arch: "x86_64", Manager: "dnf"},
	}
	ubuntu2204 = Selector{
		Keys:    []string{"common", "apt", "ubuntu", "ubuntu2204", "jammy"},
		Manager: "apt",
		Vars:    Vars{ID: "ubuntu", Version: "22.04", Major: "22", Minor: "04", Codename: "jammy", Arch: "amd64", Manager: "apt"},
	}
)

// summary renders requests as "spec name=.. version=.. [optional] <- key@line:col, ...".
func summary(reqs []Request) string {
	var b strings.Builder
	for _, r := range reqs {
		fmt.Fprintf(&b, "%s name=%s", r, r.Name)
		if r.Version != "" {
			fmt.Fprintf(&b, " version=%s", r.Version)
		}
		if r.Optional {
			b.WriteString(" optional")
		}
		b.WriteString(" <-")
		for i, s := range r.Sources {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, " %s@%d:%d", s.Key, s.Line, s.Column)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestSelect(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		sel      Selector
		want     string
		warnings []string
	}{
		{
			name: "apt pins and releases",
			in:   "apt:\n  - curl\n  - containerd.io=1.6.32-1\n  - containerd.io=1.7.27-1\n  - nginx/bookworm-backports\n",
			sel:  debian12,
			want: lines(
				"curl name=curl <- apt@2:5",
				"containerd.io=1.6.32-1 name=containerd.io version=1.6.32-1 <- apt@3:5",
				"containerd.io=1.7.27-1 name=containerd.io version=1.7.27-1 <- apt@4:5",
				"nginx/bookworm-backports name=nginx <- apt@5:5",
				""),
		},
		{
			name: "several versions in one list, other lists apart",
			in:   "ubuntu2204:\n  - containerd.io=1.6.32-1\n  - containerd.io=1.7.27-1\n  - containerd.io\ndebian12:\n  - containerd.io=1.6.20-1\n",
			sel:  ubuntu2204,
			want: lines(
				"containerd.io=1.6.32-1 name=containerd.io version=1.6.32-1 <- ubuntu2204@2:5",
				"containerd.io=1.7.27-1 name=containerd.io version=1.7.27-1 <- ubuntu2204@3:5",
				"containerd.io name=containerd.io <- ubuntu2204@4:5",
				""),
		},
		{
			name: "rpm specs are not split",
			in:   "yum:\n  - docker-ce-24.0.9-1.el7\n  - docker-ce-3:24.0.9-1.el8\n  - docker-ce-cli-1:24.0.9-1.el8.x86_64\n",
			sel:  centos7,
			want: lines(
				"docker-ce-24.0.9-1.el7 name=docker-ce-24.0.9-1.el7 <- yum@2:5",
				"docker-ce-3:24.0.9-1.el8 name=docker-ce-3:24.0.9-1.el8 <- yum@3:5",
				"docker-ce-cli-1:24.0.9-1.el8.x86_64 name=docker-ce-cli-1:24.0.9-1.el8.x86_64 <- yum@4:5",
				""),
		},
		{
			name: "only matching keys, in file order",
			in:   "debian12: [aa]\ncentos7: [bb]\ncommon: [cc]\nbookworm: [dd]\n",
			sel:  debian12,
			want: lines("aa name=aa <- debian12@1:12", "cc name=cc <- common@3:10", "dd name=dd <- bookworm@4:12", ""),
		},
		{
			name: "merge across lists keeps first position",
			in:   "common: [curl]\nk8s:\n  apt: [curl, socat]\ndebian: [socat]\n",
			sel:  debian12,
			want: lines(
				"curl name=curl <- common@1:10, k8s.apt@3:9",
				"socat name=socat <- k8s.apt@3:15, debian@4:10",
				""),
		},
		{
			name: "required wins",
			in:   "optional:\n  common: [aa, bb]\napt:\n  - aa\n  - cc?\ncommon: [cc]\ndebian:\n  - dd?\n  - dd?\n",
			sel:  debian12,
			want: lines(
				"aa name=aa <- optional.common@2:12, apt@4:5",
				"bb name=bb optional <- optional.common@2:16",
				"cc name=cc <- apt@5:5, common@6:10",
				"dd name=dd optional <- debian@8:5, debian@9:5",
				""),
			warnings: []string{`packages.yaml:9:5: duplicate package "dd" in "debian" (first at 8:5)`},
		},
		{
			name:     "duplicate in one list warns",
			in:       "apt:\n  - curl\n  - wget\n  - curl\n",
			sel:      debian12,
			want:     lines("curl name=curl <- apt@2:5, apt@4:5", "wget name=wget <- apt@3:5", ""),
			warnings: []string{`packages.yaml:4:5: duplicate package "curl" in "apt" (first at 2:5)`},
		},
		{
			name: "templates",
			in: "apt:\n  - docker-ce=5:20.10.5~3-0~{{ .ID }}-{{ .Codename }}\n" +
				"  - \"v{{ .Version }}-{{ .Major }}-{{ .Minor }}-{{ .Arch }}-{{ .Manager }}\"\n" +
				"yum:\n  - docker-ce-20.10.5-3.el{{ .Major }}\n  - \"{{ .Codename }}x\"\n",
			sel: ubuntu2204,
			want: lines(
				"docker-ce=5:20.10.5~3-0~ubuntu-jammy name=docker-ce version=5:20.10.5~3-0~ubuntu-jammy <- apt@2:5",
				"v22.04-22-04-amd64-apt name=v22.04-22-04-amd64-apt <- apt@3:5",
				""),
		},
		{
			name: "rpm template",
			in:   "yum:\n  - docker-ce-20.10.5-3.el{{ .Major }}.{{ .Arch }}\n",
			sel:  centos7,
			want: lines("docker-ce-20.10.5-3.el7.x86_64 name=docker-ce-20.10.5-3.el7.x86_64 <- yum@2:5", ""),
		},
		{
			name: "manager variable defaults to selector manager",
			in:   "yum: [\"x-{{ .Manager }}\"]\n",
			sel:  Selector{Keys: []string{"yum"}, Manager: "dnf"},
			want: lines("x-dnf name=x-dnf <- yum@1:7", ""),
		},
		{
			name: "templated duplicates merge",
			in:   "yum: [\"a-{{ .Major }}\"]\ncentos7: [a-7]\n",
			sel:  centos7,
			want: lines("a-7 name=a-7 <- yum@1:7, centos7@2:11", ""),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("packages.yaml", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			reqs, warnings, err := f.Select(tt.sel)
			if err != nil {
				t.Fatalf("Select: %v", err)
			}
			if got := summary(reqs); got != tt.want {
				t.Errorf("requests:\n%s\nwant:\n%s", got, tt.want)
			}
			if strings.Join(warnings, "\n") != strings.Join(tt.warnings, "\n") {
				t.Errorf("warnings = %q, want %q", warnings, tt.warnings)
			}
			for _, r := range reqs {
				if r.Sources[0].File != "packages.yaml" {
					t.Errorf("source file = %q", r.Sources[0].File)
				}
			}
		})
	}
}

func TestSelectErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		sel  Selector
		want string
		kind error
	}{
		{
			name: "empty after templating",
			in:   "yum:\n  - \"{{ .Codename }}\"\n",
			sel:  centos7,
			want: `packages.yaml:2:5: package spec "{{ .Codename }}" is empty after templating for centos 7`,
			kind: ErrEmptySpec,
		},
		{
			name: "execution error",
			in:   "apt:\n  - \"x{{ .ID.Name }}\"\n",
			sel:  debian12,
			want: `packages.yaml:2:5: template error in "x{{ .ID.Name }}" for debian 12: executing "spec" at <.ID.Name>: can't evaluate field Name in type string`,
			kind: ErrTemplate,
		},
		{
			name: "grows past the bound",
			in:   "apt:\n  - \"x{{ printf \\\"%0999999d\\\" 1 }}\"\n",
			sel:  debian12,
			want: `packages.yaml:2:5: template error in "x{{ printf \"%0999999d\" 1 }}" for debian 12: the spec grows past 4096 bytes`,
			kind: ErrTemplate,
		},
		{
			name: "whitespace after templating",
			in:   "apt:\n  - \"x{{ print \\\" \\\" }}y\"\n",
			sel:  debian12,
			want: `packages.yaml:2:5: invalid package spec "x y" after templating for debian 12: contains whitespace`,
			kind: ErrInvalidSpec,
		},
		{
			name: "bad apt pins",
			in:   "apt:\n  - =1.0\n  - curl=\n  - /stable\n  - curl/\n  - ok\n",
			sel:  debian12,
			want: lines(
				`packages.yaml:2:5: invalid apt package spec "=1.0": missing package name before "="`,
				`packages.yaml:3:5: invalid apt package spec "curl=": missing version after "="`,
				`packages.yaml:4:5: invalid apt package spec "/stable": missing package name before "/"`,
				`packages.yaml:5:5: invalid apt package spec "curl/": missing release after "/"`,
			),
			kind: ErrInvalidSpec,
		},
		{
			name: "conflicting pins",
			in: "common:\n  - containerd.io\ndebian12:\n  - containerd.io=1.6.32-1\n  - containerd.io=1.6.32-1\n" +
				"k8s:\n  optional:\n    apt: [nginx/bookworm-backports]\napt: [nginx, nginx=1.22.1-9]\n",
			sel: debian12,
			want: lines(
				`packages.yaml:4:5: conflicting versions of "containerd.io" for debian 12: "containerd.io=1.6.32-1" here, "containerd.io" in "common" at 2:5 (to carry several versions, list them under one key)`,
				`packages.yaml:5:5: conflicting versions of "containerd.io" for debian 12: "containerd.io=1.6.32-1" here, "containerd.io" in "common" at 2:5 (to carry several versions, list them under one key)`,
				`packages.yaml:9:7: conflicting versions of "nginx" for debian 12: "nginx" here, "nginx/bookworm-backports" in "k8s.optional.apt" at 8:11 (to carry several versions, list them under one key)`,
				`packages.yaml:9:14: conflicting versions of "nginx" for debian 12: "nginx=1.22.1-9" here, "nginx/bookworm-backports" in "k8s.optional.apt" at 8:11 (to carry several versions, list them under one key)`,
			),
			kind: ErrConflictingPins,
		},
		{
			name: "unknown manager",
			in:   "apt: [curl]\n",
			sel:  Selector{Keys: []string{"apt"}, Manager: "zypper"},
			want: `select packages from packages.yaml: unknown package manager "zypper" (want apt, yum or dnf)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("packages.yaml", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			reqs, _, err := f.Select(tt.sel)
			if err == nil {
				t.Fatalf("Select succeeded with %v, want error:\n%s", reqs, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("errors.Is(err, %v) = false", tt.kind)
			}
		})
	}
}

func TestRequestString(t *testing.T) {
	r := Request{Spec: "docker-ce=5:24.0.9-1~debian.12~bookworm", Name: "docker-ce"}
	if got := r.String(); got != r.Spec {
		t.Errorf("String() = %q, want %q", got, r.Spec)
	}
}
