# awk -f modules-subset.awk NEVRAS MODULES.yaml [MODULES2.yaml...]
# NEVRAS: one name-epoch:version-release.arch per line (rpm -qp --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\n').
# Prints the modulemd documents with >=1 artifact in NEVRAS, plus the modulemd-defaults documents of those modules.
FILENAME == ARGV[1] { if (NF) want[$1] = 1; next }
/^---/ { n++; doc[n] = $0 "\n"; type[n] = ""; keep[n] = 0; name[n] = ""; indoc = 1; next }
!indoc { next }
{ doc[n] = doc[n] $0 "\n" }
/^\.\.\./ { indoc = 0; next }
/^document:/ { t = $2; gsub(/["']/, "", t); type[n] = t }
/^  (name|module):/ { v = $2; gsub(/["']/, "", v); name[n] = v }
/^ +- / { a = $2; gsub(/["']/, "", a); if (a in want) keep[n] = 1 }
END {
  for (i = 1; i <= n; i++) if (type[i] == "modulemd" && keep[i]) mod[name[i]] = 1
  for (i = 1; i <= n; i++)
    if ((type[i] == "modulemd" && keep[i]) || (type[i] == "modulemd-defaults" && name[i] in mod)) printf "%s", doc[i]
}
