package builder

import (
	"reflect"
	"testing"

	"github.com/moby/buildkit/client"
)

func TestParseCacheOptions(t *testing.T) {
	tests := []struct {
		in   []string
		want []client.CacheOptionsEntry
		err  string
	}{
		{[]string{"type=local,dest=/tmp/c,mode=max"}, []client.CacheOptionsEntry{{Type: "local", Attrs: map[string]string{"dest": "/tmp/c", "mode": "max"}}}, ""},
		{[]string{"type=gha,scope=repobuild"}, []client.CacheOptionsEntry{{Type: "gha", Attrs: map[string]string{"scope": "repobuild"}}}, ""},
		{[]string{"127.0.0.1:5000/cache:debian"}, []client.CacheOptionsEntry{{Type: "registry", Attrs: map[string]string{"ref": "127.0.0.1:5000/cache:debian"}}}, ""},
		{[]string{"type=ftp,dest=x"}, nil, `cache option "type=ftp,dest=x": unknown type "ftp" (local, registry, gha)`},
		{[]string{"dest=x"}, nil, `cache option "dest=x": no type= (local, registry, gha)`},
		{[]string{"type=local,dest"}, nil, `cache option "type=local,dest": "dest" is not KEY=VALUE`},
		// Found by FuzzParseCacheOptions: a bare value kept its spaces, and any text was a ref.
		{[]string{" spaced ref "}, nil, `cache option " spaced ref ": ref " spaced ref " is not an image reference: invalid reference format`},
		{[]string{"type=registry,ref=Bad/Ref"}, nil, `cache option "type=registry,ref=Bad/Ref": ref "Bad/Ref" is not an image reference: invalid reference format: repository name (Ref) must be lowercase`},
		{[]string{"type=local,dest=a,dest=b"}, nil, `cache option "type=local,dest=a,dest=b": dest= is given twice`},
	}
	for _, tt := range tests {
		got, err := ParseCacheOptions(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseCacheOptions(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCacheOptions(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}
