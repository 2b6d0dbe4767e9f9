package packages

import (
	"errors"
	"strings"
	"testing"
)

// fuzzSelectors are the targets a fuzzed file is selected for: each
// grammar, each kind of key.
var fuzzSelectors = []Selector{debian12, ubuntu2204, centos7, rocky9}

// FuzzParse feeds packages.yaml parsing arbitrary bytes (seeds:
// testdata/fuzz/FuzzParse, the anchors and the example among them). A
// refused file gets problems that each name the file and say something; an
// accepted one selects, for every target, requests that follow the
// target's grammar, and each request parses again, alone, to itself.
func FuzzParse(f *testing.F) {
	f.Add([]byte("common: [curl]\napt: [containerd.io=1.6.32-1, nginx/bookworm-backports]\nyum: [docker-ce-3:24.0.9-1.el8]\n"))
	f.Add([]byte("k8s:\n  optional:\n    debian12: [\"x-{{ .Arch }}\", y?]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.yaml"
		file, err := Parse(name, data)
		if err != nil {
			if file != nil {
				t.Fatalf("Parse returned a file and an error: %v", err)
			}
			checkProblems(t, name, err)
			return
		}
		if err := file.Validate(nil, []string{"common", "apt", "yum", "dnf", "debian", "debian12", "bookworm"}); err != nil {
			checkProblems(t, name, err)
		}
		if _, err := file.ParseOptions(); err != nil {
			checkProblems(t, name, err)
		}
		for _, sel := range fuzzSelectors {
			reqs, _, err := file.Select(sel)
			if err != nil {
				checkProblems(t, name, err)
				continue
			}
			for _, r := range reqs {
				checkRequest(t, name, sel, r)
			}
		}
	})
}

// checkProblems: err is an Errors of problems that name the file, each
// with a class and a message, one line each.
func checkProblems(t *testing.T, name string, err error) {
	t.Helper()
	var list Errors
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error %v (%T) is not a list of problems", err, err)
	}
	for _, p := range list {
		if p.File != name || p.Kind == nil || p.Msg == "" || p.Line < 0 || p.Column < 0 {
			t.Fatalf("problem %#v: want file %q, a class and a message", p, name)
		}
		if !strings.HasPrefix(p.Error(), name+":") {
			t.Fatalf("problem %q does not start with %q", p.Error(), name+":")
		}
	}
	if got := strings.Count(err.Error(), "\n") + 1; got < len(list) {
		t.Fatalf("%d problems print as %d lines", len(list), got)
	}
}

// checkRequest: a selected request follows the target's grammar, names
// where it was written, and parses again, alone, to itself.
func checkRequest(t *testing.T, name string, sel Selector, r Request) {
	t.Helper()
	style, _ := styleOf(sel.Manager)
	if problem := plainProblem(r.Spec); problem != "" {
		t.Fatalf("selected %q for %s: %s", r.Spec, sel.Manager, problem)
	}
	n, v, problem := style.split(r.Spec)
	if problem != "" || n != r.Name || v != r.Version || r.Name == "" {
		t.Fatalf("selected %q for %s: name %q version %q, split gives %q %q %q", r.Spec, sel.Manager, r.Name, r.Version, n, v, problem)
	}
	if len(r.Sources) == 0 || r.Sources[0].File != name || r.Sources[0].Line < 1 {
		t.Fatalf("request %q has sources %v", r.Spec, r.Sources)
	}
	again, err := Parse(name, []byte(sel.Manager+":\n  - "+yamlQuote(r.Spec)+"\n"))
	if err != nil {
		t.Fatalf("selected %q does not parse alone: %v", r.Spec, err)
	}
	reqs, _, err := again.Select(sel)
	if err != nil || len(reqs) != 1 || reqs[0].Spec != r.Spec || reqs[0].Name != r.Name || reqs[0].Version != r.Version {
		t.Fatalf("selected %q parses alone to %v, %v", r.Spec, reqs, err)
	}
}
