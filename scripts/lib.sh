# Shared settings for repobuild's scripts; sourced, not run.
# shellcheck shell=bash
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${REPOBUILD_STATE_DIR:-/var/lib/repobuild}
export REPOBUILD_STATE_DIR=$STATE
REGISTRY_ADDR=${REPOBUILD_REGISTRY_ADDR:-127.0.0.1:5000}
REPOBUILD=$ROOT/bin/repobuild
# Where start.sh records what it started (kind and pid, a line each), so that
# stop.sh stops only that: `make start`/`make stop` share the default file;
# a script that starts and stops services takes a file of its own (own_services).
STARTED=${REPOBUILD_STARTED:-$STATE/started-by-scripts}

say() { printf '==> %s\n' "$*" >&2; }

# own_services: what start.sh starts for the calling script goes to a file of
# its own, so that its stop.sh leaves alone what another script started.
own_services() {
	mkdir -p "$STATE"
	REPOBUILD_STARTED=$(mktemp "$STATE/started.XXXXXX")
	export REPOBUILD_STARTED
	STARTED=$REPOBUILD_STARTED
}

# lock_scripts: one start.sh or stop.sh at a time on a state directory. The
# lock is fd 9: what they start in the background gets 9>&-.
lock_scripts() {
	mkdir -p "$STATE"
	exec 9>"$STATE/scripts.lock"
	flock 9
}

# actionlint, pinned: scripts/setup.sh builds it into bin/ from the Go module proxy.
ACTIONLINT_VERSION=v1.7.12
ACTIONLINT=$ROOT/bin/actionlint
