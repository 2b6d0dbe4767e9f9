package packages

import (
	"errors"
	"slices"
	"testing"
)

var knownKeys = []string{
	"common", "apt", "yum", "dnf",
	"debian", "debian9", "debian10", "debian11", "debian12", "bookworm", "bullseye",
	"ubuntu", "ubuntu2004", "ubuntu2204", "ubuntu2404", "jammy", "focal", "noble",
	"centos", "centos7", "centos8", "redhat7", "redhat8", "redhat9", "redhat10",
	"rocky", "rocky8", "rocky9", "fedora", "fedora33", "fedora34", "kylin",
	"openeuler", "oracle8", "oracle9", "tencentos31", "bigcloud2110",
}

func isKnown(key string) bool { return slices.Contains(knownKeys, key) }

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		known func(string) bool
		want  string
	}{
		{
			name: "suggestion",
			in:   "common: [curl]\noptional:\n  debain12:\n    - nfs-common\n",
			want: `packages.yaml:3:3: unknown key "debain12" (did you mean "debian12"?)`,
		},
		{
			name: "suggestion ignores case",
			in:   "Ubuntu: [x]\n",
			want: `packages.yaml:1:1: unknown key "Ubuntu" (did you mean "ubuntu"?)`,
		},
		{
			name: "no suggestion",
			in:   "group:\n  archlinux: [x]\n",
			want: `packages.yaml:2:3: unknown key "archlinux"`,
		},
		{
			name: "several",
			in:   "ap: [x]\nyum: [y]\ncentos77: [z]\n",
			want: lines(
				`packages.yaml:1:1: unknown key "ap" (did you mean "apt"?)`,
				`packages.yaml:3:1: unknown key "centos77" (did you mean "centos7"?)`,
			),
		},
		{
			name: "group named like a selector",
			in:   "debian12:\n  common: [x]\n",
			want: `packages.yaml:1:1: group key "debian12" is a selector key: group keys are labels and do not select packages`,
		},
		{
			name:  "nil known uses suggestions",
			in:    "apt: [x]\nyumm: [y]\n",
			known: nil,
			want:  `packages.yaml:2:1: unknown key "yumm" (did you mean "yum"?)`,
		},
		{
			name: "valid",
			in:   "kubespray:\n  common: [x]\n  optional:\n    apt: [y]\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("packages.yaml", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			known := tt.known
			if known == nil && tt.name != "nil known uses suggestions" {
				known = isKnown
			}
			err = f.Validate(known, knownKeys)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate succeeded, want:\n%s", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
			if !errors.Is(err, ErrUnknownKey) && !errors.Is(err, ErrGroupKey) {
				t.Errorf("error does not wrap ErrUnknownKey or ErrGroupKey")
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct{ key, want string }{
		{"debain12", "debian12"},
		{"centso", "centos"},
		{"rocky10", "rocky"}, // first of the closest
		{"xyz", ""},
		{"a", ""}, // distance must be smaller than the key
	}
	for _, tt := range tests {
		if got := suggest(tt.key, knownKeys); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}
