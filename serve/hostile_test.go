package serve

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// writeTree writes files (slash paths to content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(content), Mode: 0o644}
	}
	if err := os.CopyFS(dir, fsys); err != nil {
		t.Fatal(err)
	}
}

// startServer serves dir with NewServer on 127.0.0.1 and returns its
// address.
func startServer(t *testing.T, dir string, limits Limits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(dir, slog.New(slog.DiscardHandler), limits)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// raw sends request as it is and returns the response's status code and
// body (0 when the server closed the connection without answering).
func raw(t *testing.T, addr, request string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// hostileTree is a tree with links that lead out of it, beside a secret.
func hostileTree(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	tree := filepath.Join(base, "tree")
	writeTree(t, base, map[string]string{
		"secret/passwd":                      "root:SECRET\n",
		"tree/debian/dists/bookworm/Release": "Origin: repobuild\n",
		"tree/clients/install.sh":            "#!/bin/sh\n",
	})
	for link, target := range map[string]string{
		"tree/out-file":        "../secret/passwd",
		"tree/out-dir":         "../secret",
		"tree/clients/deep":    "../../secret/passwd",
		"tree/absolute":        filepath.Join(base, "secret", "passwd"),
		"tree/absolute-inside": filepath.Join(tree, "clients", "install.sh"),
		"tree/inside":          "clients/install.sh",
	} {
		if err := os.Symlink(target, filepath.Join(base, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	return tree
}

// TestHostileRequests sends requests a client's library would never make,
// byte for byte, and checks that each is refused and that nothing outside
// the tree is ever sent.
func TestHostileRequests(t *testing.T) {
	addr := startServer(t, hostileTree(t), DefaultLimits)
	long := strings.Repeat("a", 32<<10)
	tests := []struct {
		name, request string
		status        int
	}{
		{"in the tree", "GET /debian/dists/bookworm/Release HTTP/1.1\r\nHost: h\r\n\r\n", 200},
		{"a link within the tree", "GET /inside HTTP/1.1\r\nHost: h\r\n\r\n", 200},
		{"dot-dot", "GET /../secret/passwd HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"dot-dot deeper", "GET /debian/../../secret/passwd HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"encoded dot-dot", "GET /%2e%2e/secret/passwd HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"encoded dot-dot, upper case", "GET /debian/%2E%2E/%2E%2E/secret/passwd HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"encoded slashes", "GET /..%2f..%2fsecret%2fpasswd HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"backslashes", "GET /..\\..\\secret\\passwd HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"encoded backslashes", "GET /%5c..%5csecret%5cpasswd HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"NUL", "GET /clients/install.sh%00.txt HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"absolute form", "GET http://h/../secret/passwd HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"asterisk", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"link to a file outside", "GET /out-file HTTP/1.1\r\nHost: h\r\n\r\n", 404},
		{"link to a directory outside", "GET /out-dir/passwd HTTP/1.1\r\nHost: h\r\n\r\n", 404},
		{"listing a directory outside", "GET /out-dir/ HTTP/1.1\r\nHost: h\r\n\r\n", 404},
		{"link two levels up", "GET /clients/deep HTTP/1.1\r\nHost: h\r\n\r\n", 404},
		{"absolute link", "GET /absolute HTTP/1.1\r\nHost: h\r\n\r\n", 404},
		{"absolute link into the tree", "GET /absolute-inside HTTP/1.1\r\nHost: h\r\n\r\n", 404},
		{"request line too long", "GET /" + long + " HTTP/1.1\r\nHost: h\r\n\r\n", 431},
		{"header too long", "GET / HTTP/1.1\r\nHost: h\r\nX-Long: " + long + "\r\n\r\n", 431},
		{"too many headers", "GET / HTTP/1.1\r\nHost: h\r\n" + strings.Repeat("X-A: b\r\n", 4<<10) + "\r\n", 431},
		{"garbage", "GARBAGE\r\n\r\n", 400},
		{"no version", "GET /\r\n\r\n", 400},
		{"bad header line", "GET / HTTP/1.1\r\nHost: h\r\nno colon here\r\n\r\n", 400},
		{"bad escape", "GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"control character in the path", "GET /a\x01b HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"a body to a GET", "POST /clients/install.sh HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := raw(t, addr, tt.request)
			if status != tt.status {
				t.Errorf("status %d, want %d (body %q)", status, tt.status, body)
			}
			if strings.Contains(body, "SECRET") {
				t.Errorf("served a file outside the tree: %q", body)
			}
		})
	}
	// A listing names the links but serves nothing behind them.
	status, body := raw(t, addr, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if status != 200 || !strings.Contains(body, `href="clients/"`) || strings.Contains(body, "SECRET") {
		t.Errorf("listing: %d %q", status, body)
	}
}

// TestSlowClients: a client that never finishes its headers, or never
// reads its download, is dropped within the limits.
func TestSlowClients(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"big.deb": strings.Repeat("x", 20<<20)})
	limits := DefaultLimits
	limits.ReadHeader, limits.Stall = 200*time.Millisecond, 300*time.Millisecond
	addr := startServer(t, dir, limits)

	t.Run("headers never finished", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		_, _ = io.WriteString(c, "GET /big.deb HTTP/1.1\r\nHost: h\r\n")
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := io.Copy(io.Discard, c)
		if took := time.Since(start); err != nil || took > 3*time.Second {
			t.Errorf("connection still open after %v (read %d bytes, %v); want it closed after the 200ms header timeout", took, n, err)
		}
	})
	t.Run("download never read", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, _ = io.WriteString(c, "GET /big.deb HTTP/1.1\r\nHost: h\r\n\r\n")
		time.Sleep(2 * time.Second) // the server's writes stall for longer than 300ms
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _ := io.Copy(io.Discard, c)
		if n >= 20<<20 {
			t.Errorf("read %d bytes: the stalled download went on, want it dropped", n)
		}
	})
}
