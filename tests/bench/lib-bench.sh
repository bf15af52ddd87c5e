# SPDX-License-Identifier: MIT
# tests/bench/lib-bench.sh: the build every benchmark script shares.
#   bench_build BUILDDIR [EXTRA_TARGET...]
# With BUILDDIR empty, configures (once) and keeps up to date an optimised
# build without sanitizers in ${TMPDIR:-/tmp}/postie-bench-build; builds
# postie, the test server and the extra targets; refuses a build with
# sanitizers (its figures would be meaningless).  Sets b, POSTIE, SMTPD,
# CERTS.  Expects $top (the source tree).

bench_build() {
	b=$1
	shift
	if [ -z "$b" ]; then
		b=${TMPDIR:-/tmp}/postie-bench-build
		if [ ! -f "$b/Makefile" ]; then
			echo "configuring $b (-O2, no sanitizers)..." >&2
			(cd "$top" && { [ -x configure ] || autoreconf -fi >/dev/null 2>&1; })
			mkdir -p "$b"
			(cd "$b" && "$top/configure" -q CFLAGS="-O2 -g")
		fi
	fi
	(cd "$b" && make -j2 src/postie tests/smtpd/postie-test-smtpd "$@" \
	    >/dev/null) || { echo "build failed in $b" >&2; exit 1; }
	if grep -q -e '-fsanitize' "$b/Makefile"; then
		echo "$b is built with sanitizers: figures would be meaningless" >&2
		exit 2
	fi
	POSTIE=$b/src/postie
	SMTPD=$b/tests/smtpd/postie-test-smtpd
	CERTS=$top/tests/certs
}
