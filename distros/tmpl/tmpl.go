package tmpl

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/template"
)

// Vars are the values of the template variables of one target: each field
// is the variable of its name ({{.Mirror}}). See the package documentation.
type Vars struct {
	ID, Name, Version, Major, Minor, Codename, Arch, PlatformArch, Manager, Mirror string
}

// SpecVars are the variables packages.yaml package specs may use, in the
// order of the package documentation.
var SpecVars = []string{"ID", "Version", "Major", "Minor", "Codename", "Arch", "Manager"}

// Names returns every variable, in the order of the package documentation.
func Names() []string {
	return append(SpecVars[:len(SpecVars):len(SpecVars)], "OS", "Name", "PlatformArch", "Mirror")
}

// data is what templates execute on: a map, so that missingkey=error
// reports a variable that does not exist by its name.
func (v Vars) data() map[string]string {
	return map[string]string{
		"ID":           v.ID,
		"OS":           v.ID,
		"Name":         v.Name,
		"Version":      v.Version,
		"Major":        v.Major,
		"Minor":        v.Minor,
		"Codename":     v.Codename,
		"Arch":         v.Arch,
		"PlatformArch": v.PlatformArch,
		"Manager":      v.Manager,
		"Mirror":       v.Mirror,
	}
}

// Origin is where a template was written, for its errors.
type Origin struct {
	// File is the file that holds the template: "distros/debian12.yaml".
	File string
	// Field is the field in that file: "path", "sources[0]", "repo epel
	// baseurl". text/template's own messages name it without its index:
	// "template: sources:1:6: ...".
	Field string
}

// name is the template's name in text/template's messages.
func (o Origin) name() string {
	name, _, _ := strings.Cut(o.Field, "[")
	return name
}

// Error is a template that does not parse or does not execute.
type Error struct {
	Origin
	// Err is text/template's error, or that the output grows past
	// [MaxLen].
	Err error
}

// Error returns "FILE: FIELD: " and text/template's message; either part of
// the origin may be empty.
func (e *Error) Error() string {
	var b strings.Builder
	for _, s := range []string{e.File, e.Field} {
		if s != "" {
			b.WriteString(s + ": ")
		}
	}
	return b.String() + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Detail is text/template's message without its "template: NAME:LINE:COL: "
// prefix, for messages that give the position themselves.
func (e *Error) Detail() string {
	prefix := regexp.MustCompile(`^template: ` + regexp.QuoteMeta(e.name()) + `:\d+(:\d+)?: `)
	return prefix.ReplaceAllString(e.Err.Error(), "")
}

// Template is a parsed template.
type Template struct {
	origin Origin
	text   string
	// t is nil for text without "{{", which renders as it is.
	t *template.Template
	// maxLen bounds the output; 0 is no bound.
	maxLen int
}

// Option is a setting of Parse.
type Option func(*Template)

// MaxLen makes Execute fail when the template would write more than n
// bytes, with the error "the FIELD grows past n bytes" (FIELD is the
// origin's field without its index), before writing them: a template such
// as {{ printf "%0999999d" 1 }} is refused, not rendered.
func MaxLen(n int) Option {
	return func(tp *Template) { tp.maxLen = n }
}

// Parse parses text, written at origin.
func Parse(origin Origin, text string, opts ...Option) (*Template, error) {
	tp := &Template{origin: origin, text: text}
	for _, o := range opts {
		o(tp)
	}
	if !strings.Contains(text, "{{") {
		return tp, nil
	}
	t, err := template.New(origin.name()).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, &Error{Origin: origin, Err: err}
	}
	tp.t = t
	return tp, nil
}

// Execute renders the template with v.
func (tp *Template) Execute(v Vars) (string, error) {
	b := &boundedWriter{max: tp.maxLen, what: tp.origin.name()}
	var err error
	if tp.t == nil {
		_, err = io.WriteString(b, tp.text)
	} else {
		err = tp.t.Execute(b, v.data())
	}
	if err != nil {
		return "", &Error{Origin: tp.origin, Err: err}
	}
	return b.out.String(), nil
}

// boundedWriter fails writes past max bytes, when max is not 0. It has
// no WriteString, which would go around the bound.
type boundedWriter struct {
	out  strings.Builder
	max  int
	what string
}

func (w *boundedWriter) Write(p []byte) (int, error) {
	if w.max > 0 && w.out.Len()+len(p) > w.max {
		what := w.what
		if what == "" {
			what = "output"
		}
		return 0, fmt.Errorf("the %s grows past %d bytes", what, w.max)
	}
	return w.out.Write(p)
}

// Uses returns the variables the template reads, in order of first use.
func (tp *Template) Uses() []string {
	if tp.t == nil {
		return nil
	}
	var used []string
	fields(tp.t.Root, true, &used)
	return used
}

// Actions returns the kinds of control actions the template takes, in
// order of first use: "if", "range", "with" and "template" (a block is a
// template action and a definition), then "define" when it defines
// templates of its own. A caller that refuses some kinds checks them here.
func (tp *Template) Actions() []string {
	if tp.t == nil {
		return nil
	}
	var kinds []string
	actions(tp.t.Root, &kinds)
	if len(tp.t.Templates()) > 1 {
		add(&kinds, "define")
	}
	return kinds
}

// Render parses and executes text, written at origin, with v.
func Render(origin Origin, text string, v Vars) (string, error) {
	tp, err := Parse(origin, text)
	if err != nil {
		return "", err
	}
	return tp.Execute(v)
}
