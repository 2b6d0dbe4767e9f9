# repobuild report writer (common/report.sh): what=report turns the failed
# and skipped files (-v failed=F skipped=F, SPEC<TAB>REASON) into report.json; what=lock turns the
# lock file (URI FILE SIZE SHA256HEX) into lock.json.
function str(s,    out, c, i, n) {
	# Character by character: gsub's handling of backslashes in the
	# replacement differs between awks.
	out = ""
	n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (c == "\\" || c == "\"") out = out "\\" c
		else if (c == "\t") out = out "\\t"
		else if (c in ctl) out = out ctl[c]
		else out = out c
	}
	return "\"" out "\""
}
function problem(line,    tab) {
	tab = index(line, "\t")
	if (tab == 0) return "{\"spec\": " str(line) ", \"reason\": \"\"}"
	return "{\"spec\": " str(substr(line, 1, tab - 1)) ", \"reason\": " str(substr(line, tab + 1)) "}"
}
function problems(file,    line, out) {
	out = ""
	while ((getline line <file) > 0)
		if (line != "") out = out (out == "" ? "" : ",\n") "    " problem(line)
	close(file)
	return out == "" ? "" : "\n" out "\n  "
}
BEGIN {
	# JSON escapes for the other control characters (a manager's colours).
	for (i = 1; i < 32; i++) ctl[sprintf("%c", i)] = sprintf("\\u%04x", i)
	if (what == "report") {
		if (fetched !~ /^[0-9]+$/) fetched = 0
		printf "{\n  \"version\": 1,\n  \"fetched\": %s,\n", fetched
		printf "  \"failed\": [%s],\n", problems(failed)
		printf "  \"skipped\": [%s]\n}\n", problems(skipped)
		exit 0
	}
}
what == "lock" && NF > 0 {
	if (NF != 4 || $3 !~ /^[0-9]+$/ || $4 !~ /^[0-9a-f]+$/ || length($4) != 64) {
		printf "repobuild: malformed lock line %d: %s\n", NR, $0 >"/dev/stderr"; bad = 1; exit 1
	}
	uri = $1; gsub(/^'|'$/, "", uri)
	pkgs = pkgs (pkgs == "" ? "" : ",\n") "    {\"file\": " str($2) ", \"size\": " $3 ", \"sha256\": " str($4) ", \"uri\": " str(uri) "}"
}
END {
	if (bad) exit 1
	if (what == "lock") {
		printf "{\n  \"version\": 1,\n  \"distro\": %s,\n  \"arch\": %s,\n", str(distro), str(arch)
		printf "  \"packages\": [%s]\n}\n", pkgs == "" ? "" : "\n" pkgs "\n  "
	}
}
