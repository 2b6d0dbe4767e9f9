# repobuild apt sources: sourced by tools.sh and fetch.sh before apt-get
# update. Points the image's apt at the distro's package mirror for
# $REPOBUILD_ARCH. The image's keys stay as they are: nothing here turns
# signature checks off.
#
# in   apt_sources FILE            FILE (/repobuild/in/sources.list) holds the
#                                  distro's sources for this architecture
#                                  (distros/*.yaml `sources`), when it has any:
#                                  they replace the image's own sources.
# env  REPOBUILD_MIRROR            without sources.list, the mirror (--mirror)
#                                  that replaces the main archive the image's
#                                  sources name: the URI of the entry for suite
#                                  $REPOBUILD_CODENAME, wherever it appears, in
#                                  one-line *.list and deb822 *.sources files.
#                                  Other archives (security) stay.
#      REPOBUILD_CHECK_VALID_UNTIL "false": accept Release files past their
#                                  Valid-Until date (archived releases).
#      REPOBUILD_APT_ETC           apt's configuration directory (/etc/apt).

apt_etc=${REPOBUILD_APT_ETC:-/etc/apt}

# apt_net APT-GET-ARGS...: apt-get with repobuild's network settings. A
# failed file is tried again up to 3 times, 1, 2 and 4 seconds apart (apt
# retries connection failures, 5xx answers and short bodies; not a 404, a
# redirect loop or a hash mismatch: apt_again covers those); a mirror that
# sends nothing for 20 seconds has failed (apt's default: 120).
apt_net() {
	apt-get -o Acquire::Retries=3 -o Acquire::Retries::Delay=true -o Acquire::Retries::Delay::Maximum=8 \
		-o Acquire::http::Timeout=20 -o Acquire::https::Timeout=20 "$@"
}

# apt_again WHAT CMD...: CMD, and once more after 5 seconds when it fails: a
# new apt process, which forgets the hosts it could not reach and fetches
# again what failed its hash. A lasting fault fails both; the second
# failure's words, which name the mirror, the file and the reason, are the
# last a user sees.
apt_again() {
	what=$1
	shift
	"$@" && return 0
	echo "repobuild: $what failed for $REPOBUILD_DISTRO/$REPOBUILD_ARCH; trying again in 5 seconds" >&2
	sleep 5
	"$@"
}

# source_files: the image's apt source files, one a line.
source_files() {
	for f in "$apt_etc/sources.list" "$apt_etc"/sources.list.d/*.list "$apt_etc"/sources.list.d/*.sources; do
		[ -f "$f" ] && printf '%s\n' "$f"
	done
	return 0
}

# main_archive: the URI of the image's source entry for suite $1, without a
# trailing slash.
main_archive() {
	# shellcheck disable=SC2046 # file names hold no white space
	awk -v suite="$1" '
		function strip(u) { sub(/\/+$/, "", u); return u }
		function stanza() {
			if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uris != "") {
				split(uris, u, " "); print strip(u[1]); found = 1; exit
			}
			types = ""; suites = ""; uris = ""
		}
		FNR == 1 { if (deb822) stanza(); deb822 = FILENAME ~ /\.sources$/ }
		deb822 && /^[ \t]*$/ { stanza(); next }
		deb822 && tolower($1) == "types:" { $1 = ""; types = $0; sub(/^ +/, "", types) }
		deb822 && tolower($1) == "suites:" { $1 = ""; suites = $0; sub(/^ +/, "", suites) }
		deb822 && tolower($1) == "uris:" { $1 = ""; uris = $0; sub(/^ +/, "", uris) }
		deb822 { next }
		{ sub(/#.*/, "") }
		$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
			if ($(i + 1) == suite) { print strip($i); found = 1; exit }
		}
		END { if (!found && deb822) stanza() }
	' $(source_files)
}

# replace_archive FROM TO: point every entry naming URI FROM at TO.
replace_archive() {
	for f in $(source_files); do
		awk -v from="$1" -v to="$2" '
			function strip(u) { sub(/\/+$/, "", u); return u }
			FILENAME ~ /\.sources$/ && tolower($1) == "uris:" {
				line = $1
				for (i = 2; i <= NF; i++) line = line " " (strip($i) == from ? to : $i)
				print line; next
			}
			FILENAME !~ /\.sources$/ && ($1 == "deb" || $1 == "deb-src") {
				i = 2
				if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
				if (strip($i) == from) { $i = to; print; next }
			}
			{ print }
		' "$f" >"$f.repobuild" && mv "$f.repobuild" "$f"
	done
}

# apt_sources FILE: apply the sources in FILE, or the mirror, and the
# Valid-Until setting to the image's apt configuration.
apt_sources() {
	if [ -s "$1" ]; then
		echo "repobuild: apt sources of $REPOBUILD_DISTRO for $REPOBUILD_ARCH:"
		sed 's/^/  /' "$1"
		for f in $(source_files); do rm -f "$f"; done
		cp "$1" "$apt_etc/sources.list"
	elif [ -n "${REPOBUILD_MIRROR:-}" ]; then
		from=$(main_archive "$REPOBUILD_CODENAME")
		if [ -z "$from" ]; then
			echo "repobuild: the apt sources of the $REPOBUILD_DISTRO image name no archive for $REPOBUILD_CODENAME: cannot point it at $REPOBUILD_MIRROR" >&2
			return 1
		fi
		echo "repobuild: mirror $REPOBUILD_MIRROR replaces $from"
		replace_archive "$from" "${REPOBUILD_MIRROR%/}"
	fi
	if [ "${REPOBUILD_CHECK_VALID_UNTIL:-true}" = false ]; then
		mkdir -p "$apt_etc/apt.conf.d"
		echo 'Acquire::Check-Valid-Until "false";' >"$apt_etc/apt.conf.d/99repobuild-valid-until"
	fi
}

# apt_update APT-GET [ARGS...]: APT-GET (apt-get, or a function running
# it with options) update, failing when an index cannot be fetched (apt
# itself only warns and goes on with old or no lists).
apt_update() {
	log=$(mktemp)
	status=0
	"$@" -q -o APT::Update::Error-Mode=any update >"$log" 2>&1 || status=$?
	if [ "$status" -ne 0 ] || grep -q '^Err:\|^[WE]: Failed to fetch\|^[WE]: Some index files failed' "$log"; then
		echo "repobuild: apt-get update failed for $REPOBUILD_DISTRO/$REPOBUILD_ARCH${REPOBUILD_MIRROR:+ (mirror $REPOBUILD_MIRROR)}:" >&2
		grep '^[EW]: ' "$log" | sort -u | sed 's/^/  /' >&2
		rm -f "$log"
		return 1
	fi
	cat "$log"
	rm -f "$log"
}
