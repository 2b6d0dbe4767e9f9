# shellcheck shell=sh
# repobuild rpm library: what the yum and dnf fetch scripts share. Sourced.
#
# After rb_init:
#   $work     scratch directory, removed on exit
#   $root     an empty install root: the closure is resolved against it, so
#             it does not depend on what the image has installed
#   $dl       the closure's packages: what the package manager downloaded,
#             or links into its package cache (rb_closure)
#   $pkgs     /repobuild/out/$REPOBUILD_TREE/Packages
#   $report   /repobuild/report (lock, failed, skipped, repodata/)
#   $reposdir the repo files to use (rendered by repobuild from the distro
#             definition and packages.yaml; plus the image's own when the
#             distro brings none)

rb_init() {
	rb_report_begin
	arch=$REPOBUILD_ARCH
	cache=/var/cache/repobuild
	pkgs=/repobuild/out/$REPOBUILD_TREE/Packages
	work=$(mktemp -d)
	rb_cleanup='rm -rf "$work"'
	root=$work/root
	dl=$work/dl
	mkdir -p "$cache" "$pkgs" "$report/repodata" "$root" "$dl" "$work/home"
	# Debian's rpm keeps its database under ~/.rpmdb (the stand-in image);
	# RPM distros use /var/lib/rpm anyway.
	export HOME="$work/home"
	echo '%_dbpath /var/lib/rpm' >"$HOME/.rpmmacros"
	rpm --root "$root" --initdb
	reposdir=/repobuild/in/repos.d
	if [ "${REPOBUILD_IMAGE_REPOS:-}" = 1 ]; then
		reposdir=/etc/yum.repos.d,$reposdir
	fi
}

# rb_plugin: install repobuild's plugin (closure.py) as the only plugin of
# yum or dnf 4, and print the lines of the [main] section that load it.
# With $closure set to a file name, the package manager writes the packages
# of its transaction there (see closure.py).
rb_plugin() {
	mkdir -p "$work/plugins"
	cp /repobuild/manager/rpm/closure.py "$work/plugins/repobuild.py"
	printf '[main]\nenabled=1\n' >"$work/plugins/repobuild.conf"
	printf 'plugins=1\npluginpath=%s\npluginconfpath=%s\n' "$work/plugins" "$work/plugins"
}

# rb_closure LISTING: after the package manager downloaded the closure into
# its package cache (keepcache=1), link the packages LISTING names (written
# by repobuild's plugin) into $dl, and write to report/fetched the bytes
# downloaded, not taken from the cache.
rb_closure() {
	if [ ! -s "$1" ]; then
		echo "repobuild: the package manager did not list its transaction: repobuild's plugin did not run" >&2
		exit 1
	fi
	awk '{ print $1 }' "$1" | xargs -r ln -s -t "$dl"
	py=$(rb_python) || { echo "repobuild: no Python to run closure.py" >&2; exit 1; }
	"$py" /repobuild/manager/rpm/closure.py fetched "$1" >"$rb_fetched"
	echo "repobuild: $(wc -l <"$1" | tr -d ' ') packages in the closure, $(cat "$rb_fetched") bytes of them downloaded"
}

# rb_python: an interpreter for repometa.py (dnf 4 and yum are Python; dnf5
# images may have none).
rb_python() {
	for py in python3 /usr/libexec/platform-python python2 python; do
		if command -v "$py" >/dev/null 2>&1; then
			echo "$py"
			return 0
		fi
	done
	return 1
}

# rb_reason FILE: the package manager's explanation in FILE, on one line.
rb_reason() {
	grep -v '^[[:space:]]*$' "$1" |
		grep -v -e '^Last metadata expiration' -e '^(try to add' -e '^Loaded plugins' -e '^Loading mirror' \
			-e '^Dependencies resolved' -e '^Nothing to do' -e '^Error: Nothing to do' -e '^Operation aborted' -e '^Updating Subscription' \
			-e '^Error: Unable to find a match' -e '^Resolving Dependencies' -e '^--> ' -e '^ You could try' |
		grep -v -E '[0-9.]+ *[kMG]?B/s *\|' |
		sed 's/^Error: *//' | tr '\t\n' '  ' | sed 's/  */ /g; s/^ //; s/ $//'
}

# rb_resolution FILE: whether FILE tells of requests that cannot be met, as
# opposed to a broken mirror, network or signature.
rb_resolution() {
	grep -Eq 'No match for argument|Unable to find a match|Problem[ :0-9]|nothing provides|filtered out by modular filtering|conflicting requests|cannot install|No package .* available|Requires: |does not have a compatible architecture|Nothing to do|Not tolerating missing names' "$1"
}

# rb_optional ATTEMPT OPTIONAL...: which optional requests can be met.
#   ATTEMPT SPEC must exit 0 when SPEC resolves on its own, non-zero
#   otherwise, writing the package manager's words to $work/one.
# Optional requests that cannot be met go to report/skipped; the others
# are left in $optional_ok.
rb_optional() {
	attempt=$1
	shift
	optional_ok=
	for spec in "$@"; do
		if "$attempt" "$spec"; then
			optional_ok="$optional_ok $spec"
		else
			printf '%s\t%s\n' "$spec" "$(rb_reason "$work/one")" >>"$rb_skipped"
		fi
	done
}

# rb_unmet ATTEMPT LOG REQUIRED...: after the whole closure failed with the
# words in LOG, name each required request that cannot be met on its own.
# Exits: 0 with report/failed written when requests are at fault, 1 when
# the failure is of another kind (mirror, network, signatures).
rb_unmet() {
	attempt=$1
	log=$2
	shift 2
	if ! rb_resolution "$log"; then
		cat "$log" >&2
		echo "repobuild: the package manager failed for $arch, and not for want of a package (see above)" >&2
		exit 1
	fi
	# The manager's words name the culprits (common/judge.sh), or each
	# request is tried alone.
	rb_judge /repobuild/manager/rpm/problems.sed "$log" "$@" >>"$rb_failed"
	if [ ! -s "$rb_failed" ]; then
		for spec in "$@"; do
			"$attempt" "$spec" || printf '%s\t%s\n' "$spec" "$(rb_reason "$work/one")" >>"$rb_failed"
		done
	fi
	# Each request alone is fine, together they conflict.
	[ -s "$rb_failed" ] || printf '%s\t%s\n' "*" "$(rb_reason "$log")" >>"$rb_failed"
	echo "repobuild: some requests cannot be met for $arch:" >&2
	cat "$rb_failed" >&2
	exit 0
}

# rb_requests: the requests of the step's input, in $required and
# $optional (one transaction installs all of them). A further version of
# a name is optional when $REPOBUILD_EXTRA_OPTIONAL says so.
rb_requests() {
	required=$REPOBUILD_REQUIRED
	optional=$REPOBUILD_OPTIONAL
	i=0
	for spec in $REPOBUILD_EXTRA; do
		i=$((i + 1))
		if [ "$(echo "$REPOBUILD_EXTRA_OPTIONAL" | cut -d' ' -f"$i")" = 1 ]; then
			optional="$optional $spec"
		else
			required="$required $spec"
		fi
	done
}

# rb_keys: the gpgkey URLs of the enabled repositories in $reposdir, with
# $releasever and $basearch filled in.
rb_keys() {
	for dir in $(echo "$reposdir" | tr ',' ' '); do
		for f in "$dir"/*.repo; do
			[ ! -f "$f" ] || cat "$f"
			echo
		done
	done | awk '
		function flush() { if (section != "" && enabled) printf "%s", keys; keys = "" }
		/^[[:space:]]*\[.*\]/ { flush(); section = $0; enabled = 1; next }
		/^[[:space:]]*enabled[[:space:]]*=/ { v = $0; sub(/^[^=]*=[[:space:]]*/, "", v); enabled = (v !~ /^(0|false|no|False|No)/) }
		/^[[:space:]]*gpgkey[[:space:]]*=/ { v = $0; sub(/^[^=]*=[[:space:]]*/, "", v); gsub(/[ ,]+/, "\n", v); keys = keys v "\n" }
		END { flush() }' | grep -v '^$' |
		sed -e "s/\\\$releasever/$REPOBUILD_RELEASEVER/g" -e "s/\\\$basearch/$arch/g" | sort -u
}

# rb_verify: check the signature of every downloaded package against the
# keys the repositories declare, imported into the empty root's keyring.
# The package manager has checked them already (gpgcheck=1); this makes the
# guarantee independent of how it treats --downloadonly.
rb_verify() {
	n=0
	for key in $(rb_keys); do
		n=$((n + 1))
		case "$key" in
		file://*) cp "${key#file://}" "$work/key$n" ;;
		*) rb_get "$key" "$work/key$n" ;;
		esac || { echo "repobuild: cannot read the key $key" >&2; exit 1; }
		rpm --root "$root" --import "$work/key$n" || { echo "repobuild: cannot import the key $key" >&2; exit 1; }
	done
	# One rpm for the closure (one start per package would cost seconds on
	# hundreds): a line per package, FILE: VERDICT.
	LC_ALL=C rpm --root "$root" -K "$dl"/*.rpm >"$work/verify" 2>&1 || true
	bad=$(awk -v dl="$dl/" -v n="$(find "$dl" -name '*.rpm' | wc -l)" '
		index($0, dl) == 1 && /\.rpm: / {
			if ($0 !~ /NOT OK|MISSING|NOKEY/ && ($0 ~ /signatures OK$/ || $0 ~ / pgp .* OK$/ || $0 ~ / gpg .* OK$/))
				ok++
			else
				print
			next
		}
		{ other = other $0 "\n" }
		END { if (ok != n) printf "%s%d of %d packages verified\n", other, ok, n }' "$work/verify")
	if [ -n "$bad" ]; then
		echo "repobuild: packages not signed by a key of their repository:" >&2
		echo "$bad" | sed "s|$dl/||" >&2
		exit 1
	fi
}

# rb_get URL FILE: download URL with whatever the image has.
rb_get() {
	if command -v curl >/dev/null 2>&1; then
		curl -fsSL --retry 3 -o "$2" "$1"
	elif py=$(rb_python); then
		"$py" -c 'import sys
try:
    from urllib.request import urlopen
except ImportError:
    from urllib2 import urlopen
open(sys.argv[2], "wb").write(urlopen(sys.argv[1]).read())' "$1" "$2"
	else
		echo "repobuild: neither curl nor Python to download $1" >&2
		return 1
	fi
}

# rb_nevras: NAME-EPOCH:VERSION-RELEASE.ARCH of every downloaded package.
rb_nevras() {
	rpm -qp --nosignature --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\n' "$dl"/*.rpm | sort >"$work/nevras"
}

# rb_publish URLS: copy the closure into the tree and write the lock.
# URLS holds the download URL of each package, one a line (matched by file
# name; a package without one is locked as "-").
rb_publish() {
	(cd "$dl" && for f in *.rpm; do echo "$f"; done) >"$work/names"
	# cp follows $dl's links into the package cache.
	cp "$dl"/*.rpm "$pkgs/"
	(cd "$pkgs" && xargs -r -n 16 -P "$(nproc)" sha256sum <"$work/names") >"$work/sums"
	(cd "$pkgs" && xargs -r stat -c '%s %n' <"$work/names") >"$work/sizes"
	# URI Packages/FILE SIZE SHA256:HEX, in the order of the file names.
	awk -v dir="$REPOBUILD_TREE/" 'FILENAME == ARGV[1] { n = $0; sub(/.*\//, "", n); if (!(n in uri)) uri[n] = $0; next }
		FILENAME == ARGV[2] { size[$2] = $1; next }
		FILENAME == ARGV[3] { sum[$2] = $1; next }
		{ print (($1 in uri) ? uri[$1] : "-"), dir "Packages/" $1, size[$1], sum[$1] }' \
		"$1" "$work/sizes" "$work/sums" "$work/names" >>"$rb_lock"
	echo "repobuild: $(wc -l <"$work/names" | tr -d ' ') packages for $arch"
}

# rb_metadata DIR...: from the upstream repodata directories DIR..., keep
# what the produced repository passes on, in report/repodata/:
#   modules.yaml     the module streams with an artifact in the closure
#                    (without it, dnf on the target filters modular
#                    packages out), with their defaults
#   comps.xml        the comps groups, merged over the repositories
#   updateinfo.xml   the advisories that name a package of the closure
rb_metadata() {
	out=$report/repodata
	py=$(rb_python) || py=
	: >"$work/modules.yaml"
	comps=
	updateinfo=
	for dir in "$@"; do
		for f in "$dir"/*; do
			[ -f "$f" ] || continue
			case "${f##*/}" in
			*modules.yaml*) rb_cat "$f" >>"$work/modules.yaml" ;;
			*comps*.xml*) comps="$comps $f" ;;
			*updateinfo.xml*) updateinfo="$updateinfo $f" ;;
			esac
		done
	done
	if [ -s "$work/modules.yaml" ]; then
		awk -f /repobuild/manager/rpm/modules-subset.awk "$work/nevras" "$work/modules.yaml" >"$work/subset.yaml"
		if grep -q '^document: modulemd$' "$work/subset.yaml"; then
			mv "$work/subset.yaml" "$out/modules.yaml"
			echo "repobuild: modules.yaml: $(grep -c '^document: modulemd$' "$out/modules.yaml") module streams"
		fi
	fi
	if [ -n "$py" ]; then
		# shellcheck disable=SC2086 # file lists
		[ -z "$comps" ] || "$py" /repobuild/manager/rpm/repometa.py comps "$out/comps.xml" $comps
		# shellcheck disable=SC2086
		[ -z "$updateinfo" ] || "$py" /repobuild/manager/rpm/repometa.py updateinfo "$out/updateinfo.xml" "$work/nevras" $updateinfo
	elif [ -n "$comps$updateinfo" ]; then
		echo "repobuild: no Python in the image: comps groups and updateinfo are not passed on" >&2
	fi
}

# rb_cat FILE: FILE decompressed (Python where the image lacks the tool).
rb_cat() {
	if [ -n "${py:-}" ] && case "$1" in *.gz | *.xz | *.bz2) true ;; *) false ;; esac then
		"$py" /repobuild/manager/rpm/repometa.py cat "$1"
		return
	fi
	case "$1" in
	*.gz) gzip -dc "$1" ;;
	*.xz) xz -dc "$1" ;;
	*.bz2) bzip2 -dc "$1" ;;
	*.zst) zstd -dc "$1" ;;
	*) cat "$1" ;;
	esac
}
