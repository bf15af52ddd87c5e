# SPDX-License-Identifier: MIT
# tests/lib.sh: the shell test harness.  Source it from a test script:
#   . "$TEST_SRCDIR/lib.sh"
#   expect_exit 0 "name" "$POSTIE" --version
#   ...
#   finish
# Every check prints one TAP line; finish prints the plan and exits.
# Each script gets a private directory $T (removed at exit) and a
# POSTIE_CONFIG that points into it.

: "${TEST_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
: "${TEST_BUILDDIR:=$TEST_SRCDIR}"
: "${POSTIE:=$TEST_BUILDDIR/../src/postie}"
export TEST_SRCDIR TEST_BUILDDIR POSTIE

T=$(mktemp -d "${TMPDIR:-/tmp}/postie-test.XXXXXX") || exit 99
t_n=0
t_failed=0
t_cleanups=
t_on_exit() {
	eval "$t_cleanups"
	rm -rf "$T"
}
trap t_on_exit EXIT
trap 'exit 130' INT TERM
HOME=$T/home
XDG_CONFIG_HOME=$T/home/.config
XDG_STATE_HOME=$T/home/.local/state
POSTIE_CONFIG=$T/sendmail.conf
export HOME XDG_CONFIG_HOME XDG_STATE_HOME POSTIE_CONFIG
mkdir -p "$HOME"
unset POSTIE_ACCOUNT

# at_exit CMD: run CMD (a string) when the script ends.
at_exit() { t_cleanups="$1; $t_cleanups"; }

t_result() {	# t_result PASS NAME
	t_n=$((t_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $t_n - $2"
	else
		echo "not ok $t_n - $2"
		t_failed=$((t_failed + 1))
		if [ -s "$T/out" ] || [ -s "$T/err" ]; then
			sed -e 's/^/#   out: /' "$T/out" 2>/dev/null | head -n 40
			sed -e 's/^/#   err: /' "$T/err" 2>/dev/null | head -n 40
		fi
	fi
}

# run CMD...: run with stdout in $T/out, stderr in $T/err; exit code in $rc.
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# expect_exit CODE NAME CMD...: CMD (stdin inherited) exits with CODE.
expect_exit() {
	want=$1 name=$2
	shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then
		t_result 0 "$name"
	else
		echo "#   exit $rc, want $want"
		t_result 1 "$name"
	fi
}

# check NAME CMD...: CMD succeeds (CMD's output is not captured).
check() {
	name=$1
	shift
	if "$@"; then t_result 0 "$name"; else t_result 1 "$name"; fi
}

# grep_out PATTERN NAME / grep_err PATTERN NAME: the last run printed it.
grep_out() { if grep -q -e "$1" "$T/out"; then t_result 0 "$2"; else t_result 1 "$2"; fi; }
grep_err() { if grep -q -e "$1" "$T/err"; then t_result 0 "$2"; else t_result 1 "$2"; fi; }
nogrep_out() { if grep -q -e "$1" "$T/out"; then t_result 1 "$2"; else t_result 0 "$2"; fi; }
nogrep_err() { if grep -q -e "$1" "$T/err"; then t_result 1 "$2"; else t_result 0 "$2"; fi; }

# same_file A B NAME: the two files are byte-identical.
same_file() {
	if cmp -s "$1" "$2"; then t_result 0 "$3"; else
		echo "#   $1 and $2 differ"; t_result 1 "$3"; fi
}

# write_config [FILE] < text: a config file readable by its owner only.
write_config() {
	f=${1:-$POSTIE_CONFIG}
	cat >"$f"
	chmod 600 "$f"
}

# skip_all REASON: the whole script cannot run here (TAP skip).
skip_all() { echo "1..0 # SKIP $1"; trap - EXIT; t_on_exit; exit 0; }

# wait_for FILE SECONDS: wait (bounded) until FILE exists and is non-empty.
wait_for() {
	i=0
	while [ ! -s "$1" ] && [ "$i" -lt $(($2 * 20)) ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -s "$1" ]
}

finish() {
	echo "1..$t_n"
	[ "$t_failed" -eq 0 ]
	exit $?
}
