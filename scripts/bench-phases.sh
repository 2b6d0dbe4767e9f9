#!/usr/bin/env bash
# bench-phases.sh RAWJSON: where the time of one build goes, from its
# `--progress rawjson` stream: BuildKit's vertices (image pull and unpack,
# tools, fetch, index, release, export) and, inside each fetch, the phases
# its script marks with "repobuild: phase: NAME" lines (update, resolve,
# download, publish). Prints one line a phase: NAME SECONDS, summed over
# the vertices of that kind (targets run side by side, so the sum can
# exceed the wall time).
set -euo pipefail
jq -s -r '
  def secs(a; b): ((b | sub("\\.[0-9]+"; "") | sub("Z$"; "Z") | fromdateiso8601) + (b | capture("\\.(?<f>[0-9]+)") .f | ("0." + .) | tonumber))
                - ((a | sub("\\.[0-9]+"; "") | fromdateiso8601) + (a | capture("\\.(?<f>[0-9]+)") .f | ("0." + .) | tonumber));
  def kind: if test("^\\[[^]]*\\] [^ ]*(:|@)[^ ]* \\(linux/") then "image pull and unpack"
    elif test("\\] install ") then "tools install"
    elif test("\\] resolve and download ") then "fetch"
    elif test("\\] index$") then "index"
    elif test("\\] release ") then "release (sign)"
    elif test("^exporting") then "export"
    else empty end;
  ([.[].vertexes // [] | .[]] | group_by(.digest) | map(add)) as $v
  | ($v | map(select(.started and .completed and (.cached | not)) | {d: .digest, k: (.name | kind), s: .started, c: .completed})) as $steps
  | ([.[].logs // [] | .[] | {v: .vertex, t: .timestamp, m: (.data | @base64d)}]
     | map(select(.m | test("repobuild: phase: "))) | map(.p = (.m | capture("repobuild: phase: (?<p>[a-z]+)").p))) as $marks
  | ($steps | map({k, t: secs(.s; .c)})
     + [$steps[] | select(.k == "fetch") as $f
        | [$marks[] | select(.v == $f.d)] | sort_by(.t) as $m
        | range(0; $m | length) as $i
        | {k: ("  fetch: " + $m[$i].p), t: secs($m[$i].t; (if $i + 1 < ($m | length) then $m[$i + 1].t else $f.c end))}])
  | group_by(.k) | map({k: .[0].k, t: (map(.t) | add)})
  | .[] | "\(.k)\t\(.t * 10 | round / 10)"
' "$1"
