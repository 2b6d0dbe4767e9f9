package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Input is a step's typed input, written to InDir/input.json. Every step
// script starts with builder/manager/common/input.sh, which sets
// REPOBUILD_<KEY> for every key (a list: its elements joined by a space).
// It is the only way Go talks to the scripts: the step's environment
// holds nothing but PATH.
type Input struct {
	// Distro is the distro's name: debian12.
	Distro string `json:"distro"`
	// TargetArch is repobuild's architecture of the step: amd64, arm64.
	TargetArch string `json:"target_arch"`
	// Arch is the distro's name for it: arm64, aarch64.
	Arch string `json:"arch"`
	// Tree is the distro's tree in the output: debian, centos/7/os/x86_64.
	Tree     string `json:"tree"`
	Codename string `json:"codename"`
	Version  string `json:"version"`
	// Mirror is the package mirror for the step's architecture (--mirror,
	// else the distro's); empty: the image's own sources.
	Mirror string `json:"mirror"`
	// CheckValidUntil is "false" for archived releases: accept signed
	// indexes past their expiry date (signatures are still checked).
	CheckValidUntil string `json:"check_valid_until"`
	// Downloads is how many package files a fetch downloads at once.
	Downloads string `json:"downloads"`
	// Tools are the packages the tools step installs.
	Tools []string `json:"tools"`
	// Arches are the suite's architectures (release step).
	Arches []string `json:"arches"`
	// Releasever, ModulePlatformID and ImageRepos ("1": the distro has no
	// repositories of its own, use the image's) are for yum and dnf.
	Releasever       string `json:"releasever"`
	ModulePlatformID string `json:"module_platform_id"`
	ImageRepos       string `json:"image_repos"`
	// Required and Optional are the requests of the fetch's main
	// transaction; Extra are further versions of a name already
	// requested, each resolved in a transaction of its own (one apt or
	// dnf transaction installs one version of a package).
	Required []string `json:"required"`
	Optional []string `json:"optional"`
	Extra    []string `json:"extra"`
	// ExtraOptional says, for each of Extra, "1" when it is optional.
	ExtraOptional []string `json:"extra_optional"`
	// Refresh is a new value on every --no-cache build, so that the fetch
	// runs again; scripts ignore it.
	Refresh string `json:"refresh"`
	// Strict is "1" where nothing reads the report (a Dockerfile build): a
	// request that cannot be met fails the fetch itself.
	Strict string `json:"strict"`
}

// Encode returns input.json, on one line.
func (in Input) Encode() ([]byte, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	// An empty list is [], never null: the reader takes strings and lists.
	v := reflect.ValueOf(&in).Elem()
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.Slice && f.IsNil() {
			f.Set(reflect.MakeSlice(f.Type(), 0, 0))
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(in); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// validate refuses what the scripts' reader does not take: control
// characters anywhere, and white space inside a list element.
func (in Input) validate() error {
	v := reflect.ValueOf(in)
	for i := 0; i < v.NumField(); i++ {
		key := strings.Split(v.Type().Field(i).Tag.Get("json"), ",")[0]
		var values []string
		list := false
		switch f := v.Field(i).Interface().(type) {
		case string:
			values = []string{f}
		case []string:
			values, list = f, true
		}
		for _, s := range values {
			if !utf8.ValidString(s) || strings.IndexFunc(s, badRune) >= 0 {
				return fmt.Errorf("step input %s: %q holds a control character", key, s)
			}
			if list && (s == "" || strings.IndexFunc(s, unicode.IsSpace) >= 0) {
				return fmt.Errorf("step input %s: element %q is empty or holds white space", key, s)
			}
		}
	}
	return nil
}

func badRune(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == unicode.ReplacementChar
}
