# shellcheck shell=sh
# repobuild fetch report: sourced by the fetch scripts. rb_report_begin
# opens the step's report; on a clean exit, its EXIT trap writes
# /repobuild/report/report.json and lock.json (builder/pipeline.Report and
# builder/lock.Lock) from what the script appended to:
#
#   $rb_lock     URI FILE SIZE SHA256HEX, a line per package file of the
#                closure (FILE relative to the tree's root; URI "-" if unknown)
#   $rb_failed   SPEC<TAB>REASON, for requests that cannot be met
#   $rb_skipped  SPEC<TAB>REASON, for optional requests left out
#   $rb_fetched  bytes downloaded, not taken from the cache
#
# A script exits 0 when requests cannot be met: the report says so. With
# REPOBUILD_STRICT=1 (Dockerfile builds, where no one reads the report) the
# step then fails itself. $rb_cleanup, if set, runs at exit.

rb_report_begin() {
	report=/repobuild/report
	rb_dir=$(mktemp -d)
	rb_lock=$rb_dir/lock
	rb_failed=$rb_dir/failed
	rb_skipped=$rb_dir/skipped
	rb_fetched=$rb_dir/fetched
	mkdir -p "$report"
	: >"$rb_lock"
	: >"$rb_failed"
	: >"$rb_skipped"
	echo 0 >"$rb_fetched"
	trap 'rb_report_end $?' EXIT
}

rb_report_end() {
	status=$1
	trap - EXIT
	if [ "$status" -eq 0 ]; then
		awk -f /repobuild/manager/common/report.awk -v what=report -v fetched="$(cat "$rb_fetched")" \
			-v failed="$rb_failed" -v skipped="$rb_skipped" >"$rb_dir/report.json" </dev/null &&
			awk -f /repobuild/manager/common/report.awk -v what=lock -v distro="$REPOBUILD_DISTRO" \
				-v arch="$REPOBUILD_TARGET_ARCH" "$rb_lock" >"$rb_dir/lock.json" || status=1
		if [ -s "$rb_skipped" ]; then
			echo "repobuild: optional packages left out:"
			cat "$rb_skipped"
		fi
		if [ -s "$rb_failed" ] && [ "${REPOBUILD_STRICT:-}" = 1 ]; then
			echo "repobuild: $REPOBUILD_DISTRO/$REPOBUILD_TARGET_ARCH: requests that cannot be met:" >&2
			cat "$rb_failed" >&2
			status=1
		fi
		# Written only when the step succeeds: nothing half-written.
		[ "$status" -ne 0 ] || mv "$rb_dir/report.json" "$rb_dir/lock.json" "$report/" || status=1
	fi
	[ -z "${rb_cleanup:-}" ] || eval "$rb_cleanup"
	rm -rf "$rb_dir"
	exit "$status"
}
