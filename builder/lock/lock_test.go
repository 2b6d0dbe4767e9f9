package lock

import (
	"strings"
	"testing"
)

const sum = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"

func TestParse(t *testing.T) {
	good := `{"version": 1, "distro": "debian12", "arch": "amd64", "packages": [
	  {"file": "debian/pool/bookworm/curl_7.88.1-10+deb12u8_amd64.deb", "size": 315, "sha256": "` + sum + `", "uri": "http://127.0.0.1/debian/pool/main/c/curl/curl_7.88.1-10+deb12u8_amd64.deb"},
	  {"file": "fixture/9/os/x86_64/Packages/fx-app-1.0-1.x86_64.rpm", "size": 0, "sha256": "` + sum + `", "uri": "-"}]}`
	l, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Packages) != 2 || l.Bytes() != 315 || l.Distro != "debian12" || l.Arch != "amd64" {
		t.Errorf("parsed %+v", l)
	}
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse(Marshal()) = %v\n%s", err, data)
	}
	d1, _ := l.Digest()
	d2, _ := again.Digest()
	if d1 != d2 || !strings.HasPrefix(d1, "sha256:") {
		t.Errorf("digests %q and %q of one lock", d1, d2)
	}
	other := again
	other.Packages = other.Packages[:1]
	if d3, _ := other.Digest(); d3 == d1 {
		t.Error("two closures, one digest")
	}
}

func TestParseRefuses(t *testing.T) {
	pkg := func(file, size, sha, uri string) string {
		return `{"version": 1, "distro": "d", "arch": "amd64", "packages": [{"file": "` + file + `", "size": ` + size + `, "sha256": "` + sha + `", "uri": "` + uri + `"}]}`
	}
	for _, tt := range []struct{ name, data, want string }{
		{"not JSON", "URI FILE 1 SHA256:x", "lock: invalid character"},
		{"another version", `{"version": 2, "distro": "d", "arch": "a", "packages": []}`, "version 2"},
		{"no distro", `{"version": 1, "arch": "a", "packages": []}`, "no distro"},
		{"an unknown field", `{"version": 1, "distro": "d", "arch": "a", "packages": [], "x": 1}`, "unknown field"},
		{"an absolute path", pkg("/etc/passwd", "1", sum, "-"), "not a clean relative path"},
		{"a path out of the tree", pkg("../x.deb", "1", sum, "-"), "not a clean relative path"},
		{"an unclean path", pkg("debian//pool/x.deb", "1", sum, "-"), "not a clean relative path"},
		{"a negative size", pkg("x.deb", "-1", sum, "-"), "negative size"},
		{"a short hash", pkg("x.deb", "1", "abc", "-"), "not a SHA256"},
		{"an upper-case hash", pkg("x.deb", "1", strings.ToUpper(sum), "-"), "not a SHA256"},
		{"no URI", pkg("x.deb", "1", sum, ""), "no URI"},
		{"data after the lock", `{"version": 1, "distro": "d", "arch": "a", "packages": []} {}`, "data after"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.data)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse = %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

// FuzzParse: a lock Parse accepts marshals and parses back to the same.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"version": 1, "distro": "debian12", "arch": "amd64", "packages": [{"file": "a/b.deb", "size": 3, "sha256": "` + sum + `", "uri": "-"}]}`))
	f.Add([]byte(`{"version": 1, "distro": "d", "arch": "a", "packages": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(data)
		if err != nil {
			return
		}
		out, err := l.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed lock: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal()) = %v", err)
		}
		a, _ := l.Digest()
		b, _ := again.Digest()
		if a != b {
			t.Fatalf("round trip changed the lock")
		}
	})
}
