package e2e

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServe serves a built tree with `repobuild serve`, checks what curl
// gets, then points a throw-away root at it with the tree's install.sh,
// piped from the server, and has the host's apt download the closure of two packages over HTTP;
// install.sh --restore gives the root back as it was.
func TestServe(t *testing.T) {
	e := setup(t)
	need(t, "curl")
	need(t, "apt-get")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	e.buildInto(t, filepath.Join(e.root, "packages.yaml"), out)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := exec.CommandContext(ctx, e.bin, "serve", out, "--addr", "127.0.0.1:0")
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = srv.Wait() }()
	sc := bufio.NewScanner(stdout)
	var printed []string
	url := ""
	deadline := time.AfterFunc(30*time.Second, cancel)
	for sc.Scan() {
		printed = append(printed, sc.Text())
		if m := regexp.MustCompile(`^serving .* at (http://127\.0\.0\.1:\d+)/`).FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
		}
		if strings.Contains(sc.Text(), "deb [trusted=yes]") {
			break
		}
	}
	deadline.Stop()
	go func() { // keep the pipe drained
		for sc.Scan() {
		}
	}()
	text := strings.Join(printed, "\n")
	if url == "" {
		t.Fatalf("repobuild serve did not say where it serves:\n%s", text)
	}
	for _, want := range []string{
		"curl -fsSL " + url + "/clients/install.sh | sh -s -- " + url,
		"deb [trusted=yes] " + url + "/debian bookworm main",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("repobuild serve does not print %q:\n%s", want, text)
		}
	}

	t.Run("curl", func(t *testing.T) {
		headers := command(t, "", "curl", "-fsSI", url+"/debian/dists/bookworm/Release")
		if !strings.Contains(headers, "Content-Type: text/plain; charset=utf-8") {
			t.Errorf("Release headers:\n%s", headers)
		}
		if got := command(t, "", "curl", "-fsS", url+"/healthz"); got != "ok\n" {
			t.Errorf("/healthz = %q", got)
		}
		if got := command(t, "", "curl", "-fsS", url+"/debian/"); !strings.Contains(got, `<a href="dists/">dists/</a>`) {
			t.Errorf("/debian/ lists:\n%s", got)
		}
		script := command(t, "", "curl", "-fsS", url+"/clients/install.sh")
		local, err := os.ReadFile(filepath.Join(out, "clients", "install.sh"))
		if err != nil || script != string(local) {
			t.Errorf("install.sh served differs from the tree's (%v)", err)
		}
	})

	t.Run("apt through install.sh", func(t *testing.T) {
		root := t.TempDir()
		for name, content := range map[string]string{
			"etc/os-release":                        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n",
			"etc/apt/sources.list.d/debian.sources": "Types: deb\nURIs: http://deb.invalid/debian\nSuites: bookworm\nComponents: main\n",
			"var/lib/dpkg/status":                   "",
		} {
			p := filepath.Join(root, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, d := range []string{"var/lib/apt/lists/partial", "var/cache/apt/archives/partial"} {
			if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		etcBefore := treeSums(t, filepath.Join(root, "etc"))
		// As repobuild serve says: the script piped from the server, which
		// finds the tree's distros in the server's listing of clients/.
		installed := command(t, "", "sh", "-c", `curl -fsSL "$1/clients/install.sh" | sh -s -- --root "$2" "$1" 2>&1`, "sh", url, root)
		if !strings.Contains(installed, "for debian12 from "+url) {
			t.Errorf("install.sh piped from the server:\n%s", installed)
		}

		apt := []string{"-o", "Dir=" + root, "-o", "Dir::State::status=" + filepath.Join(root, "var/lib/dpkg/status"),
			"-o", "APT::Architecture=amd64", "-o", "APT::Architectures::=amd64", "-o", "Debug::NoLocking=1",
			"-o", "APT::Sandbox::User=root", "-o", "Acquire::http::Proxy::127.0.0.1=DIRECT", "-q"}
		update := command(t, "", "apt-get", append(apt, "update")...)
		if !strings.Contains(update, url+"/debian bookworm") {
			t.Errorf("apt-get update did not read the served repository:\n%s", update)
		}
		command(t, "", "apt-get", append(apt, "install", "--download-only", "-y", "curl", "socat")...)
		debs, _ := filepath.Glob(filepath.Join(root, "var/cache/apt/archives/*.deb"))
		var names []string
		for _, d := range debs {
			names = append(names, filepath.Base(d))
		}
		for _, p := range []string{"curl_", "socat_", "libcurl4_"} {
			found := false
			for _, n := range names {
				found = found || strings.HasPrefix(n, p)
			}
			if !found {
				t.Errorf("apt did not download %s*.deb from the server: %v", p, names)
			}
		}

		command(t, "", "sh", filepath.Join(out, "clients", "install.sh"), "--root", root, "--restore")
		sameTree(t, "the root's etc/ after --restore", treeSums(t, filepath.Join(root, "etc")), etcBefore)
	})
}
