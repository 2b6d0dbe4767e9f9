#!/usr/bin/env bash
# make bench: repobuild on the example packages.yaml, measured side by side
# in one run on this machine, against the limit: the same closure fetched by
# a bare apt-get on the host. Prints one table and the ratios.
#   cold     BuildKit's cache (layers and cache mounts) pruned first
#   no-op    the same build again, packages.yaml unchanged
#   +1 pkg   packages.yaml with one more package (jq), after the no-op
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh" >/dev/null
"$ROOT/scripts/start.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"; "$ROOT/scripts/stop.sh"' EXIT
"$ROOT/scripts/base-images.sh" debian12
export BUILDKIT_HOST="unix://$STATE/buildkitd.sock"
prune() { "$ROOT/bin/buildctl" --addr "$BUILDKIT_HOST" prune --all >/dev/null; }
now() { date +%s.%N; }
mib() { echo "scale=1; $1 / 1048576" | bc; }

pkgs=$ROOT/packages.yaml
sed '/^common:/a\  - jq' "$pkgs" >"$work/plus-one.yaml"

rows=()
# build LABEL FILE ARGS...: one repobuild run; adds a row.
build() {
	local label=$1 file=$2; shift 2
	local t0 t1
	t0=$(now)
	/usr/bin/time -f '%M' -o "$work/rss" "$REPOBUILD" -f "$file" -o "$work/out" \
		--registry-mirror "$REGISTRY_ADDR" --progress quiet --metadata-file "$work/meta.json" "$@" \
		>"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
	t1=$(now)
	local pk bytes dl
	pk=$(jq '[.targets[].packages] | add' "$work/meta.json")
	bytes=$(jq '[.targets[].bytes] | add' "$work/meta.json")
	dl=$(jq '[.targets[].downloaded] | add' "$work/meta.json")
	rows+=("$label|$(echo "$t1 - $t0" | bc)|$pk|$(mib "$bytes")|$(mib "$dl")|$(($(cat "$work/rss") / 1024))")
	cp "$work/meta.json" "$work/meta-${label//[^a-z0-9]/_}.json"
}
secs() { printf '%s\n' "${rows[@]}" | awk -F'|' -v l="$1" '$1==l {print $2}'; }

say "cold and warm builds"
prune; build "amd64 cold" "$pkgs" --distro debian12 --arch amd64
build "amd64 no-op" "$pkgs" --distro debian12 --arch amd64
build "amd64 +1 pkg" "$work/plus-one.yaml" --distro debian12 --arch amd64
prune; build "arm64 cold" "$pkgs" --distro debian12 --arch arm64
prune; build "arm64 cold emulated" "$pkgs" --distro debian12 --arch arm64 --emulate
prune; build "amd64+arm64 cold" "$pkgs" --distro debian12 --arch amd64,arm64
build "amd64+arm64 no-op" "$pkgs" --distro debian12 --arch amd64,arm64

say "the limit: bare apt-get on the host, same closure (host: $(. /etc/os-release; echo "$VERSION_CODENAME") amd64)"
list=$("$REPOBUILD" plan --distro debian12 --arch amd64 -f "$pkgs" --format json | jq -r '.[0].packages[].spec')
a=$work/apt
mkdir -p "$a/lists/partial" "$a/archives/partial"
: >"$a/status"
opts=(-o "Dir::State::status=$a/status" -o "Dir::State::lists=$a/lists" -o "Dir::Cache::archives=$a/archives"
	-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o APT::Install-Recommends=false
	-o Acquire::Languages=none -o Debug::NoLocking=true -o APT::Sandbox::User=root)
t0=$(now)
# shellcheck disable=SC2086
{ apt-get "${opts[@]}" -qq update && apt-get "${opts[@]}" -qq -y --download-only install $list; } >/dev/null
t1=$(now)
n=$(find "$a/archives" -name '*.deb' | wc -l)
bytes=$(find "$a/archives" -name '*.deb' -printf '%s\n' | awk '{s+=$1} END {print s}')
rows+=("limit: bare apt-get amd64|$(echo "$t1 - $t0" | bc)|$n|$(mib "$bytes")|$(mib "$bytes")|-")

printf '\n%-28s %8s %9s %10s %12s %11s\n' "debian12, example file" "wall s" "packages" "repo MiB" "fetched MiB" "client MiB"
for r in "${rows[@]}"; do
	IFS='|' read -r label s p b d m <<<"$r"
	printf '%-28s %8.1f %9s %10s %12s %11s\n' "$label" "$s" "$p" "$b" "$d" "$m"
done

# What adding jq must fetch: the files in the new lock that the old lock lacks.
delta=$(jq -n --slurpfile old "$work/meta-amd64_no_op.json" --slurpfile new "$work/meta-amd64__1_pkg.json" \
	'($old[0].targets[0].lock | map(.file)) as $o | [$new[0].targets[0].lock[] | select(.file as $f | $o | index($f) | not) | .size] | add // 0')
fetched=$(jq '.targets[0].downloaded' "$work/meta-amd64__1_pkg.json")
maxrss=$(printf '%s\n' "${rows[@]}" | awk -F'|' '$6 != "-" && $6 > m {m = $6} END {print m}')
ratio() { echo "scale=2; $1 / $2" | bc; }
printf '\nratios (targets in issue 6):\n'
printf '  arm64 cold / amd64 cold            %5s  (<= 1.2)\n' "$(ratio "$(secs "arm64 cold")" "$(secs "amd64 cold")")"
printf '  arm64 emulated / arm64 cross       %5s\n' "$(ratio "$(secs "arm64 cold emulated")" "$(secs "arm64 cold")")"
printf '  amd64 cold / bare apt-get limit    %5s  (<= 1.5)\n' "$(ratio "$(secs "amd64 cold")" "$(secs "limit: bare apt-get amd64")")"
printf '  no-op rebuild, seconds             %5.1f  (<= 3)\n' "$(secs "amd64 no-op")"
printf '  +1 pkg fetched / its new closure   %5s  (<= 1.2; %s of %s bytes)\n' "$( ((delta > 0)) && ratio "$fetched" "$delta" || echo -)" "$fetched" "$delta"
printf '  client peak memory, MiB            %5s  (<= 150)\n' "$maxrss"
