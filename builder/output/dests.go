package output

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/moby/buildkit/client"
)

// stage holds the temporary of an export to the client between Prepare
// and Commit.
type stage struct {
	tmp interface {
		Commit() error
		Abort()
	}
}

// Commit makes the temporary visible in its place.
func (s *stage) Commit() error {
	if s.tmp == nil {
		return errors.New("output: not prepared")
	}
	return s.tmp.Commit()
}

// Abort removes the temporary.
func (s *stage) Abort() {
	if s.tmp != nil {
		s.tmp.Abort()
	}
}

// Local is a directory on the client, replaced atomically.
type Local struct {
	Dest string
	stage
}

// Prepare makes the temporary directory the export writes to.
func (l *Local) Prepare() (client.ExportEntry, error) {
	d, err := NewDir(l.Dest)
	if err != nil {
		return client.ExportEntry{}, err
	}
	l.tmp = d
	return client.ExportEntry{Type: client.ExporterLocal, OutputDir: d.Path()}, nil
}

// Describe names the directory.
func (l *Local) Describe() string { return l.Dest }

// Kind is Tree.
func (l *Local) Kind() Kind { return Tree }

// ToClient is true.
func (l *Local) ToClient() bool { return true }

// Tar is the tree as one tar file on the client, compressed as asked,
// replaced atomically and listed in SHA256SUMS beside it.
type Tar struct {
	Dest        string
	Compression string
	stage
	file *File
}

// Prepare makes the temporary file the export streams into.
func (t *Tar) Prepare() (client.ExportEntry, error) {
	f, err := NewFile(t.Dest, t.Compression)
	if err != nil {
		return client.ExportEntry{}, err
	}
	t.file, t.tmp = f, f
	return client.ExportEntry{Type: client.ExporterTar, Output: f.Open}, nil
}

// Describe names the file and its checksum.
func (t *Tar) Describe() string { return describeFile(t.Dest, t.file) }

// Kind is Tree.
func (t *Tar) Kind() Kind { return Tree }

// ToClient is true.
func (t *Tar) ToClient() bool { return true }

// Archive is an image as an OCI image layout in a tar file on the client
// (skopeo copy oci-archive:FILE, docker load), replaced atomically and
// listed in SHA256SUMS beside it.
type Archive struct {
	Dest string
	// Name, when set, is the reference the archive's index names.
	Name string
	kind Kind
	stage
	file *File
}

// Prepare makes the temporary file the export streams into.
func (a *Archive) Prepare() (client.ExportEntry, error) {
	f, err := NewFile(a.Dest, "none")
	if err != nil {
		return client.ExportEntry{}, err
	}
	a.file, a.tmp = f, f
	attrs := map[string]string{}
	if a.Name != "" {
		attrs["name"] = a.Name
	}
	return client.ExportEntry{Type: client.ExporterOCI, Attrs: attrs, Output: f.Open}, nil
}

// Describe names the file, what it holds and its checksum.
func (a *Archive) Describe() string { return describeFile(a.Dest+" ("+a.kind.String()+")", a.file) }

// Kind is DataImage or Nginx.
func (a *Archive) Kind() Kind { return a.kind }

// ToClient is true.
func (a *Archive) ToClient() bool { return true }

func describeFile(what string, f *File) string {
	if f == nil || f.Sum() == "" {
		return what
	}
	return fmt.Sprintf("%s, sha256 %s (in %s)", what, f.Sum(), filepath.Join(filepath.Dir(f.Dest), SumsFile))
}

// Image is an image in BuildKit's image store, pushed to its registry
// with Push. A push cannot be taken back: Commit and Abort do nothing.
type Image struct {
	Name string
	Push bool
	// Attrs are further attributes of BuildKit's image exporter:
	// registry.insecure, oci-mediatypes, compression, ...
	Attrs map[string]string
	kind  Kind
}

// Prepare returns the image export.
func (i *Image) Prepare() (client.ExportEntry, error) {
	attrs := map[string]string{"name": i.Name, "push": strconv.FormatBool(i.Push)}
	for k, v := range i.Attrs {
		attrs[k] = v
	}
	return client.ExportEntry{Type: client.ExporterImage, Attrs: attrs}, nil
}

// Commit does nothing: the export is done.
func (i *Image) Commit() error { return nil }

// Abort does nothing: a pushed image stays.
func (i *Image) Abort() {}

// Describe names the image and whether it goes to its registry.
func (i *Image) Describe() string {
	if i.Push {
		return fmt.Sprintf("%s (%s, push=true)", i.Name, i.kind)
	}
	return fmt.Sprintf("%s (%s, in the builder's image store: push=true pushes it)", i.Name, i.kind)
}

// Kind is DataImage or Nginx.
func (i *Image) Kind() Kind { return i.kind }

// ToClient is false.
func (i *Image) ToClient() bool { return false }
