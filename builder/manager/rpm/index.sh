#!/bin/sh
# repobuild rpm index: write the repodata of one architecture's repository,
# with what the fetch kept of the upstream metadata: module streams (EL8
# family: without them dnf on the target filters modular packages out),
# comps groups and updateinfo.
#
# in   /repobuild/tree/$REPOBUILD_TREE/Packages/*.rpm        (read-only)
#      /repobuild/report/repodata/{modules.yaml,comps.xml,updateinfo.xml}  (the fetch's, read-only)
# out  /repobuild/out/$REPOBUILD_TREE/repodata/
set -eu
. /repobuild/manager/common/input.sh
tree=/repobuild/tree/$REPOBUILD_TREE
out=/repobuild/out/$REPOBUILD_TREE
meta=/repobuild/report/repodata
mkdir -p "$out"

if command -v createrepo_c >/dev/null 2>&1; then
	createrepo=createrepo_c
	modifyrepo="modifyrepo_c --compress-type=gz"
	# gzip: the compression every yum and dnf reads.
	if createrepo_c --help 2>/dev/null | grep -q general-compress-type; then
		set -- --general-compress-type=gz
	fi
else
	createrepo=createrepo
	modifyrepo=modifyrepo
fi
[ ! -s "$meta/comps.xml" ] || set -- "$@" --groupfile "$meta/comps.xml"
# The packages stay where they are; repodata goes to the output.
"$createrepo" --quiet --outputdir "$out" "$@" "$tree"

for md in modules updateinfo; do
	case $md in modules) f=$meta/modules.yaml ;; *) f=$meta/updateinfo.xml ;; esac
	[ -s "$f" ] || continue
	# modifyrepo names the file in repodata after its input file.
	# shellcheck disable=SC2086 # command and options
	$modifyrepo --mdtype="$md" "$f" "$out/repodata" >/dev/null
done
echo "repobuild: indexed $(find "$tree/Packages" -name '*.rpm' | wc -l) packages for $REPOBUILD_ARCH:" \
	"$(sed -n 's/.*<data type="\([^"]*\)".*/\1/p' "$out/repodata/repomd.xml" | tr '\n' ' ')"
