#!/usr/bin/env bash
# make reliability: the faults repobuild is tried against, and what it did.
# Runs the mirror-fault tests (e2e/faults_test.go: a loopback proxy between
# the build and the Debian mirror or the RPM fixture, injecting each fault
# transiently and lastingly) and prints one table: target, fault (form,
# files it hits), what repobuild did, how long the build took, and whether
# anything was lost (a file of the wrong bytes in the output, or a changed
# destination after a failure: the tests fail on either, and print no row).
# Installs and starts what it needs, stops what it started.
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh" >/dev/null
own_services
table=$(mktemp)
trap 'rm -f "$table"; "$ROOT/scripts/stop.sh"' EXIT
"$ROOT/scripts/start.sh"
"$ROOT/scripts/base-images.sh" debian12
REPOBUILD_DISTROS_DIR="$ROOT/e2e/testdata/standin" "$ROOT/scripts/base-images.sh" dnf-standin

export BUILDKIT_HOST="unix://$STATE/buildkitd.sock"
export REPOBUILD_REGISTRY_MIRROR=$REGISTRY_ADDR
export REPOBUILD_BIN=$REPOBUILD
export REPOBUILD_E2E=1
export REPOBUILD_FAULTS_TABLE=$table
cd "$ROOT"
say "go test (mirror faults)"
status=0
go test -count=1 -timeout 20m -run 'TestFaultProxy|TestDebianMirrorFaults|TestRPMMirrorFaults' ./e2e/ || status=$?
{
	printf 'target\tfault (form, files)\twhat repobuild did\ttook\tanything lost\n'
	sort "$table"
} | awk -F'\t' '{ printf "%-15s | %-45s | %s | %s | %s\n", $1, $2, $3, $4, $5 }'
[ "$status" -eq 0 ] || say "some fault tests failed (see above): their rows are missing"
exit "$status"
