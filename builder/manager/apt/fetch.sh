#!/bin/sh
# repobuild apt fetch: resolve the full dependency closure of the requests
# for $REPOBUILD_ARCH with the image's own apt and keys, and download it. The
# image's sources are first pointed at the distro's mirror (sources.sh). apt
# runs on the build machine's architecture and only reads the target
# architecture's indexes, so no target binary is ever executed.
#
# in      /repobuild/in/requests      one request a line: SPEC, or SPEC optional
#         /repobuild/in/sources.sh    points apt at the distro's mirror (see there)
#         /repobuild/in/sources.list  the distro's own sources, if it has any
# out     /repobuild/out/$REPOBUILD_TREE/pool/$REPOBUILD_CODENAME/*.deb
# report  /repobuild/report/lock     URI FILE SIZE HASH for every .deb
#         /repobuild/report/failed   SPEC<TAB>reason, for requests apt cannot meet
#         /repobuild/report/skipped  SPEC<TAB>reason, for optional requests left out
#         /repobuild/report/fetched  bytes of packages downloaded (not in the cache)
# cache   /var/cache/repobuild       apt lists and archives, one cache per distro and arch
set -eu
. /repobuild/in/sources.sh

arch=$REPOBUILD_ARCH
downloads=${REPOBUILD_DOWNLOADS:-4}
cache=/var/cache/repobuild
report=/repobuild/report
pool=/repobuild/out/$REPOBUILD_TREE/pool/$REPOBUILD_CODENAME
work=$(mktemp -d)

mkdir -p "$cache/lists/partial" "$cache/archives/partial" "$work/empty/partial" "$pool" "$report"
: > "$work/status"
: > "$report/lock"
: > "$report/failed"
: > "$report/skipped"
echo 0 > "$report/fetched"

# An empty dpkg status: apt resolves the whole closure, not the delta
# against what this image happens to have installed. The binary caches of
# lists and status live as long as this step: built once by the update,
# read by every apt-get after it.
set -- -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" \
	-o "Dir::State::status=$work/status" -o "Dir::State::lists=$cache/lists" \
	-o "Dir::Cache::pkgcache=$work/pkgcache.bin" -o "Dir::Cache::srcpkgcache=$work/srcpkgcache.bin" \
	-o APT::Install-Recommends=false -o APT::Install-Suggests=false \
	-o Acquire::Retries=3 -o Acquire::Languages=none \
	-o Debug::NoLocking=true -o APT::Sandbox::User=root

# reason FILE: apt's messages in FILE on one line.
reason() {
	grep -v '^[[:space:]]*$' "$1" | grep -v '^Reading\|^Building\|^NOTE: This is only a simulation' |
		sed 's/^E: //' | tr '\t\n' '  ' | sed 's/  */ /g; s/ $//'
}

apt_sources /repobuild/in/sources.list
echo "repobuild: apt-get update ($arch)"
apt_update "$@"

# One apt transaction installs one version of a package: the first request
# of each name goes into the main transaction, every further version of a
# name (containerd.io=1.6.32-1 and containerd.io=1.7.27-1) is resolved and
# downloaded on its own, so that the repository carries them all.
required=
main=
extra=
seen=' '
while read -r spec flag; do
	case "$spec" in ''|'#'*) continue ;; esac
	if [ "${flag:-}" = optional ]; then
		if ! apt-get "$@" -qq -s install "$spec" >/dev/null 2>"$work/err"; then
			printf '%s\t%s\n' "$spec" "$(reason "$work/err")" >>"$report/skipped"
			continue
		fi
	else
		required="$required $spec"
	fi
	name=${spec%%[=/]*}
	case "$seen" in
	*" $name "*) extra="$extra $spec" ;;
	*) main="$main $spec" seen="$seen$name " ;;
	esac
done </repobuild/in/requests

ok=true
# shellcheck disable=SC2086 # specs hold no white space
apt-get "$@" -qq --print-uris -o "Dir::Cache::archives=$work/empty" \
	install $main >"$work/uris" 2>"$work/err" || ok=false
for spec in $extra; do
	apt-get "$@" -qq --print-uris -o "Dir::Cache::archives=$work/empty" \
		install "$spec" >>"$work/uris" 2>"$work/err" || ok=false
done
if [ "$ok" = false ]; then
	# Find which requests apt cannot meet, each with apt's own words.
	for spec in $required; do
		apt-get "$@" -qq -s install "$spec" >"$work/one" 2>&1 ||
			printf '%s\t%s\n' "$spec" "$(reason "$work/one")" >>"$report/failed"
	done
	# Each request alone is fine, together they conflict.
	[ -s "$report/failed" ] || printf '%s\t%s\n' "*" "$(reason "$work/err")" >>"$report/failed"
	echo "repobuild: some requests cannot be met for $arch:" >&2
	cat "$report/failed" >&2
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
echo "$fetched" >"$report/fetched"
echo "repobuild: $count packages, $fetched bytes to download ($arch, $downloads at once)"

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
		apt-get "$@" -q -o "Dir::Cache::archives=$cache/archives" download $(cat "$shard") >"$shard.log" 2>&1 &
		pids="$pids $!"
	done
	ok=true
	for pid in $pids; do wait "$pid" || ok=false; done
	cat "$work"/shard*.log | grep -v '^Get:\|^Fetched ' || true
	echo "repobuild: downloaded with $downloads connections: $(cat "$work"/shard*.log | grep -c '^Get:') files"
	[ "$ok" = true ] || { echo "repobuild: apt-get download failed for $arch" >&2; exit 1; }
)

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
# URI FILE SIZE SHA256:HEX, in the order of the resolution.
awk 'NR == FNR { sum[$2] = $1; next } { print $1, $3, $4, "SHA256:" sum[$3] }' "$work/sums" "$work/closure" >"$report/lock"
rm -rf "$work"
echo "repobuild: $count packages for $arch"
