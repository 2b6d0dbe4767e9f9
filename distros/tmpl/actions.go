package tmpl

import "text/template/parse"

// actions appends the kinds of the control actions under n, in tree order.
func actions(n parse.Node, kinds *[]string) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				actions(c, kinds)
			}
		}
	case *parse.IfNode:
		branchActions("if", &n.BranchNode, kinds)
	case *parse.RangeNode:
		branchActions("range", &n.BranchNode, kinds)
	case *parse.WithNode:
		branchActions("with", &n.BranchNode, kinds)
	case *parse.TemplateNode:
		add(kinds, "template")
	}
}

// branchActions appends kind, then the actions of the body and of the else
// branch of an if, range or with.
func branchActions(kind string, n *parse.BranchNode, kinds *[]string) {
	add(kinds, kind)
	actions(n.List, kinds)
	actions(n.ElseList, kinds)
}
