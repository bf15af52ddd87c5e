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
# built with ASan; build-aux/run-tests calls this script.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
b=${VALGRIND_BUILDDIR:-$top/_build/valgrind}
tests=${*:-"t0100-options.sh t0200-config.sh t0310-pretend.sh
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
cat >"$vg/postie" <<EOF
#!/bin/sh
# postie under valgrind; invoked as mailq, run it as mailq
prog=$b/src/postie
[ "\${0##*/}" = mailq ] && prog=$vg/mailq
exec valgrind -q --error-exitcode=1 --leak-check=full \\
    --errors-for-leak-kinds=definite,indirect,possible \\
    --show-leak-kinds=definite,indirect,possible \\
    --track-fds=no --log-file=$vg/logs/vg.%p "\$prog" "\$@"
EOF
chmod 755 "$vg" "$vg/postie"

passed=0 failed=0
for t in $tests; do
	rm -f "$vg/logs/"vg.*
	TEST_SRCDIR=$top/tests TEST_BUILDDIR=$b/tests POSTIE=$vg/postie \
	    timeout 900 sh "$top/tests/$t" >"$b/$t.log" 2>&1
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
