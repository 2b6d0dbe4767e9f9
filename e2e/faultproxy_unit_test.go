package e2e

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFaultProxy checks each fault against a loopback upstream, without a
// daemon: the first attempt at a matching file fails the way the fault
// says, the next one gets the upstream's bytes; other files pass through;
// a lasting fault never lets the file through.
func TestFaultProxy(t *testing.T) {
	file := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	upstream := httptest.NewServer(http.StripPrefix("/debian", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "65536")
		_, _ = w.Write(file)
	})))
	defer upstream.Close()
	// A client that shows each redirect instead of following it.
	client := &http.Client{Timeout: time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(url string) error {
		resp, err := client.Get(url)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		switch {
		case err != nil:
			return err
		case resp.StatusCode != http.StatusOK:
			return errors.New(resp.Status)
		case !bytes.Equal(body, file):
			return errors.New("wrong bytes")
		}
		return nil
	}
	for _, tc := range []struct {
		kind faultKind
		want string // in the faulty attempt's error
	}{
		{faultRefused, "connection refused"},
		{fault503, "503 Service Unavailable"},
		{fault404, "404 Not Found"},
		{faultShort, "unexpected EOF"},
		{faultStall, "Client.Timeout"},
		{faultCorrupt, "wrong bytes"},
		{faultRedirect, "302 Found"},
	} {
		t.Run(strings.ReplaceAll(string(tc.kind), " ", "-"), func(t *testing.T) {
			p := startFaultProxy(t, upstream.URL+"/debian", fault{kind: tc.kind, match: "*.deb", times: 1, down: 300 * time.Millisecond})
			if err := get(p.URL + "/dists/x/Release"); err != nil {
				t.Fatalf("a file the fault does not match: %v", err)
			}
			err := get(p.URL + "/pool/a_1_all.deb")
			if tc.kind == faultRefused {
				// The attempt that took the port down is dropped; the
				// next is refused.
				if err == nil {
					t.Fatal("the attempt that took the mirror down succeeded")
				}
				err = get(p.URL + "/pool/a_1_all.deb")
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("faulty attempt: %v, want %q", err, tc.want)
			}
			if tc.kind == faultRefused && !errors.Is(err, syscall.ECONNREFUSED) {
				t.Fatalf("not refused: %v", err)
			}
			time.Sleep(500 * time.Millisecond)
			if err := get(p.URL + "/pool/a_1_all.deb"); err != nil {
				t.Fatalf("the attempt after a transient fault: %v", err)
			}
			if len(p.Injected()) == 0 {
				t.Fatal("no fault recorded")
			}

			lasting := startFaultProxy(t, upstream.URL+"/debian", fault{kind: tc.kind, match: "a_*.deb"})
			for i := 0; i < 3; i++ {
				if err := get(lasting.URL + "/pool/a_1_all.deb"); err == nil {
					t.Fatalf("attempt %d through a lasting fault succeeded", i+1)
				}
			}
		})
	}
}
