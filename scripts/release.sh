#!/usr/bin/env bash
# Release binaries: repobuild for linux and darwin, amd64 and arm64, static,
# stamped with the version and commit (`repobuild version` prints them), into
# dist/ with SHA256SUMS (check with `sha256sum -c SHA256SUMS`).
# dist/ is replaced whole, only when every binary built.
#   VERSION=v1.2.0 scripts/release.sh      # default: git describe
#   RELEASE_PLATFORMS="linux/amd64 darwin/arm64" DIST=/tmp/dist scripts/release.sh
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
COMMIT=${COMMIT:-$(git rev-parse HEAD 2>/dev/null || true)}
DIST=${DIST:-$ROOT/dist}
read -r -a platforms <<<"${RELEASE_PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64}"
pkg=github.com/repobuild/repobuild/internal/version
tmp="$DIST.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"
for p in "${platforms[@]}"; do
	os=${p%%/*} arch=${p#*/}
	say "repobuild $VERSION for $os/$arch"
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath \
		-ldflags "-s -w -X $pkg.Version=$VERSION -X $pkg.Commit=$COMMIT" \
		-o "$tmp/repobuild-$os-$arch" ./cmd/repobuild
done
(cd "$tmp" && sha256sum repobuild-* >SHA256SUMS)
rm -rf "$DIST"
mv "$tmp" "$DIST"
say "wrote $DIST: $(cd "$DIST" && echo *)"
