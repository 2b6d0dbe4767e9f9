#!/usr/bin/env bash
# make bench: repobuild on the example packages.yaml, measured side by side
# in one run on this machine, against the limit: the same closure fetched by
# a bare apt-get on the host. Prints one table and the ratios, then those of
# the RPM fixture (bench-rpm.sh).
#   cold     BuildKit's cache (layers and cache mounts) pruned first
#   limit    apt-get update and install --download-only into empty
#            directories, with the host's apt
#   no-op    the same build again, packages.yaml unchanged
#   +1 pkg   packages.yaml with one more package (jq), after the no-op
# amd64 cold and the limit: the median of 3 rounds, each round one of each,
# so that neither gains from what the other warmed in a mirror or proxy.
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh" >/dev/null
own_services
work=$(mktemp -d)
trap 'rm -rf "$work"; "$ROOT/scripts/stop.sh"' EXIT
"$ROOT/scripts/start.sh"
"$ROOT/scripts/base-images.sh" debian12
source "$ROOT/scripts/bench-lib.sh"

pkgs=$ROOT/packages.yaml
sed '/^common:/a\  - jq' "$pkgs" >"$work/plus-one.yaml"
# 30 requests, and the same with one name that does not exist: how fast a
# failed request is reported (both --no-cache: they resolve, with warm lists).
printf 'common:\n' >"$work/thirty.yaml"
for p in curl rsync socat conntrack ipset ipvsadm ebtables ethtool bash-completion chrony lvm2 nfs-common \
	apt-transport-https ca-certificates gnupg iptables open-iscsi jq less file zstd xz-utils bzip2 wget \
	iproute2 iputils-ping lsof strace tcpdump psmisc; do
	printf '  - %s\n' "$p" >>"$work/thirty.yaml"
done
sed 's/^  - psmisc$/  - repobuild-no-such-package/' "$work/thirty.yaml" >"$work/thirty-bad.yaml"

list=$("$REPOBUILD" plan --distro debian12 --arch amd64 -f "$pkgs" --format json | jq -r '.[0].packages[].spec')
# bare_apt: the limit, one row.
bare_apt() {
	local a=$work/apt t0 t1
	rm -rf "$a"
	mkdir -p "$a/lists/partial" "$a/archives/partial"
	: >"$a/status"
	local opts=(-o "Dir::State::status=$a/status" -o "Dir::State::lists=$a/lists" -o "Dir::Cache::archives=$a/archives"
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o APT::Install-Recommends=false
		-o Acquire::Languages=none -o Debug::NoLocking=true -o APT::Sandbox::User=root)
	t0=$(now)
	# shellcheck disable=SC2086
	{ apt-get "${opts[@]}" -qq update && apt-get "${opts[@]}" -qq -y --download-only install $list; } >/dev/null
	t1=$(now)
	limit "limit: bare apt-get amd64" "$(echo "$t1 - $t0" | bc)" "$a/archives" -name '*.deb'
}

say "cold builds against the limit (bare apt-get on the host: $(. /etc/os-release; echo "$VERSION_CODENAME") amd64), 3 rounds"
for _ in 1 2 3; do
	bare_apt
	prune; build "amd64 cold" "$pkgs" --distro debian12 --arch amd64
done
median "amd64 cold"
median "limit: bare apt-get amd64"

say "warm builds, arm64, both"
build "amd64 no-op" "$pkgs" --distro debian12 --arch amd64
build "amd64 +1 pkg" "$work/plus-one.yaml" --distro debian12 --arch amd64
prune; build "arm64 cold" "$pkgs" --distro debian12 --arch arm64
prune; build "arm64 cold emulated" "$pkgs" --distro debian12 --arch arm64 --emulate
prune; build "amd64+arm64 cold" "$pkgs" --distro debian12 --arch amd64,arm64
build "amd64+arm64 no-op" "$pkgs" --distro debian12 --arch amd64,arm64
# The frontend path (buildctl through the frontend image, as docker buildx
# build -f packages.yaml runs it): cold and no-op, beside the CLI's.
FRONTEND=$REGISTRY_ADDR/repobuild/frontend:bench
"$REPOBUILD" frontend --source "$ROOT" --push "$FRONTEND" >/dev/null
prune; via_frontend "amd64 cold, frontend" "$pkgs" debian12 linux/amd64
via_frontend "amd64 no-op, frontend" "$pkgs" debian12 linux/amd64
build "30 requests, resolve" "$work/thirty.yaml" --distro debian12 --arch amd64 --no-cache
fails "30, one unknown, resolve" "$work/thirty-bad.yaml" --distro debian12 --arch amd64 --no-cache

table "debian12, example file"

ratios "" "limit: bare apt-get amd64" "bare apt-get limit"
printf '  arm64 emulated / arm64 cross       %5s\n' "$(ratio "$(secs "arm64 cold emulated")" "$(secs "arm64 cold")")"
printf '  frontend / CLI, amd64 cold          %5s  (<= 1.1, issue 10)\n' "$(ratio "$(secs "amd64 cold, frontend")" "$(secs "amd64 cold")")"
printf '  frontend / CLI, amd64 no-op         %5s  (<= 1.1, issue 10)\n' "$(ratio "$(secs "amd64 no-op, frontend")" "$(secs "amd64 no-op")")"
printf '  one unknown of 30 / the 30          %5s  (<= 1.5, issue 14)\n' "$(ratio "$(secs "30, one unknown, resolve")" "$(secs "30 requests, resolve")")"

# Where a cold build's time goes: one more amd64 cold build, with BuildKit's
# raw progress, summed per phase.
prune
"$REPOBUILD" -f "$pkgs" -o "$work/out" --distro debian12 --arch amd64 --registry-mirror "$REGISTRY_ADDR" \
	--progress rawjson 2>"$work/raw.json" >/dev/null
printf '\nphases of an amd64 cold build (seconds, from BuildKit'"'"'s progress):\n'
"$ROOT/scripts/bench-phases.sh" "$work/raw.json" | awk -F'\t' '{ printf "  %-28s %6.1f\n", $1, $2 }'

"$ROOT/scripts/bench-rpm.sh"
