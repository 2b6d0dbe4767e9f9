package serve

import (
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

func TestTypeOf(t *testing.T) {
	tests := []struct{ name, want string }{
		{"debian/pool/bookworm/c/curl_7.88.1-10+deb12u5_amd64.deb", "application/vnd.debian.binary-package"},
		{"centos/7/os/x86_64/Packages/curl-7.29.0-59.el7.x86_64.rpm", "application/x-rpm"},
		{"centos/7/os/x86_64/repodata/repomd.xml", "application/xml"},
		{"centos/7/os/x86_64/repodata/abc-primary.xml.gz", "application/gzip"},
		{"rocky/9/os/x86_64/repodata/abc-modules.yaml.zst", "application/zstd"},
		{"debian/dists/bookworm/main/binary-amd64/Packages.xz", "application/x-xz"},
		{"debian/dists/bookworm/Release", "text/plain; charset=utf-8"},
		{"debian/dists/bookworm/InRelease", "text/plain; charset=utf-8"},
		{"debian/dists/bookworm/main/binary-arm64/Packages", "text/plain; charset=utf-8"},
		{"clients/install.sh", "text/plain; charset=utf-8"},
		{"clients/debian12.sources", "text/plain; charset=utf-8"},
		{"clients/centos7.repo", "text/plain; charset=utf-8"},
		{"clients/centos7.env", "text/plain; charset=utf-8"},
		{"SHA256SUMS", "text/plain; charset=utf-8"},
		{"keys/docker.GPG", "application/pgp-keys"},
		{"debian/dists/bookworm/by-hash/SHA256/0123abcd", DefaultType},
		{".hidden", DefaultType},
	}
	for _, tt := range tests {
		if got := TypeOf(tt.name); got != tt.want {
			t.Errorf("TypeOf(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestTypesUnique(t *testing.T) {
	seen := map[string]string{}
	for _, ty := range Types {
		for _, e := range ty.Exts {
			if prev, ok := seen[e]; ok {
				t.Errorf("extension %q is both %s and %s (nginx warns on duplicates)", e, prev, ty.Type)
			}
			seen[e] = ty.Type
		}
	}
}

func TestNginxConfGolden(t *testing.T) {
	got := NginxConf()
	golden := filepath.Join("testdata", "nginx.conf")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("nginx.conf differs from %s (go test ./serve -update rewrites it):\n%s", golden, got)
	}
	for _, must := range []string{"autoindex on;", "root " + NginxRoot + ";", "location = /healthz", "application/vnd.debian.binary-package deb udeb ddeb;"} {
		if !strings.Contains(string(got), must) {
			t.Errorf("nginx.conf lacks %q", must)
		}
	}
}

func TestHandler(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"debian/dists/bookworm/Release":     "Origin: repobuild\n",
		"debian/pool/bookworm/c/curl_1.deb": "!<arch>\n",
		"clients/install.sh":                "#!/bin/sh\n",
		"clients/debian12.env":              "name=debian12\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(Handler(dir))
	defer srv.Close()
	tests := []struct {
		method, path string
		status       int
		ctype, body  string
	}{
		{"GET", "/debian/dists/bookworm/Release", 200, "text/plain; charset=utf-8", "Origin: repobuild\n"},
		{"GET", "/debian/pool/bookworm/c/curl_1.deb", 200, "application/vnd.debian.binary-package", "!<arch>\n"},
		{"HEAD", "/clients/install.sh", 200, "text/plain; charset=utf-8", ""},
		{"GET", "/debian/pool/bookworm/c/", 200, "text/html; charset=utf-8", `<a href="curl_1.deb">curl_1.deb</a>`},
		// install.sh piped from the server finds the distros here.
		{"GET", "/clients/", 200, "text/html; charset=utf-8", `<a href="debian12.env">debian12.env</a>`},
		{"GET", "/healthz", 200, "text/plain; charset=utf-8", "ok\n"},
		{"GET", "/../../etc/passwd", 400, "", ""},
		{"GET", "/nothing", 404, "", ""},
		{"PUT", "/clients/install.sh", 405, "", ""},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
			continue
		}
		if tt.ctype != "" && resp.Header.Get("Content-Type") != tt.ctype {
			t.Errorf("%s %s: Content-Type %q, want %q", tt.method, tt.path, resp.Header.Get("Content-Type"), tt.ctype)
		}
		if !strings.Contains(string(body), tt.body) {
			t.Errorf("%s %s: body %q lacks %q", tt.method, tt.path, body, tt.body)
		}
	}
}
