package output

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseAll reads arbitrary -o values, one a line (seeds:
// testdata/fuzz/FuzzParseAll). A refusal names the value at fault; what
// is accepted is one destination per value, each written back in buildx's
// syntax parses to itself, and every destination is in exactly one solve.
func FuzzParseAll(f *testing.F) {
	f.Add("out\ntype=tar,dest=r.tar.gz\ntype=nginx,name=r/n:1,push=true")
	f.Add("type=image,name=reg.local:5000/repos:v1,push=true,registry.insecure=true,compression=zstd")
	f.Fuzz(func(t *testing.T, in string) {
		specs := strings.Split(in, "\n")
		ds, err := ParseAll(specs)
		if err != nil {
			msg := err.Error()
			named := slices.ContainsFunc(specs, func(s string) bool { return strings.Contains(msg, strconv.Quote(s)) })
			if !named && !(msg == "empty output" && slices.Contains(specs, "")) {
				t.Fatalf("error %q names none of %q", msg, specs)
			}
			return
		}
		if len(ds) != len(specs) {
			t.Fatalf("%d destinations of %d values", len(ds), len(specs))
		}
		for i, d := range ds {
			if d.Describe() == "" || d.Kind().String() == "" {
				t.Fatalf("%q: no description", specs[i])
			}
			again, err := Parse(unparse(d))
			if err != nil || !reflect.DeepEqual(again, d) {
				t.Fatalf("%q parses to %#v, written back as %q, which parses to %#v, %v", specs[i], d, unparse(d), again, err)
			}
		}
		checkSolves(t, ds)
	})
}

// checkSolves: each destination is in one solve, a solve has one kind and
// at most one export to the client, and those with one come first.
func checkSolves(t *testing.T, ds Destinations) {
	t.Helper()
	seen := map[Destination]int{}
	pushesStarted := false
	for _, s := range ds.Solves() {
		clients := 0
		for _, d := range s {
			seen[d]++
			if d.Kind() != s[0].Kind() {
				t.Fatalf("solve %v mixes kinds", s)
			}
			if d.ToClient() {
				clients++
			}
		}
		switch {
		case clients > 1:
			t.Fatalf("solve %v has %d exports to the client", s, clients)
		case clients == 0:
			pushesStarted = true
		case pushesStarted:
			t.Fatalf("solve %v exports to the client after a solve that does not", s)
		}
	}
	for _, d := range ds {
		if seen[d] != 1 {
			t.Fatalf("%s is in %d solves", d.Describe(), seen[d])
		}
	}
}

// unparse writes a destination in buildx's syntax.
func unparse(d Destination) string {
	switch d := d.(type) {
	case *Local:
		if !strings.Contains(d.Dest, "=") {
			return d.Dest
		}
		return "type=local,dest=" + d.Dest
	case *Tar:
		return "type=tar,dest=" + d.Dest + ",compression=" + d.Compression
	case *Archive:
		s := "type=oci,dest=" + d.Dest
		if d.kind == Nginx {
			s = "type=nginx,dest=" + d.Dest
		}
		if d.Name != "" {
			s += ",name=" + d.Name
		}
		return s
	case *Image:
		s := "type=image"
		if d.kind == Nginx {
			s = "type=nginx"
		}
		s += ",name=" + d.Name + ",push=" + strconv.FormatBool(d.Push)
		return s + unparseAttrs(d.Attrs)
	}
	return ""
}

// unparseAttrs writes attributes as ",k=v", sorted.
func unparseAttrs(attrs map[string]string) string {
	var b strings.Builder
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString("," + k + "=" + attrs[k])
	}
	return b.String()
}

// FuzzParseAttrs reads arbitrary KEY=VALUE lists (seeds:
// testdata/fuzz/FuzzParseAttrs). A refusal names the flag and the value;
// an accepted list has one non-empty key a field, and written back sorted
// it parses to the same attributes.
func FuzzParseAttrs(f *testing.F) {
	f.Add("type=local,dest=/srv/repos")
	f.Add(" type = tar , dest=a=b")
	f.Fuzz(func(t *testing.T, spec string) {
		attrs, err := ParseAttrs("output", spec)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "output "+strconv.Quote(spec)+": ") || len(msg) <= len("output "+strconv.Quote(spec)+": ") {
				t.Fatalf("error %q does not name the flag and %q", msg, spec)
			}
			return
		}
		if fields := strings.Count(spec, ",") + 1; len(attrs) != fields {
			t.Fatalf("%q: %d fields give %d attributes %q", spec, fields, len(attrs), attrs)
		}
		for k, v := range attrs {
			if k == "" || k != strings.TrimSpace(k) || v != strings.TrimSpace(v) || strings.ContainsAny(k, ",=") || strings.Contains(v, ",") {
				t.Fatalf("%q: attribute %q=%q", spec, k, v)
			}
		}
		back := strings.TrimPrefix(unparseAttrs(attrs), ",")
		again, err := ParseAttrs("output", back)
		if err != nil || !reflect.DeepEqual(again, attrs) {
			t.Fatalf("%q gives %q, written back as %q, which gives %q, %v", spec, attrs, back, again, err)
		}
	})
}
