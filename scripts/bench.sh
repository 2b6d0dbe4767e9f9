#!/usr/bin/env bash
# make bench: wall time of repobuild per target for the example packages.yaml,
# cold (BuildKit cache pruned) and warm (unchanged packages.yaml), measured
# side by side in one run, with repobuild's peak client memory.
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh" >/dev/null
"$ROOT/scripts/start.sh"
trap '"$ROOT/scripts/stop.sh"' EXIT
"$ROOT/scripts/base-images.sh" debian12
export BUILDKIT_HOST="unix://$STATE/buildkitd.sock"
BUILDCTL=("$ROOT/bin/buildctl" --addr "$BUILDKIT_HOST")
work=$(mktemp -d)
trap 'rm -rf "$work"; "$ROOT/scripts/stop.sh"' EXIT

# run LABEL ARGS...: one build; prints seconds and peak RSS (MiB).
run() {
	local label=$1; shift
	local start end
	start=$(date +%s.%N)
	/usr/bin/time -f '%M' -o "$work/rss" "$REPOBUILD" -f "$ROOT/packages.yaml" -o "$work/out" \
		--registry-mirror "$REGISTRY_ADDR" --progress quiet "$@" >"$work/log" 2>&1 ||
		{ cat "$work/log" >&2; exit 1; }
	end=$(date +%s.%N)
	printf '%s|%.1f|%d\n' "$label" "$(echo "$end - $start" | bc)" "$(($(cat "$work/rss") / 1024))"
}

results=()
for target in "debian12 amd64" "debian12 arm64"; do
	set -- $target
	"${BUILDCTL[@]}" prune --all >/dev/null
	results+=("$(run "$1/$2 cold" --distro "$1" --arch "$2")")
	results+=("$(run "$1/$2 warm" --distro "$1" --arch "$2")")
done
"${BUILDCTL[@]}" prune --all >/dev/null
results+=("$(run "debian12/arm64 cold, emulated" --distro debian12 --arch arm64 --emulate)")
"${BUILDCTL[@]}" prune --all >/dev/null
results+=("$(run "debian12/amd64+arm64 cold" --distro debian12 --arch amd64,arm64)")

printf '\n%-34s %9s %12s\n' "build (example packages.yaml)" "wall s" "client MiB"
for r in "${results[@]}"; do
	IFS='|' read -r label secs rss <<<"$r"
	printf '%-34s %9s %12s\n' "$label" "$secs" "$rss"
done
get() { printf '%s\n' "${results[@]}" | awk -F'|' -v l="$1" '$1==l {print $2}'; }
amd=$(get "debian12/amd64 cold"); arm=$(get "debian12/arm64 cold"); emu=$(get "debian12/arm64 cold, emulated")
printf '\nratios: arm64/amd64 cold %.2f, emulated/cross arm64 %.2f\n' \
	"$(echo "$arm / $amd" | bc -l)" "$(echo "$emu / $arm" | bc -l)"
