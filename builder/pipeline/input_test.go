package pipeline

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// awks are the awk programs the step images run input.awk with: mawk
// (Debian, Ubuntu) and gawk (the RPM family), those the host has.
func awks(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, a := range []string{"mawk", "gawk"} {
		if p, err := exec.LookPath(a); err == nil {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		t.Fatal("neither mawk nor gawk on PATH (scripts/setup.sh installs gawk)")
	}
	return out
}

// readInput runs builder/manager/common/input.awk with every awk, as the
// step scripts do, on data, and returns the variables it sets; every awk
// must read the same.
func readInput(t *testing.T, data []byte) (map[string]string, error) {
	t.Helper()
	var first map[string]string
	for i, awk := range awks(t) {
		vars, err := readInputWith(t, awk, data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", awk, err)
		}
		if i > 0 && !reflect.DeepEqual(vars, first) {
			return nil, fmt.Errorf("%s reads %v, another awk %v", awk, vars, first)
		}
		first = vars
	}
	return first, nil
}

func readInputWith(t *testing.T, awk string, data []byte) (map[string]string, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), InputFile)
	if err := writeFile(file, data); err != nil {
		t.Fatal(err)
	}
	// The same shell reads every variable back, with its exact bytes.
	script := `a=$("$2" -f ../manager/common/input.awk "$1") || exit 1; eval "$a"
set | grep '^REPOBUILD_' | cut -d= -f1 | while read -r v; do eval "printf '%s\0%s\0' \"\$v\" \"\$$v\""; done`
	cmd := exec.Command("/bin/sh", "-c", script, "sh", file, awk)
	// Only what input.json sets: not the REPOBUILD_* of the test's own
	// environment (make test sets some).
	cmd.Env = []string{"PATH=" + DefaultPath}
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	vars := map[string]string{}
	parts := strings.Split(string(out), "\x00")
	for i := 0; i+1 < len(parts); i += 2 {
		vars[parts[i]] = parts[i+1]
	}
	return vars, nil
}

func TestInputRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		want map[string]string
	}{
		{
			name: "fetch",
			in: Input{Distro: "debian12", TargetArch: "arm64", Arch: "arm64", Tree: "debian", Codename: "bookworm", Version: "12",
				Mirror: "http://127.0.0.1:8080/debian", CheckValidUntil: "true", Downloads: "4",
				Required: []string{"curl", "socat=1.7.4.4-2"}, Optional: []string{"debian-builder"},
				Extra: []string{"containerd.io=1.7.27-1"}, ExtraOptional: []string{"0"}},
			want: map[string]string{"REPOBUILD_DISTRO": "debian12", "REPOBUILD_MIRROR": "http://127.0.0.1:8080/debian",
				"REPOBUILD_REQUIRED": "curl socat=1.7.4.4-2", "REPOBUILD_OPTIONAL": "debian-builder",
				"REPOBUILD_EXTRA": "containerd.io=1.7.27-1", "REPOBUILD_TOOLS": "", "REPOBUILD_STRICT": ""},
		},
		{
			name: "quotes, escapes and shell syntax stay as they are",
			in:   Input{Distro: `it's "quoted" \ $HOME $(id) <&>`, Tree: "centos/$releasever/os/$basearch", Tools: []string{"a'b", `c"d`, `e\f`}},
			want: map[string]string{"REPOBUILD_DISTRO": `it's "quoted" \ $HOME $(id) <&>`, "REPOBUILD_TREE": "centos/$releasever/os/$basearch",
				"REPOBUILD_TOOLS": `a'b c"d e\f`},
		},
		{
			name: "non-ASCII",
			in:   Input{Mirror: "http://127.0.0.1/ünïcode/日本"},
			want: map[string]string{"REPOBUILD_MIRROR": "http://127.0.0.1/ünïcode/日本"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := tt.in.Encode()
			if err != nil {
				t.Fatal(err)
			}
			vars, err := readInput(t, data)
			if err != nil {
				t.Fatalf("reading\n%s: %v", data, err)
			}
			if n := reflect.TypeOf(Input{}).NumField(); len(vars) != n {
				t.Errorf("%d variables set, want one per key (%d): %v", len(vars), n, vars)
			}
			for k, v := range tt.want {
				if vars[k] != v {
					t.Errorf("%s = %q, want %q", k, vars[k], v)
				}
			}
		})
	}
}

func TestInputRefused(t *testing.T) {
	for _, in := range []Input{
		{Distro: "a\nb"},
		{Mirror: "tab\there"},
		{Required: []string{"two words"}},
		{Tools: []string{""}},
		{Version: string([]byte{0xff})},
	} {
		if _, err := in.Encode(); err == nil {
			t.Errorf("%+v encoded, want an error", in)
		}
	}
}

// TestInputReaderIsStrict: what repobuild never writes is an error, not
// a guess.
func TestInputReaderIsStrict(t *testing.T) {
	for _, data := range []string{
		`{"distro": 1}`,
		`{"distro": "x"`,
		`{"Distro": "x"}`,
		`{"distro": "\u0007"}`,
		`{"distro": "x"} {}`,
		`{"distro": ["a" "b"]}`,
		`{"distro": {"a": "b"}}`,
		`{"distro": null}`,
		"{\"distro\": \"a\x01b\"}",
	} {
		if vars, err := readInput(t, []byte(data)); err == nil {
			t.Errorf("%q read as %v, want an error", data, vars)
		}
	}
}

func FuzzInputRoundTrip(f *testing.F) {
	f.Add("debian12", "curl", "http://127.0.0.1/x")
	f.Add(`'"\$`, `a'b`, "ü")
	f.Fuzz(func(t *testing.T, distro, spec, mirror string) {
		in := Input{Distro: distro, Mirror: mirror, Required: []string{spec}}
		data, err := in.Encode()
		if err != nil {
			return // refused, with a reason
		}
		vars, err := readInput(t, data)
		if err != nil {
			t.Fatalf("reading\n%s: %v", data, err)
		}
		if vars["REPOBUILD_DISTRO"] != distro || vars["REPOBUILD_MIRROR"] != mirror || vars["REPOBUILD_REQUIRED"] != spec {
			t.Fatalf("read %q %q %q, want %q %q %q", vars["REPOBUILD_DISTRO"], vars["REPOBUILD_MIRROR"], vars["REPOBUILD_REQUIRED"], distro, mirror, spec)
		}
	})
}

// FuzzParseReport: whatever a report holds, ParseReport either refuses it
// or returns problems that all name a spec.
func FuzzParseReport(f *testing.F) {
	f.Add([]byte(`{"version": 1, "fetched": 3, "failed": [{"spec": "curl", "reason": "Unable to locate package curl"}], "skipped": []}`))
	f.Add([]byte(`{"version": 1, "fetched": 0, "failed": [], "skipped": [{"spec": "*", "reason": ""}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseReport(data)
		if err != nil {
			return
		}
		if r.Fetched < 0 {
			t.Fatal("negative bytes fetched accepted")
		}
		for _, p := range append(r.Failed, r.Skipped...) {
			if p.Spec == "" {
				t.Fatal("a problem without a spec accepted")
			}
		}
	})
}
