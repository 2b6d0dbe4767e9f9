// Package lock is a target's lock: every package file of its closure, with
// where it came from, its size and its SHA256. The fetch step writes it as
// lock.json (builder/manager/common/report.sh); the tree keeps it at
// .repobuild/DISTRO-ARCH.lock; --metadata-file reports it.
package lock

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/repobuild/repobuild/internal/strictjson"
)

// Version is the lock format's version.
const Version = 1

// Lock is one target's closure.
type Lock struct {
	Version  int       `json:"version"`
	Distro   string    `json:"distro"`
	Arch     string    `json:"arch"`
	Packages []Package `json:"packages"`
}

// Package is one package file of the closure.
type Package struct {
	// File is the file's path from the tree's root:
	// debian/pool/bookworm/curl_7.88.1-10+deb12u8_amd64.deb.
	File   string `json:"file"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// URI is where it was downloaded from; "-" when unknown.
	URI string `json:"uri"`
}

// Parse reads a lock and checks it.
func Parse(data []byte) (Lock, error) {
	var l Lock
	if err := strictjson.Unmarshal(data, &l); err != nil {
		return Lock{}, fmt.Errorf("lock: %w", err)
	}
	return l, l.Validate()
}

// Validate checks the lock's fields.
func (l Lock) Validate() error {
	if l.Version != Version {
		return fmt.Errorf("lock: version %d, want %d", l.Version, Version)
	}
	if l.Distro == "" || l.Arch == "" {
		return errors.New("lock: no distro or arch")
	}
	seen := map[string]bool{}
	for i, p := range l.Packages {
		if p.File == "" || path.IsAbs(p.File) || path.Clean(p.File) != p.File || strings.HasPrefix(p.File, "../") || p.File == ".." {
			return fmt.Errorf("lock: package %d: file %q is not a clean relative path", i, p.File)
		}
		if seen[p.File] {
			return fmt.Errorf("lock: %s is listed twice", p.File)
		}
		seen[p.File] = true
		if p.Size < 0 {
			return fmt.Errorf("lock: %s: negative size", p.File)
		}
		if b, err := hex.DecodeString(p.SHA256); err != nil || len(b) != sha256.Size || strings.ToLower(p.SHA256) != p.SHA256 {
			return fmt.Errorf("lock: %s: %q is not a SHA256", p.File, p.SHA256)
		}
		if p.URI == "" {
			return fmt.Errorf("lock: %s: no URI (\"-\" when unknown)", p.File)
		}
	}
	return nil
}

// Marshal writes the lock as Parse reads it.
func (l Lock) Marshal() ([]byte, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if l.Packages == nil {
		l.Packages = []Package{}
	}
	data, err := json.MarshalIndent(l, "", "  ")
	return append(data, '\n'), err
}

// Bytes is the total size of the closure.
func (l Lock) Bytes() int64 {
	var n int64
	for _, p := range l.Packages {
		n += p.Size
	}
	return n
}

// Digest is the SHA256 of the lock's canonical form: two builds with the
// same digest have the same closure.
func (l Lock) Digest() (string, error) {
	data, err := l.Marshal()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}
