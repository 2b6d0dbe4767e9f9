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

table "debian12, example file"

ratios "" "limit: bare apt-get amd64" "bare apt-get limit"
printf '  arm64 emulated / arm64 cross       %5s\n' "$(ratio "$(secs "arm64 cold emulated")" "$(secs "arm64 cold")")"

"$ROOT/scripts/bench-rpm.sh"
