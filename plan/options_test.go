package plan

import (
	"strings"
	"testing"

	"github.com/repobuild/repobuild/distros"
	"github.com/repobuild/repobuild/packages"
)

func TestMakeRepoOptions(t *testing.T) {
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	f, err := packages.Parse("packages.yaml", []byte(`repobuild:
  repos:
    - id: docker-ce
      baseurl: https://download.docker.com/linux/centos/$releasever/$basearch/stable
      gpgkey: https://download.docker.com/linux/centos/gpg
      for: [centos, rocky]
    - id: everywhere
      baseurl: http://127.0.0.1/x/
      gpgkey: http://127.0.0.1/k
  enable: [epel]
common: [curl]
`))
	if err != nil {
		t.Fatal(err)
	}
	targets, err := Make(f, cat, []string{"centos7", "rocky9", "openeuler22.03", "debian12"}, []string{"amd64"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ repos, enable string }{
		"centos7/amd64":        {"docker-ce everywhere", "epel"},
		"rocky9/amd64":         {"docker-ce everywhere", "epel"},
		"openeuler22.03/amd64": {"everywhere", ""},
		"debian12/amd64":       {"", ""},
	}
	for _, tg := range targets {
		var ids []string
		for _, r := range tg.Repos {
			ids = append(ids, r.ID)
		}
		got := struct{ repos, enable string }{strings.Join(ids, " "), strings.Join(tg.Enable, " ")}
		if got != want[tg.String()] {
			t.Errorf("%s: repos %q enable %q, want %+v", tg, got.repos, got.enable, want[tg.String()])
		}
	}
}

func TestMakeRepoOptionErrors(t *testing.T) {
	cat, err := distros.Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, yaml, want string }{
		{"unknown for key", "repobuild:\n  repos:\n    - {id: x, baseurl: u, gpgkey: k, for: [centos77]}\ncommon: [a]\n",
			`packages.yaml:3:7: repo x: for: unknown key "centos77"`},
		{"bad id", "repobuild:\n  repos:\n    - {id: 'a b', baseurl: u, gpgkey: k}\ncommon: [a]\n",
			`packages.yaml:3:7: repo id "a b": want letters, digits, and _ . : -`},
		{"unknown repo to enable", "repobuild:\n  enable: [epl]\ncommon: [a]\n",
			`packages.yaml:2:11: enable: no distro defines a repository "epl"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := packages.Parse("packages.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Make(f, cat, []string{"rocky9"}, []string{"amd64"})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant %s", err, tt.want)
			}
		})
	}
}
