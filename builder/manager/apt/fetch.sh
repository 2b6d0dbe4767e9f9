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
# against what this image happens to have installed.
set -- -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" \
	-o "Dir::State::status=$work/status" -o "Dir::State::lists=$cache/lists" \
	-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
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
echo "repobuild: $count packages, $fetched bytes to download ($arch)"
# shellcheck disable=SC2086
apt-get "$@" -q -y --download-only -o "Dir::Cache::archives=$cache/archives" install $main
for spec in $extra; do
	apt-get "$@" -q -y --download-only -o "Dir::Cache::archives=$cache/archives" install "$spec"
done

# Copy the closure out of the cache. apt checked every download against
# the signed indexes; the copy is checked again against the hash apt
# resolved (when it gives one) and the lock records its SHA256. Pool names
# drop the epoch, as in Debian's own archive.
while read -r uri file size hash; do
	name=$(printf '%s' "$file" | sed 's/_[0-9]*%3a/_/')
	cp "$cache/archives/$file" "$pool/$name"
	case "${hash:-}" in
	SHA512:*) tool=sha512sum ;; SHA256:*) tool=sha256sum ;; SHA1:*) tool=sha1sum ;; MD5Sum:*) tool=md5sum ;; *) tool= ;;
	esac
	if [ -n "$tool" ]; then
		echo "${hash#*:}  $pool/$name" | "$tool" -c --quiet - ||
			{ echo "repobuild: $name does not match $hash" >&2; exit 1; }
	fi
	sum=$(sha256sum "$pool/$name")
	printf '%s %s %s SHA256:%s\n' "$uri" "$name" "$size" "${sum%% *}" >>"$report/lock"
done <"$work/uris"
rm -rf "$work"
echo "repobuild: $count packages for $arch"
