#!/usr/bin/env bash
# Stop what start.sh started, and nothing else; say "stopped" only of what
# it stopped, once the process is gone.
source "$(dirname "$0")/lib.sh"
lock_scripts
[ -f "$STARTED" ] || exit 0

# registry_runs PID: PID is the registry start.sh started (its command line
# names this state directory's configuration; pids are reused).
registry_runs() {
	tr '\0' '\n' 2>/dev/null <"/proc/$1/cmdline" | grep -qxF "$STATE/registry/config.yml"
}

stop_registry() {
	local pid=$1
	if ! registry_runs "$pid"; then
		say "registry pid $pid is not running"
		return
	fi
	kill "$pid" 2>/dev/null || true
	for i in $(seq 100); do
		registry_runs "$pid" || break
		if [ "$i" = 50 ]; then kill -9 "$pid" 2>/dev/null || true; fi
		sleep 0.1
	done
	if registry_runs "$pid"; then
		say "registry pid $pid did not stop"
		return 1
	fi
	say "stopped registry (pid $pid)"
}

status=0
while read -r what pid; do
	case "$what" in
	registry) stop_registry "$pid" || status=1 ;;
	# A line without a pid comes from an older start.sh: stop what runs.
	buildkitd)
		out=$("$REPOBUILD" daemon stop ${pid:+--pid "$pid"} 9>&- </dev/null) || status=1
		if [ -n "$out" ]; then say "$out"; fi
		;;
	esac
done <"$STARTED"
rm -f "$STARTED"
exit "$status"
