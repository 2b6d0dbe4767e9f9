#!/usr/bin/env bash
# The README's two commands back to back from a fresh clone: clones REV
# (default HEAD) of this repository into a temporary directory, runs
# `make example` then `make test` there, and reports each one's exit status
# and time, and any process of their state directory left running. By
# default they get a state directory and a registry port of their own
# (FRESH_STATE_DIR, FRESH_REGISTRY_ADDR override), so that services already
# running here are not touched; FRESH_TARGETS overrides "example test". Takes 15 minutes or more; needs root.
# Exits non-zero when either command failed or something was left running.
source "$(dirname "$0")/lib.sh"
rev=${1:-HEAD}
work=$(mktemp -d /tmp/repobuild-fresh.XXXXXX)
state=${FRESH_STATE_DIR:-$work/state}
registry=${FRESH_REGISTRY_ADDR:-127.0.0.1:5999}
git clone -q "$ROOT" "$work/repo"
git -C "$work/repo" checkout -q "$rev"
say "fresh clone of $(git -C "$work/repo" rev-parse --short HEAD) in $work/repo; state $state; registry $registry"

# leftovers: processes whose command line names the state directory.
leftovers() {
	local p
	for p in /proc/[0-9]*; do
		if tr '\0' '\n' 2>/dev/null <"$p/cmdline" | grep -qF "$state/"; then echo "${p#/proc/}"; fi
	done
}

status=0
for target in ${FRESH_TARGETS:-example test}; do
	start=$(date +%s)
	rc=0
	REPOBUILD_STATE_DIR=$state REPOBUILD_REGISTRY_ADDR=$registry \
		make -C "$work/repo" --no-print-directory "$target" >"$work/$target.log" 2>&1 </dev/null || rc=$?
	say "make $target: exit $rc in $(($(date +%s) - start)) s (log: $work/$target.log)"
	((rc == 0)) || status=1
done
left=$(leftovers)
if [ -n "$left" ]; then
	say "left running: $(echo $left) (repobuild daemon stop --state-dir $state)"
	ps -o pid,args -p "$(echo $left | tr ' ' ,)" >&2 || true
	status=1
elif [ -z "${FRESH_STATE_DIR:-}" ]; then
	rm -rf "$state" "$work/repo" # the logs stay
fi
exit "$status"
