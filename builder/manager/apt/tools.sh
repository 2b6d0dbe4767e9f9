#!/bin/sh
# repobuild apt tools: install the packages that write the indexes
# ($REPOBUILD_TOOLS) on the native build image.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get -q update
# shellcheck disable=SC2086 # a list of names
apt-get -q -y install --no-install-recommends $REPOBUILD_TOOLS
rm -rf /var/lib/apt/lists/*
