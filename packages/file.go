package packages

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/repobuild/repobuild/distros/tmpl"
)

// Reserved keys of packages.yaml.
const (
	// OptionalKey holds, at any level, a mapping whose packages are all optional.
	OptionalKey = "optional"
	// OptionsKey holds, at the top level only, repobuild options (see File.Options).
	OptionsKey = "repobuild"
)

// maxLists bounds the number of lists a file may expand to, and
// maxExpanded that of its lists, groups and package specs together, so
// that YAML aliases of groups cannot blow up exponentially.
const (
	maxLists    = 100000
	maxExpanded = 500000
)

// Source is where a package spec or key was written.
type Source struct {
	File   string
	Line   int
	Column int
	// Key is the dotted path of the list, e.g. "kubespray.apt" or
	// "optional.debian12".
	Key string
}

// String returns "file:line:column (key)".
func (s Source) String() string {
	if s.Key == "" {
		return fmt.Sprintf("%s:%d:%d", s.File, s.Line, s.Column)
	}
	return fmt.Sprintf("%s:%d:%d (%s)", s.File, s.Line, s.Column, s.Key)
}

// KeyUse is one use of a selector key in a file.
type KeyUse struct {
	Key    string // the selector key, e.g. "apt"
	Source Source // position of the key; Source.Key is its dotted path
}

// File is a parsed packages.yaml.
type File struct {
	// Name is the path as given to Load or the name given to Parse.
	Name string
	// Options is the raw value of the top-level "repobuild" mapping; its
	// Kind is 0 when the key is absent or null. Its content is not
	// interpreted yet.
	Options yaml.Node

	lists  []*list  // in file order
	keys   []KeyUse // selector keys, in file order
	groups []KeyUse // group labels, in file order
}

// list is one sequence of package specs under a selector key.
type list struct {
	key   string // selector key
	path  string // dotted path, e.g. "kubespray.optional.apt"
	items []item
}

// item is one package spec of a list.
type item struct {
	raw      string         // spec as written, without the optional marker
	optional bool           // from a trailing "?" or an enclosing "optional"
	template *tmpl.Template // nil when raw contains no template action
	src      Source         // position of the item
}

// Load reads and parses the packages file at path.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load packages: %w", err)
	}
	return Parse(path, data)
}

// Parse parses the content of a packages file. name is used in positions.
// It reports structural problems: bad YAML, wrong types, empty or invalid
// specs, duplicate or misplaced keys and template errors that do not depend
// on the target (syntax, unknown variables). Selector keys are checked by
// Validate. On error the returned error is an Errors and the File is nil.
func Parse(name string, data []byte) (*File, error) {
	f := &File{Name: name}
	ps := &problems{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return f, nil // empty file
		}
		ps.yaml(name, err)
		return nil, ps.err()
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		ps.add(Source{File: name, Line: extra.Line, Column: extra.Column}, ErrYAML, nil,
			"multiple YAML documents are not supported")
	} else if !errors.Is(err, io.EOF) {
		ps.yaml(name, err)
	}
	p := &parser{file: f, ps: ps}
	p.document(&doc)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return f, nil
}

// Keys returns every selector key used in the file, in file order, with
// its position. Group labels and reserved keys are not included.
func (f *File) Keys() []KeyUse {
	return append([]KeyUse(nil), f.keys...)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yaml records a YAML syntax error. yaml.v3 reports a line (not on the
// first line) but no column.
func (ps *problems) yaml(name string, err error) {
	src := Source{File: name}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		src.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	ps.add(src, ErrYAML, err, "bad YAML: %s", msg)
}

// parser walks the YAML node tree of one file.
type parser struct {
	file      *File
	ps        *problems
	tooMany   bool                // maxLists or maxExpanded was reached and reported
	expanded  int                 // lists, groups and specs walked
	pathBytes int                 // of the dotted paths of what was walked
	open      map[*yaml.Node]bool // the mappings being walked, outermost first
}

// expand counts n nodes walked at node at and reports whether the walk
// may go on.
func (p *parser) expand(n int, at *yaml.Node, path string) bool {
	if p.tooMany {
		return false
	}
	p.pathBytes += len(path)
	if p.expanded += n; p.expanded > maxExpanded || p.pathBytes > maxExpanded*64 {
		p.ps.add(p.src(at, path), ErrYAML, nil, "too many lists, groups and packages (more than %d after alias expansion)", maxExpanded)
		p.tooMany = true
		return false
	}
	return true
}

func (p *parser) src(n *yaml.Node, path string) Source {
	return Source{File: p.file.Name, Line: n.Line, Column: n.Column, Key: path}
}

func (p *parser) document(doc *yaml.Node) {
	if len(doc.Content) == 0 {
		return
	}
	root := resolve(doc.Content[0])
	switch {
	case isNull(root):
		return // "---" alone
	case root.Kind != yaml.MappingNode:
		p.ps.add(p.src(root, ""), ErrWrongType, nil,
			"wrong type: top level must be a mapping of keys to package lists, got %s", describe(root))
		return
	}
	p.mapping(root, "", false)
}

// mapping walks a top-level mapping (prefix == ""), a group or an
// "optional" mapping.
func (p *parser) mapping(m *yaml.Node, prefix string, optional bool) {
	if !p.expand(1, m, prefix) {
		return
	}
	if p.open == nil {
		p.open = map[*yaml.Node]bool{}
	}
	p.open[m] = true
	defer delete(p.open, m)
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := resolve(m.Content[i]), m.Content[i+1]
		key, ok := p.key(k, prefix)
		if !ok {
			continue
		}
		if first, dup := seen[key]; dup {
			p.ps.add(p.src(k, prefix), ErrDuplicateKey, nil,
				"duplicate key %q (first at %d:%d)", key, first.Line, first.Column)
			continue
		}
		seen[key] = k
		path := join(prefix, key)
		src := p.src(k, path)
		vr := resolve(v)
		if p.open[vr] {
			p.ps.add(p.src(v, path), ErrYAML, nil, "alias *%s refers to a mapping that holds it", v.Value)
			continue
		}
		switch key {
		case OptionsKey:
			switch {
			case prefix != "":
				p.ps.add(src, ErrReservedKey, nil, "%q is only allowed at the top level", key)
			case vr.Kind == yaml.MappingNode:
				p.file.Options = *vr
			case !isNull(vr):
				p.ps.add(p.src(vr, path), ErrWrongType, nil,
					"wrong type: %q must be a mapping, got %s", key, describe(vr))
			}
		case OptionalKey:
			switch {
			case vr.Kind == yaml.MappingNode:
				p.mapping(vr, path, true)
			case !isNull(vr):
				p.ps.add(p.src(vr, path), ErrWrongType, nil,
					"wrong type: %q must be a mapping of keys to package lists, got %s", key, describe(vr))
			}
		default:
			switch {
			case vr.Kind == yaml.SequenceNode || isNull(vr):
				p.file.keys = append(p.file.keys, KeyUse{Key: key, Source: src})
				p.list(key, path, vr, optional)
			case vr.Kind == yaml.MappingNode:
				p.file.groups = append(p.file.groups, KeyUse{Key: key, Source: src})
				p.mapping(vr, path, optional)
			default:
				p.ps.add(p.src(vr, path), ErrWrongType, nil,
					"wrong type: %q must be a list of package specs or a group mapping, got %s", key, describe(vr))
			}
		}
	}
}

// key checks a mapping key and returns its string value.
func (p *parser) key(k *yaml.Node, prefix string) (string, bool) {
	src := p.src(k, prefix)
	switch {
	case k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge":
		p.ps.add(src, ErrWrongType, nil, `merge keys ("<<") are not supported`)
		return "", false
	case k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str":
		p.ps.add(src, ErrWrongType, nil, "wrong type: key must be a string, got %s", describe(k))
		return "", false
	case k.Value == "":
		p.ps.add(src, ErrWrongType, nil, "empty key")
		return "", false
	}
	return k.Value, true
}

// list records the package list of a selector key.
func (p *parser) list(key, path string, seq *yaml.Node, optional bool) {
	if len(p.file.lists) >= maxLists {
		if !p.tooMany {
			p.ps.add(p.src(seq, path), ErrYAML, nil, "too many lists (more than %d after alias expansion)", maxLists)
			p.tooMany = true
		}
		return
	}
	if !p.expand(1+len(seq.Content), seq, path) {
		return
	}
	l := &list{key: key, path: path}
	p.file.lists = append(p.file.lists, l)
	for _, n := range seq.Content {
		if it, ok := p.item(n, path, optional); ok {
			l.items = append(l.items, it)
		}
	}
}

// item checks one entry of a package list.
func (p *parser) item(n *yaml.Node, path string, optional bool) (item, bool) {
	src := p.src(n, path) // the alias position when n is an alias
	r := resolve(n)
	switch {
	case isNull(r):
		p.ps.add(src, ErrEmptySpec, nil, "empty package spec (null)")
		return item{}, false
	case r.Kind != yaml.ScalarNode || r.ShortTag() != "!!str":
		hint := ""
		if r.Kind == yaml.MappingNode && r.Style&yaml.FlowStyle != 0 {
			hint = ` (quote specs that start with "{{")`
		}
		p.ps.add(src, ErrWrongType, nil, "wrong type: package spec must be a string, got %s%s", describe(r), hint)
		return item{}, false
	}
	return p.spec(r.Value, src, optional)
}

// resolve follows YAML aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names the type of a node for error messages, e.g. `int 7`,
// `string "curl"`, `sequence`.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.ScalarNode:
		switch tag := n.ShortTag(); tag {
		case "!!str":
			return fmt.Sprintf("string %q", n.Value)
		case "!!null":
			return "null"
		case "!!int", "!!float", "!!bool", "!!timestamp", "!!binary":
			return strings.TrimPrefix(tag, "!!") + " " + n.Value
		default:
			return tag + " " + n.Value
		}
	}
	return "unknown node"
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
