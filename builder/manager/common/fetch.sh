# shellcheck shell=sh
# repobuild fetch libraries: sourced first by every fetch script. The step's
# input (input.sh), its report (report.sh) and the failure judgement
# (judge.sh).
. /repobuild/manager/common/input.sh
. /repobuild/manager/common/report.sh
. /repobuild/manager/common/judge.sh
