package tmpl

import (
	"slices"
	"text/template/parse"
)

// fields appends the top-level variables a template node reads from dot.
// dotIsRoot is false inside range and with bodies, where dot is rebound.
func fields(n parse.Node, dotIsRoot bool, used *[]string) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			each(n.Nodes, dotIsRoot, used)
		}
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				fields(c, dotIsRoot, used)
			}
		}
	case *parse.ActionNode:
		fields(n.Pipe, dotIsRoot, used)
	case *parse.CommandNode:
		each(n.Args, dotIsRoot, used)
	case *parse.ChainNode:
		fields(n.Node, dotIsRoot, used)
	case *parse.FieldNode:
		if dotIsRoot {
			add(used, n.Ident[0])
		}
	case *parse.VariableNode:
		if n.Ident[0] == "$" && len(n.Ident) > 1 {
			add(used, n.Ident[1]) // $ is always the root
		}
	case *parse.IfNode:
		branch(&n.BranchNode, dotIsRoot, dotIsRoot, used)
	case *parse.RangeNode:
		branch(&n.BranchNode, dotIsRoot, false, used)
	case *parse.WithNode:
		branch(&n.BranchNode, dotIsRoot, false, used)
	case *parse.TemplateNode:
		fields(n.Pipe, dotIsRoot, used)
	}
}

func each(nodes []parse.Node, dotIsRoot bool, used *[]string) {
	for _, c := range nodes {
		fields(c, dotIsRoot, used)
	}
}

// branch walks an if, range or with: its body sees dot as inBody says.
func branch(n *parse.BranchNode, dotIsRoot, inBody bool, used *[]string) {
	fields(n.Pipe, dotIsRoot, used)
	fields(n.List, inBody, used)
	fields(n.ElseList, dotIsRoot, used)
}

func add(used *[]string, name string) {
	if !slices.Contains(*used, name) {
		*used = append(*used, name)
	}
}
