package output

import (
	"errors"
	"fmt"
	"strings"

	"github.com/moby/buildkit/client"
)

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
}

// Destinations are all the outputs of one build.
type Destinations []Destination

// Parse reads one output in buildx's syntax: DIR, or type=local,dest=DIR.
func Parse(spec string) (Destination, error) {
	if !strings.Contains(spec, "=") {
		if spec == "" {
			return nil, errors.New("empty output")
		}
		return &Local{Dest: spec}, nil
	}
	attrs := map[string]string{}
	for _, field := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(field, "=")
		if !ok {
			return nil, fmt.Errorf("output %q: %q is not KEY=VALUE", spec, field)
		}
		attrs[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	typ := attrs["type"]
	switch typ {
	case "local":
		if attrs["dest"] == "" {
			return nil, fmt.Errorf("output %q: type=local needs dest=DIR", spec)
		}
		return &Local{Dest: attrs["dest"]}, nil
	case "":
		return nil, fmt.Errorf("output %q: no type= (local)", spec)
	default:
		return nil, fmt.Errorf("output %q: type %q is not supported (local)", spec, typ)
	}
}

// ParseAll reads every -o value.
func ParseAll(specs []string) (Destinations, error) {
	var out Destinations
	for _, s := range specs {
		d, err := Parse(s)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
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

// Local is a directory on the client, replaced atomically.
type Local struct {
	Dest string
	dir  *Dir
}

// Prepare makes the temporary directory the export writes to.
func (l *Local) Prepare() (client.ExportEntry, error) {
	d, err := NewDir(l.Dest)
	if err != nil {
		return client.ExportEntry{}, err
	}
	l.dir = d
	return client.ExportEntry{Type: client.ExporterLocal, OutputDir: d.Path()}, nil
}

// Commit swaps the finished tree in.
func (l *Local) Commit() error {
	if l.dir == nil {
		return errors.New("output: not prepared")
	}
	return l.dir.Commit()
}

// Abort removes the temporary directory.
func (l *Local) Abort() {
	if l.dir != nil {
		l.dir.Abort()
	}
}

// Describe names the directory.
func (l *Local) Describe() string { return l.Dest }
