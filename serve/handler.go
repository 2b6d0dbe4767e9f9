package serve

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"strings"
)

// Handler serves the tree in dir read-only: files with the content types
// of TypeOf, directory listings, and HealthPath. Nothing outside dir is
// served: a path with a ".." segment, a backslash or a NUL is refused
// with 400, and a symbolic link that leads out of the tree (or is
// absolute) is not found (404). dir is opened anew for each request, so a
// build that replaces the tree whole is served at once.
func Handler(dir string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if r.URL.Path == HealthPath {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, "ok\n")
			return
		}
		if !validPath(r.URL.Path) {
			http.Error(w, "invalid URL path", http.StatusBadRequest)
			return
		}
		root, err := os.OpenRoot(dir)
		if err != nil {
			http.Error(w, "the tree is not there", http.StatusServiceUnavailable)
			return
		}
		defer root.Close()
		fsys := treeFS{root.FS()}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name == "" {
			name = "."
		}
		if fi, err := fs.Stat(fsys, name); err == nil && !fi.IsDir() {
			w.Header().Set("Content-Type", TypeOf(name))
		}
		http.FileServerFS(fsys).ServeHTTP(w, r)
	})
}

// validPath reports whether p, a decoded URL path, names a place in the
// tree: absolute, without ".." segments, backslashes or NULs.
func validPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		return false
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == ".." {
			return false
		}
	}
	return true
}

// treeFS is a tree opened with os.Root: a name that leaves the tree (a
// symbolic link out of it, an absolute link) is not found, rather than
// the server error http.FileServerFS makes of other errors.
type treeFS struct{ fs.FS }

func (t treeFS) Open(name string) (fs.File, error) {
	f, err := t.FS.Open(name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return f, err
}

// LogRequests logs each request to h with the status it got.
func LogRequests(h http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		log.Info(r.Method+" "+r.URL.Path, "status", sw.status, "client", r.RemoteAddr)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap gives http.ResponseController the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
