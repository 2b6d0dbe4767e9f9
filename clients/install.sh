#!/bin/sh
# install.sh: point this host's package manager at a repobuild server, and
# back. The same file in every tree: it learns the tree's distros from the
# tree's clients/DISTRO.env files (name, os, version, codename, manager and
# the repository file to install, clients/DISTRO.list or .repo), read next
# to this script when it runs from a tree, from --tree DIR, or else from the
# server at URL/clients/ (whose directory listing names the distros).
# Usage: see usage() below, or sh install.sh --help.
set -eu

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}
usage() {
	cat <<'REPOBUILD_EOF'
usage: sh install.sh [--root DIR] [--distro NAME] URL
       sh install.sh [--root DIR] --restore

With URL (http://HOST[:PORT][/PATH]), back up the host's repository
configuration and use the repobuild server's repositories instead; with
--restore, put the backed-up configuration back.

  --root DIR (or ROOT=DIR)  work on the root filesystem in DIR, not /
  --distro NAME             this distro, instead of the one os-release names
  --tree DIR                read the tree's clients/ from DIR/clients, not
                            from next to this script or from the server
REPOBUILD_EOF
	find_tree
	if [ -n "$url$treedir" ]; then
		printf '\ndistros of this tree: %s\n' "$(names)"
	else
		printf '\ndistros of this tree: give URL (or --tree DIR) to list them\n'
	fi
	printf 'from the server: curl -fsSL URL/clients/install.sh | sh -s -- URL\n'
}

root=${ROOT:-/}
distro=
url=
restore=
tree=
help=
while [ $# -gt 0 ]; do
	case $1 in
	--root) [ $# -ge 2 ] || die "--root needs a directory"; root=$2; shift 2 ;;
	--root=*) root=${1#--root=}; shift ;;
	--distro) [ $# -ge 2 ] || die "--distro needs a name"; distro=$2; shift 2 ;;
	--distro=*) distro=${1#--distro=}; shift ;;
	--tree) [ $# -ge 2 ] || die "--tree needs a directory"; tree=$2; shift 2 ;;
	--tree=*) tree=${1#--tree=}; shift ;;
	--restore) restore=1; shift ;;
	-h | --help) help=1; shift ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) [ -z "$url" ] || die "one URL only, got $url and $1"; url=$1; shift ;;
	esac
done
[ -d "$root" ] || die "root $root is not a directory"
root=${root%/}
if [ -n "$url" ]; then
	case $url in
	http://* | https://*) ;;
	*) url=http://$url ;;
	esac
	url=${url%/}
fi

# find_tree sets treedir to the tree's clients/ directory on this machine:
# DIR/clients for --tree DIR, else this script's own directory when it
# holds the tree's DISTRO.env files; it stays empty when the files are on
# the server (curl -fsSL URL/clients/install.sh | sh -s -- URL).
find_tree() {
	treedir=
	if [ -n "$tree" ]; then
		treedir=${tree%/}/clients
		[ -d "$treedir" ] || die "--tree $tree: no directory $treedir"
		return
	fi
	case $0 in
	*install.sh)
		here=$(dirname "$0")
		for f in "$here"/*.env; do
			[ -f "$f" ] && treedir=$here
			break
		done
		;;
	esac
	if [ -z "$treedir" ] && [ -n "$url" ] && ! command -v curl >/dev/null 2>&1 && ! command -v wget >/dev/null 2>&1; then
		die "neither curl nor wget is installed: cannot read $url/clients/ (run the tree's own clients/install.sh, or --tree DIR)"
	fi
}

# fetch NAME prints the tree's clients/NAME (NAME empty: the server's
# listing of clients/).
fetch() {
	if [ -n "$treedir" ]; then
		cat "$treedir/$1" 2>/dev/null
	elif command -v curl >/dev/null 2>&1; then
		curl -fsSL "$url/clients/$1"
	else
		wget -qO- "$url/clients/$1"
	fi
}

# distro_list prints the names of the tree's distros, one a line: its
# DISTRO.env files, from the tree or the server's directory listing.
distro_list() {
	if [ -n "$treedir" ]; then
		for f in "$treedir"/*.env; do
			[ -f "$f" ] || continue
			f=${f##*/}
			printf '%s\n' "${f%.env}"
		done
		return
	fi
	fetch "" | grep -o 'href="[^"/?]*\.env"' | sed 's/^href="//; s/\.env"$//' | sort -u
}

# names prints the tree's distros for messages: "debian12, rocky9".
names() {
	list=$(distro_list 2>/dev/null || true)
	if [ -z "$list" ]; then
		if [ -n "$treedir" ]; then printf '(none in %s)' "$treedir"; else printf '(%s/clients/ lists none)' "$url"; fi
		return
	fi
	printf '%s\n' "$list" | awk 'NF { printf "%s%s", sep, $1; sep = ", " }'
}

# field KEY FILE prints KEY's value in a DISTRO.env file.
field() { sed -n "s/^$1=//p" "$2" | head -n 1; }

work=
cleanup() { [ -z "$work" ] || rm -rf "$work"; }
trap cleanup EXIT

# Each package manager: its configuration directory, the files there that
# name repositories (backed up, then replaced by ours), and ours.
manager_files() {
	case $1 in
	apt) confdir=etc/apt; globs='sources.list sources.list.d/*.list sources.list.d/*.sources'; ours=sources.list.d/repobuild.list ;;
	yum | dnf) confdir=etc/yum.repos.d; globs='*.repo'; ours=repobuild.repo ;;
	*) die "no configuration for package manager $1" ;;
	esac
	backup=$root/$confdir/repobuild-backup
}

restore() {
	found=
	for m in apt yum; do
		manager_files "$m"
		[ -d "$backup" ] || continue
		found=1
		rm -f "$root/$confdir/$ours"
		(cd "$backup" && find . \( -type f -o -type l \) ! -path ./.created) | while IFS= read -r rel; do
			rel=${rel#./}
			mkdir -p "$(dirname "$root/$confdir/$rel")"
			mv "$backup/$rel" "$root/$confdir/$rel"
			say "restored /$confdir/$rel"
		done
		# Directories install made for our file.
		if [ -f "$backup/.created" ]; then
			while IFS= read -r dir; do rmdir "$root/$confdir/$dir" 2>/dev/null || true; done <"$backup/.created"
		fi
		rm -rf "$backup"
	done
	[ -n "$found" ] || die "nothing to restore: no backup under $root/etc"
	say "the host's repository configuration is back"
}

# detect sets distro to the distro of the tree that os-release names.
detect() {
	osrel=$root/etc/os-release
	[ -r "$osrel" ] || osrel=$root/usr/lib/os-release
	[ -r "$osrel" ] || die "cannot tell the distro: no $root/etc/os-release (use --distro; this tree has: $(names))"
	osfield() { sed -n "s/^$1=//p" "$osrel" | head -n 1 | sed "s/^[\"']//; s/[\"']\$//"; }
	id=$(osfield ID)
	ver=$(osfield VERSION_ID)
	code=$(osfield VERSION_CODENAME)
	major=${ver%%.*}
	for name in $(distro_list 2>/dev/null || true); do
		fetch "$name.env" >"$work/env" || continue
		[ "$(field os "$work/env")" = "$id" ] || continue
		v=$(field version "$work/env")
		c=$(field codename "$work/env")
		if [ "$v" = "$ver" ] || [ "$v" = "$major" ] || { [ -n "$c" ] && [ "$c" = "$code" ]; }; then
			distro=$name
			return
		fi
	done
	die "this host ($id ${ver:-$code}) is none of the distros of this tree: $(names) (use --distro)"
}

# backup_files moves the files that name repositories into the backup,
# keeping their place under the configuration directory.
backup_files() {
	for glob in $globs; do
		for f in "$root/$confdir/"$glob; do
			[ -e "$f" ] || [ -L "$f" ] || continue
			rel=${f#"$root/$confdir/"}
			[ "$rel" != "$ours" ] || continue
			if [ -e "$backup/$rel" ]; then
				say "left /$confdir/$rel in place: a file of that name is backed up already"
				continue
			fi
			mkdir -p "$(dirname "$backup/$rel")"
			mv "$f" "$backup/$rel"
			say "moved /$confdir/$rel to /${backup#"$root/"}/$rel"
		done
	done
}

# gpgkeys prints the local key files the backed-up yum/dnf repositories
# name: the keys the host trusts for its vendors' packages.
gpgkeys() {
	find "$backup" -name '*.repo' -type f -exec cat {} + 2>/dev/null |
		sed -n 's/^gpgkey[[:space:]]*=[[:space:]]*//p' | tr ' ,\t' '\n\n\n' |
		grep '^file://' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

install() {
	[ -n "$url" ] || die "no server URL given: sh install.sh http://HOST[:PORT] (see --help)"
	find_tree
	work=$(mktemp -d)
	[ -n "$distro" ] || detect
	case $distro in
	'' | */* | .*) die "unknown distro $distro: this tree has $(names)" ;;
	esac
	fetch "$distro.env" >"$work/env" || die "unknown distro $distro: this tree has $(names)"
	manager=$(field manager "$work/env")
	file=$(field file "$work/env")
	case $file in
	'' | */* | .*) die "$distro.env names no repository file" ;;
	esac
	fetch "$file" >"$work/config" || die "cannot read clients/$file of $distro"
	manager_files "$manager"
	mkdir -p "$backup"
	backup_files
	dest=$root/$confdir/$ours
	if [ ! -d "$(dirname "$dest")" ]; then
		mkdir -p "$(dirname "$dest")"
		dirname "$ours" >>"$backup/.created"
	fi
	esc=$(printf '%s' "$url" | sed 's/[\\|&]/\\&/g')
	sed "s|http://{{HOST}}|$esc|g" "$work/config" >"$dest.tmp"
	if [ "$confdir" = etc/yum.repos.d ]; then
		keys=$(gpgkeys)
		[ -z "$keys" ] || printf 'gpgkey=%s\n' "$keys" >>"$dest.tmp"
	fi
	mv "$dest.tmp" "$dest"
	say "installed /$confdir/$ours for $distro from $url"
	say "the previous configuration is in /${backup#"$root/"} (sh install.sh --restore puts it back)"
	case $manager in
	apt) say "next: apt-get update" ;;
	*) say "next: $manager makecache" ;;
	esac
}

if [ -n "$help" ]; then
	usage
elif [ -n "$restore" ]; then
	[ -z "$url" ] || die "--restore takes no URL"
	restore
else
	install
fi
