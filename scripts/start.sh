#!/usr/bin/env bash
# Start a registry on loopback and repobuild's buildkitd, unless they run
# already. Records what it started, and only that, for stop.sh.
source "$(dirname "$0")/lib.sh"
lock_scripts
touch "$STARTED"

registry_answers() { curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; }
if registry_answers; then
	say "registry answers at $REGISTRY_ADDR"
else
	mkdir -p "$STATE/registry"
	cat >"$STATE/registry/config.yml" <<CONF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE/registry/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
CONF
	setsid docker-registry serve "$STATE/registry/config.yml" >"$STATE/registry/log" 2>&1 </dev/null 9>&- &
	pid=$!
	for _ in $(seq 50); do
		registry_answers && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	# It counts when it answers and is still running: not when another
	# registry answers on the address it could not take.
	if ! kill -0 "$pid" 2>/dev/null || ! registry_answers; then
		cat "$STATE/registry/log" >&2
		say "the registry did not start at $REGISTRY_ADDR"
		exit 1
	fi
	echo "registry $pid" >>"$STARTED"
	say "started registry at $REGISTRY_ADDR (pid $pid)"
fi

# daemon start waits for a daemon another repobuild is starting, and says
# whether it started one itself.
read -r pid started < <("$REPOBUILD" daemon start --format '{{.PID}} {{.Started}}' 9>&- || echo "- -")
case "$started" in
true)
	echo "buildkitd $pid" >>"$STARTED"
	say "started buildkitd (pid $pid)"
	;;
false) say "buildkitd runs already (pid $pid)" ;;
*) say "buildkitd did not start"; exit 1 ;;
esac
