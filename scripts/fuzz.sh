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
	fuzz() { go test -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "${FUZZMINIMIZETIME:-5s}" "./$dir" 2>&1; }
	# Go's fuzzing engine can stop a short run with "context deadline
	# exceeded" and no failing input (its workers' shutdown): run it once
	# more then. A crasher writes testdata/fuzz/ and fails every time.
	if ! out=$(fuzz); then
		printf '%s\n' "$out"
		if grep -q 'context deadline exceeded' <<<"$out" && ! grep -q 'Failing input written' <<<"$out"; then
			say "fuzz $name: the engine stopped without a failing input; once more"
			fuzz || exit 1
		else
			exit 1
		fi
	else
		printf '%s\n' "$out"
	fi
done <<<"$targets"
