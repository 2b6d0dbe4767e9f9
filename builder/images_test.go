package builder

import "testing"

func TestNginxBase(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"official", nil, "docker.io/library/nginx:stable"},
		{"through the registry mirror", []Option{WithRegistryMirror("127.0.0.1:5000")}, "127.0.0.1:5000/library/nginx:stable"},
		{"--nginx-image is used as is", []Option{WithRegistryMirror("127.0.0.1:5000"), WithNginxImage("reg.local/web/nginx:1.28")}, "reg.local/web/nginx:1.28"},
	}
	for _, tt := range tests {
		var o options
		for _, opt := range tt.opts {
			opt(&o)
		}
		got, err := nginxBase(o)
		if err != nil || got != tt.want {
			t.Errorf("%s: NginxBase() = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}
