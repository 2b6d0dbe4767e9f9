#!/bin/sh
# repobuild apt index: write the Packages index of one architecture.
#
# in   /repobuild/tree/$REPOBUILD_TREE/pool/$REPOBUILD_CODENAME/*.deb  (read-only)
# out  /repobuild/out/$REPOBUILD_TREE/dists/$REPOBUILD_CODENAME/main/binary-$REPOBUILD_ARCH/Packages{,.gz}
set -eu
. /repobuild/manager/common/input.sh
cd "/repobuild/tree/$REPOBUILD_TREE"
dir=dists/$REPOBUILD_CODENAME/main/binary-$REPOBUILD_ARCH
out=/repobuild/out/$REPOBUILD_TREE/$dir
mkdir -p "$out"
# The hashes Debian's own Packages files carry, MD5sum and SHA256: apt
# verifies with SHA256; SHA1 and SHA512 too would add half again to the
# time spent hashing every package.
apt-ftparchive -o APT::FTPArchive::SHA1=false -o APT::FTPArchive::SHA512=false \
	--arch "$REPOBUILD_ARCH" packages "pool/$REPOBUILD_CODENAME" >"$out/Packages"
gzip -9n <"$out/Packages" >"$out/Packages.gz"
echo "repobuild: indexed $(grep -c '^Package:' "$out/Packages") packages for $REPOBUILD_ARCH"
