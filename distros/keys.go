package distros

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// otherKeyFiles list packages.yaml keys of distributions that other tools'
// packages files name (see keys/other-distros.yaml).
//
//go:embed keys/*.yaml
var otherKeyFiles embed.FS

// keyRE is what a distro key looks like: lower-case letters and digits.
var keyRE = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// loadOtherKeys reads the key lists in keys/.
func loadOtherKeys() ([]string, error) {
	files, err := fs.Glob(otherKeyFiles, "keys/*.yaml")
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, name := range files {
		data, err := fs.ReadFile(otherKeyFiles, name)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Keys []string `yaml:"keys"`
		}
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&doc); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, k := range doc.Keys {
			if !keyRE.MatchString(k) {
				return nil, fmt.Errorf("%s: key %q is not lower-case letters and digits", name, k)
			}
		}
		keys = append(keys, doc.Keys...)
	}
	return keys, nil
}
