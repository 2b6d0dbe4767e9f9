# repobuild step input reader: turns /repobuild/in/input.json, as repobuild
# writes it (builder/pipeline.Input: one key a line, string values and
# arrays of strings, two-space indent), into shell assignments
# REPOBUILD_KEY='value' for `eval`. An array becomes its elements joined by
# one space (repobuild refuses elements holding white space). Anything
# else is an error: the reader is exactly as wide as the writer.
function fail(msg) { printf "repobuild: input.json line %d: %s\n", NR, msg >"/dev/stderr"; bad = 1; exit 1 }
# unquote: the JSON string at the start of s (s begins with a quote);
# sets rest to what follows it.
function unquote(s,    out, c, i, n, hex) {
	out = ""
	n = length(s)
	for (i = 2; i <= n; i++) {
		c = substr(s, i, 1)
		if (c == "\"") { rest = substr(s, i + 1); return out }
		if (c == "\\") {
			i++
			c = substr(s, i, 1)
			if (c == "n") out = out "\n"
			else if (c == "t") out = out "\t"
			else if (c == "u") {
				hex = tolower(substr(s, i + 1, 4)); i += 4
				if (hex == "0026") out = out "&"
				else if (hex == "003c") out = out "<"
				else if (hex == "003e") out = out ">"
				else if (hex == "0027") out = out "'"
				else fail("unsupported escape \\u" hex)
			} else out = out c
			continue
		}
		out = out c
	}
	fail("unterminated string")
}
function shq(s) { gsub(/'/, "'\\''", s); return "'" s "'" }
function emit(k, v) { print "REPOBUILD_" toupper(k) "=" shq(v) }
NR == 1 { if ($0 != "{") fail("want {"); next }
inarray && /^  \],?$/ { emit(key, joined); inarray = 0; next }
inarray {
	line = $0; sub(/^    /, "", line)
	if (substr(line, 1, 1) != "\"") fail("want a string element")
	v = unquote(line)
	if (rest != "" && rest != ",") fail("junk after an element")
	joined = joined (joined == "" ? "" : " ") v
	next
}
/^}$/ { done = 1; next }
{
	line = $0
	if (substr(line, 1, 3) != "  \"") fail("want a key")
	key = unquote(substr(line, 3))
	if (key !~ /^[a-z][a-z0-9_]*$/) fail("bad key " key)
	if (substr(rest, 1, 2) != ": ") fail("want : after the key")
	val = substr(rest, 3)
	if (val == "[" ) { inarray = 1; joined = ""; next }
	if (val == "[]" || val == "[],") { emit(key, ""); next }
	if (substr(val, 1, 1) != "\"") fail("want a string or an array for " key)
	v = unquote(val)
	if (rest != "" && rest != ",") fail("junk after " key)
	emit(key, v)
}
END { if (!bad && !done) { printf "repobuild: input.json: no closing }\n" >"/dev/stderr"; exit 1 } }
