#!/usr/bin/env bash
# The RPM part of make bench: repobuild on the fixture world
# (testdata/rpmworld, served on 127.0.0.1) as the distro fixture9, against
# the limit: the same packages fetched by a bare `dnf download --resolve
# --alldeps` of the host's dnf. Prints a table and the ratios.
#   cold     BuildKit's cache (layers and cache mounts) pruned first
#   no-op    the same build again, packages.yaml unchanged
#   +1 pkg   packages.yaml with one more package (fx-unused), after the no-op
# Run by bench.sh; alone, it needs the services of start.sh running
# (BUILDKIT_HOST, default: the buildkitd start.sh starts; the registry).
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
server=
trap '[ -z "$server" ] || kill "$server"; rm -rf "$work"' EXIT
source "$ROOT/scripts/bench-lib.sh"
REPOBUILD_DISTROS_DIR="$ROOT/e2e/testdata/standin" "$ROOT/scripts/base-images.sh" dnf-standin

say "the fixture world, served on 127.0.0.1"
"$ROOT/testdata/rpmworld/build.sh" "$work/world" >/dev/null
"$REPOBUILD" serve "$work/world" --addr 127.0.0.1:0 >"$work/serve" 2>&1 &
server=$!
for _ in $(seq 50); do
	grep -q '^serving ' "$work/serve" && break
	sleep 0.1
done
url=$(sed -n 's|^serving .* at \(http://[^ ]*\)/ .*|\1|p' "$work/serve")
[ -n "$url" ] || { cat "$work/serve" >&2; exit 1; }

world=$ROOT/testdata/rpmworld
pkgs=$world/packages.yaml
sed '/^common:/a\  - fx-unused' "$pkgs" >"$work/plus-one.yaml"
fixture=(--distros-dir "$world/distros" --distro fixture9 --mirror "$url")

say "cold and warm builds"
prune; build "amd64 cold" "$pkgs" "${fixture[@]}" --arch amd64
build "amd64 no-op" "$pkgs" "${fixture[@]}" --arch amd64
build "amd64 +1 pkg" "$work/plus-one.yaml" "${fixture[@]}" --arch amd64
prune; build "arm64 cold" "$pkgs" "${fixture[@]}" --arch arm64
prune; build "amd64+arm64 cold" "$pkgs" "${fixture[@]}" --arch amd64,arm64
build "amd64+arm64 no-op" "$pkgs" "${fixture[@]}" --arch amd64,arm64

say "the limit: bare dnf download on the host, same repositories and requests (x86_64)"
# The requests the cold build met (the optional ones it skipped left out:
# dnf download stops at the first name it cannot find).
list=$("$REPOBUILD" plan "${fixture[@]}" --arch amd64 -f "$pkgs" --format json |
	jq -r --slurpfile m "$(meta "amd64 cold")" '($m[0].targets[0].skipped // []) as $s | .[0].packages[].spec | select(. as $p | $s | index($p) | not)')
d=$work/dnf
mkdir -p "$d/home" "$d/root" "$d/repos" "$d/out"
echo '%_dbpath /var/lib/rpm' >"$d/home/.rpmmacros"
HOME=$d/home rpm --root "$d/root" --initdb
for repo in base modular; do
	printf '[fx-%s]\nname=fx-%s\nbaseurl=%s/%s/\ngpgcheck=1\nrepo_gpgcheck=1\ngpgkey=%s/RPM-GPG-KEY-fixture\n' \
		"$repo" "$repo" "$url" "$repo" "$url"
done >"$d/repos/fixture.repo"
t0=$(now)
# shellcheck disable=SC2086 # a list of names
HOME=$d/home dnf -q -y --setopt=reposdir="$d/repos" --setopt=cachedir="$d/cache" --disableplugin=local \
	--setopt=module_platform_id=platform:el9 --installroot="$d/root" --releasever=9 --forcearch=x86_64 \
	download --resolve --alldeps --arch=x86_64,noarch --destdir="$d/out" $list >"$d/log" 2>&1 ||
	{ cat "$d/log" >&2; exit 1; }
t1=$(now)
limit "limit: bare dnf amd64" "$(echo "$t1 - $t0" | bc)" "$d/out" -name '*.rpm'

table "fixture9 (RPM fixture)" KiB

ratios ", fixture9" "limit: bare dnf amd64" "bare dnf limit"
