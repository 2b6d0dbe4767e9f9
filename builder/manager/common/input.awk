# repobuild step input reader: turns /repobuild/in/input.json, as repobuild
# writes it (builder/pipeline.Input: one object of strings and arrays of
# strings), into shell assignments REPOBUILD_KEY='value' for `eval`. An
# array becomes its elements joined by one space (repobuild refuses
# elements holding white space). Anything else is an error: the reader is
# as wide as the writer, not wider.
function fail(msg) {
	printf "repobuild: input.json, at character %d: %s\n", pos, msg >"/dev/stderr"
	bad = 1
	exit 1
}
function peek() { return substr(s, pos, 1) }
function skip() { while (pos <= n && index(" \t\r\n", peek()) > 0) pos++ }
function expect(c) { skip(); if (peek() != c) fail("want " c); pos++; skip() }
# str: the JSON string at pos.
function str(    out, c, hex) {
	if (peek() != "\"") fail("want a string")
	out = ""
	for (pos++; pos <= n; pos++) {
		c = substr(s, pos, 1)
		if (c == "\"") { pos++; skip(); return out }
		if (c == "\\") {
			c = substr(s, ++pos, 1)
			if (c == "n") out = out "\n"
			else if (c == "t") out = out "\t"
			else if (c == "\"" || c == "\\" || c == "/") out = out c
			else if (c == "u") {
				hex = tolower(substr(s, pos + 1, 4)); pos += 4
				if (hex == "0026") out = out "&"
				else if (hex == "003c") out = out "<"
				else if (hex == "003e") out = out ">"
				else if (hex == "0027") out = out "'"
				else fail("unsupported escape \\u" hex)
			} else fail("unsupported escape \\" c)
			continue
		}
		if (c < " ") fail("a control character in a string")
		out = out c
	}
	fail("unterminated string")
}
function shq(v) { gsub(/'/, "'\\''", v); return "'" v "'" }
{ s = s $0 "\n" }
END {
	if (bad) exit 1
	n = length(s)
	pos = 1
	expect("{")
	while (peek() != "}") {
		key = str()
		if (key !~ /^[a-z][a-z0-9_]*$/) fail("bad key " key)
		expect(":")
		if (peek() == "[") {
			pos++; skip()
			val = ""
			while (peek() != "]") {
				val = val (val == "" ? "" : " ") str()
				if (peek() == ",") { pos++; skip() } else if (peek() != "]") fail("want , or ]")
			}
			pos++; skip()
		} else val = str()
		print "REPOBUILD_" toupper(key) "=" shq(val)
		if (peek() == ",") { pos++; skip() } else if (peek() != "}") fail("want , or }")
	}
	pos++; skip()
	if (pos <= n) fail("data after the object")
}
