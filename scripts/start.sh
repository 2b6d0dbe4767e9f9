#!/usr/bin/env bash
# Start a registry on loopback and repobuild's buildkitd, unless they run
# already. Remembers what it started for stop.sh.
source "$(dirname "$0")/lib.sh"
mkdir -p "$STATE"
touch "$STARTED"

if curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; then
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
	setsid docker-registry serve "$STATE/registry/config.yml" >"$STATE/registry/log" 2>&1 </dev/null &
	echo "registry $!" >>"$STARTED"
	for _ in $(seq 50); do
		curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1 && break
		sleep 0.2
	done
	curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null || { cat "$STATE/registry/log"; exit 1; }
	say "started registry at $REGISTRY_ADDR"
fi

if "$REPOBUILD" daemon status >/dev/null 2>&1; then
	say "buildkitd runs already"
else
	"$REPOBUILD" daemon start >/dev/null
	echo "buildkitd" >>"$STARTED"
fi
