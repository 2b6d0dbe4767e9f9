package serve

import (
	"log/slog"
	"net/http"
	"time"
)

// Limits bound what one client may hold of the server.
type Limits struct {
	// ReadHeader is the time a client has to send a request line and its
	// headers (slow clients that never finish are dropped).
	ReadHeader time.Duration
	// Idle is how long a kept-alive connection may wait for its next
	// request.
	Idle time.Duration
	// Stall is how long a response may wait for the client to take any of
	// it: a download may last as long as it goes on.
	Stall time.Duration
	// MaxHeaderBytes bounds the request line and headers; larger requests
	// get 431.
	MaxHeaderBytes int
}

// DefaultLimits are those of `repobuild serve`.
var DefaultLimits = Limits{
	ReadHeader:     10 * time.Second,
	Idle:           2 * time.Minute,
	Stall:          time.Minute,
	MaxHeaderBytes: 16 << 10,
}

// NewServer returns the server of `repobuild serve`: Handler(dir), each
// request logged to log, within limits.
func NewServer(dir string, log *slog.Logger, limits Limits) *http.Server {
	return &http.Server{
		Handler:           Stalls(LogRequests(Handler(dir), log), limits.Stall),
		ReadHeaderTimeout: limits.ReadHeader,
		IdleTimeout:       limits.Idle,
		MaxHeaderBytes:    limits.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Stalls drops a response when its client takes none of it for d: each
// write must finish within d of the one before. (An http.Server's
// WriteTimeout would bound a whole download instead, however large.)
func Stalls(h http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		_ = rc.SetWriteDeadline(time.Now().Add(d))
		h.ServeHTTP(&stallWriter{ResponseWriter: w, rc: rc, d: d}, r)
	})
}

// stallWriter moves the connection's write deadline on with each write.
type stallWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
	d  time.Duration
}

func (w *stallWriter) Write(p []byte) (int, error) {
	_ = w.rc.SetWriteDeadline(time.Now().Add(w.d))
	return w.ResponseWriter.Write(p)
}

// Unwrap gives http.ResponseController the connection's writer.
func (w *stallWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
