#!/usr/bin/env bash
# Build the fixture RPM world (a fake upstream RPM mirror) into OUTDIR.
#
#   testdata/rpmworld/build.sh OUTDIR
#
# Output:
#   OUTDIR/base/          yum repo: fx-* packages, x86_64 + aarch64 + noarch (repodata/)
#   OUTDIR/modular/       yum repo: module fxmod (streams 1 [default] and 2) + modules.yaml
#   OUTDIR/RPM-GPG-KEY-fixture   public key that signed every rpm and repomd.xml(.asc)
#
# Environment:
#   FIXTURE_SIGN=0              do not sign (default 1: rpms + repomd.xml.asc signed)
#   FIXTURE_MODULE_PLATFORM=el9 platform stream the fxmod modules require
#                               (empty: no platform dependency at all)
#
# Needs: rpm (rpmbuild, rpmsign), createrepo-c, gnupg. No network, no compiler.
# Idempotent: OUTDIR/base, OUTDIR/modular and the key are rebuilt from scratch each run;
# a new throwaway key is generated each run.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
specs=$here/specs
mkdir -p "$1"
out=$(cd "$1" && pwd)
sign=${FIXTURE_SIGN:-1}
platform=${FIXTURE_MODULE_PLATFORM-el9}

for t in rpmbuild createrepo_c modifyrepo_c; do
	command -v "$t" >/dev/null || { echo "$0: $t not found (apt-get install -y rpm createrepo-c)" >&2; exit 1; }
done
if [ "$sign" = 1 ]; then
	for t in gpg rpmsign; do
		command -v "$t" >/dev/null || { echo "$0: $t not found (or set FIXTURE_SIGN=0)" >&2; exit 1; }
	done
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rpmworld.XXXXXX")
export GNUPGHOME=$tmp/gnupg
cleanup() {
	if [ -d "$GNUPGHOME" ]; then gpgconf --kill gpg-agent >/dev/null 2>&1 || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

rm -rf "$out/base" "$out/modular" "$out/RPM-GPG-KEY-fixture" "$out/modules.yaml"
mkdir -p "$out/base/Packages" "$out/modular/Packages"

# rpm's own database, empty: Debian's rpm would otherwise use ~/.rpmdb,
# which it cannot set up read-only (and says so, loudly).
mkdir -p "$tmp/rpmdb"
rpm --dbpath "$tmp/rpmdb" --initdb

# Fixed timestamps: same file contents/buildtime every run (signatures still differ).
export SOURCE_DATE_EPOCH=1704067200 # 2024-01-01
rpmb() { # rpmb TARGET DESTDIR SPEC [rpmbuild args...]
	local target=$1 dest=$2 spec=$3 top
	shift 3
	# A top directory each: the builds run at once, and each one's clean-up
	# removes its BUILD directory.
	top=$(mktemp -d "$tmp/top.XXXXXX")
	rpmbuild -bb --quiet --target "$target" \
		--define "_topdir $top" \
		--define "_dbpath $tmp/rpmdb" \
		--define "_rpmdir $dest" \
		--define '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm' \
		--define '__os_install_post %{nil}' \
		--define '_build_id_links none' \
		--define '_binary_payload w9.gzdio' \
		--define '_buildhost fixture.invalid' \
		--define 'use_source_date_epoch_as_buildtime 1' \
		--define 'clamp_mtime_to_source_date_epoch 1' \
		"$@" "$specs/$spec" >/dev/null
}

# --- base repo ---------------------------------------------------------------------------
pids=()
for arch in x86_64 aarch64; do
	for s in fx-app fx-postfix fx-libc fx-epoch fx-unused; do
		rpmb "$arch" "$out/base/Packages" "$s.spec" & pids+=($!)
	done
	for v in 1.0 2.0 2.1; do
		rpmb "$arch" "$out/base/Packages" fx-lib.spec --define "fxver $v" & pids+=($!)
	done
	# --- modular repo: module fxmod, streams 1 and 2 (version 1, context abcd) ---
	for st in 1 2; do
		rpmb "$arch" "$out/modular/Packages" fx-modpkg.spec \
			--define "fxver $st.0" --define "fxstream $st" \
			--define "fxmodlabel fxmod:$st:1:abcd" & pids+=($!)
	done
done
rpmb x86_64 "$out/base/Packages" fx-tool.spec & pids+=($!)  # x86_64 only
rpmb noarch "$out/base/Packages" fx-data.spec & pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done

# --- signing -------------------------------------------------------------------------------
if [ "$sign" = 1 ]; then
	mkdir -m 700 "$GNUPGHOME"
	uid='repobuild fixture <fixture@example.invalid>'
	# RSA: every rpm (EL7's 4.11 included) verifies it; EdDSA needs rpm >= 4.15-ish.
	gpg --batch --quiet --passphrase '' --quick-gen-key "$uid" rsa2048 sign never 2>/dev/null
	gpg --batch --armor --export "$uid" > "$out/RPM-GPG-KEY-fixture"
	# Debian's rpm defaults %__gpg to /usr/bin/gpg2, which Debian does not ship.
	rpmsign --addsign \
		--define "_gpg_name $uid" \
		--define "__gpg $(command -v gpg)" \
		--define '_gpg_digest_algo sha256' \
		"$out"/base/Packages/*.rpm "$out"/modular/Packages/*.rpm \
		> "$tmp/rpmsign.log" 2>&1 < /dev/null || { cat "$tmp/rpmsign.log" >&2; exit 1; }
fi

# --- modules.yaml ----------------------------------------------------------------------------
nevra() { rpm --dbpath "$tmp/rpmdb" -qp --nosignature --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\n' "$@"; }
{
	for arch in x86_64 aarch64; do
		for st in 1 2; do
			cat <<EOF
---
document: modulemd
version: 2
data:
  name: fxmod
  stream: "$st"
  version: 1
  context: abcd
  arch: $arch
  summary: Fixture module fxmod, stream $st
  description: >-
    Fixture module for repobuild tests.
  license:
    module:
    - MIT
EOF
			if [ -n "$platform" ]; then
				cat <<EOF
  dependencies:
  - buildrequires:
      platform: [$platform]
    requires:
      platform: [$platform]
EOF
			fi
			cat <<EOF
  profiles:
    common:
      rpms:
      - fx-modpkg
  api:
    rpms:
    - fx-modpkg
  components:
    rpms:
      fx-modpkg:
        rationale: The fixture package.
        ref: stream-$st
  artifacts:
    rpms:
EOF
			nevra "$out/modular/Packages/fx-modpkg-$st.0-1.module+fx$st.$arch.rpm" | sed 's/^/    - /'
			echo '...'
		done
	done
	cat <<'EOF'
---
document: modulemd-defaults
version: 1
data:
  module: fxmod
  stream: "1"
  profiles:
    "1": [common]
    "2": [common]
...
EOF
} > "$tmp/modules.yaml"

# --- comps groups and updateinfo (base repo) -----------------------------------------------
cat > "$tmp/comps.xml" <<'COMPS'
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <group>
    <id>fx-group</id>
    <name>Fixture group</name>
    <description>Fixture packages installed together.</description>
    <default>false</default>
    <uservisible>true</uservisible>
    <packagelist>
      <packagereq type="mandatory">fx-app</packagereq>
      <packagereq type="optional">fx-unused</packagereq>
    </packagelist>
  </group>
</comps>
COMPS
# FXBA-2024:0001 names fx-libc 2.34, FXBA-2024:0002 names fx-lib 2.1 only.
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<updates>'
	for adv in "0001 fx-libc 2.34" "0002 fx-lib 2.1"; do
		read -r id name ver <<<"$adv"
		cat <<UPDATE
  <update from="fixture@example.invalid" status="stable" type="bugfix" version="1">
    <id>FXBA-2024:$id</id>
    <title>Fixture update of $name</title>
    <issued date="2024-01-01 00:00:00"/>
    <updated date="2024-01-01 00:00:00"/>
    <severity>Low</severity>
    <description>Fixture advisory for $name $ver.</description>
    <references/>
    <pkglist>
      <collection short="fixture">
        <name>fixture</name>
UPDATE
		for arch in x86_64 aarch64; do
			printf '        <package name="%s" version="%s" release="1" epoch="0" arch="%s" src="%s-%s-1.src.rpm"><filename>%s-%s-1.%s.rpm</filename></package>\n' \
				"$name" "$ver" "$arch" "$name" "$ver" "$name" "$ver" "$arch"
		done
		printf '      </collection>\n    </pkglist>\n  </update>\n'
	done
	echo '</updates>'
} > "$tmp/updateinfo.xml"

# --- repodata ------------------------------------------------------------------------------
createrepo_c --quiet --no-database --set-timestamp-to-revision --revision "$SOURCE_DATE_EPOCH" \
	--groupfile "$tmp/comps.xml" "$out/base"
modifyrepo_c --compress-type=gz --mdtype=updateinfo "$tmp/updateinfo.xml" "$out/base/repodata" >/dev/null
createrepo_c --quiet --no-database --set-timestamp-to-revision --revision "$SOURCE_DATE_EPOCH" "$out/modular"
modifyrepo_c --compress-type=gz --mdtype=modules "$tmp/modules.yaml" "$out/modular/repodata"
cp "$tmp/modules.yaml" "$out/modules.yaml" # plain copy (not served as part of a repo) for tests
if [ "$sign" = 1 ]; then
	for r in base modular; do
		gpg --batch --yes --armor --detach-sign -u "$uid" "$out/$r/repodata/repomd.xml"
	done
fi
echo "rpmworld: $(find "$out" -name '*.rpm' | wc -l) rpms in $out (signed=$sign)"
