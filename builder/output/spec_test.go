package output

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		spec string
		want Destination
		err  string
	}{
		{"out", &Local{Dest: "out"}, ""},
		{"type=local,dest=/srv/repos", &Local{Dest: "/srv/repos"}, ""},
		{"type=tar,dest=repos.tar", &Tar{Dest: "repos.tar", Compression: "none"}, ""},
		{"type=tar,dest=repos.tar.gz", &Tar{Dest: "repos.tar.gz", Compression: "gzip"}, ""},
		{"type=tar,dest=repos.tar.zst", &Tar{Dest: "repos.tar.zst", Compression: "zstd"}, ""},
		{"type=tar,dest=repos.bin,compression=zstd", &Tar{Dest: "repos.bin", Compression: "zstd"}, ""},
		{"type=oci,dest=repos.oci.tar", &Archive{Dest: "repos.oci.tar", kind: DataImage}, ""},
		{"type=oci,dest=repos.oci.tar,name=repos:v1", &Archive{Dest: "repos.oci.tar", Name: "repos:v1", kind: DataImage}, ""},
		{"type=image,name=reg.local:5000/repos:v1,push=true", &Image{Name: "reg.local:5000/repos:v1", Push: true, Attrs: map[string]string{}, kind: DataImage}, ""},
		{"type=image,name=reg.local/repos:v1,push=true,registry.insecure=true", &Image{Name: "reg.local/repos:v1", Push: true, Attrs: map[string]string{"registry.insecure": "true"}, kind: DataImage}, ""},
		{"type=nginx,name=reg.local/repos-nginx:v1,push=true", &Image{Name: "reg.local/repos-nginx:v1", Push: true, Attrs: map[string]string{}, kind: Nginx}, ""},
		{"type=nginx,dest=nginx.oci.tar", &Archive{Dest: "nginx.oci.tar", kind: Nginx}, ""},

		{"", nil, "empty output"},
		{"type=local", nil, "type=local needs dest=DIR"},
		{"dest=out", nil, "no type= (local, tar, oci, image, nginx)"},
		{"type=docker,dest=x", nil, `type "docker" is not supported (local, tar, oci, image, nginx)`},
		{"type=tar,dest=x.tar,compression=lzma", nil, `compression "lzma" is not one of none, gzip, zstd`},
		{"type=tar,dest=-", nil, "dest=- (standard output) is not supported"},
		{"type=tar,dest=x.tar,push=true", nil, `type=tar takes no "push" (it takes dest, compression)`},
		{"type=image,push=true", nil, "needs name=REF"},
		{"type=image,name=Bad Ref", nil, `name "Bad Ref"`},
		{"type=image,name=r:1,push=yes please", nil, `push="yes please" is not true or false`},
		{"type=nginx,dest=x.tar,push=true", nil, `with dest=FILE, type=nginx takes only name=REF ("push" is for registries)`},
		{"type=local,dest", nil, `"dest" is not KEY=VALUE`},
		// Found by FuzzParseAttrs: the last of two dest= won, and an empty key passed.
		{"type=tar,dest=a.tar,dest=b.tar", nil, `output "type=tar,dest=a.tar,dest=b.tar": dest= is given twice`},
		{"type=local, type =image,name=r:1", nil, `output "type=local, type =image,name=r:1": type= is given twice`},
		{"=x,type=local,dest=o", nil, `output "=x,type=local,dest=o": "=x" has no KEY`},
	}
	for _, tt := range tests {
		got, err := Parse(tt.spec)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Parse(%q) error = %v, want %q", tt.spec, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.spec, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.spec, got, tt.want)
		}
	}
}

func TestParseAllSamePlace(t *testing.T) {
	_, err := ParseAll([]string{"out", "type=local,dest=./out/"})
	if err == nil || !strings.Contains(err.Error(), "write the same place") {
		t.Errorf("error = %v, want same place", err)
	}
}

func TestSolves(t *testing.T) {
	tests := []struct {
		name  string
		specs []string
		want  [][]string // Describe of each destination, per solve
	}{
		{"one dir", []string{"out"}, [][]string{{"out"}}},
		{"dir and tar: two solves", []string{"out", "type=tar,dest=r.tar"}, [][]string{{"out"}, {"r.tar"}}},
		{
			"every type: file exports first, one per solve; pushes join their kind",
			[]string{"type=nginx,name=r/n:1,push=true", "type=image,name=r/d:1,push=true", "out", "type=oci,dest=d.tar", "type=tar,dest=r.tar.gz", "type=nginx,dest=n.tar"},
			[][]string{{"out"}, {"r.tar.gz"}, {"r/d:1 (data image, push=true)", "d.tar (data image)"}, {"r/n:1 (nginx image, push=true)", "n.tar (nginx image)"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := ParseAll(tt.specs)
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, s := range ds.Solves() {
				var names []string
				clients := 0
				for _, d := range s {
					names = append(names, d.Describe())
					if d.ToClient() {
						clients++
					}
					if d.Kind() != s[0].Kind() {
						t.Errorf("solve %v mixes kinds", names)
					}
				}
				if clients > 1 {
					t.Errorf("solve %v has %d exports to the client", names, clients)
				}
				got = append(got, names)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("solves = %q, want %q", got, tt.want)
			}
		})
	}
}
