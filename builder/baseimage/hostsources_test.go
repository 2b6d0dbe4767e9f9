package baseimage

import (
	"reflect"
	"testing"
)

func TestParseList(t *testing.T) {
	data := `# comment
deb http://mirror.test/debian bookworm main contrib
deb [arch=amd64 signed-by=/k.gpg] http://mirror.test/debian-security bookworm-security main # trailing
deb-src http://mirror.test/debian bookworm main
deb http://broken
`
	want := []Source{
		{URI: "http://mirror.test/debian", Suite: "bookworm", Components: []string{"main", "contrib"}},
		{URI: "http://mirror.test/debian-security", Suite: "bookworm-security", Components: []string{"main"}},
	}
	if got := parseList(data); !reflect.DeepEqual(got, want) {
		t.Errorf("parseList = %+v\nwant %+v", got, want)
	}
}

func TestParseDeb822(t *testing.T) {
	data := `Types: deb
# a snapshot
URIs: http://mirror.test/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://mirror.test/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://other.test/x
Suites: nodistro
Components: main
Enabled: no
`
	want := []Source{
		{URI: "http://mirror.test/debian", Suite: "bookworm", Components: []string{"main"}},
		{URI: "http://mirror.test/debian", Suite: "bookworm-updates", Components: []string{"main"}},
	}
	if got := parseDeb822(data); !reflect.DeepEqual(got, want) {
		t.Errorf("parseDeb822 = %+v\nwant %+v", got, want)
	}
}
