#!/usr/bin/env bash
# actionlint (bin/actionlint, pinned in lib.sh, built by setup.sh) on every
# GitHub Actions workflow of the repository (examples/, .github/) and every
# action (action.yml, action.yaml anywhere), with shellcheck on the run:
# scripts of the workflows. actionlint checks an action's metadata only where
# a workflow uses it, so each action is checked through a generated workflow
# that uses it as a local action (its required inputs are left out there, so
# that one error is ignored). The steps of composite actions are not checked:
# actionlint does not look into them.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
[ -x "$ACTIONLINT" ] || { say "no $ACTIONLINT: run scripts/setup.sh"; exit 1; }
command -v shellcheck >/dev/null || { say "no shellcheck: run scripts/setup.sh"; exit 1; }
prune=(-path ./.git -o -path ./bin -o -path ./out -o -path ./dist -o -path '*/testdata')
mapfile -t workflows < <(find . \( "${prune[@]}" \) -prune -o -type f \( -name '*.yml' -o -name '*.yaml' \) \
	\( -path './examples/*' -o -path './.github/workflows/*' \) -print | sort | while read -r f; do
	grep -q '^jobs:' "$f" && echo "${f#./}"
done)
mapfile -t actions < <(find . \( "${prune[@]}" \) -prune -o -type f \( -name action.yml -o -name action.yaml \) -print | sed 's|^\./||' | sort)
say "actionlint $ACTIONLINT_VERSION: ${#workflows[@]} workflows, ${#actions[@]} actions"
status=0
if ((${#workflows[@]})); then
	"$ACTIONLINT" -no-color "${workflows[@]}" || status=1
fi
if ((${#actions[@]})); then
	project=$(mktemp -d)
	trap 'rm -rf "$project"' EXIT
	mkdir -p "$project/.git" "$project/.github/workflows"
	wf=.github/workflows/uses-actions.yml
	printf 'on: push\njobs:\n' >"$project/$wf"
	for i in "${!actions[@]}"; do
		# The action's directory, as the generated workflow's ./aN.
		ln -s "$ROOT/$(dirname "${actions[$i]}")" "$project/a$i"
		printf '  a%d:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./a%d # %s\n' "$i" "$i" "${actions[$i]}" >>"$project/$wf"
	done
	(cd "$project" && "$ACTIONLINT" -no-color -ignore 'missing input ".+" which is required by' "$wf") || {
		status=1
		say "(the aN of $wf are, in order: ${actions[*]})"
	}
fi
exit $status
