// Package serve is how a repository tree is served over HTTP: the content
// types of its files, the handler behind `repobuild serve`, and the nginx
// configuration of the nginx image. Both servers take their content types
// from the same table, so a file is served the same way by either.
package serve

import (
	"path"
	"slices"
	"strings"
)

// Type is the content type of the files ending in one of Exts.
type Type struct {
	Type string
	Exts []string
}

// Types are the content types of the files of repository trees. Package
// managers do not look at them; browsers, proxies and download tools do.
var Types = []Type{
	{"application/vnd.debian.binary-package", []string{"deb", "udeb", "ddeb"}},
	{"application/x-rpm", []string{"rpm", "drpm"}},
	{"application/gzip", []string{"gz", "tgz"}},
	{"application/x-xz", []string{"xz"}},
	{"application/x-bzip2", []string{"bz2"}},
	{"application/zstd", []string{"zst"}},
	{"application/x-lz4", []string{"lz4"}},
	{"application/x-tar", []string{"tar"}},
	{"application/xml", []string{"xml"}},
	{"application/json", []string{"json"}},
	{"application/yaml", []string{"yaml", "yml"}},
	{"application/vnd.sqlite3", []string{"sqlite"}},
	{"application/pgp-keys", []string{"gpg", "key"}},
	{"application/pgp-signature", []string{"asc", "sig"}},
	{"text/html; charset=utf-8", []string{"html", "htm"}},
	// Text a person reads in the browser: client configuration, scripts,
	// checksums, Debian source control files.
	{"text/plain; charset=utf-8", []string{"txt", "sh", "list", "sources", "repo", "env", "conf", "dsc", "changes"}},
}

// TextNames are files without an extension that are text: the indexes of
// apt repositories, checksum lists.
var TextNames = []string{"Release", "InRelease", "Packages", "Sources", "Index", "SHA256SUMS", "SHA512SUMS", "MD5SUMS"}

// DefaultType is the content type of any other file.
const DefaultType = "application/octet-stream"

// HealthPath answers 200 "ok" while the server runs.
const HealthPath = "/healthz"

// TypeOf returns the content type a file of the tree is served with.
func TypeOf(name string) string {
	base := path.Base(name)
	if slices.Contains(TextNames, base) {
		return "text/plain; charset=utf-8"
	}
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		ext := strings.ToLower(base[i+1:])
		for _, t := range Types {
			if slices.Contains(t.Exts, ext) {
				return t.Type
			}
		}
	}
	return DefaultType
}
