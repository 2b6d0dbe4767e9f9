#!/usr/bin/env bash
# Runs every Go fuzz target of the module (func FuzzX in a _test.go file) for
# FUZZTIME each (default 10s). A failing input is written to the package's
# testdata/fuzz/FuzzX/ by go test: check it in as a regression test and fix
# what it shows.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
FUZZTIME=${FUZZTIME:-10s}
targets=$(grep -rE --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]+' . | sed -E 's|^\./(.*)/[^/]+:func |\1 |' | sort -u)
[ -n "$targets" ] || { echo "no fuzz targets found" >&2; exit 1; }
while read -r dir name; do
	say "fuzz $name ./$dir ($FUZZTIME)"
	go test -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "${FUZZMINIMIZETIME:-5s}" "./$dir"
done <<<"$targets"
