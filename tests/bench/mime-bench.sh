#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark of the MIME builder (issue 4).  Not part of `make check`.
#   sh tests/bench/mime-bench.sh [BUILDDIR] [MB]
# BUILDDIR: an optimised build without sanitizers (default: the current
# directory), e.g.  mkdir /tmp/b-opt && cd /tmp/b-opt &&
#   <srcdir>/configure -q CFLAGS=-O2 && make tests/bench/b64-bench \
#   tests/unit/mime-driver
# Prints: the base64 encoder alone in GB/s; building a message with an
# MB-megabyte (default 200) attachment to /dev/null: seconds, MiB/s of
# output, peak RSS (GNU time -v); coreutils base64 on the same file for
# scale.
set -u
b=${1:-.}
mb=${2:-200}
case $mb in *[!0-9]*|'') echo "MB must be a number" >&2; exit 64;; esac
[ "$mb" -ge 1 ] && [ "$mb" -le 4096 ] || { echo "1..4096 MB" >&2; exit 64; }
bench=$b/tests/bench/b64-bench
driver=$b/tests/unit/mime-driver
for p in "$bench" "$driver" /usr/bin/time; do
	[ -x "$p" ] || { echo "missing $p (see the header of $0)" >&2; exit 69; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mime-bench.XXXXXX") || exit 71
trap 'rm -rf "$tmp"' EXIT INT TERM

"$bench" 512

head -c $((mb * 1048576)) /dev/urandom >"$tmp/big.bin"
printf 'From: a@example.org\nTo: b@example.org\nSubject: bench\n\nattached\n' >"$tmp/msg"
# warm the page cache so the disk is not measured
cat "$tmp/big.bin" >/dev/null
/usr/bin/time -v "$driver" -a "$tmp/big.bin" <"$tmp/msg" >/dev/null \
    2>"$tmp/time"
size=$(sed -n 's/^size \([0-9]*\) .*/\1/p' "$tmp/time")
secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' \
    "$tmp/time" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
awk -v s="$secs" -v n="$size" -v r="$rss" -v mb="$mb" 'BEGIN {
	fmt = "build %d MB attachment -> /dev/null: %d octets in %.2f s, "
	fmt = fmt "%.0f MiB/s, peak RSS %.1f MiB\n"
	printf(fmt, mb, n, s, s > 0 ? n / 1048576 / s : 0, r / 1024) }'
/usr/bin/time -f '%e %M' base64 "$tmp/big.bin" 2>"$tmp/t2" >/dev/null
awk -v mb="$mb" '{
	fmt = "coreutils base64, same file: %.2f s, "
	fmt = fmt "%.0f MiB/s of input, peak RSS %.1f MiB\n"
	printf(fmt, $1, $1 > 0 ? mb / $1 : 0, $2 / 1024) }' "$tmp/t2"
