package packages

import (
	"errors"
	"slices"
	"strings"

	"github.com/repobuild/repobuild/distros/tmpl"
)

// validVars lists the template variables of specs for error messages.
var validVars = "." + strings.Join(tmpl.SpecVars, ", .")

// specOrigin names spec templates in text/template's messages, whose
// position prefix detail strips: the problem gives the spec's own.
var specOrigin = tmpl.Origin{Field: "spec"}

// maxSpecLen bounds what a spec template may write.
const maxSpecLen = 4096

// loopActions are the actions spec templates may not take: they can loop
// or recurse, and a spec is one word.
var loopActions = []string{"range", "template", "define"}

// template parses a templated spec and checks that it only uses the
// variables of specs and no loop actions.
func (p *parser) template(raw string, src Source) (*tmpl.Template, bool) {
	t, err := tmpl.Parse(specOrigin, raw, tmpl.MaxLen(maxSpecLen))
	if err != nil {
		p.ps.add(src, ErrTemplate, err, "template syntax error in %q: %s", raw, detail(err))
		return nil, false
	}
	if i := slices.IndexFunc(t.Actions(), isLoopAction); i >= 0 {
		p.ps.add(src, ErrTemplate, nil, "{{%s}} in %q: spec templates take no range, template, define or block actions", t.Actions()[i], raw)
		return nil, false
	}
	ok := true
	for _, v := range t.Uses() {
		if !slices.Contains(tmpl.SpecVars, v) {
			p.ps.add(src, ErrTemplate, nil, "unknown template variable .%s in %q (valid: %s)", v, raw, validVars)
			ok = false
		}
	}
	return t, ok
}

func isLoopAction(kind string) bool { return slices.Contains(loopActions, kind) }

// specVars returns the template variables for a selector. The manager
// variable defaults to the selector's manager.
func specVars(v Vars, manager string) Vars {
	if v.Manager == "" {
		v.Manager = manager
	}
	return v
}

// detail is a template error without text/template's position prefix.
func detail(err error) string {
	var te *tmpl.Error
	if errors.As(err, &te) {
		return te.Detail()
	}
	return err.Error()
}
