package packages

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestParseRefusesHostileSpecs: specs that every manager's grammar refuses
// (options, shell words, control characters) fail Parse, before any
// target is known, with file:line:column.
func TestParseRefusesHostileSpecs(t *testing.T) {
	tests := []struct {
		spec, want string
	}{
		{"-o", `packages.yaml:2:5: invalid package spec "-o": starts with "-": package names start with a letter or digit (options cannot be given in packages.yaml)`},
		{"--allow-unauthenticated", `packages.yaml:2:5: invalid package spec "--allow-unauthenticated": starts with "-": package names start with a letter or digit (options cannot be given in packages.yaml)`},
		{"-oAPT::Get::AllowUnauthenticated=true", `packages.yaml:2:5: invalid package spec "-oAPT::Get::AllowUnauthenticated=true": starts with "-": package names start with a letter or digit (options cannot be given in packages.yaml)`},
		{"-curl?", `packages.yaml:2:5: invalid package spec "-curl?": starts with "-": package names start with a letter or digit (options cannot be given in packages.yaml)`},
		{"curl;reboot", `packages.yaml:2:5: invalid package spec "curl;reboot": contains ";", which the shell would interpret`},
		{"curl$(id)", `packages.yaml:2:5: invalid package spec "curl$(id)": contains "$", which the shell would interpret`},
		{"curl`id`", "packages.yaml:2:5: invalid package spec \"curl`id`\": contains \"`\", which the shell would interpret"},
		{"a|b", `packages.yaml:2:5: invalid package spec "a|b": contains "|", which the shell would interpret`},
		{"a&&b", `packages.yaml:2:5: invalid package spec "a&&b": contains "&", which the shell would interpret`},
		{"a>b", `packages.yaml:2:5: invalid package spec "a>b": contains ">", which the shell would interpret`},
		{"kernel-*", `packages.yaml:2:5: invalid package spec "kernel-*": contains "*", which the shell would interpret`},
		{"curl??", `packages.yaml:2:5: invalid package spec "curl??": contains "?", which the shell would interpret`},
		{"lib[ab]", `packages.yaml:2:5: invalid package spec "lib[ab]": contains "[", which the shell would interpret`},
		{"#curl", `packages.yaml:2:5: invalid package spec "#curl": contains "#", which the shell would interpret`},
		{`a\b`, `packages.yaml:2:5: invalid package spec "a\\b": contains "\\", which the shell would interpret`},
		{"a'b", `packages.yaml:2:5: invalid package spec "a'b": contains "'", which the shell would interpret`},
		{"a\x07b", `packages.yaml:2:5: invalid package spec "a\ab": contains control character U+0007`},
		{"a\u00a0b", `packages.yaml:2:5: invalid package spec "a\u00a0b": contains whitespace`},
		{"{{ .ID }};id", `packages.yaml:2:5: invalid package spec "{{ .ID }};id": contains ";", which the shell would interpret outside {{ }}`},
		{"-{{ .ID }}", `packages.yaml:2:5: invalid package spec "-{{ .ID }}": starts with "-": package names start with a letter or digit (options cannot be given in packages.yaml)`},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			in := "common:\n  - " + yamlQuote(tt.spec) + "\n"
			f, err := Parse("packages.yaml", []byte(in))
			if err == nil {
				t.Fatalf("Parse accepted %q: %v", tt.spec, f.lists[0].items)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tt.want)
			}
			if !errors.Is(err, ErrInvalidSpec) {
				t.Errorf("errors.Is(err, ErrInvalidSpec) = false")
			}
		})
	}
}

// yamlQuote writes s as a double-quoted YAML scalar.
func yamlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0xa0:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestSpecGrammar: each manager's grammar accepts the forms the project
// supports and refuses the others, per target, naming the line.
func TestSpecGrammar(t *testing.T) {
	const debRule = `want lowercase letters, digits and "+-.", starting with a letter or digit, at least 2 characters`
	const rpmRule = `want NAME[-[EPOCH:]VERSION[-RELEASE]][.ARCH] of letters, digits and "._+~^-"`
	tests := []struct {
		sel  Selector
		spec string
		want string // "" when the spec is accepted
	}{
		{debian12, "curl", ""},
		{debian12, "g++", ""},
		{debian12, "libstdc++6", ""},
		{debian12, "containerd.io=1.6.32-1", ""},
		{debian12, "docker-ce=5:24.0.9-1~debian.12~bookworm", ""},
		{debian12, "nginx/bookworm-backports", ""},
		{debian12, "libc6:arm64", ""},
		{debian12, "libc6:i386=2.36-9+deb12u7", ""},
		{debian12, "libc6:amd64/bookworm-updates", ""},
		{debian12, "kubelet=1.30.0-1.1", ""},
		{debian12, "0ad", ""},
		{debian12, "a", `invalid apt package spec "a": package name "a": ` + debRule},
		{debian12, "Curl", `invalid apt package spec "Curl": package name "Curl": ` + debRule},
		{debian12, "lib_foo", `invalid apt package spec "lib_foo": package name "lib_foo": ` + debRule},
		{debian12, ".curl", `invalid apt package spec ".curl": package name ".curl": ` + debRule},
		{debian12, "curl:", `invalid apt package spec "curl:": architecture "" after "curl:": want lowercase letters, digits and "-"`},
		{debian12, "curl:ARM64", `invalid apt package spec "curl:ARM64": architecture "ARM64" after "curl:": want lowercase letters, digits and "-"`},
		{debian12, "curl:a:b", `invalid apt package spec "curl:a:b": architecture "a:b" after "curl:": want lowercase letters, digits and "-"`},
		{debian12, "curl=.1", `invalid apt package spec "curl=.1": version ".1": want [EPOCH:]VERSION: letters, digits and ".+~-", starting with a letter or digit; EPOCH is digits`},
		{debian12, "curl=x:1", `invalid apt package spec "curl=x:1": version "x:1": want [EPOCH:]VERSION: letters, digits and ".+~-", starting with a letter or digit; EPOCH is digits`},
		{debian12, "curl=1=2", `invalid apt package spec "curl=1=2": version "1=2": want [EPOCH:]VERSION: letters, digits and ".+~-", starting with a letter or digit; EPOCH is digits`},
		{debian12, "curl/rel=1", `invalid apt package spec "curl/rel=1": release "rel=1": want letters, digits and ".+_~-", starting with a letter or digit`},
		{debian12, "curl/-x", `invalid apt package spec "curl/-x": release "-x": want letters, digits and ".+_~-", starting with a letter or digit`},
		{debian12, "curl=", `invalid apt package spec "curl=": missing version after "="`},
		{debian12, "docker-ce-3:24.0.9-1.el8", `invalid apt package spec "docker-ce-3:24.0.9-1.el8": architecture "24.0.9-1.el8" after "docker-ce-3:": want lowercase letters, digits and "-"`},
		{rocky9, "curl", ""},
		{rocky9, "R", ""},
		{rocky9, "NetworkManager", ""},
		{rocky9, "perl-Data-Dumper", ""},
		{rocky9, "libnetfilter_cthelper", ""},
		{rocky9, "docker-ce-24.0.9-1.el7", ""},
		{rocky9, "docker-ce-3:24.0.9-1.el8", ""},
		{rocky9, "docker-ce-cli-1:24.0.9-1.el8.x86_64", ""},
		{rocky9, "curl.aarch64", ""},
		{rocky9, "gcc-c++", ""},
		{rocky9, "foo-1.0~rc1^git1-1.el9", ""},
		{rocky9, "_private", ""},
		{centos7, "docker-ce-19.03.15-3.el7", ""},
		{rocky9, "curl=8.0", `invalid dnf package spec "curl=8.0": "=" is not allowed: ` + rpmRule},
		{centos7, "curl=8.0", `invalid yum package spec "curl=8.0": "=" is not allowed: ` + rpmRule},
		{rocky9, "nginx/stable", `invalid dnf package spec "nginx/stable": "/" is not allowed: ` + rpmRule},
		{rocky9, "/usr/bin/ls", `invalid dnf package spec "/usr/bin/ls": "/" is not allowed: ` + rpmRule},
		{rocky9, "curl:x86_64", `invalid dnf package spec "curl:x86_64": ":" must follow an epoch (NAME-EPOCH:VERSION-RELEASE, e.g. docker-ce-3:24.0.9-1.el8), ` + rpmRule},
		{rocky9, "3:docker-ce-24.0.9", `invalid dnf package spec "3:docker-ce-24.0.9": ":" must follow an epoch (NAME-EPOCH:VERSION-RELEASE, e.g. docker-ce-3:24.0.9-1.el8), ` + rpmRule},
		{rocky9, "docker-ce-3:", `invalid dnf package spec "docker-ce-3:": ends with ":": ` + rpmRule},
		{rocky9, "a-1:2:3", `invalid dnf package spec "a-1:2:3": more than one ":": ` + rpmRule},
		{rocky9, "docker-ce-", `invalid dnf package spec "docker-ce-": ends with "-": ` + rpmRule},
		{rocky9, ".hidden", `invalid dnf package spec ".hidden": starts with ".": ` + rpmRule},
		{rocky9, "pkgé", `invalid dnf package spec "pkgé": "é" is not allowed: ` + rpmRule},
	}
	for _, tt := range tests {
		t.Run(tt.sel.Manager+"/"+tt.spec, func(t *testing.T) {
			f, err := Parse("packages.yaml", []byte("common:\n  - "+yamlQuote(tt.spec)+"\n"))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			reqs, _, err := f.Select(tt.sel)
			if tt.want == "" {
				if err != nil || len(reqs) != 1 || reqs[0].Spec != tt.spec {
					t.Fatalf("Select = %v, %v; want %q accepted", reqs, err, tt.spec)
				}
				return
			}
			want := "packages.yaml:2:5: " + tt.want
			if err == nil || err.Error() != want {
				t.Fatalf("Select = %v, %v\nwant error:\n%s", reqs, err, want)
			}
			if !errors.Is(err, ErrInvalidSpec) {
				t.Errorf("errors.Is(err, ErrInvalidSpec) = false")
			}
		})
	}
}

// TestSpecGrammarAfterTemplating: a template's result goes through the
// same checks.
func TestSpecGrammarAfterTemplating(t *testing.T) {
	tests := []struct {
		sel       Selector
		spec, msg string
	}{
		{debian12, "{{ .Manager }}-{{ .Codename }}", ""},
		{debian12, `{{ "-o" }}`, `invalid package spec "-o" after templating for debian 12: starts with "-": package names start with a letter or digit (options cannot be given in packages.yaml)`},
		{debian12, `x{{ ";" }}`, `invalid package spec "x;" after templating for debian 12: contains ";", which the shell would interpret`},
		{debian12, "{{ .Manager }}={{ .Major }}", ""},
		{debian12, "{{ .Manager }}={{ .Codename }}:1", `invalid apt package spec "apt=bookworm:1": version "bookworm:1": ` +
			`want [EPOCH:]VERSION: letters, digits and ".+~-", starting with a letter or digit; EPOCH is digits`},
		{centos7, "x-{{ .Codename }}", `invalid yum package spec "x-": ends with "-": want NAME[-[EPOCH:]VERSION[-RELEASE]][.ARCH] of letters, digits and "._+~^-"`},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			f, err := Parse("packages.yaml", []byte("common:\n  - '"+tt.spec+"'\n"))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			_, _, err = f.Select(tt.sel)
			switch {
			case tt.msg == "" && err != nil:
				t.Fatalf("Select: %v", err)
			case tt.msg != "" && (err == nil || err.Error() != "packages.yaml:2:5: "+tt.msg):
				t.Fatalf("Select error = %v\nwant packages.yaml:2:5: %s", err, tt.msg)
			}
		})
	}
}
