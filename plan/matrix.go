package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/distribution/reference"
)

// MatrixOptions say how WriteMatrix splits the targets and names results.
type MatrixOptions struct {
	// SplitArch gives each (distro, arch) its own entry; by default an
	// entry builds every arch of one distro.
	SplitArch bool
	// Image is the repository of the suggested image names, which are
	// IMAGE:DISTRO or IMAGE:DISTRO-ARCH. It is lowercased, as image names
	// must be (GitHub repository names need not be).
	Image string
	// Prefix begins each artifact name: PREFIX-DISTRO[-ARCH].
	Prefix string
}

// MatrixEntry is one job of a GitHub Actions matrix build.
type MatrixEntry struct {
	Distro string `json:"distro"`
	// Arch is set when the matrix is split by architecture.
	Arch string `json:"arch,omitempty"`
	// Arches are the architectures the job builds, comma-separated, as
	// --arch takes them; Platforms the same as buildx names them.
	Arches    string `json:"arches"`
	Platforms string `json:"platforms"`
	Manager   string `json:"manager"`
	// Image is a suggested image name for the job's result; Artifact a
	// suggested artifact name, unique in the matrix.
	Image    string `json:"image"`
	Artifact string `json:"artifact"`
}

// Matrix is what GitHub Actions' strategy.matrix takes via fromJSON.
type Matrix struct {
	Include []MatrixEntry `json:"include"`
}

// MakeMatrix groups targets into matrix entries, in the targets' order.
func MakeMatrix(targets []Target, o MatrixOptions) (Matrix, error) {
	image := strings.ToLower(o.Image)
	if ref, err := reference.ParseNormalizedNamed(image); err != nil {
		return Matrix{}, fmt.Errorf("image %q: %w", o.Image, err)
	} else if !reference.IsNameOnly(ref) {
		return Matrix{}, fmt.Errorf("image %q: want a repository without tag or digest (the tags are the distros)", o.Image)
	}
	m := Matrix{Include: []MatrixEntry{}}
	index := map[string]int{} // entry key -> position in m.Include
	for _, t := range targets {
		key := t.Distro.Name
		if o.SplitArch {
			key += "-" + t.Arch
		}
		i, ok := index[key]
		if !ok {
			i = len(m.Include)
			index[key] = i
			e := MatrixEntry{Distro: t.Distro.Name, Manager: t.Distro.Manager, Image: image + ":" + key, Artifact: o.Prefix + "-" + key}
			if o.SplitArch {
				e.Arch = t.Arch
			}
			m.Include = append(m.Include, e)
		}
		e := &m.Include[i]
		if arches := strings.Split(e.Arches, ","); !slices.Contains(arches, t.Arch) {
			e.Arches = strings.TrimPrefix(e.Arches+","+t.Arch, ",")
			e.Platforms = strings.TrimPrefix(e.Platforms+",linux/"+t.Arch, ",")
		}
	}
	for _, e := range m.Include {
		if _, err := reference.ParseNormalizedNamed(e.Image); err != nil {
			return Matrix{}, fmt.Errorf("image %q: %w", e.Image, err)
		}
	}
	return m, nil
}

// WriteMatrix writes m as one line of JSON, the form $GITHUB_OUTPUT takes
// (matrix=...).
func WriteMatrix(w io.Writer, m Matrix) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}
