#!/usr/bin/env bash
# End-to-end check of an rpmworld built by build.sh, with Debian's real dnf:
#   testdata/rpmworld/verify.sh OUTDIR [PORT]
# Serves OUTDIR over http://127.0.0.1:PORT/, resolves+downloads the closure of
# "fx-app fx-lib-2.0-1 fx-modpkg" for x86_64 and aarch64 (no emulation), checks loud failures,
# re-indexes the downloaded set (createrepo_c + subset modules.yaml) and installs from it alone.
# Touches nothing outside a temp dir (HOME is redirected for rpm's %_dbpath).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [PORT]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$1" && pwd)
port=${2:-8711}
w=$(mktemp -d "${TMPDIR:-/tmp}/rpmworld-verify.XXXXXX")
srv=
cleanup() { [ -z "$srv" ] || kill "$srv" 2>/dev/null || true; rm -rf "$w"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

export HOME=$w/home # Debian's rpm: %_dbpath is ~/.rpmdb unless overridden
mkdir -p "$HOME" "$w/repos.d"
echo '%_dbpath /var/lib/rpm' > "$HOME/.rpmmacros"
cat > "$w/dnf.conf" <<EOF
[main]
gpgcheck=1
best=1
strict=1
skip_if_unavailable=0
install_weak_deps=0
module_platform_id=platform:el9
EOF
gpg=0; [ -f "$out/RPM-GPG-KEY-fixture" ] && gpg=1
for r in base modular; do
	printf '[fx-%s]\nname=fixture %s\nbaseurl=http://127.0.0.1:%s/%s/\ngpgcheck=%s\ngpgkey=file://%s/RPM-GPG-KEY-fixture\n' \
		"$r" "$r" "$port" "$r" "$gpg" "$out" >> "$w/repos.d/fixture.repo"
done

python3 -m http.server --bind 127.0.0.1 "$port" -d "$out" > "$w/http.log" 2>&1 &
srv=$!
for _ in $(seq 50); do curl -fsS -o /dev/null "http://127.0.0.1:$port/base/repodata/repomd.xml" 2>/dev/null && break; sleep 0.1; done

dnfc() { dnf -c "$w/dnf.conf" --releasever=9 --disableplugin=local -y "$@"; }
newroot() { rm -rf "$1"; mkdir -p "$1"; rpm --root "$1" --initdb; }
nevras() { rpm -qp --nosignature --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\n' "$@" | sort; }

for arch in x86_64 aarch64; do
	d=$w/$arch
	newroot "$d/root"
	dnfc -q --setopt=reposdir="$w/repos.d" --installroot="$d/root" --forcearch="$arch" \
		install --downloadonly --destdir "$d/dl" fx-app fx-lib-2.0-1 fx-modpkg > "$d/log" 2>&1 ||
		{ cat "$d/log"; fail "$arch closure"; }
	got=$(cd "$d/dl" && ls | tr '\n' ' ')
	want="fx-app-1.0-1.$arch.rpm fx-data-1.0-1.noarch.rpm fx-lib-2.0-1.$arch.rpm fx-libc-2.34-1.$arch.rpm fx-modpkg-1.0-1.module+fx1.$arch.rpm fx-postfix-3.5.8-1.$arch.rpm "
	[ "$got" = "$want" ] || fail "$arch closure: got '$got' want '$want'"
	echo "ok   $arch closure: $got"

	# loud failures: missing name, pin matching nothing, per-arch absence
	for bad in fx-nosuch fx-lib-9.9-1; do
		newroot "$d/bad"
		if dnfc --setopt=reposdir="$w/repos.d" --installroot="$d/bad" --forcearch="$arch" \
			install --downloadonly --destdir "$d/bad/dl" fx-app "$bad" > "$d/bad.log" 2>&1; then
			fail "$arch: $bad did not fail"
		fi
		grep -q "^No match for argument: $bad\$" "$d/bad.log" || { cat "$d/bad.log"; fail "$arch: no message for $bad"; }
		echo "ok   $arch $bad fails: $(grep '^No match' "$d/bad.log")"
	done
	newroot "$d/bad"
	if [ "$arch" = aarch64 ]; then
		! dnfc -q --setopt=reposdir="$w/repos.d" --installroot="$d/bad" --forcearch="$arch" \
			install --downloadonly --destdir "$d/bad/dl2" fx-tool > "$d/bad.log" 2>&1 || fail "aarch64 fx-tool did not fail"
		grep -q 'does not have a compatible architecture' "$d/bad.log" || { cat "$d/bad.log"; fail "aarch64 fx-tool message"; }
		echo "ok   aarch64 fx-tool fails: $(grep 'compatible architecture' "$d/bad.log" | sed 's/^ *- //')"
	fi

	# index the downloaded set the way repobuild does
	nevras "$d/dl"/*.rpm > "$d/nevras"
	for f in "$d"/root/var/cache/dnf/*/repodata/*-modules.yaml.*; do
		case $f in *.gz) gzip -dc "$f" ;; *.xz) xz -dc "$f" ;; *.zst) zstd -dc "$f" ;; *) cat "$f" ;; esac
	done | awk -f "$here/../../builder/manager/rpm/modules-subset.awk" "$d/nevras" - > "$d/modules.yaml"
	createrepo_c -q "$d/dl"
	modifyrepo_c --compress-type=gz --mdtype=modules "$d/modules.yaml" "$d/dl/repodata" > /dev/null
	mkdir -p "$d/repos.d"
	printf '[produced]\nname=produced\nbaseurl=file://%s/dl/\ngpgcheck=%s\ngpgkey=file://%s/RPM-GPG-KEY-fixture\n' \
		"$d" "$gpg" "$out" > "$d/repos.d/produced.repo"
	newroot "$d/inst"
	dnfc -q --setopt=reposdir="$d/repos.d" --installroot="$d/inst" --forcearch="$arch" \
		--setopt=tsflags=noscripts install fx-app fx-lib-2.0-1 fx-modpkg > "$d/inst.log" 2>&1 ||
		{ cat "$d/inst.log"; fail "$arch install from produced repo"; }
	got=$(rpm --root "$d/inst" -qa --qf '%{NAME}-%{VERSION}\n' | grep -v '^gpg-pubkey' | sort | tr '\n' ' ')
	[ "$got" = "fx-app-1.0 fx-data-1.0 fx-lib-2.0 fx-libc-2.34 fx-modpkg-1.0 fx-postfix-3.5.8 " ] ||
		fail "$arch installed: $got"
	echo "ok   $arch install from produced repo only: $got"
done
echo PASS
