#!/usr/bin/env bash
# Stop what start.sh started, and nothing else.
source "$(dirname "$0")/lib.sh"
[ -f "$STARTED" ] || exit 0
while read -r what pid; do
	case "$what" in
	registry) kill "$pid" 2>/dev/null && say "stopped registry" || true ;;
	buildkitd) "$REPOBUILD" daemon stop && say "stopped buildkitd" || true ;;
	esac
done <"$STARTED"
rm -f "$STARTED"
