#!/bin/sh
# repobuild apt index: write the Packages index of one architecture.
#
# in   /repobuild/tree/$REPOBUILD_TREE/pool/$REPOBUILD_CODENAME/*.deb  (read-only)
# out  /repobuild/out/$REPOBUILD_TREE/dists/$REPOBUILD_CODENAME/main/binary-$REPOBUILD_ARCH/Packages{,.gz}
set -eu
cd "/repobuild/tree/$REPOBUILD_TREE"
dir=dists/$REPOBUILD_CODENAME/main/binary-$REPOBUILD_ARCH
out=/repobuild/out/$REPOBUILD_TREE/$dir
mkdir -p "$out"
apt-ftparchive --arch "$REPOBUILD_ARCH" packages "pool/$REPOBUILD_CODENAME" >"$out/Packages"
gzip -9n <"$out/Packages" >"$out/Packages.gz"
echo "repobuild: indexed $(grep -c '^Package:' "$out/Packages") packages for $REPOBUILD_ARCH"
