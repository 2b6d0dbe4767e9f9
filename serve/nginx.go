package serve

import (
	"bytes"
	_ "embed"
	"strings"
	"text/template"
)

// NginxRoot is where the nginx image holds the repository tree.
const NginxRoot = "/srv/repobuild"

// NginxPort is the port the nginx image listens on.
const NginxPort = 80

// NginxConfPath is where the nginx image holds its configuration: nginx's
// default, so that `nginx -t` and `nginx -s reload` in the container use it.
const NginxConfPath = "/etc/nginx/nginx.conf"

//go:embed nginx.conf.tmpl
var nginxConfTmpl string

var nginxConf = template.Must(template.New("nginx.conf").
	Funcs(template.FuncMap{"join": strings.Join}).
	Parse(nginxConfTmpl))

// NginxConf returns the nginx configuration that serves the tree in
// NginxRoot: the content types of Types, directory listings, HealthPath.
// It is complete in itself and includes nothing from the base image, so
// it works the same on any nginx image.
func NginxConf() []byte {
	types := make([]Type, len(Types))
	for i, t := range Types {
		// nginx adds the charset itself (charset utf-8); its types hold
		// bare media types.
		mediaType, _, _ := strings.Cut(t.Type, ";")
		types[i] = Type{Type: mediaType, Exts: t.Exts}
	}
	var b bytes.Buffer
	err := nginxConf.Execute(&b, map[string]any{
		"Root":      NginxRoot,
		"Port":      NginxPort,
		"Health":    HealthPath,
		"Types":     types,
		"TextNames": TextNames,
		"Default":   DefaultType,
	})
	if err != nil {
		panic("nginx.conf template: " + err.Error()) // the template is part of the binary
	}
	return b.Bytes()
}
