#!/bin/sh
# SPDX-License-Identifier: MIT
# Run postie's integration tests with every postie process under valgrind
# (memcheck: invalid reads and writes, uninitialised values, leaks), on a
# build without sanitizers (valgrind and ASan do not mix).
#
#   sh tests/valgrind.sh [TEST...]
#
# Builds in _build/valgrind (configure without --enable-sanitizers), then
# runs each shell test (default: the ones below) with POSTIE pointing at a
# wrapper that runs `valgrind --error-exitcode=1 --leak-check=full`.  postie
# itself never exits 1 (sysexits only), so an error valgrind finds fails
# the test's exit-code checks; every valgrind report is also collected and
# printed, and any report fails the run.  Ends with "valgrind: N passed,
# N failed" (one per test script).  Not in `make check`: the CI suite is
# built with ASan; build-aux/run-tests calls this script.  t0330-secrets
# is left out: it reads postie's core size limit from /proc, and under
# valgrind setrlimit is emulated, never applied to the process; and
# t0530-smtp-faults, whose deadlines (1 to 5 s) valgrind's slowness breaks
# (run it by name: it reports no memory error, only late timings).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
b=${VALGRIND_BUILDDIR:-$top/_build/valgrind}
tests=${*:-"t0100-options.sh t0200-config.sh t0310-pretend.sh
	t0320-send.sh t0500-smtp-auth.sh t0510-smtp-tls.sh
	t0520-smtp-esmtp.sh t0601-mime-postie.sh t0610-mime-send.sh
	t0800-hostile-args.sh"}

command -v valgrind >/dev/null 2>&1 || { echo "valgrind: not installed" >&2; exit 1; }
cd "$top" || exit 1
[ -x configure ] || autoreconf -fi >/dev/null 2>&1 || exit 1
mkdir -p "$b" || exit 1
cd "$b" || exit 1
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ]; then
	"$top/configure" -q || { echo "valgrind: configure failed" >&2; exit 1; }
fi
# the programs and the test helpers, no tests
make -j2 all >build.log 2>&1 && make -j2 check TESTS= >>build.log 2>&1 ||
	{ tail -n 40 build.log; echo "valgrind: build failed" >&2; exit 1; }

vg=$b/vg
rm -rf "$vg"
mkdir -p "$vg/logs" || exit 1
chmod 1777 "$vg/logs"		# t0800 runs postie as nobody too
ln -s "$b/src/postie" "$vg/mailq"
# wrapper NAME PROGRAM: $vg/NAME runs PROGRAM under valgrind
wrapper() {
	cat >"$vg/$1" <<EOF
#!/bin/sh
# $2 under valgrind; invoked as mailq, run it as mailq
prog=$2
[ "\${0##*/}" = mailq ] && prog=$vg/mailq
exec valgrind -q --error-exitcode=1 --leak-check=full \\
    --errors-for-leak-kinds=definite,indirect,possible \\
    --show-leak-kinds=definite,indirect,possible \\
    --track-fds=no --log-file=$vg/logs/vg.%p "\$prog" "\$@"
EOF
	chmod 755 "$vg/$1"
}
wrapper postie "$b/src/postie"
# the SMTP session tests (t05xx) drive it through tests/unit/smtp-driver
wrapper smtp-driver "$b/tests/unit/smtp-driver"
chmod 755 "$vg"

passed=0 failed=0
for t in $tests; do
	rm -f "$vg/logs/"vg.*
	TEST_SRCDIR=$top/tests TEST_BUILDDIR=$b/tests POSTIE=$vg/postie \
	    DRIVER=$vg/smtp-driver timeout 900 sh "$top/tests/$t" >"$b/$t.log" 2>&1
	rc=$?
	reports=$(find "$vg/logs" -name 'vg.*' -size +0c | wc -l)
	runs=$(find "$vg/logs" -name 'vg.*' | wc -l)
	if [ "$rc" -eq 0 ] && [ "$reports" -eq 0 ]; then
		echo "PASS: valgrind $t ($runs postie runs, no report)"
		passed=$((passed + 1))
	else
		echo "FAIL: valgrind $t (exit $rc, $reports of $runs runs reported)"
		grep '^not ok' "$b/$t.log" | head -n 10
		find "$vg/logs" -name 'vg.*' -size +0c | head -n 3 |
		    while read -r f; do sed 's/^/  /' "$f" | head -n 40; done
		failed=$((failed + 1))
	fi
done
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
