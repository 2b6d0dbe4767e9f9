package output

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/client"
)

// Kind is the shape of the build result an output takes.
type Kind int

const (
	// Tree is the repository tree: one filesystem for every platform.
	Tree Kind = iota
	// DataImage is a scratch image holding the tree, one manifest per
	// platform, all with the same layer.
	DataImage
	// Nginx is an nginx image serving the tree, one manifest per platform.
	Nginx
)

func (k Kind) String() string {
	return [...]string{"tree", "data image", "nginx image"}[k]
}

// Destination is one place a build's tree goes.
type Destination interface {
	// Prepare returns the BuildKit export that writes it.
	Prepare() (client.ExportEntry, error)
	// Commit makes the export visible, whole.
	Commit() error
	// Abort drops a failed export, leaving what was there before.
	Abort()
	// Describe says where it went, for people.
	Describe() string
	// Kind is the shape of the result the export takes.
	Kind() Kind
	// ToClient says whether BuildKit sends the export to the client
	// (files) rather than to a registry or its own store.
	ToClient() bool
}

// Destinations are all the outputs of one build.
type Destinations []Destination

// The attributes each type takes, beside type.
var (
	imageAttrs = []string{"name", "push", "registry.insecure", "oci-mediatypes", "compression", "compression-level", "force-compression", "rewrite-timestamp"}
	typeAttrs  = map[string][]string{
		"local": {"dest"},
		"tar":   {"dest", "compression"},
		"oci":   {"dest", "name"},
		"image": imageAttrs,
		"nginx": append([]string{"dest"}, imageAttrs...),
	}
	types = []string{"local", "tar", "oci", "image", "nginx"}
)

// Parse reads one output in buildx's syntax: DIR, or type=TYPE,KEY=VALUE...
//
//	type=local,dest=DIR
//	type=tar,dest=FILE[,compression=gzip|zstd|none]
//	type=oci,dest=FILE[,name=REF]
//	type=image,name=REF[,push=true][,registry.insecure=true]
//	type=nginx,name=REF[,push=true][,registry.insecure=true]

// badSpec is an error about the output spec.
func badSpec(spec, format string, args ...any) error {
	return fmt.Errorf("output %q: "+format, append([]any{spec}, args...)...)
}

// fromAttrs makes the destination of an output of type typ with its
// checked attributes.
func fromAttrs(spec, typ string, attrs map[string]string) (Destination, error) {
	bad := func(format string, args ...any) error { return badSpec(spec, format, args...) }
	dest := attrs["dest"]
	if dest == "-" {
		return nil, bad("dest=- (standard output) is not supported: name a file")
	}
	switch typ {
	case "local":
		if dest == "" {
			return nil, bad("type=local needs dest=DIR")
		}
		return &Local{Dest: dest}, nil
	case "tar":
		if dest == "" {
			return nil, bad("type=tar needs dest=FILE")
		}
		c := attrs["compression"]
		if c == "" {
			c = compressionOf(dest)
		}
		if !slices.Contains(Compressions, c) {
			return nil, bad("compression %q is not one of %s", c, strings.Join(Compressions, ", "))
		}
		return &Tar{Dest: dest, Compression: c}, nil
	case "oci":
		if dest == "" {
			return nil, bad("type=oci needs dest=FILE")
		}
		if err := checkName(spec, attrs["name"], false); err != nil {
			return nil, err
		}
		return &Archive{Dest: dest, Name: attrs["name"], kind: DataImage}, nil
	}
	return imageFromAttrs(spec, typ, attrs)
}

// imageFromAttrs makes an image or nginx destination: pushed or kept by
// BuildKit under name=, or (nginx) an archive at dest=.
func imageFromAttrs(spec, typ string, attrs map[string]string) (Destination, error) {
	bad := func(format string, args ...any) error { return badSpec(spec, format, args...) }
	dest := attrs["dest"]
	kind := DataImage
	if typ == "nginx" {
		kind = Nginx
		if dest != "" {
			for k := range attrs {
				if k != "dest" && k != "name" {
					return nil, bad("with dest=FILE, type=nginx takes only name=REF (%q is for registries)", k)
				}
			}
			if err := checkName(spec, attrs["name"], false); err != nil {
				return nil, err
			}
			return &Archive{Dest: dest, Name: attrs["name"], kind: Nginx}, nil
		}
	}
	if err := checkName(spec, attrs["name"], true); err != nil {
		return nil, err
	}
	img := &Image{Name: attrs["name"], kind: kind, Attrs: map[string]string{}}
	for k, v := range attrs {
		switch k {
		case "name":
		case "push":
			p, err := strconv.ParseBool(v)
			if err != nil {
				return nil, bad("push=%q is not true or false", v)
			}
			img.Push = p
		default:
			img.Attrs[k] = v
		}
	}
	return img, nil
}

// type=nginx,dest=FILE[,name=REF]
func Parse(spec string) (Destination, error) {
	if !strings.Contains(spec, "=") {
		if spec == "" {
			return nil, errors.New("empty output")
		}
		return &Local{Dest: spec}, nil
	}
	attrs, err := ParseAttrs("output", spec)
	if err != nil {
		return nil, err
	}
	typ := attrs["type"]
	delete(attrs, "type")
	known, ok := typeAttrs[typ]
	if typ == "" {
		return nil, fmt.Errorf("output %q: no type= (%s)", spec, strings.Join(types, ", "))
	}
	if !ok {
		return nil, fmt.Errorf("output %q: type %q is not supported (%s)", spec, typ, strings.Join(types, ", "))
	}
	for k := range attrs {
		if !slices.Contains(known, k) {
			return nil, fmt.Errorf("output %q: type=%s takes no %q (it takes %s)", spec, typ, k, strings.Join(known, ", "))
		}
	}
	return fromAttrs(spec, typ, attrs)
}

func checkName(spec, name string, required bool) error {
	if name == "" {
		if required {
			return fmt.Errorf("output %q: needs name=REF (the image reference, e.g. registry.local:5000/repos:v1)", spec)
		}
		return nil
	}
	if _, err := reference.ParseNormalizedNamed(name); err != nil {
		return fmt.Errorf("output %q: name %q: %w", spec, name, err)
	}
	return nil
}

// compressionOf guesses the compression of a tar file from its name.
func compressionOf(dest string) string {
	switch {
	case strings.HasSuffix(dest, ".gz") || strings.HasSuffix(dest, ".tgz"):
		return "gzip"
	case strings.HasSuffix(dest, ".zst") || strings.HasSuffix(dest, ".tzst"):
		return "zstd"
	}
	return "none"
}

// ParseAll reads every -o value. Two outputs cannot write the same place.
func ParseAll(specs []string) (Destinations, error) {
	var out Destinations
	seen := map[string]string{}
	for _, s := range specs {
		d, err := Parse(s)
		if err != nil {
			return nil, err
		}
		if place := placeOf(d); place != "" {
			if prev, ok := seen[place]; ok {
				return nil, fmt.Errorf("outputs %q and %q write the same place", prev, s)
			}
			seen[place] = s
		}
		out = append(out, d)
	}
	return out, nil
}

func placeOf(d Destination) string {
	switch d := d.(type) {
	case *Local:
		return filepath.Clean(d.Dest)
	case *Tar:
		return filepath.Clean(d.Dest)
	case *Archive:
		return filepath.Clean(d.Dest)
	}
	return ""
}

// Solves splits the destinations into the exports of separate solves:
// one result shape per solve, and at most one export to the client, for
// BuildKit can hang when one solve sends two to the client. Solves with an
// export to the client come first, so that a build whose files cannot be
// written pushes nothing.
func (ds Destinations) Solves() []Destinations {
	var toClient, others []Destinations
	for _, kind := range []Kind{Tree, DataImage, Nginx} {
		var first Destinations
		var rest []Destinations
		for _, d := range ds {
			if d.Kind() != kind {
				continue
			}
			if d.ToClient() && slices.ContainsFunc(first, Destination.ToClient) {
				rest = append(rest, Destinations{d})
				continue
			}
			first = append(first, d)
		}
		if len(first) == 0 {
			continue
		}
		if slices.ContainsFunc(first, Destination.ToClient) {
			toClient = append(toClient, first)
		} else {
			others = append(others, first)
		}
		toClient = append(toClient, rest...)
	}
	return append(toClient, others...)
}

// Prepare prepares every destination; on failure none is left prepared.
func (ds Destinations) Prepare() ([]client.ExportEntry, error) {
	var entries []client.ExportEntry
	for i, d := range ds {
		e, err := d.Prepare()
		if err != nil {
			ds[:i].Abort()
			return nil, err
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// Commit commits every destination.
func (ds Destinations) Commit() error {
	var errs []error
	for _, d := range ds {
		errs = append(errs, d.Commit())
	}
	return errors.Join(errs...)
}

// Abort aborts every destination.
func (ds Destinations) Abort() {
	for _, d := range ds {
		d.Abort()
	}
}
