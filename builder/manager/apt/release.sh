#!/bin/sh
# repobuild apt release: write the Release file of a suite, over the
# indexes of every architecture built.
#
# in   /repobuild/tree/$REPOBUILD_TREE/dists/$REPOBUILD_CODENAME/  (read-only)
# out  /repobuild/out/$REPOBUILD_TREE/dists/$REPOBUILD_CODENAME/Release
set -eu
. /repobuild/manager/common/input.sh
cd "/repobuild/tree/$REPOBUILD_TREE"
out=/repobuild/out/$REPOBUILD_TREE/dists/$REPOBUILD_CODENAME
mkdir -p "$out"
# Written outside the tree it hashes, so it does not list itself.
apt-ftparchive \
	-o "APT::FTPArchive::Release::Origin=repobuild" \
	-o "APT::FTPArchive::Release::Label=repobuild $REPOBUILD_DISTRO" \
	-o "APT::FTPArchive::Release::Suite=$REPOBUILD_CODENAME" \
	-o "APT::FTPArchive::Release::Codename=$REPOBUILD_CODENAME" \
	-o "APT::FTPArchive::Release::Version=$REPOBUILD_VERSION" \
	-o "APT::FTPArchive::Release::Architectures=$REPOBUILD_ARCHES" \
	-o "APT::FTPArchive::Release::Components=main" \
	-o "APT::FTPArchive::Release::Description=Offline repository built by repobuild" \
	release "dists/$REPOBUILD_CODENAME" >"$out/Release"
echo "repobuild: Release for $REPOBUILD_CODENAME ($REPOBUILD_ARCHES)"
