package packages

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// lines joins expected error lines.
func lines(l ...string) string { return strings.Join(l, "\n") }

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		kind error
	}{
		{
			name: "number spec",
			in:   "centos7:\n  - 7\n",
			want: "packages.yaml:2:5: wrong type: package spec must be a string, got int 7",
			kind: ErrWrongType,
		},
		{
			name: "bool spec",
			in:   "apt: [curl, true]\n",
			want: "packages.yaml:1:13: wrong type: package spec must be a string, got bool true",
			kind: ErrWrongType,
		},
		{
			name: "unquoted template spec",
			in:   "apt:\n  - {{ .ID }}\n",
			want: `packages.yaml:2:5: wrong type: package spec must be a string, got mapping (quote specs that start with "{{")`,
			kind: ErrWrongType,
		},
		{
			name: "nested list spec",
			in:   "apt:\n  - [a, b]\n",
			want: "packages.yaml:2:5: wrong type: package spec must be a string, got sequence",
			kind: ErrWrongType,
		},
		{
			name: "scalar value",
			in:   "apt: curl\n",
			want: `packages.yaml:1:6: wrong type: "apt" must be a list of package specs or a group mapping, got string "curl"`,
			kind: ErrWrongType,
		},
		{
			name: "top level sequence",
			in:   "- curl\n",
			want: "packages.yaml:1:1: wrong type: top level must be a mapping of keys to package lists, got sequence",
			kind: ErrWrongType,
		},
		{
			name: "optional as list",
			in:   "optional:\n  - curl\n",
			want: `packages.yaml:2:3: wrong type: "optional" must be a mapping of keys to package lists, got sequence`,
			kind: ErrWrongType,
		},
		{
			name: "repobuild as string",
			in:   "repobuild: yes\n",
			want: `packages.yaml:1:12: wrong type: "repobuild" must be a mapping, got string "yes"`,
			kind: ErrWrongType,
		},
		{
			name: "repobuild nested",
			in:   "group:\n  repobuild: {}\n",
			want: `packages.yaml:2:3: "repobuild" is only allowed at the top level`,
			kind: ErrReservedKey,
		},
		{
			name: "integer key",
			in:   "7: [curl]\n",
			want: "packages.yaml:1:1: wrong type: key must be a string, got int 7",
			kind: ErrWrongType,
		},
		{
			name: "empty key",
			in:   `"": [curl]` + "\n",
			want: "packages.yaml:1:1: empty key",
			kind: ErrWrongType,
		},
		{
			name: "merge key",
			in:   "base: &b\n  apt: [curl]\ngroup:\n  <<: *b\n",
			want: `packages.yaml:4:3: merge keys ("<<") are not supported`,
			kind: ErrWrongType,
		},
		{
			name: "duplicate key",
			in:   "apt: [curl]\nyum: [curl]\napt: [wget]\n",
			want: `packages.yaml:3:1: duplicate key "apt" (first at 1:1)`,
			kind: ErrDuplicateKey,
		},
		{
			name: "null spec",
			in:   "apt:\n  - curl\n  -\n  - ~\n",
			want: lines(
				"packages.yaml:3:4: empty package spec (null)",
				"packages.yaml:4:5: empty package spec (null)",
			),
			kind: ErrEmptySpec,
		},
		{
			name: "empty spec",
			in:   "apt:\n  - \"\"\n  - \"?\"\n",
			want: lines(
				"packages.yaml:2:5: empty package spec",
				`packages.yaml:3:5: empty package spec "?"`,
			),
			kind: ErrEmptySpec,
		},
		{
			name: "whitespace",
			in:   "apt:\n  - \"curl wget\"\n  - \"a{{ .ID }} b\"\n",
			want: lines(
				`packages.yaml:2:5: invalid package spec "curl wget": contains whitespace`,
				`packages.yaml:3:5: invalid package spec "a{{ .ID }} b": contains whitespace outside {{ }}`,
			),
			kind: ErrInvalidSpec,
		},
		{
			name: "template unknown variable",
			in:   "apt:\n  - docker-ce=5:20.10.5~3-0~{{ .Foo }}-{{ .Codename }}\n",
			want: `packages.yaml:2:5: unknown template variable .Foo in "docker-ce=5:20.10.5~3-0~{{ .Foo }}-{{ .Codename }}" (valid: .ID, .Version, .Major, .Minor, .Codename, .Arch, .Manager)`,
			kind: ErrTemplate,
		},
		{
			name: "template unknown root variable",
			in:   "apt:\n  - \"x-{{ with .ID }}{{ . }}{{ $.Distro }}{{ end }}\"\n",
			want: `packages.yaml:2:5: unknown template variable .Distro in "x-{{ with .ID }}{{ . }}{{ $.Distro }}{{ end }}" (valid: .ID, .Version, .Major, .Minor, .Codename, .Arch, .Manager)`,
			kind: ErrTemplate,
		},
		{
			name: "template syntax error",
			in:   "yum:\n  - docker-ce-20.10.5-3.el{{ .Major }\n",
			want: `packages.yaml:2:5: template syntax error in "docker-ce-20.10.5-3.el{{ .Major }": unexpected "}" in operand`,
			kind: ErrTemplate,
		},
		{
			name: "template unknown function",
			in:   "yum:\n  - \"x-{{ lower .ID }}\"\n",
			want: `packages.yaml:2:5: template syntax error in "x-{{ lower .ID }}": function "lower" not defined`,
			kind: ErrTemplate,
		},
		{
			// Found by FuzzParse: a spec that calls itself ran for a second a target.
			name: "template recursion",
			in:   "apt:\n  - \"x{{ template \\\"spec\\\" }}\"\n  - \"x{{ if .ID }}{{ range .ID }}{{ end }}{{ end }}\"\n  - \"x{{ define \\\"y\\\" }}{{ end }}\"\n  - \"x{{ block \\\"y\\\" . }}{{ end }}\"\n",
			want: lines(
				`packages.yaml:2:5: {{template}} in "x{{ template \"spec\" }}": spec templates take no range, template, define or block actions`,
				`packages.yaml:3:5: {{range}} in "x{{ if .ID }}{{ range .ID }}{{ end }}{{ end }}": spec templates take no range, template, define or block actions`,
				`packages.yaml:4:5: {{define}} in "x{{ define \"y\" }}{{ end }}": spec templates take no range, template, define or block actions`,
				`packages.yaml:5:5: {{template}} in "x{{ block \"y\" . }}{{ end }}": spec templates take no range, template, define or block actions`,
			),
			kind: ErrTemplate,
		},
		{
			name: "bad YAML",
			in:   "apt:\n  - curl\n - wget\n",
			want: "packages.yaml:2: bad YAML: did not find expected key",
			kind: ErrYAML,
		},
		{
			name: "bad YAML without line",
			in:   "apt: *nope\n",
			want: "packages.yaml: bad YAML: unknown anchor 'nope' referenced",
			kind: ErrYAML,
		},
		{
			name: "multiple documents",
			in:   "apt: [curl]\n---\nyum: [curl]\n",
			want: "packages.yaml:2:1: multiple YAML documents are not supported",
			kind: ErrYAML,
		},
		{
			name: "all problems collected in file order",
			in:   "apt:\n  - 1\n  - \"\"\ngroup:\n  yum: curl\n  optional:\n    dnf:\n      - \"{{ .X }}\"\n",
			want: lines(
				"packages.yaml:2:5: wrong type: package spec must be a string, got int 1",
				"packages.yaml:3:5: empty package spec",
				`packages.yaml:5:8: wrong type: "yum" must be a list of package specs or a group mapping, got string "curl"`,
				`packages.yaml:8:9: unknown template variable .X in "{{ .X }}" (valid: .ID, .Version, .Major, .Minor, .Codename, .Arch, .Manager)`,
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("packages.yaml", []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded, want error:\n%s", tt.want)
			}
			if f != nil {
				t.Errorf("Parse returned a File with an error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Errorf("error is %T, want Errors", err)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("errors.Is(err, %v) = false", tt.kind)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		keys []string
	}{
		{name: "empty file", in: ""},
		{name: "comments only", in: "# nothing\n"},
		{name: "empty document", in: "---\n"},
		{name: "null list", in: "apt:\nyum: []\n", keys: []string{"apt", "yum"}},
		{name: "null optional and options", in: "optional:\nrepobuild:\n"},
		{name: "quoted number", in: "apt: [\"7\", !!str 8]\n", keys: []string{"apt"}},
		{name: "aliased list", in: "centos7: &el [a, b]\nredhat7: *el\n", keys: []string{"centos7", "redhat7"}},
		{name: "nested groups", in: "a:\n  b:\n    optional:\n      c:\n        apt: [x]\n", keys: []string{"apt"}},
		{name: "template with rebound dot", in: "apt: [\"x{{ with .ID }}{{ .Name }}{{ end }}\"]\n", keys: []string{"apt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("p.yaml", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var got []string
			for _, k := range f.Keys() {
				got = append(got, k.Key)
			}
			if strings.Join(got, ",") != strings.Join(tt.keys, ",") {
				t.Errorf("keys = %q, want %q", got, tt.keys)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	in := "common: [a]\nk8s:\n  apt: [b]\n  optional:\n    debian12: [c]\noptional:\n  yum: [d]\n"
	f, err := Parse("p.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"common p.yaml:1:1 (common)",
		"apt p.yaml:3:3 (k8s.apt)",
		"debian12 p.yaml:5:5 (k8s.optional.debian12)",
		"yum p.yaml:7:3 (optional.yum)",
	}
	keys := f.Keys()
	if len(keys) != len(want) {
		t.Fatalf("got %d keys, want %d", len(keys), len(want))
	}
	for i, k := range keys {
		if got := k.Key + " " + k.Source.String(); got != want[i] {
			t.Errorf("key %d = %q, want %q", i, got, want[i])
		}
	}
}

func TestOptions(t *testing.T) {
	f, err := Parse("p.yaml", []byte("repobuild:\n  arch: [amd64]\napt: [curl]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Options.Kind != yaml.MappingNode || f.Options.Line != 2 {
		t.Fatalf("Options = kind %v line %d, want mapping at line 2", f.Options.Kind, f.Options.Line)
	}
	var opts struct{ Arch []string }
	if err := f.Options.Decode(&opts); err != nil || len(opts.Arch) != 1 || opts.Arch[0] != "amd64" {
		t.Errorf("Options.Decode = %+v, %v", opts, err)
	}
	for _, k := range f.Keys() {
		if k.Key == OptionsKey {
			t.Errorf("Keys() includes %q", OptionsKey)
		}
	}
}

func TestLoad(t *testing.T) {
	f, err := Load("testdata/anchors/k8sli-packages.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "testdata/anchors/k8sli-packages.yaml" {
		t.Errorf("Name = %q", f.Name)
	}
	_, err = Load("testdata/missing.yaml")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want fs.ErrNotExist", err)
	}
}

func TestSourceString(t *testing.T) {
	tests := []struct {
		src  Source
		want string
	}{
		{Source{File: "packages.yaml", Line: 12, Column: 5, Key: "kubespray.apt"}, "packages.yaml:12:5 (kubespray.apt)"},
		{Source{File: "packages.yaml", Line: 1, Column: 1}, "packages.yaml:1:1"},
	}
	for _, tt := range tests {
		if got := tt.src.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

// TestParseGroupBomb: found by FuzzParse, groups that hold no list
// doubled at each level and Parse ran for ever.
func TestParseGroupBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("l0: &l0 {x: {}}\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "l%d: &l%d {a: *l%d, b: *l%d}\n", i, i, i-1, i-1)
	}
	start := time.Now()
	_, err := Parse("p.yaml", []byte(b.String()))
	want := "p.yaml:2:5: too many lists, groups and packages (more than 500000 after alias expansion)"
	if err == nil || err.Error() != want {
		t.Errorf("Parse = %v, want %s", err, want)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Parse took %v", took)
	}
}

// TestParseListBomb: one long list under many keys is bounded too.
func TestParseListBomb(t *testing.T) {
	in := "l: &l [" + strings.Repeat("aa, ", 20000) + "bb]\n" + "g: &g {a: *l, b: *l, c: *l, d: *l, e: *l, f: *l, g: *l, h: *l}\n"
	for i := 0; i < 10; i++ {
		in += fmt.Sprintf("g%d: &g%d {a: *g, b: *g}\n", i, i)
	}
	_, err := Parse("p.yaml", []byte(in))
	if err == nil || !strings.Contains(err.Error(), "too many lists, groups and packages (more than 500000 after alias expansion)") {
		t.Errorf("Parse = %v, want too many", err)
	}
}

// TestParseAliasCycle: found by FuzzParse, an alias inside the mapping it
// names made Parse recurse until memory ran out.
func TestParseAliasCycle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a: &a {b: *a}\n", "p.yaml:1:11: alias *a refers to a mapping that holds it"},
		{"a: &a\n  b:\n    c: *a\n  d: [curl]\n", "p.yaml:3:8: alias *a refers to a mapping that holds it"},
		{"x: &x\n  optional: *x\n", "p.yaml:2:13: alias *x refers to a mapping that holds it"},
	}
	for _, tt := range tests {
		_, err := Parse("p.yaml", []byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) = %v, want %s", tt.in, err, tt.want)
		}
	}
	// An alias of a sibling is no cycle.
	if _, err := Parse("p.yaml", []byte("g: &g {apt: [curl]}\nh: {a: *g, b: *g}\n")); err != nil {
		t.Errorf("sibling aliases: %v", err)
	}
}

func TestParseAliasBomb(t *testing.T) {
	// Each level doubles the number of lists: 2^20 lists without the limit.
	var b strings.Builder
	b.WriteString("l0: &l0 {apt: [x]}\n")
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&b, "l%d: &l%d {a: *l%d, b: *l%d}\n", i, i, i-1, i-1)
	}
	_, err := Parse("p.yaml", []byte(b.String()))
	want := "p.yaml:1:15: too many lists (more than 100000 after alias expansion)"
	if err == nil || err.Error() != want {
		t.Errorf("Parse = %v, want %s", err, want)
	}
}
