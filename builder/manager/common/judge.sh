# shellcheck shell=sh
# repobuild failure judgement, shared by every manager: which requests a
# failed transaction's messages name as unmet. Sourced.

# rb_judge PATTERNS LOG SPEC...: SPEC<TAB>REASON for each SPEC the
# manager's words in LOG name, by PATTERNS (a sed script printing
# NAME<TAB>REASON, e.g. apt/problems.sed). A name matches a spec that is
# the name, or the name followed by a pin (=VERSION, /RELEASE, :ARCH).
rb_judge() {
	patterns=$1
	log=$2
	shift 2
	sed -n -f "$patterns" "$log" | awk -v specs="$*" '
		BEGIN { n = split(specs, s, " ") }
		{
			tab = index($0, "\t"); name = substr($0, 1, tab - 1); reason = substr($0, tab + 1)
			for (i = 1; i <= n; i++) {
				rest = substr(s[i], length(name) + 1)
				if (!done[i] && index(s[i], name) == 1 && (rest == "" || rest ~ /^[=\/:<>]/)) {
					print s[i] "\t" reason; done[i] = 1
				}
			}
		}'
}

# rb_without LIST SPEC...: LIST without the SPECs.
rb_without() {
	list=$1
	shift
	for spec in $list; do
		keep=true
		for drop in "$@"; do [ "$spec" != "$drop" ] || keep=false; done
		[ "$keep" = false ] || printf '%s ' "$spec"
	done
}

# rb_is_in SPEC LIST: whether SPEC is one of LIST.
rb_is_in() {
	case " $2 " in *" $1 "*) return 0 ;; esac
	return 1
}
