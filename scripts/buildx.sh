#!/usr/bin/env bash
# docker buildx, pinned, built from the Go module proxy into bin/docker-buildx
# (once: a binary of the pinned version is kept) and installed as the docker
# CLI's plugin in ~/.docker/cli-plugins. The frontend's e2e test drives it.
source "$(dirname "$0")/lib.sh"
BUILDX_VERSION=v0.38.2
bin=$ROOT/bin/docker-buildx
if ! "$bin" version 2>/dev/null | grep -q " $BUILDX_VERSION\b"; then
	say "building docker buildx $BUILDX_VERSION (a few minutes, once)"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	GOBIN=$tmp go install -ldflags "-X github.com/docker/buildx/version.Version=$BUILDX_VERSION" \
		"github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION"
	mkdir -p "$ROOT/bin"
	mv "$tmp/buildx" "$bin"
fi
plugins=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
mkdir -p "$plugins"
install -m 0755 "$bin" "$plugins/docker-buildx"
