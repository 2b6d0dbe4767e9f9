#!/bin/sh
# repobuild dnf fetch: resolve the full dependency closure of the requests
# for $REPOBUILD_ARCH from an empty install root, and download it, checking
# every signature. dnf runs on the build machine's architecture and is told
# the target's (--forcearch): it only reads that architecture's metadata and
# never runs a package's code.
#
# in      /repobuild/in/input.json  the requests and the distro (builder/pipeline.Input)
#         /repobuild/in/repos.d/    the repositories (distro definition, packages.yaml)
# out     /repobuild/out/$REPOBUILD_TREE/Packages/*.rpm
# report  /repobuild/report/report.json, lock.json (common/report.sh)
#         /repobuild/report/repodata/{modules.yaml,comps.xml,updateinfo.xml}
# cache   /var/cache/repobuild       dnf metadata and packages, one cache per
#                                   distro and arch
set -eu
. /repobuild/manager/common/fetch.sh
. /repobuild/manager/rpm/lib.sh
rb_init

platform=${REPOBUILD_MODULE_PLATFORM_ID:-}
if [ -z "$platform" ] && [ -r /etc/os-release ]; then
	platform=$(. /etc/os-release && echo "${PLATFORM_ID:-}")
fi
# dnf5 (Fedora 41 and later) installs dnf as a link to dnf5. Asking
# `dnf --version` would cost a second of Python start-up.
version=4
case "$(readlink -f "$(command -v dnf)")" in *dnf5*) version=5 ;; esac
# dnf downloads at most 20 packages at once (dnf.conf(5)).
downloads=${REPOBUILD_DOWNLOADS:-4}
[ "$downloads" -le 20 ] || downloads=20
# The package cache: dnf 4 keeps what it downloads in the cache mount
# (keepcache=1, in CACHEDIR/REPOID-HASH/packages/) and downloads a package
# again only when the copy there does not match the checksum of the
# repository's metadata: a corrupt or partial copy is replaced (checked
# with Debian's dnf 4.14). Other versions stay there until BuildKit's
# garbage collection drops the cache mount; they are never part of a
# closure. repobuild's plugin (closure.py) names the transaction's files.
# dnf5 loads no Python plugin: it downloads the whole closure into $dl
# every time (its download directory is an option of its configuration).
case "$version" in
5)
	keepcache=0
	plugin=plugins=0
	destdir=--setopt=destdir=$dl
	;;
*)
	keepcache=1
	plugin=$(rb_plugin)
	destdir=
	;;
esac
# Explicit settings: images ship defaults of their own. A failed download
# is tried again up to 4 times; a mirror that sends less than 1000 bytes a
# second for 20 seconds has failed. strict=1 and no
# --skip-broken: a request that cannot be met fails. Weak dependencies are
# left out, as the target skips missing ones.
cat >"$work/dnf.conf" <<EOF
[main]
gpgcheck=1
best=1
strict=1
$plugin
skip_if_unavailable=0
install_weak_deps=0
metadata_expire=0
keepcache=$keepcache
max_parallel_downloads=$downloads
retries=4
timeout=20
minrate=1000
${platform:+module_platform_id=$platform}
EOF

# With $closure set, repobuild's plugin writes the transaction there, the
# URLs of its packages to $closure.urls and the enabled repositories to
# $closure.repos.
closure=
dnf_() {
	REPOBUILD_CLOSURE=$closure REPOBUILD_URLS=${closure:+$closure.urls} REPOBUILD_REPOS=${closure:+$closure.repos} dnf -c "$work/dnf.conf" --setopt=reposdir="$reposdir" --setopt=cachedir="$cache/dnf" \
		--installroot="$root" --releasever="$REPOBUILD_RELEASEVER" --forcearch="$arch" -y "$@"
}

# attempt SPEC: does SPEC resolve on its own? (dnf's words in $work/one)
attempt() {
	dnf_ --assumeno install -- "$1" >"$work/one" 2>&1 || true
	grep -q 'Operation aborted' "$work/one"
}

# install_all SPEC...: resolve and download SPECs into the closure, dnf's
# words in $work/log.
install_all() {
	closure=$work/closure
	# shellcheck disable=SC2086 # $destdir: one option or none
	dnf_ install --downloadonly $destdir -- "$@" >"$work/log" 2>&1 || { closure= && return 1; }
	closure=
	installed=true
}
installed=false

# install_twice SPEC...: install_all, and once more after 5 seconds when it
# failed, and not for want of a package: dnf gives up on a file after a few
# failures of its only mirror, and keeps what it downloaded in the package
# cache.
install_twice() {
	install_all "$@" && return 0
	! rb_resolution "$work/log" || return 1
	echo "repobuild: dnf failed for $arch, and not for want of a package; trying again in 5 seconds" >&2
	sleep 5
	install_all "$@"
}

echo "repobuild: dnf $version for $arch, releasever $REPOBUILD_RELEASEVER${platform:+, $platform}"
rb_requests
# Every request at once first: each start of dnf loads the metadata anew,
# so the requests are examined one by one only when that fails. A failure
# that is not for want of a package (mirror, network, signature) stops the
# build there, before any optional request could be skipped for it.
# shellcheck disable=SC2086 # specs hold no white space
if [ -n "$required$optional" ] && ! install_twice $required $optional; then
	if ! rb_resolution "$work/log"; then
		cat "$work/log" >&2
		echo "repobuild: dnf failed for $REPOBUILD_DISTRO/$arch${REPOBUILD_MIRROR:+ (mirror $REPOBUILD_MIRROR)}, and not for want of a package (see above)" >&2
		exit 1
	fi
	# shellcheck disable=SC2086
	rb_optional attempt $optional
	# shellcheck disable=SC2086
	if [ -n "$required$optional_ok" ] && ! install_all $required $optional_ok; then
		# shellcheck disable=SC2086
		rb_unmet attempt "$work/log" $required
	fi
fi
if [ "$installed" = true ]; then
	cat "$work/log"
	if [ -z "$destdir" ]; then
		rb_closure "$work/closure"
	elif ls "$dl"/*.rpm >/dev/null 2>&1; then
		cat "$dl"/*.rpm | wc -c | tr -d ' ' >"$rb_fetched"
	fi
fi
if ! ls "$dl"/*.rpm >/dev/null 2>&1; then
	echo "repobuild: nothing to download for $arch" >&2
	exit 0
fi

rb_verify
rb_nevras
if [ -s "$work/closure.urls" ]; then
	cp "$work/closure.urls" "$work/urls"
else
	# dnf5: no plugin, ask dnf.
	# shellcheck disable=SC2046 # NEVRAs hold no white space
	dnf_ -q repoquery --location $(cat "$work/nevras") >"$work/urls" 2>/dev/null || : >"$work/urls"
fi
rb_publish "$work/urls"

# The upstream metadata of the repositories in use: dnf keeps each as
# CACHEDIR/REPOID-HASH/repodata; the newest directory of a repo id is the
# one this run used.
[ -s "$work/closure.repos" ] || dnf_ -q repolist --enabled | awk 'NR > 1 {print $1}' >"$work/closure.repos"
dirs=
for id in $(cat "$work/closure.repos"); do
	# shellcheck disable=SC2012 # repo ids hold no white space
	d=$(ls -td "$cache/dnf/$id"-*/repodata 2>/dev/null | head -n 1)
	[ -z "$d" ] || dirs="$dirs $d"
done
# shellcheck disable=SC2086
rb_metadata $dirs
