package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// faultKind is what a faultProxy does to a request instead of forwarding it.
type faultKind string

const (
	faultRefused  faultKind = "connection refused" // the mirror goes away: its port refuses connections
	fault503      faultKind = "503"                // 503 Service Unavailable
	fault404      faultKind = "404"                // 404 Not Found
	faultShort    faultKind = "body cut short"     // the full Content-Length, half the body, then the connection closes
	faultStall    faultKind = "stalled body"       // half the body, then nothing (until stallMax)
	faultCorrupt  faultKind = "wrong bytes"        // the right length, some bytes changed
	faultRedirect faultKind = "redirect loop"      // 302 to the very same URL
)

// fault applies kind to the requests whose path's last element matches
// the path.Match pattern match: to the first times attempts of each such
// path, or to every attempt when times is 0 (a lasting fault). A refused
// fault is the whole mirror's: at a matching attempt the proxy drops the
// connection and closes its port for down (for good when times is 0),
// at most times times in all.
type fault struct {
	kind  faultKind
	match string
	times int
	down  time.Duration
}

// stallMax bounds a stalled body: the proxy gives up on it after that.
const stallMax = 3 * time.Minute

// faultProxy is a reverse proxy on 127.0.0.1 of upstream, at URL, that
// injects one fault.
type faultProxy struct {
	URL      string
	upstream *url.URL
	fault    fault
	addr     string
	forward  *httputil.ReverseProxy

	mu       sync.Mutex
	attempts map[string]int // per path
	injected []string       // "N PATH" of each fault injected
	refusals int
	srv      *http.Server
	closed   bool
}

// startFaultProxy serves upstream through the fault f on 127.0.0.1 until
// the test ends. Its URL ends in /mirror, as startProxy's.
func startFaultProxy(t *testing.T, upstream string, f fault) *faultProxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	ln, forward := reverseProxy(t, upstream)
	p := &faultProxy{upstream: u, fault: f, addr: ln.Addr().String(), attempts: map[string]int{}, forward: forward}
	p.URL = "http://" + p.addr + "/mirror"
	p.serve(ln)
	t.Cleanup(p.close)
	return p
}

func (p *faultProxy) serve(ln net.Listener) {
	srv := &http.Server{Handler: http.StripPrefix("/mirror", p), ReadHeaderTimeout: 30 * time.Second}
	p.mu.Lock()
	p.srv = srv
	p.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

func (p *faultProxy) close() {
	p.mu.Lock()
	p.closed = true
	srv := p.srv
	p.mu.Unlock()
	srv.Close()
}

// Injected lists the faults injected, "N PATH" (N: the path's attempt).
func (p *faultProxy) Injected() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.injected...)
}

// Attempts is how often paths ending in suffix were asked for.
func (p *faultProxy) Attempts(suffix string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for path, c := range p.attempts {
		if strings.HasSuffix(path, suffix) {
			n += c
		}
	}
	return n
}

// inject counts the attempt at r's path and says whether the fault applies.
func (p *faultProxy) inject(r *http.Request) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.attempts[r.URL.Path]++
	n := p.attempts[r.URL.Path]
	if ok, _ := path.Match(p.fault.match, path.Base(r.URL.Path)); !ok {
		return false
	}
	if p.fault.kind == faultRefused {
		if p.fault.times > 0 && p.refusals >= p.fault.times {
			return false
		}
		p.refusals++
	} else if p.fault.times > 0 && n > p.fault.times {
		return false
	}
	p.injected = append(p.injected, strconv.Itoa(n)+" "+r.URL.Path)
	return true
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !p.inject(r) {
		p.forward.ServeHTTP(w, r)
		return
	}
	switch p.fault.kind {
	case faultRefused:
		p.goAway()
		panic(http.ErrAbortHandler)
	case fault503:
		http.Error(w, "fault injected: busy", http.StatusServiceUnavailable)
	case fault404:
		http.NotFound(w, r)
	case faultRedirect:
		http.Redirect(w, r, "/mirror"+r.URL.RequestURI(), http.StatusFound)
	default:
		p.serveBody(w, r)
	}
}

// goAway closes the port, and opens it again after the fault's down time
// unless the fault lasts.
func (p *faultProxy) goAway() {
	p.mu.Lock()
	srv := p.srv
	p.mu.Unlock()
	go func() {
		srv.Close()
		if p.fault.times == 0 {
			return
		}
		time.Sleep(p.fault.down)
		p.mu.Lock()
		closed := p.closed
		p.mu.Unlock()
		if closed {
			return
		}
		if ln, err := net.Listen("tcp", p.addr); err == nil {
			p.serve(ln)
		}
	}()
}

// serveBody answers with upstream's file, cut short, stalled or changed.
func (p *faultProxy) serveBody(w http.ResponseWriter, r *http.Request) {
	body, err := p.get(r.URL.Path)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	half := body[:len(body)/2]
	switch p.fault.kind {
	case faultShort:
		_, _ = w.Write(half)
		panic(http.ErrAbortHandler)
	case faultStall:
		_, _ = w.Write(half)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(stallMax):
		}
		panic(http.ErrAbortHandler)
	case faultCorrupt:
		bad := bytes.Clone(body)
		for i := len(bad) / 2; i < len(bad) && i < len(bad)/2+64; i++ {
			bad[i] ^= 0xff
		}
		_, _ = w.Write(bad)
	}
}

// upstreamFile fetches the file at uri, a URL on the proxy or elsewhere,
// from upstream, past the faults.
func (p *faultProxy) upstreamFile(uri string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(uri, p.URL); ok {
		uri = strings.TrimSuffix(p.upstream.String(), "/") + rest
	}
	return fetch(uri)
}

// get fetches upstream's file at p.
func (p *faultProxy) get(file string) ([]byte, error) {
	u := *p.upstream
	u.Path = strings.TrimSuffix(u.Path, "/") + file
	return fetch(u.String())
}

func fetch(uri string) ([]byte, error) {
	resp, err := http.Get(uri)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("upstream: %s", resp.Status)
	}
	return io.ReadAll(resp.Body)
}
