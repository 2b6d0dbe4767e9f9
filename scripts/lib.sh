# Shared settings for repobuild's scripts; sourced, not run.
# shellcheck shell=bash
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${REPOBUILD_STATE_DIR:-/var/lib/repobuild}
export REPOBUILD_STATE_DIR=$STATE
REGISTRY_ADDR=${REPOBUILD_REGISTRY_ADDR:-127.0.0.1:5000}
REPOBUILD=$ROOT/bin/repobuild
# Where the scripts remember what they started, so that stop.sh stops only that.
STARTED=$STATE/started-by-scripts

say() { printf '==> %s\n' "$*" >&2; }
