package serve

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestLoad: 32 clients on 127.0.0.1 each download the largest file of a
// tree 8 times at once; every body is the file, byte for byte, and the
// whole run stays within its time bound.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	const (
		clients   = 32
		downloads = 8
		size      = 20 << 20
		bound     = 2 * time.Minute
	)
	dir := t.TempDir()
	data := make([]byte, size)
	_, _ = rand.Read(data)
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	big := filepath.Join(dir, "debian", "pool", "bookworm", "b", "big_1.0_amd64.deb")
	writeTree(t, dir, map[string]string{"debian/dists/bookworm/Release": "Origin: repobuild\n"})
	if err := os.MkdirAll(filepath.Dir(big), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, data, 0o644); err != nil {
		t.Fatal(err)
	}
	url := "http://" + startServer(t, dir, DefaultLimits) + "/debian/pool/bookworm/b/big_1.0_amd64.deb"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, DisableCompression: true}}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(t.Context(), bound)
	defer cancel()

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, clients*downloads)
	for c := range clients {
		wg.Go(func() {
			for d := range downloads {
				got, err := download(ctx, client, url)
				switch {
				case err != nil:
					errs <- fmt.Errorf("client %d, download %d: %w", c, d, err)
				case got != want:
					errs <- fmt.Errorf("client %d, download %d: SHA256 %s, want %s", c, d, got, want)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	took := time.Since(start)
	n := 0
	for err := range errs {
		if n++; n <= 5 {
			t.Error(err)
		}
	}
	if n > 0 {
		t.Fatalf("%d of %d downloads failed", n, clients*downloads)
	}
	t.Logf("%d downloads of %d MiB by %d clients in %v (%.0f MiB/s)", clients*downloads, size>>20, clients, took.Round(time.Millisecond),
		float64(clients*downloads*size>>20)/took.Seconds())
}

// download gets url and returns the SHA256 of its body.
func download(ctx context.Context, client *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %s", resp.Status)
	}
	h := sha256.New()
	if _, err := io.Copy(h, resp.Body); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
