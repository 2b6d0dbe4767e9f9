#!/usr/bin/env bash
# Install what repobuild and its tests need on a Debian machine, enable arm64
# emulation, and build the tools (repobuild, and buildkitd/buildctl at the
# version pinned in go.mod). Idempotent; needs root.
source "$(dirname "$0")/lib.sh"

# The shellcheck package: actionlint checks the workflows' run: scripts with it.
# isal: igzip, which buildkitd (containerd's decompression) runs instead of
# Go's gzip when it is on PATH; a cold build unpacks its base image faster.
packages=(gawk runc qemu-user-static binfmt-support mmdebstrap arch-test docker-registry uidmap
	dnf dnf-plugins-core createrepo-c rpm gnupg curl wget ca-certificates time bc jq skopeo zstd isal
	shellcheck)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
	say "installing ${missing[*]}"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# arm64 under QEMU: only the tests' install check and --emulate need it;
# repobuild itself resolves foreign architectures natively.
if [ "$(uname -m)" != aarch64 ]; then
	mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
	[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || { say "qemu-aarch64 binfmt is not enabled"; exit 1; }
fi

# The docker CLI, for `docker buildx build` through the frontend (e2e); Debian
# 12 packages it with the engine, which is not started here.
if ! command -v docker >/dev/null; then
	say "installing docker.io (for the docker CLI)"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io
fi

say "building tools into bin/"
make -C "$ROOT" --no-print-directory tools

# actionlint for scripts/actionlint.sh, from the Go module proxy, built once.
if [ "$("$ACTIONLINT" -version 2>/dev/null | head -n1)" != "$ACTIONLINT_VERSION" ]; then
	say "building actionlint $ACTIONLINT_VERSION into bin/"
	GOBIN="$ROOT/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
"$ROOT/scripts/buildx.sh"
