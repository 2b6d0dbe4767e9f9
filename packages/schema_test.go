package packages

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const schemaPath = "../schema/packages.schema.json"

// schemaChecker checks a decoded document against the small subset of
// JSON Schema used by packages.schema.json. It is not a general validator:
// it fails on keywords it does not know, so the schema cannot silently
// outgrow it.
type schemaChecker struct {
	root map[string]any
}

// annotations are keywords that do not constrain values.
var annotations = []string{"$schema", "$id", "title", "description", "examples", "$defs"}

func (c *schemaChecker) check(schema any, v any, path string) error {
	switch s := schema.(type) {
	case bool:
		if !s {
			return fmt.Errorf("%s: not allowed", path)
		}
		return nil
	case map[string]any:
		keys := make([]string, 0, len(s))
		for k := range s {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := c.keyword(s, k, v, path); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%s: bad schema %T", path, schema)
}

func (c *schemaChecker) keyword(s map[string]any, k string, v any, path string) error {
	switch k {
	case "$ref":
		ref := s[k].(string)
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		if !ok {
			return fmt.Errorf("unsupported $ref %q", ref)
		}
		def, ok := c.root["$defs"].(map[string]any)[name]
		if !ok {
			return fmt.Errorf("dangling $ref %q", ref)
		}
		return c.check(def, v, path)
	case "type":
		var types []string
		switch t := s[k].(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				types = append(types, x.(string))
			}
		}
		if !slices.Contains(types, jsonType(v)) {
			return fmt.Errorf("%s: got %s, want %s", path, jsonType(v), strings.Join(types, " or "))
		}
	case "properties", "additionalProperties", "propertyNames":
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		props, _ := s["properties"].(map[string]any)
		for name, val := range m {
			prop, isProp := props[name]
			var err error
			switch {
			case k == "propertyNames":
				err = c.check(s[k], name, path+"."+name+" (key)")
			case k == "properties" && isProp:
				err = c.check(prop, val, path+"."+name)
			case k == "additionalProperties" && !isProp:
				err = c.check(s[k], val, path+"."+name)
			}
			if err != nil {
				return err
			}
		}
	case "items":
		if a, ok := v.([]any); ok {
			for i, x := range a {
				if err := c.check(s[k], x, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	case "anyOf":
		var errs []string
		for _, sub := range s[k].([]any) {
			err := c.check(sub, v, path)
			if err == nil {
				return nil
			}
			errs = append(errs, err.Error())
		}
		return fmt.Errorf("%s: matches none of: %s", path, strings.Join(errs, "; "))
	case "not":
		if c.check(s[k], v, path) == nil {
			return fmt.Errorf("%s: matches a forbidden schema", path)
		}
	case "const":
		if v != s[k] {
			return fmt.Errorf("%s: got %v, want %v", path, v, s[k])
		}
	case "minLength":
		if str, ok := v.(string); ok && float64(len([]rune(str))) < s[k].(float64) {
			return fmt.Errorf("%s: string too short", path)
		}
	case "pattern":
		if str, ok := v.(string); ok && !regexp.MustCompile(s[k].(string)).MatchString(str) {
			return fmt.Errorf("%s: %q does not match %s", path, str, s[k])
		}
	default:
		if !slices.Contains(annotations, k) {
			return fmt.Errorf("schema checker does not support keyword %q", k)
		}
	}
	return nil
}

// jsonType returns the JSON type name of a decoded YAML value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case int, float64:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func loadSchema(t *testing.T) *schemaChecker {
	t.Helper()
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatalf("%s is not valid JSON: %v", schemaPath, err)
	}
	if got := root["$schema"]; got != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v, want draft 2020-12", got)
	}
	return &schemaChecker{root: root}
}

func TestSchemaAcceptsAnchors(t *testing.T) {
	c := loadSchema(t)
	for _, path := range goldenFiles {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if err := c.check(c.root, doc, "$"); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

func TestSchemaRejects(t *testing.T) {
	c := loadSchema(t)
	tests := []struct {
		name, in string
		option   bool // the options' parser rejects it, not Parse
	}{
		{"top-level list", "- curl\n", false},
		{"number spec", "apt: [7]\n", false},
		{"scalar value", "apt: curl\n", false},
		{"empty spec", "apt: [\"\"]\n", false},
		{"whitespace", "apt: [\"a b\"]\n", false},
		{"option", "apt: [\"-o\"]\n", false},
		{"long option", "apt:\n  - --allow-unauthenticated\n", false},
		{"shell", "apt: [\"curl;id\"]\n", false},
		{"glob", "yum: [\"kernel-*\"]\n", false},
		{"shell outside a template", "apt: [\"{{ .ID }}$x\"]\n", false},
		{"optional list", "optional: [curl]\n", false},
		{"nested repobuild", "g:\n  repobuild: {}\n", false},
		{"repobuild string", "repobuild: x\n", false},
		{"distros mapping", "repobuild:\n  distros: {debian12: amd64}\n", true},
		{"distros nested", "repobuild:\n  distros: [[debian12]]\n", true},
		{"arches nested", "repobuild:\n  arches: [[amd64]]\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc any
			if err := yaml.Unmarshal([]byte(tt.in), &doc); err != nil {
				t.Fatal(err)
			}
			if err := c.check(c.root, doc, "$"); err == nil {
				t.Errorf("schema accepts %q", tt.in)
			}
			// The parser rejects the same documents.
			f, err := Parse("p.yaml", []byte(tt.in))
			switch {
			case tt.option && err != nil:
				t.Errorf("Parse: %v", err)
			case tt.option:
				if _, err := f.ParseOptions(); err == nil {
					t.Errorf("ParseOptions accepts %q", tt.in)
				}
			case err == nil:
				t.Errorf("Parse accepts %q", tt.in)
			}
		})
	}
	var doc any
	in := "repobuild: {enable: [epel], distros: [debian12, rocky9], arches: [amd64, aarch64]}\ng:\n  optional:\n    apt: [\"x-{{ .ID }}\", \"y?\"]\noptional:\nk:\n"
	if err := yaml.Unmarshal([]byte(in), &doc); err != nil {
		t.Fatal(err)
	}
	if err := c.check(c.root, doc, "$"); err != nil {
		t.Errorf("schema rejects valid document: %v", err)
	}
}
