# repobuild: the requests dnf's and yum's own messages name as unmet, one
# NAME<TAB>REASON a line (sed -n -f). Read by common/judge.sh.
s/^No match for argument: \(.*\)$/\1	No match for argument: \1/p
s/^No package \(.*\) available\.$/\1	No package \1 available./p
