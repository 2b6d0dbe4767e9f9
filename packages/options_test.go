package packages

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseOptions(t *testing.T) {
	in := `repobuild:
  repos:
    - id: docker-ce
      baseurl: https://download.docker.com/linux/centos/$releasever/$basearch/stable
      gpgkey: https://download.docker.com/linux/centos/gpg
      for: [centos, rocky]
    - id: other
      baseurl: http://127.0.0.1/x/
      gpgkey: [http://127.0.0.1/k1, http://127.0.0.1/k2]
      repo_gpgcheck: true
  enable: [epel]
  distros: [centos7, rocky9]
  arches: arm64
yum: [docker-ce]
`
	f, err := Parse("packages.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.ParseOptions()
	if err != nil {
		t.Fatal(err)
	}
	want := Options{
		Repos: []Repo{
			{ID: "docker-ce", BaseURL: "https://download.docker.com/linux/centos/$releasever/$basearch/stable",
				GPGKey: []string{"https://download.docker.com/linux/centos/gpg"}, For: []string{"centos", "rocky"},
				Source: Source{File: "packages.yaml", Line: 3, Column: 7, Key: "repobuild"}},
			{ID: "other", BaseURL: "http://127.0.0.1/x/", GPGKey: []string{"http://127.0.0.1/k1", "http://127.0.0.1/k2"}, RepoGPGCheck: true,
				Source: Source{File: "packages.yaml", Line: 7, Column: 7, Key: "repobuild"}},
		},
		Enable: []Enable{{ID: "epel", Source: Source{File: "packages.yaml", Line: 11, Column: 11, Key: "repobuild"}}},
		Distros: []Name{
			{Name: "centos7", Source: Source{File: "packages.yaml", Line: 12, Column: 13, Key: "repobuild"}},
			{Name: "rocky9", Source: Source{File: "packages.yaml", Line: 12, Column: 22, Key: "repobuild"}},
		},
		Arches: []Name{{Name: "arm64", Source: Source{File: "packages.yaml", Line: 13, Column: 11, Key: "repobuild"}}},
	}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("ParseOptions =\n%+v\nwant\n%+v", o, want)
	}
}

func TestParseOptionsErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no key", "repobuild:\n  repos:\n    - id: x\n      baseurl: http://h/\n",
			"packages.yaml:3:7: repo x: gpgkey is required: repobuild verifies every package against its repository's key"},
		{"gpgcheck off", "repobuild:\n  repos:\n    - id: x\n      baseurl: http://h/\n      gpgkey: http://h/k\n      gpgcheck: 0\n",
			"packages.yaml:6:7: repo gpgcheck: packages are always checked against gpgkey; remove it"},
		{"unknown option", "repobuild:\n  mirrors: [x]\n", `packages.yaml:2:3: unknown option "mirrors" under "repobuild" (known: repos, enable, distros, arches)`},
		{"unknown field", "repobuild:\n  repos:\n    - id: x\n      url: http://h/\n      gpgkey: k\n",
			"packages.yaml:3:7: repo x: baseurl is required\npackages.yaml:4:7: unknown repo field \"url\" (known: id, name, baseurl, gpgkey, repo_gpgcheck, for)"},
		{"not a list", "repobuild:\n  repos: {id: x}\n", "packages.yaml:2:10: repos: want a list of repositories, got mapping"},
		{"duplicate", "repobuild:\n  repos:\n    - {id: x, baseurl: u, gpgkey: k}\n    - {id: x, baseurl: u, gpgkey: k}\n",
			`packages.yaml:4:7: repo "x" declared twice (first at 3:7)`},
		{"enable number", "repobuild:\n  enable: [7]\n", "packages.yaml:2:12: enable: want a non-empty string, got int 7"},
		{"distro twice", "repobuild:\n  distros: [debian12, rocky9, debian12]\n",
			`packages.yaml:2:31: distros: "debian12" given twice (first at 2:13)`},
		{"distros empty", "repobuild:\n  distros: []\n", "packages.yaml:2:12: distros: empty list (leave distros out to give none)"},
		{"distros mapping", "repobuild:\n  distros: {debian12: amd64}\n", "packages.yaml:2:12: distros: want a string or a list of strings, got mapping"},
		{"arches nested", "repobuild:\n  arches: [[amd64]]\n", "packages.yaml:2:12: arches: want a name, got sequence"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("packages.yaml", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.ParseOptions()
			if err == nil || err.Error() != tt.want {
				t.Errorf("error:\n%v\nwant:\n%s", err, tt.want)
			}
			if err != nil && !errors.Is(err, ErrOption) {
				t.Errorf("error is not ErrOption")
			}
		})
	}
}
