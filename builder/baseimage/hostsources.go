package baseimage

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// hostSources reads the host's apt sources: sources.list and
// sources.list.d/*.list (one-line format) and *.sources (deb822).
func hostSources() ([]Source, error) {
	var out []Source
	if data, err := os.ReadFile("/etc/apt/sources.list"); err == nil {
		out = append(out, parseList(string(data))...)
	}
	for _, pattern := range []string{"*.list", "*.sources"} {
		files, _ := filepath.Glob(filepath.Join("/etc/apt/sources.list.d", pattern))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			if strings.HasSuffix(f, ".sources") {
				out = append(out, parseDeb822(string(data))...)
			} else {
				out = append(out, parseList(string(data))...)
			}
		}
	}
	return out, nil
}

// parseList reads one-line-format sources: deb [opts] URI SUITE COMP...
func parseList(data string) []Source {
	var out []Source
	sc := bufio.NewScanner(strings.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "#"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		fields := strings.Fields(line)
		if len(fields) < 3 || fields[0] != "deb" {
			continue
		}
		fields = fields[1:]
		if strings.HasPrefix(fields[0], "[") {
			for len(fields) > 0 && !strings.HasSuffix(fields[0], "]") {
				fields = fields[1:]
			}
			if len(fields) > 0 {
				fields = fields[1:]
			}
		}
		if len(fields) < 2 {
			continue
		}
		out = append(out, Source{URI: fields[0], Suite: fields[1], Components: fields[2:]})
	}
	return out
}

// parseDeb822 reads deb822 sources: stanzas of Types, URIs, Suites,
// Components, separated by blank lines.
func parseDeb822(data string) []Source {
	var out []Source
	for _, stanza := range strings.Split(data, "\n\n") {
		fields := map[string]string{}
		for _, line := range strings.Split(stanza, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			k, v, ok := strings.Cut(line, ":")
			if ok && !strings.HasPrefix(line, " ") {
				fields[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
			}
		}
		if !strings.Contains(" "+fields["types"]+" ", " deb ") || strings.EqualFold(fields["enabled"], "no") {
			continue
		}
		for _, uri := range strings.Fields(fields["uris"]) {
			for _, suite := range strings.Fields(fields["suites"]) {
				out = append(out, Source{URI: uri, Suite: suite, Components: strings.Fields(fields["components"])})
			}
		}
	}
	return out
}
