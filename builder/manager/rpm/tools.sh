#!/bin/sh
# repobuild rpm tools: install the packages that write the repodata
# ($REPOBUILD_TOOLS) on the native build image, from the repositories of the
# distro definition (the image's own may point at mirrors that are gone).
set -eu
. /repobuild/manager/common/input.sh
[ -n "${REPOBUILD_TOOLS:-}" ] || exit 0
reposdir=/repobuild/in/repos.d
if [ "${REPOBUILD_IMAGE_REPOS:-}" = 1 ]; then
	reposdir=/etc/yum.repos.d,$reposdir
fi
pm=yum
if command -v dnf >/dev/null 2>&1; then
	pm=dnf
fi
# shellcheck disable=SC2086 # a list of names
"$pm" -y --setopt=reposdir="$reposdir" --releasever="$REPOBUILD_RELEASEVER" --setopt=gpgcheck=1 \
	install $REPOBUILD_TOOLS
"$pm" --setopt=reposdir="$reposdir" clean all >/dev/null 2>&1 || true
