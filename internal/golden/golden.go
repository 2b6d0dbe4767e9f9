// Package golden compares generated text with the files under a package's
// testdata/golden, and rewrites them when the tests run with -update.
package golden

import (
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden files")

// Check fails t unless got equals the content of the file at path; with
// -update it writes got to path instead.
func Check(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test with -update and review the diff)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
