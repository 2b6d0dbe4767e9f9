package packages

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
)

// varNames are the template variables, in documentation order.
var varNames = []string{"ID", "Version", "Major", "Minor", "Codename", "Arch", "Manager"}

// validVars lists the template variables for error messages.
var validVars = "." + strings.Join(varNames, ", .")

// templateName names spec templates; it is stripped from error messages.
const templateName = "spec"

// tmplErrPrefix matches the position prefix text/template puts on errors.
var tmplErrPrefix = regexp.MustCompile(`^template: ` + templateName + `:\d+(:\d+)?: `)

// template parses a templated spec and checks that it only uses known
// variables.
func (p *parser) template(raw string, src Source) (*template.Template, bool) {
	t, err := template.New(templateName).Option("missingkey=error").Parse(raw)
	if err != nil {
		p.ps.add(src, ErrTemplate, err, "template syntax error in %q: %s", raw, cleanTemplateErr(err))
		return nil, false
	}
	if action := loopAction(t.Root); action != "" || len(t.Templates()) > 1 {
		if action == "" {
			action = "define"
		}
		p.ps.add(src, ErrTemplate, nil, "{{%s}} in %q: spec templates take no range, template, define or block actions", action, raw)
		return nil, false
	}
	var used []string
	fields(t.Root, true, &used)
	ok := true
	for _, v := range used {
		if !slices.Contains(varNames, v) {
			p.ps.add(src, ErrTemplate, nil, "unknown template variable .%s in %q (valid: %s)", v, raw, validVars)
			ok = false
		}
	}
	return t, ok
}

// fields appends the top-level variables a template node reads from dot.
// dotIsRoot is false inside range and with bodies, where dot is rebound.
func fields(n parse.Node, dotIsRoot bool, used *[]string) {
	add := func(name string) {
		if !slices.Contains(*used, name) {
			*used = append(*used, name)
		}
	}
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			fields(c, dotIsRoot, used)
		}
	case *parse.ActionNode:
		fields(n.Pipe, dotIsRoot, used)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			fields(c, dotIsRoot, used)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			fields(a, dotIsRoot, used)
		}
	case *parse.ChainNode:
		fields(n.Node, dotIsRoot, used)
	case *parse.FieldNode:
		if dotIsRoot {
			add(n.Ident[0])
		}
	case *parse.VariableNode:
		if n.Ident[0] == "$" && len(n.Ident) > 1 {
			add(n.Ident[1]) // $ is always the root
		}
	case *parse.IfNode:
		fields(n.Pipe, dotIsRoot, used)
		fields(n.List, dotIsRoot, used)
		fields(n.ElseList, dotIsRoot, used)
	case *parse.RangeNode:
		fields(n.Pipe, dotIsRoot, used)
		fields(n.List, false, used)
		fields(n.ElseList, dotIsRoot, used)
	case *parse.WithNode:
		fields(n.Pipe, dotIsRoot, used)
		fields(n.List, false, used)
		fields(n.ElseList, dotIsRoot, used)
	case *parse.TemplateNode:
		fields(n.Pipe, dotIsRoot, used)
	}
}

// loopAction returns the first range or template action under n, or "":
// those can loop or recurse, and a spec is one word.
func loopAction(n parse.Node) string {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return ""
		}
		for _, c := range n.Nodes {
			if a := loopAction(c); a != "" {
				return a
			}
		}
	case *parse.RangeNode:
		return "range"
	case *parse.TemplateNode:
		return "template"
	case *parse.IfNode:
		return cmp.Or(loopAction(n.List), loopAction(n.ElseList))
	case *parse.WithNode:
		return cmp.Or(loopAction(n.List), loopAction(n.ElseList))
	}
	return ""
}

// data returns the template data for a selector. The manager variable
// defaults to the selector's manager.
func (v Vars) data(manager string) map[string]string {
	if v.Manager == "" {
		v.Manager = manager
	}
	return map[string]string{
		"ID":       v.ID,
		"Version":  v.Version,
		"Major":    v.Major,
		"Minor":    v.Minor,
		"Codename": v.Codename,
		"Arch":     v.Arch,
		"Manager":  v.Manager,
	}
}

// maxSpecLen bounds what a spec template may write.
const maxSpecLen = 4096

// execute runs a spec template.
func execute(t *template.Template, data map[string]string) (string, error) {
	b := &boundedWriter{max: maxSpecLen}
	if err := t.Execute(b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// boundedWriter fails writes past max bytes.
type boundedWriter struct {
	strings.Builder
	max int
}

func (w *boundedWriter) Write(p []byte) (int, error) {
	if w.Len()+len(p) > w.max {
		return 0, fmt.Errorf("the spec grows past %d bytes", w.max)
	}
	return w.Builder.Write(p)
}

// cleanTemplateErr drops the "template: spec:1:5: " prefix.
func cleanTemplateErr(err error) string {
	return tmplErrPrefix.ReplaceAllString(err.Error(), "")
}
