#!/usr/bin/env bash
# Make sure the loopback registry holds the base images of the given
# distros (default debian12) for amd64 and arm64, bootstrapping them from the
# package mirror when absent. Prints nothing else.
source "$(dirname "$0")/lib.sh"
distros=("${@:-debian12}")
for d in "${distros[@]}"; do
	image=$("$REPOBUILD" distros --format '{{.Image}}' --distro "$d")
	ref=$REGISTRY_ADDR/${image#*/}
	repo=${ref#*/}; repo=${repo%:*}; tag=${ref##*:}
	if curl -fs -o /dev/null -H 'Accept: application/vnd.oci.image.index.v1+json' \
		"http://$REGISTRY_ADDR/v2/$repo/manifests/$tag"; then
		say "$ref is in the registry"
		continue
	fi
	say "bootstrapping $ref (amd64, arm64)"
	"$REPOBUILD" base --distro "$d" --arch amd64,arm64 --push "$ref" --progress plain
done
