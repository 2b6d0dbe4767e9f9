#!/usr/bin/env bash
# The main job on a fresh Debian machine: build the example packages.yaml
# for debian12/amd64 into ./out. Installs and starts what it needs, and stops
# what it started. Extra arguments go to repobuild (e.g. --arch amd64,arm64).
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh"
own_services
trap '"$ROOT/scripts/stop.sh"' EXIT
"$ROOT/scripts/start.sh"

mirror=()
if "$REPOBUILD" base --check --distro debian12 --arch amd64,arm64; then
	say "using the official base image"
else
	say "the official image cannot be pulled: using a bootstrapped one in the loopback registry"
	"$ROOT/scripts/base-images.sh" debian12
	mirror=(--registry-mirror "$REGISTRY_ADDR")
fi
cd "$ROOT"
"$REPOBUILD" --distro debian12 --arch amd64 -f packages.yaml -o out "${mirror[@]}" "$@"
