package e2e

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// authRegistry starts Debian's docker-registry on a free loopback port,
// with basic auth for user:secret, for the length of the test. It
// returns the registry's host:port.
func authRegistry(t *testing.T, user, secret string) string {
	t.Helper()
	bin := need(t, "docker-registry")
	dir := t.TempDir()
	hash, err := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.DefaultCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(user+":"+string(hash)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	config := fmt.Sprintf(`version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: %s/data
auth:
  htpasswd:
    realm: repobuild-test
    path: %s/htpasswd
http:
  addr: %s
`, dir, dir, addr)
	if err := os.WriteFile(filepath.Join(dir, "config.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", filepath.Join(dir, "config.yml"))
	log, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		log.Close()
	})
	for range 100 {
		resp, err := http.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized {
				return addr
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, _ := os.ReadFile(filepath.Join(dir, "log"))
	t.Fatalf("the registry with auth did not answer 401 on %s:\n%s", addr, out)
	return ""
}

// TestRegistryAuth pushes the data image to a registry that wants a
// password, with the credentials where docker keeps them: none (the push
// fails), a `docker login` entry in config.json, and a credential helper.
func TestRegistryAuth(t *testing.T) {
	e := setup(t)
	const user, secret = "repobuild", "s3cret-for-the-test"
	pkgs := filepath.Join(t.TempDir(), "packages.yaml")
	if err := os.WriteFile(pkgs, []byte("common:\n  - socat\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// config is docker's config.json for the registry at host:port.
	tests := []struct {
		name   string
		config func(registry string) string
		helper bool
		ok     bool
	}{
		{"no credentials", func(string) string { return `{}` }, false, false},
		{"docker login", func(registry string) string {
			return fmt.Sprintf(`{"auths": {%q: {"auth": %q}}}`, registry, base64.StdEncoding.EncodeToString([]byte(user+":"+secret)))
		}, false, true},
		{"credential helper", func(registry string) string {
			return fmt.Sprintf(`{"credHelpers": {%q: "repobuild-test"}}`, registry)
		}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A registry of its own: BuildKit cannot reuse what an
			// earlier case sent.
			registry := authRegistry(t, user, secret)
			home := t.TempDir()
			if err := os.WriteFile(filepath.Join(home, "config.json"), []byte(tt.config(registry)), 0o600); err != nil {
				t.Fatal(err)
			}
			env := []string{"DOCKER_CONFIG=" + home}
			if tt.helper {
				// docker-credential-repobuild-test get: server URL on stdin,
				// credentials as JSON on stdout (docker's helper protocol).
				helper := fmt.Sprintf("#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread -r server\necho \"$server\" >>%q\n"+
					"printf '{\"ServerURL\":\"%%s\",\"Username\":%q,\"Secret\":%q}\\n' \"$server\"\n", filepath.Join(home, "asked"), user, secret)
				if err := os.WriteFile(filepath.Join(home, "docker-credential-repobuild-test"), []byte(helper), 0o755); err != nil {
					t.Fatal(err)
				}
				env = append(env, "PATH="+home+string(os.PathListSeparator)+os.Getenv("PATH"))
			}
			ref := registry + "/repobuild-test/data:auth"
			_, stderr, err := e.repobuildEnv(t, env, "--distro", "debian12", "--arch", "amd64", "-f", pkgs,
				"--registry-mirror", e.mirror, "--progress", "quiet", "-o", "type=image,name="+ref+",push=true")
			if !tt.ok {
				if err == nil {
					t.Fatal("the push without credentials succeeded")
				}
				if !strings.Contains(stderr, "401") && !strings.Contains(strings.ToLower(stderr), "unauthorized") {
					t.Errorf("the error does not say the registry refused:\n%s", stderr)
				}
				return
			}
			if err != nil {
				t.Fatalf("repobuild: %v\n%s", err, stderr)
			}
			if tt.helper {
				asked, err := os.ReadFile(filepath.Join(home, "asked"))
				if err != nil || !strings.Contains(string(asked), registry) {
					t.Errorf("the credential helper was not asked for %s (%v): %q", registry, err, asked)
				}
			}
			out := command(t, "", "skopeo", "inspect", "--raw", "--tls-verify=false", "--creds", user+":"+secret, "docker://"+ref)
			if !strings.Contains(out, `"arm64"`) || !strings.Contains(out, `"amd64"`) {
				t.Errorf("the pushed index:\n%s", out)
			}
		})
	}
}
