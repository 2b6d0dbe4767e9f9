# What bench.sh and bench-rpm.sh share; sourced after lib.sh, with $work
# a scratch directory. Talks to the buildkitd of $BUILDKIT_HOST (default:
# the one start.sh starts).
# shellcheck shell=bash disable=SC2154 # $work: set by the script that sources this
export BUILDKIT_HOST=${BUILDKIT_HOST:-unix://$STATE/buildkitd.sock}
prune() { "$ROOT/bin/buildctl" --addr "$BUILDKIT_HOST" prune --all >/dev/null; }
now() { date +%s.%N; }
# size UNIT BYTES: BYTES in KiB or MiB, one decimal.
size() { echo "scale=1; $2 / $(case $1 in KiB) echo 1024 ;; *) echo 1048576 ;; esac)" | bc | sed 's/^\./0./'; }
ratio() { echo "scale=2; $1 / $2" | bc | sed "s/^\./0./"; }

# One row a measurement: LABEL|SECONDS|PACKAGES|REPO BYTES|FETCHED BYTES|CLIENT KIB.
rows=()
# build LABEL FILE ARGS...: one repobuild run; adds a row and keeps its
# metadata as $work/meta-LABEL.json (LABEL's other characters than a-z0-9
# as _).
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
	rows+=("$label|$(echo "$t1 - $t0" | bc)|$pk|$bytes|$dl|$(($(cat "$work/rss") / 1024))")
	cp "$work/meta.json" "$(meta "$label")"
}
# via_frontend LABEL FILE DISTRO PLATFORMS [OPT...]: one build of FILE
# through the frontend image $FRONTEND with buildctl (gateway.v0), the path
# of `docker buildx build -f FILE`; adds a row from the frontend's summary
# in the metadata file (fetched: what the resolves downloaded when they ran).
via_frontend() {
	local label=$1 file=$2 distro=$3 platforms=$4 t0 t1 opts=()
	shift 4
	for o in "$@"; do opts+=(--opt "$o"); done
	rm -rf "$work/out-frontend"
	t0=$(now)
	"$ROOT/bin/buildctl" --addr "$BUILDKIT_HOST" build --progress quiet --frontend gateway.v0 --opt source="$FRONTEND" \
		--opt build-arg:DISTRO="$distro" --opt build-arg:REGISTRY_MIRROR="$REGISTRY_ADDR" --opt platform="$platforms" \
		--opt filename="$(basename "$file")" --local dockerfile="$(dirname "$file")" --local context="$(dirname "$file")" \
		"${opts[@]}" --metadata-file "$work/meta.json" -o type=local,dest="$work/out-frontend" >"$work/log" 2>&1 ||
		{ cat "$work/log" >&2; exit 1; }
	t1=$(now)
	local sum='.["frontend.repobuild"].targets'
	rows+=("$label|$(echo "$t1 - $t0" | bc)|$(jq "[${sum}[].packages] | add" "$work/meta.json")|$(jq "[${sum}[].bytes] | add" "$work/meta.json")|$(jq "[${sum}[].fetched] | add" "$work/meta.json")|-")
}
meta() { echo "$work/meta-${1//[^a-z0-9]/_}.json"; }
# fails LABEL FILE ARGS...: one repobuild run that must fail (a request
# that cannot be met); adds a row of its seconds.
fails() {
	local label=$1 file=$2; shift 2
	local t0 t1
	t0=$(now)
	if "$REPOBUILD" -f "$file" -o "$work/out-fails" --registry-mirror "$REGISTRY_ADDR" --progress quiet "$@" >"$work/log" 2>&1; then
		echo "bench: $label succeeded, want a failure" >&2
		exit 1
	fi
	t1=$(now)
	grep -q 'cannot be installed' "$work/log" || { cat "$work/log" >&2; exit 1; }
	rows+=("$label|$(echo "$t1 - $t0" | bc)|-|0|0|-")
}
# limit LABEL SECONDS DIR FIND-TESTS...: a row for a bare package manager's
# download: the files of DIR that FIND-TESTS select.
limit() {
	local label=$1 s=$2 dir=$3 n bytes
	shift 3
	n=$(find "$dir" -type f "$@" | wc -l)
	bytes=$(find "$dir" -type f "$@" -printf '%s\n' | awk '{s+=$1} END {print s+0}')
	rows+=("$label|$s|$n|$bytes|$bytes|-")
}
# median LABEL: keeps, of the rows labelled LABEL, the one of median
# seconds (the upper middle one of an even count), in the place of the
# first.
median() {
	local keep r out=() done=false
	keep=$(printf '%s\n' "${rows[@]}" | awk -F'|' -v l="$1" '$1==l' | sort -t'|' -k2,2n |
		awk '{ r[NR] = $0 } END { print r[int(NR / 2) + 1] }')
	for r in "${rows[@]}"; do
		if [ "${r%%|*}" != "$1" ]; then
			out+=("$r")
		elif [ "$done" = false ]; then
			out+=("$keep")
			done=true
		fi
	done
	rows=("${out[@]}")
}
secs() { printf '%s\n' "${rows[@]}" | awk -F'|' -v l="$1" '$1==l {print $2}'; }
# table TITLE [UNIT]: the rows, sizes in UNIT (MiB, or KiB).
table() {
	local unit=${2:-MiB} r label s p b d m
	printf '\n%-28s %8s %9s %10s %12s %11s\n' "$1" "wall s" "packages" "repo $unit" "fetched $unit" "client MiB"
	# The limits last.
	printf '%s\n' "${rows[@]}" | awk '!/^limit:/' >"$work/rows"
	printf '%s\n' "${rows[@]}" | awk '/^limit:/' >>"$work/rows"
	while read -r r; do
		IFS='|' read -r label s p b d m <<<"$r"
		printf '%-28s %8.1f %9s %10s %12s %11s\n' "$label" "$s" "$p" "$(size "$unit" "${b:-0}")" "$(size "$unit" "${d:-0}")" "$m"
	done <"$work/rows"
}
# added BEFORE AFTER: the bytes of the files in the lock of the build
# labelled AFTER that the lock of BEFORE lacks: what adding packages must
# fetch.
added() {
	jq -n --slurpfile old "$(meta "$1")" --slurpfile new "$(meta "$2")" \
		'($old[0].targets[0].lock | map(.file)) as $o | [$new[0].targets[0].lock[] | select(.file as $f | $o | index($f) | not) | .size] | add // 0'
}
maxrss() { printf '%s\n' "${rows[@]}" | awk -F'|' '$6 != "-" && $6 > m {m = $6} END {print m}'; }
# ratios TITLE LIMIT NAME: the ratios issue 6 sets targets for, from the
# rows amd64 cold, arm64 cold, amd64 no-op, amd64 +1 pkg and LIMIT (the
# bare package manager's row, NAME in the text).
ratios() {
	local delta fetched
	# What the +1 pkg build must fetch: the files in its lock that the
	# no-op's lacks.
	delta=$(added "amd64 no-op" "amd64 +1 pkg")
	fetched=$(jq '.targets[0].downloaded' "$(meta "amd64 +1 pkg")")
	printf '\nratios%s (targets in issue 6):\n' "$1"
	printf '  arm64 cold / amd64 cold            %5s  (<= 1.2)\n' "$(ratio "$(secs "arm64 cold")" "$(secs "amd64 cold")")"
	printf '  amd64 cold / %-21s %5s  (<= 1.5)\n' "$3" "$(ratio "$(secs "amd64 cold")" "$(secs "$2")")"
	printf '  no-op rebuild, seconds             %5.1f  (<= 3)\n' "$(secs "amd64 no-op")"
	printf '  +1 pkg fetched / its new closure   %5s  (<= 1.2; %s of %s bytes)\n' \
		"$( ((delta > 0)) && ratio "$fetched" "$delta" || echo -)" "$fetched" "$delta"
	printf '  client peak memory, MiB            %5s  (<= 150)\n' "$(maxrss)"
}
