package builder

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
)

func TestParseCacheOptions(t *testing.T) {
	t.Setenv("ACTIONS_CACHE_URL", "http://127.0.0.1:9/cache/")
	t.Setenv("ACTIONS_RUNTIME_TOKEN", "t0ken")
	t.Setenv("ACTIONS_CACHE_SERVICE_V2", "false")
	tests := []struct {
		in   []string
		want []client.CacheOptionsEntry
		err  string
	}{
		{[]string{"type=local,dest=/tmp/c,mode=max"}, []client.CacheOptionsEntry{{Type: "local", Attrs: map[string]string{"dest": "/tmp/c", "mode": "max"}}}, ""},
		{[]string{"type=gha,scope=repobuild"}, []client.CacheOptionsEntry{{Type: "gha", Attrs: map[string]string{"scope": "repobuild", "url": "http://127.0.0.1:9/cache/", "token": "t0ken"}}}, ""},
		// Given attributes win over the environment.
		{[]string{"type=gha,token=mine,url=http://127.0.0.1:8/"}, []client.CacheOptionsEntry{{Type: "gha", Attrs: map[string]string{"url": "http://127.0.0.1:8/", "token": "mine"}}}, ""},
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

// TestParseCacheOptionsGitHubEnv checks type=gha as the Actions runner
// sets it up: the v2 cache service (ACTIONS_RESULTS_URL), and a clear error
// outside an action, where the token is missing.
func TestParseCacheOptionsGitHubEnv(t *testing.T) {
	for _, k := range []string{"ACTIONS_CACHE_URL", "ACTIONS_RESULTS_URL", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_CACHE_SERVICE_V2"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	_, err := ParseCacheOptions([]string{"type=gha"})
	if want := `cache option "type=gha": cache with type gha requires url parameter to be set (the runner gives these to actions`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("without the runner's variables: %v\nwant %s…", err, want)
	}
	t.Setenv("ACTIONS_RESULTS_URL", "http://127.0.0.1:9/results/")
	t.Setenv("ACTIONS_CACHE_SERVICE_V2", "true")
	if _, err := ParseCacheOptions([]string{"type=gha"}); err == nil || !strings.Contains(err.Error(), "requires token parameter or $ACTIONS_RUNTIME_TOKEN") {
		t.Errorf("without a token: %v", err)
	}
	t.Setenv("ACTIONS_RUNTIME_TOKEN", "t0ken")
	got, err := ParseCacheOptions([]string{"type=gha,scope=debian12,mode=max"})
	want := []client.CacheOptionsEntry{{Type: "gha", Attrs: map[string]string{"scope": "debian12", "mode": "max",
		"url": "http://127.0.0.1:9/results/", "url_v2": "http://127.0.0.1:9/results/", "token": "t0ken"}}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("v2 cache service: %+v, %v\nwant %+v", got, err, want)
	}
}
