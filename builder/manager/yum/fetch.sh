#!/bin/sh
# repobuild yum fetch (EL7): resolve the full dependency closure of the
# requests from an empty install root, download it and check every
# signature. EL7's yum has no --forcearch: it resolves for the architecture
# it runs on, so the builder runs this script on the target's platform
# (under QEMU for a foreign one; see manager.yaml).
#
# in      /repobuild/in/input.json  the requests and the distro (builder/pipeline.Input)
#         /repobuild/in/repos.d/    the repositories (distro definition, packages.yaml)
# out     /repobuild/out/$REPOBUILD_TREE/Packages/*.rpm
# report  /repobuild/report/report.json, lock.json (common/report.sh)
#         /repobuild/report/repodata/{modules.yaml,comps.xml,updateinfo.xml}
# cache   /var/cache/repobuild       yum metadata and packages, one cache per
#                                   distro and arch
set -eu
. /repobuild/manager/common/fetch.sh
. /repobuild/manager/rpm/lib.sh
rb_init

if [ "$(uname -m)" != "$arch" ]; then
	echo "repobuild: yum resolves for the machine it runs on ($(uname -m)), not $arch: run it on $arch" >&2
	exit 1
fi
# yum keeps its cache under the install root: point that at the cache mount.
mkdir -p "$cache/yum" "$root/var/cache"
ln -s "$cache/yum" "$root/var/cache/yum"
# The package cache: yum keeps what it downloads there (keepcache=1, in
# CACHEDIR/REPOID/packages/) and downloads a package again only when the
# copy there does not match the checksum of the repository's metadata.
# repobuild's plugin (closure.py) names the transaction's files.
# skip_missing_names_on_install=0: a name that does not exist fails instead
# of being skipped (yum's default on EL7). EL7's yum downloads in parallel,
# max_connections at once from one host. A failed download is tried again
# up to 4 times (yum.conf(5) retries); a mirror that sends less than 1000
# bytes a second for 20 seconds has failed (timeout, minrate).
cat >"$work/yum.conf" <<EOF
[main]
cachedir=/var/cache/yum/\$basearch/\$releasever
keepcache=1
max_connections=${REPOBUILD_DOWNLOADS:-4}
gpgcheck=1
$(rb_plugin)
obsoletes=1
exactarch=1
skip_missing_names_on_install=0
metadata_expire=0
retries=4
timeout=20
minrate=1000
EOF

# Without -y: --assumeno and -y together are not clear to every yum. With
# $closure set, repobuild's plugin writes the transaction there.
closure=
yum_() {
	REPOBUILD_CLOSURE=$closure yum -c "$work/yum.conf" --setopt=reposdir="$reposdir" --installroot="$root" \
		--releasever="$REPOBUILD_RELEASEVER" "$@"
}

# attempt SPEC: does SPEC resolve on its own? (yum's words in $work/one)
attempt() {
	yum_ --assumeno install -- "$1" >"$work/one" 2>&1 || true
	grep -q 'Exiting on user command' "$work/one"
}

echo "repobuild: yum $(yum --version | head -n 1) for $arch, releasever $REPOBUILD_RELEASEVER"
# All of each repository's metadata, comps and updateinfo included.
yum_ -y makecache
rb_requests
# shellcheck disable=SC2086 # specs hold no white space
rb_optional attempt $optional

if [ -n "$required$optional_ok" ]; then
	closure=$work/closure
	# shellcheck disable=SC2086
	yum_ -y install --downloadonly -- $required $optional_ok >"$work/log" 2>&1 || true
	closure=
	if ! grep -q 'exiting because "Download Only" specified' "$work/log"; then
		# shellcheck disable=SC2086
		rb_unmet attempt "$work/log" $required
	fi
	cat "$work/log"
	rb_closure "$work/closure"
fi
if ! ls "$dl"/*.rpm >/dev/null 2>&1; then
	echo "repobuild: nothing to download for $arch" >&2
	exit 0
fi

# yum checks signatures only in a real transaction: rb_verify is the check.
rb_verify
rb_nevras
# Download URLs for the lock, where yum-utils is installed.
: >"$work/urls"
if command -v repoquery >/dev/null 2>&1; then
	# shellcheck disable=SC2046 # NEVRAs hold no white space
	repoquery -c "$work/yum.conf" --setopt=reposdir="$reposdir" --installroot="$root" \
		--releasever="$REPOBUILD_RELEASEVER" --location $(cat "$work/nevras") >"$work/urls" 2>/dev/null || true
fi
rb_publish "$work/urls"

# yum lists repos as ID/RELEASEVER/BASEARCH; their metadata is in
# CACHEDIR/BASEARCH/RELEASEVER/ID.
dirs=
for id in $(yum_ -q repolist enabled 2>/dev/null | awk 'NR > 1 && $1 != "repolist:" {print $1}' | sed 's|^[!*]||; s|/.*||'); do
	d=$cache/yum/$arch/$REPOBUILD_RELEASEVER/$id
	[ ! -d "$d" ] || dirs="$dirs $d"
done
# shellcheck disable=SC2086
rb_metadata $dirs
