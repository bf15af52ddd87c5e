#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark of the MIME builder (issue 4).  Not part of `make check`.
#   sh tests/bench/mime-bench.sh [BUILDDIR] [MB] [e2e]
# BUILDDIR: an optimised build without sanitizers (default: the current
# directory), e.g.  mkdir /tmp/b-opt && cd /tmp/b-opt &&
#   <srcdir>/configure -q CFLAGS=-O2 && make tests/bench/b64-bench \
#   tests/unit/mime-driver
# Prints: the base64 encoder alone in GB/s; building a message with an
# MB-megabyte (default 200) attachment to /dev/null: seconds, MiB/s of
# output, peak RSS (GNU time -v); coreutils base64 on the same file for
# scale.  With "e2e": the whole send, postie -a FILE -t over STARTTLS +
# AUTH on loopback to the bundled test server (with BDAT and with DATA),
# then the way users do it today, s-nail -a FILE feeding msmtp (when both
# are installed: apt-get install s-nail msmtp), side by side: seconds,
# MiB/s of message, CPU seconds, peak RSS.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
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

[ "${3:-}" = e2e ] || exit 0

postie=$b/src/postie
smtpd=$b/tests/smtpd/postie-test-smtpd
certs=$src/tests/certs
for p in "$postie" "$smtpd"; do
	[ -x "$p" ] || { echo "e2e: missing $p" >&2; exit 69; }
done
printf 'To: bob@example.org\nSubject: bench\n\nattached\n' >"$tmp/msg"
mkdir -p "$tmp/home"

# serve SCRIPT-LINES...: start a one-connection server; $port set.
serve() {
	rm -rf "$tmp/mail" "$tmp/port"
	mkdir -p "$tmp/mail"
	printf '%s\n' "cap SIZE 4000000000" "$@" >"$tmp/script"
	"$smtpd" -C "$certs/server.pem" -K "$certs/server.key" -t starttls \
	    -u alice:bench-pw -T 600 -p "$tmp/port" -d "$tmp/mail" \
	    -s "$tmp/script" </dev/null >/dev/null 2>"$tmp/smtpd.err" &
	spid=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	port=$(cat "$tmp/port")
}

# report LABEL: print the figures of the last timed run.
report() {
	wait "$spid" 2>/dev/null
	n=$(wc -c <"$tmp/mail/msg.1" 2>/dev/null || echo 0)
	awk -v l="$1" -v n="$n" '{
		fmt = "%-24s %6.2f s %7.1f MiB/s  cpu %5.2f s  peak RSS %6.1f MiB\n"
		printf(fmt, l, $1, $1 > 0 ? n / 1048576 / $1 : 0, $2 + $3,
		    $4 / 1024) }' "$tmp/t"
}

conf=$tmp/sendmail.conf
for mode in BDAT DATA; do
	if [ $mode = BDAT ]; then
		serve "cap 8BITMIME" "cap PIPELINING" "cap CHUNKING"
	else
		serve "cap 8BITMIME" "cap PIPELINING"
	fi
	{
		printf 'host = "127.0.0.1"\nport = %s\ntls = starttls\n' "$port"
		printf 'tls_trust_file = "%s"\nuser = "alice"\n' "$certs/ca.pem"
		printf 'password = "bench-pw"\nfrom = "alice@example.org"\n'
	} >"$conf"
	chmod 600 "$conf"
	HOME=$tmp/home POSTIE_CONFIG=$conf /usr/bin/time -f '%e %U %S %M' \
	    -o "$tmp/t" "$postie" -t -i -a "$tmp/big.bin" <"$tmp/msg"
	report "postie -a ($mode)"
done

if command -v s-nail >/dev/null && command -v msmtp >/dev/null; then
	serve "cap 8BITMIME" "cap PIPELINING"
	{
		echo "account default"
		echo "host 127.0.0.1"
		echo "port $port"
		echo "tls on"
		echo "tls_starttls on"
		echo "tls_trust_file $certs/ca.pem"
		echo "auth on"
		echo "user alice"
		echo "password bench-pw"
		echo "from alice@example.org"
	} >"$tmp/msmtprc"
	chmod 600 "$tmp/msmtprc"
	printf 'attached\n' >"$tmp/body"
	MAILRC=/dev/null HOME=$tmp/home /usr/bin/time -f '%e %U %S %M' \
	    -o "$tmp/t" s-nail -n -Smta="$(command -v msmtp)" \
	    -Smta-arguments="-C $tmp/msmtprc" -Sfrom=alice@example.org \
	    -a "$tmp/big.bin" -s bench bob@example.org <"$tmp/body"
	report "s-nail -a | msmtp"
else
	echo "s-nail or msmtp not installed: no comparison"
fi
