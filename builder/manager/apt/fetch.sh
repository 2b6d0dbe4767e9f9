#!/bin/sh
# repobuild apt fetch: resolve the full dependency closure of the requests
# for $REPOBUILD_ARCH with the image's own apt and keys, and download it. The
# image's sources are first pointed at the distro's mirror (sources.sh). apt
# runs on the build machine's architecture and only reads the target
# architecture's indexes, so no target binary is ever executed.
#
# in      /repobuild/in/input.json    the requests (REPOBUILD_REQUIRED, _OPTIONAL,
#                                     _EXTRA) and the distro (builder/pipeline.Input)
#         /repobuild/in/sources.list  the distro's own sources, if it has any
# out     /repobuild/out/$REPOBUILD_TREE/pool/$REPOBUILD_CODENAME/*.deb
# report  /repobuild/report/report.json, lock.json (common/report.sh)
# cache   /var/cache/repobuild        apt lists and archives, one cache per distro and arch
set -eu
. /repobuild/manager/common/fetch.sh
. /repobuild/manager/apt/sources.sh
rb_report_begin

arch=$REPOBUILD_ARCH
downloads=${REPOBUILD_DOWNLOADS:-4}
cache=/var/cache/repobuild
pool=/repobuild/out/$REPOBUILD_TREE/pool/$REPOBUILD_CODENAME
work=$(mktemp -d)
rb_cleanup='rm -rf "$work"'
problems=/repobuild/manager/apt/problems.sed

mkdir -p "$cache/lists/partial" "$cache/archives/partial" "$work/empty/partial" "$pool"
: >"$work/status"
: >"$work/uris"

# An empty dpkg status: apt resolves the whole closure, not the delta
# against what this image happens to have installed. The binary caches of
# lists and status live as long as this step: built once by the update,
# read by every apt-get after it.
apt_() {
	apt_net -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" \
		-o "Dir::State::status=$work/status" -o "Dir::State::lists=$cache/lists" \
		-o "Dir::Cache::pkgcache=$work/pkgcache.bin" -o "Dir::Cache::srcpkgcache=$work/srcpkgcache.bin" \
		-o APT::Install-Recommends=false -o APT::Install-Suggests=false \
		-o Acquire::Languages=none \
		-o Debug::NoLocking=true -o APT::Sandbox::User=root "$@"
}

# reason FILE: apt's messages in FILE on one line.
reason() {
	grep -v '^[[:space:]]*$' "$1" | grep -v '^Reading\|^Building\|^NOTE: This is only a simulation' |
		sed 's/^E: //' | tr '\t\n' '  ' | sed 's/  */ /g; s/ $//'
}

# uris SPEC...: append the download URIs of the SPECs' closure, in one
# transaction, to $work/uris; apt's words go to $work/err.
uris() {
	# shellcheck disable=SC2086 # specs hold no white space
	apt_ -qq --print-uris -o "Dir::Cache::archives=$work/empty" install -- "$@" >"$work/one.uris" 2>"$work/err" &&
		cat "$work/one.uris" >>"$work/uris"
}

# verdict SPEC REASON: an unmet request is skipped when optional, else failed.
verdict() {
	if rb_is_in "$1" "$REPOBUILD_OPTIONAL" || [ "${2:-}" = optional ]; then
		printf '%s\t%s\n' "$1" "$3" >>"$rb_skipped"
	else
		printf '%s\t%s\n' "$1" "$3" >>"$rb_failed"
	fi
}

# main: resolve the main transaction. apt names the requests it cannot
# meet in its first answer (common/judge.sh): optional ones are left out
# and the rest tried again; a required one is a verdict. Returns 1 when
# apt's words name none of the requests (a conflict between them).
main() {
	want="$REPOBUILD_REQUIRED $REPOBUILD_OPTIONAL"
	while [ -n "$(echo $want)" ]; do
		# shellcheck disable=SC2086
		uris $want && return 0
		# shellcheck disable=SC2086
		rb_judge "$problems" "$work/err" $want >"$work/judged"
		[ -s "$work/judged" ] || return 1
		dropped=
		while IFS="$(printf '\t')" read -r spec why; do
			verdict "$spec" "" "$why"
			dropped="$dropped $spec"
		done <"$work/judged"
		[ ! -s "$rb_failed" ] || return 0
		# shellcheck disable=SC2086
		want=$(rb_without "$want" $dropped)
	done
}

# probe: apt's words named no request; try each alone, with apt's words for
# each that fails. Optional ones first, since leaving them out may be enough.
probe() {
	for spec in $REPOBUILD_OPTIONAL; do
		apt_ -qq -s install -- "$spec" >/dev/null 2>"$work/one" || verdict "$spec" optional "$(reason "$work/one")"
	done
	# shellcheck disable=SC2046,SC2086
	[ ! -s "$rb_skipped" ] || ! uris $REPOBUILD_REQUIRED $(rb_without "$REPOBUILD_OPTIONAL" $(cut -f1 "$rb_skipped")) || return 0
	cp "$work/err" "$work/all"
	for spec in $REPOBUILD_REQUIRED; do
		apt_ -qq -s install -- "$spec" >"$work/one" 2>&1 || verdict "$spec" "" "$(reason "$work/one")"
	done
	# Each request alone is fine, together they conflict.
	[ -s "$rb_failed" ] || verdict "*" "" "$(reason "$work/all")"
}

apt_sources /repobuild/in/sources.list
# "repobuild: phase: NAME" lines start the phases make bench times.
echo "repobuild: phase: update"
echo "repobuild: apt-get update ($arch)"
apt_again "apt-get update" apt_update apt_

echo "repobuild: phase: resolve"
main || probe
# Every further version of a name, in a transaction of its own.
i=0
for spec in $REPOBUILD_EXTRA; do
	i=$((i + 1))
	flag=$(echo "$REPOBUILD_EXTRA_OPTIONAL" | cut -d' ' -f"$i")
	[ "$flag" = 1 ] && flag=optional || flag=
	if ! uris "$spec"; then
		why=$(rb_judge "$problems" "$work/err" "$spec" | cut -f2-)
		verdict "$spec" "$flag" "${why:-$(reason "$work/err")}"
	fi
done
if [ -s "$rb_failed" ]; then
	echo "repobuild: some requests cannot be met for $arch:" >&2
	cat "$rb_failed" >&2
	exit 0
fi
# A package several transactions need is listed once.
sort -u -k2,2 "$work/uris" >"$work/uris.sorted" && mv "$work/uris.sorted" "$work/uris"

count=$(wc -l <"$work/uris")
# What the cache lacks is what this build fetches.
fetched=0
while read -r _ file size _; do
	[ -f "$cache/archives/$file" ] || fetched=$((fetched + size))
done <"$work/uris"
echo "$fetched" >"$rb_fetched"
echo "repobuild: $count packages, $fetched bytes to download ($arch, $downloads at once)"

echo "repobuild: phase: download"
# apt fetches from one mirror one file after the other. Split the closure
# into $downloads shards of about equal size and let one `apt-get download`
# fetch each, all at once. apt-get download checks every file against the
# hashes of the signed indexes, refuses unauthenticated ones, and keeps
# what the cache already holds. Files are named as in --print-uris: the
# second field, NAME_VERSION_ARCH.deb with the epoch's colon as %3a.
awk '{
	n = $2; sub(/_.*/, "", n)
	v = $2; sub(/^[^_]*_/, "", v); sub(/_[^_]*$/, "", v); gsub(/%3a/, ":", v)
	a = $2; sub(/.*_/, "", a); sub(/\.deb$/, "", a)
	print $3, n ":" a "=" v
}' "$work/uris" | sort -rn | awk -v n="$downloads" -v dir="$work" '{
	# The largest first, each to the shard with the fewest bytes.
	best = 0
	for (i = 1; i < n; i++) if (bytes[i] < bytes[best]) best = i
	bytes[best] += $1
	print $2 >(dir "/shard" best)
}'
(
	cd "$cache/archives"
	pids=
	for shard in "$work"/shard*; do
		[ -f "$shard" ] || continue
		# shellcheck disable=SC2046 # specs hold no white space
		# Partial files go to the cache's partial/, not the image's.
		apt_again "apt-get download" apt_ -q -o "Dir::Cache::archives=$cache/archives" download -- $(cat "$shard") >"$shard.log" 2>&1 &
		pids="$pids $!"
	done
	ok=true
	for pid in $pids; do wait "$pid" || ok=false; done
	cat "$work"/shard*.log | grep -v '^Get:\|^Fetched \|^E: ' || true
	echo "repobuild: downloaded with $downloads connections: $(cat "$work"/shard*.log | grep -c '^Get:') files"
	if [ "$ok" != true ]; then
		# apt's errors name the file (its URL on the mirror) and the reason.
		echo "repobuild: apt-get download failed for $REPOBUILD_DISTRO/$arch${REPOBUILD_MIRROR:+ (mirror $REPOBUILD_MIRROR)}:" >&2
		grep -h '^E: ' "$work"/shard*.log | sort -u | sed 's/^/  /' >&2
		exit 1
	fi
)

echo "repobuild: phase: publish"
# Copy the closure out of the cache. Pool names drop the epoch, as in
# Debian's own archive: $work/closure has URI FILE POOLNAME SIZE HASH. One
# cp for the files whose pool name is their name in the cache, one each for
# the rest (process starts add up over hundreds of files).
awk '{ name = $2; sub(/_[0-9]*%3a/, "_", name); print $1, $2, name, $3, $4 }' "$work/uris" >"$work/closure"
awk '$2 == $3 { print $2 }' "$work/closure" | (cd "$cache/archives" && xargs -r cp -t "$pool")
awk '$2 != $3 { print $2, $3 }' "$work/closure" | while read -r file name; do
	cp "$cache/archives/$file" "$pool/$name"
done
# The copies are checked against the hashes apt resolved, and the lock
# records each file's SHA256: one pass of sha256sum over the pool, on
# every core, serves both.
(
	cd "$pool"
	awk '{ print $3 }' "$work/closure" | xargs -r -n 16 -P "$(nproc)" sha256sum >"$work/sums"
	awk 'NR == FNR { sum[$2] = $1; next }
		index($5, "SHA256:") == 1 && sum[$3] != substr($5, 8) { print "repobuild: " $3 " does not match its SHA256" >"/dev/stderr"; bad = 1 }
		END { exit bad }' "$work/sums" "$work/closure" ||
		{ echo "repobuild: copies in the pool do not match the hashes apt resolved" >&2; exit 1; }
	# Indexes that give another hash than SHA256 (old archives).
	for type in SHA512:sha512sum SHA1:sha1sum MD5Sum:md5sum; do
		awk -v t="${type%%:*}:" 'index($5, t) == 1 { print substr($5, length(t) + 1) "  " $3 }' "$work/closure" >"$work/check"
		[ -s "$work/check" ] || continue
		"${type#*:}" -c --quiet "$work/check" ||
			{ echo "repobuild: copies in the pool do not match the hashes apt resolved" >&2; exit 1; }
	done
)
# URI FILE SIZE SHA256, in the order of the resolution; FILE from the tree's root.
awk -v dir="$REPOBUILD_TREE/pool/$REPOBUILD_CODENAME/" 'NR == FNR { sum[$2] = $1; next } { print $1, dir $3, $4, sum[$3] }' \
	"$work/sums" "$work/closure" >"$rb_lock"
echo "repobuild: $count packages for $arch"
