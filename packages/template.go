package packages

import (
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

// execute runs a spec template.
func execute(t *template.Template, data map[string]string) (string, error) {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// cleanTemplateErr drops the "template: spec:1:5: " prefix.
func cleanTemplateErr(err error) string {
	return tmplErrPrefix.ReplaceAllString(err.Error(), "")
}
