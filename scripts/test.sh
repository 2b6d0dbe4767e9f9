#!/usr/bin/env bash
# All of repobuild's tests on a fresh Debian machine: unit tests, then the
# end-to-end tests against a real buildkitd, a loopback registry and the
# Debian archive. Installs and starts what it needs, stops what it started.
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh"
own_services
trap '"$ROOT/scripts/stop.sh"' EXIT
"$ROOT/scripts/start.sh"
"$ROOT/scripts/base-images.sh" debian12 debian13
# The base of the type=nginx tests: a stand-in for the official nginx image.
REPOBUILD_DISTROS_DIR="$ROOT/testdata/distros" "$ROOT/scripts/base-images.sh" nginx-standin
# The RPM tests' stand-in image (Debian with dnf): no RPM mirror is reachable.
REPOBUILD_DISTROS_DIR="$ROOT/e2e/testdata/standin" "$ROOT/scripts/base-images.sh" dnf-standin

export BUILDKIT_HOST="unix://$STATE/buildkitd.sock"
export REPOBUILD_REGISTRY_MIRROR=$REGISTRY_ADDR
export REPOBUILD_BIN=$REPOBUILD
export REPOBUILD_E2E=1
cd "$ROOT"
say "go vet"
go vet ./...
# repobuild is also a remote client on macOS: every package the CLI imports
# must build there (no Linux-only calls outside build tags).
say "go vet, darwin/arm64"
mapfile -t cli < <(go list -deps ./cmd/repobuild | grep '^github.com/repobuild/repobuild/')
GOOS=darwin GOARCH=arm64 go vet "${cli[@]}"
say "actionlint"
"$ROOT/scripts/actionlint.sh"
say "go test"
go test -count=1 -timeout 60m "${@:-./...}"
# Every fuzz target briefly (make fuzz runs them longer); not when given packages.
if [ $# -eq 0 ]; then
	FUZZTIME=${FUZZTIME:-5s} "$ROOT/scripts/fuzz.sh"
fi
