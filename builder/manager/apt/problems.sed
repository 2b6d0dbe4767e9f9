# repobuild: the requests apt's own messages name as unmet, one
# NAME<TAB>REASON a line (sed -n -f). Read by common/judge.sh.
s/^E: Unable to locate package \(.*\)$/\1	Unable to locate package \1/p
s/^E: Version '\([^']*\)' for '\([^']*\)' was not found$/\2	Version '\1' for '\2' was not found/p
s/^E: Release '\([^']*\)' for '\([^']*\)' was not found$/\2	Release '\1' for '\2' was not found/p
s/^E: Package '\([^']*\)' has no installation candidate$/\1	Package '\1' has no installation candidate/p
s/^E: Couldn't find any package by glob '\([^']*\)'$/\1	Couldn't find any package by glob '\1'/p
s/^E: Couldn't find any package by regex '\([^']*\)'$/\1	Couldn't find any package by regex '\1'/p
