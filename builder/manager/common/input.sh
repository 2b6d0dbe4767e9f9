# shellcheck shell=sh
# repobuild step input: sourced by every step script. rb_input FILE sets
# the REPOBUILD_* variables from the step's typed input (input.json, written
# by repobuild: builder/pipeline.Input documents every key).
rb_input() {
	_rb_assign=$(awk -f /repobuild/manager/common/input.awk "$1") || {
		echo "repobuild: cannot read the step input $1" >&2
		exit 1
	}
	eval "$_rb_assign"
	unset _rb_assign
}
rb_input /repobuild/in/input.json
