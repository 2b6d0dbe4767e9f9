#!/bin/sh
# repobuild apt tools: install the packages that write the indexes
# ($REPOBUILD_TOOLS) on the native build image, from the distro's mirror
# (sources.sh).
set -eu
. /repobuild/manager/common/input.sh
. /repobuild/manager/apt/sources.sh
export DEBIAN_FRONTEND=noninteractive
apt_sources /repobuild/in/sources.list
apt_again "apt-get update" apt_update apt_net -o Acquire::Languages=none
# shellcheck disable=SC2086 # a list of names
apt_again "apt-get install" apt_net -q -y install --no-install-recommends $REPOBUILD_TOOLS
rm -rf /var/lib/apt/lists/*
