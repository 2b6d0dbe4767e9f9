package tmpl

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"text/template"
)

var vars = Vars{ID: "ubuntu", Name: "ubuntu2204", Version: "22.04", Major: "22", Minor: "04", Codename: "jammy",
	Arch: "arm64", PlatformArch: "arm64", Manager: "apt", Mirror: "http://m.test/ubuntu-ports"}

func TestRender(t *testing.T) {
	path := Origin{File: "distros/ubuntu2204.yaml", Field: "path"}
	source := Origin{File: "distros/ubuntu2204.yaml", Field: "sources[2]"}
	tests := []struct {
		name   string
		origin Origin
		text   string
		want   string
		err    string
	}{
		{name: "literal", origin: path, text: "debian", want: "debian"},
		{name: "literal with template-like text", origin: path, text: "a}}.Mirror{", want: "a}}.Mirror{"},
		{name: "every variable", origin: path,
			text: "{{.ID}} {{.OS}} {{.Name}} {{.Version}} {{.Major}} {{.Minor}} {{.Codename}} {{.Arch}} {{.PlatformArch}} {{.Manager}} {{.Mirror}}",
			want: "ubuntu ubuntu ubuntu2204 22.04 22 04 jammy arm64 arm64 apt http://m.test/ubuntu-ports"},
		{name: "sources line", origin: source, text: "deb [signed-by=/k.gpg] {{.Mirror}} {{.Codename}}-security main",
			want: "deb [signed-by=/k.gpg] http://m.test/ubuntu-ports jammy-security main"},
		{name: "functions of text/template", origin: path, text: `{{if eq .Manager "apt"}}{{.Codename}}{{else}}{{.Major}}{{end}}`, want: "jammy"},
		{name: "unknown variable", origin: path, text: "{{.OS}}/{{.Releasever}}",
			err: `distros/ubuntu2204.yaml: path: template: path:1:10: executing "path" at <.Releasever>: map has no entry for key "Releasever"`},
		{name: "syntax error names the field without its index", origin: source, text: "deb {{.Mirror} jammy main",
			err: "distros/ubuntu2204.yaml: sources[2]: template: sources:1: bad character U+007D '}'"},
		{name: "unknown function", origin: path, text: "{{lower .ID}}",
			err: `distros/ubuntu2204.yaml: path: template: path:1: function "lower" not defined`},
		{name: "field of a string", origin: Origin{Field: "spec"}, text: "x{{ .ID.Name }}",
			err: `spec: template: spec:1:7: executing "spec" at <.ID.Name>: can't evaluate field Name in type string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Render(tt.origin, tt.text, vars)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if got != tt.want || gotErr != tt.err {
				t.Errorf("Render(%q) = %q, %q\nwant %q, %q", tt.text, got, gotErr, tt.want, tt.err)
			}
		})
	}
}

func TestErrorDetail(t *testing.T) {
	tests := []struct{ text, want string }{
		{"x{{ .Major }", `unexpected "}" in operand`},
		{"x{{ .ID.Name }}", `executing "spec" at <.ID.Name>: can't evaluate field Name in type string`},
	}
	for _, tt := range tests {
		_, err := Render(Origin{File: "packages.yaml", Field: "spec"}, tt.text, vars)
		var te *Error
		if !errors.As(err, &te) {
			t.Fatalf("%q: error %v is not an *Error", tt.text, err)
		}
		if got := te.Detail(); got != tt.want {
			t.Errorf("%q: Detail = %q, want %q", tt.text, got, tt.want)
		}
	}
	_, err := Render(Origin{Field: "path"}, "{{.Nope}}", vars)
	if execErr := (template.ExecError{}); !errors.As(err, &execErr) {
		t.Errorf("%v does not unwrap to text/template's ExecError", err)
	}
}

func TestUses(t *testing.T) {
	tests := []listCase{
		{"debian", nil},
		{"{{.Mirror}}/{{.Arch}}/{{.Mirror}}", []string{"Mirror", "Arch"}},
		// Inside with and range, dot is not the root; $ is.
		{"x{{ with .ID }}{{ .Name }}{{ $.Codename }}{{ end }}", []string{"ID", "Codename"}},
		{"{{ range .Arch }}{{ .X }}{{ else }}{{ .Major }}{{ end }}", []string{"Arch", "Major"}},
		{`{{ if .Minor }}{{ printf "%s.%s" .Major .Minor }}{{ end }}`, []string{"Minor", "Major"}},
	}
	checkLists(t, "Uses", (*Template).Uses, tests)
}

func TestNames(t *testing.T) {
	for _, n := range Names() {
		got, err := Render(Origin{Field: "path"}, "{{."+n+"}}", vars)
		if err != nil || got == "" {
			t.Errorf("{{.%s}} = %q, %v: every name is a variable with a value", n, got, err)
		}
	}
	if !slices.Equal(Names()[:len(SpecVars)], SpecVars) {
		t.Errorf("Names() = %v does not start with SpecVars %v", Names(), SpecVars)
	}
}

func TestActions(t *testing.T) {
	tests := []listCase{
		{"debian", nil},
		{"x-{{ .ID }}", nil},
		{`{{ if eq .Manager "apt" }}{{ with .Codename }}{{ . }}{{ end }}{{ else if .Major }}{{ range .ID }}{{ end }}{{ end }}`,
			[]string{"if", "with", "range"}},
		{`x{{ template "spec" }}`, []string{"template"}},
		{`x{{ block "y" . }}{{ end }}`, []string{"template", "define"}},
		{`x{{ define "y" }}{{ if .ID }}{{ end }}{{ end }}`, []string{"define"}},
		{`{{ range .ID }}{{ template "y" }}{{ end }}{{ if .ID }}{{ end }}`, []string{"range", "template", "if"}},
	}
	checkLists(t, "Actions", (*Template).Actions, tests)
}

// listCase is a template and what a method listing things of it returns.
type listCase struct {
	text string
	want []string
}

// checkLists parses each text and compares what list returns with want.
func checkLists(t *testing.T, name string, list func(*Template) []string, tests []listCase) {
	t.Helper()
	for _, tt := range tests {
		tp, err := Parse(Origin{Field: "spec"}, tt.text)
		if err != nil {
			t.Fatal(err)
		}
		if got := list(tp); !slices.Equal(got, tt.want) {
			t.Errorf("%s(%q) = %q, want %q", name, tt.text, got, tt.want)
		}
	}
}

func TestMaxLen(t *testing.T) {
	long := strings.Repeat("x", 9)
	tests := []struct {
		origin    Origin
		text, err string
	}{
		{Origin{Field: "spec"}, "{{ .Codename }}", ""},
		{Origin{Field: "spec"}, "12345678", ""},
		{Origin{Field: "spec"}, long, "spec: the spec grows past 8 bytes"},
		{Origin{File: "d.yaml", Field: "sources[1]"}, "{{ .Codename }}{{ .Codename }}", "d.yaml: sources[1]: the sources grows past 8 bytes"},
		{Origin{}, `{{ printf "%0999999d" 1 }}`, "the output grows past 8 bytes"},
	}
	for _, tt := range tests {
		tp, err := Parse(tt.origin, tt.text, MaxLen(8))
		if err != nil {
			t.Fatal(err)
		}
		got, err := tp.Execute(vars)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
			got = "" // Execute returns nothing with its error
		}
		if gotErr != tt.err || (err == nil && len(got) > 8) {
			t.Errorf("Execute(%q) = %q, %q; want error %q", tt.text, got, gotErr, tt.err)
		}
	}
	// Without MaxLen there is no bound.
	if got, err := Render(Origin{Field: "spec"}, `{{ printf "%09999d" 1 }}`, vars); err != nil || len(got) != 9999 {
		t.Errorf("unbounded render: %d bytes, %v", len(got), err)
	}
}
