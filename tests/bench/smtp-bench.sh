#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/bench/smtp-bench.sh [BUILDDIR] [N]: postie's SMTP session against
# msmtp, side by side, on loopback through the scripted test server
# (STARTTLS or implicit TLS, AUTH PLAIN, both clients offered the same):
#   - wall and CPU time per message (mean over N sends, default 50),
#   - peak memory (max RSS of one send),
#   - start-up time (the binary doing nothing),
#   - waits: how often the client had to wait for the server, counted by
#     the server from kernel receive timestamps (tests/smtpd/README).
# postie's side is tests/unit/smtp-driver (the session code as postie runs
# it, without config parsing and intake).  BUILDDIR must be configured
# WITHOUT sanitizers; when not given, one is built in $TMPDIR.
set -eu
if [ "${1:-}" = --loop ]; then		# internal: one timed series
	shift
	tool=$1 n=$2
	shift 2
	i=0
	while [ "$i" -lt "$n" ]; do
		"$@" >/dev/null 2>&1 </dev/null || exit 1
		i=$((i + 1))
	done
	exit 0
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
b=${1:-}
N=${2:-50}
if [ -z "$b" ]; then
	b=${TMPDIR:-/tmp}/postie-bench-build
	if [ ! -x "$b/tests/unit/smtp-driver" ]; then
		echo "building in $b (no sanitizers)..." >&2
		(cd "$top" && [ -x configure ] || autoreconf -fi >/dev/null 2>&1)
		mkdir -p "$b"
		(cd "$b" && "$top/configure" -q && make -j2 >/dev/null &&
		    make -j2 tests/unit/smtp-driver \
		    tests/smtpd/postie-test-smtpd >/dev/null)
	fi
fi
DRIVER=$b/tests/unit/smtp-driver
SMTPD=$b/tests/smtpd/postie-test-smtpd
CERTS=$top/tests/certs
command -v msmtp >/dev/null || { echo "msmtp not installed" >&2; exit 1; }
w=$(mktemp -d)
spid=
trap 'kill $spid 2>/dev/null; rm -rf "$w"' EXIT

# a 2 KiB message
{
	printf 'From: a@example.org\nTo: b@example.org\nSubject: bench\n'
	printf 'Message-ID: <bench@example.org>\n\n'
	i=0
	while [ "$i" -lt 30 ]; do
		printf 'line %02d of the benchmark message, some text to fill it up\n' "$i"
		i=$((i + 1))
	done
} >"$w/msg"

serve() {	# serve CONNECTIONS [smtpd options]
	n=$1
	shift
	rm -f "$w/port" "$w/log"
	"$SMTPD" -C "$CERTS/server.pem" -K "$CERTS/server.key" -T 600 \
		-n "$n" -p "$w/port" -l "$w/log" -m PLAIN "$@" \
		</dev/null >/dev/null 2>&1 &
	spid=$!
	i=0
	while [ ! -s "$w/port" ] && [ "$i" -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	port=$(cat "$w/port")
}
finish_serve() {
	i=0
	while kill -0 "$spid" 2>/dev/null && [ "$i" -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
}

# cmd TOOL TLSMODE RCPTS...: the command line of one send
cmd() {
	tool=$1 mode=$2
	shift 2
	if [ "$tool" = postie ]; then
		echo env SMTP_HOST=127.0.0.1 SMTP_PORT="$port" \
		    SMTP_TRUST="$CERTS/ca.pem" SMTP_USER=alice \
		    SMTP_PASSWORD=secret SMTP_TLS="$mode" \
		    "$DRIVER" a@example.org "$w/msg" "$@"
	else
		st=on
		[ "$mode" = starttls ] || st=off
		echo sh -c "'exec msmtp --file=/dev/null --host=127.0.0.1 \
		    --port=$port --tls=on --tls-starttls=$st \
		    --tls-trust-file=$CERTS/ca.pem --auth=on --user=alice \
		    --passwordeval=\"echo secret\" --from=a@example.org $* \
		    <$w/msg'"
	fi
}

# measure TOOL TLSMODE RCPTS...: prints "wall_ms cpu_ms maxrss_kb waits"
measure() {
	tool=$1 mode=$2
	shift 2
	iflag=
	[ "$mode" = implicit ] && iflag=-i
	serve $((N + 1)) $iflag
	c=$(cmd "$tool" "$mode" "$@")
	eval "/usr/bin/time -f %M -o '$w/rss' $c" >/dev/null 2>&1 </dev/null
	t0=$(date +%s%N)
	eval "/usr/bin/time -f '%U %S' -o '$w/t' sh '$0' --loop $tool $N $c"
	t1=$(date +%s%N)
	finish_serve
	awk -v n="$N" -v rss="$(tail -n 1 "$w/rss")" -v ns=$((t1 - t0)) '
		FNR == NR { wall = ns / 1e9; cpu = $1 + $2; next }
		/^waits / { w[++k] = $2 }
		END { printf "%.1f %.1f %d %d\n", wall * 1000 / n,
		    cpu * 1000 / n, rss, w[k] }' "$w/t" "$w/log"
}

startup() {	# startup TOOL: ms per start, mean over 50
	if [ "$1" = postie ]; then c="$DRIVER"; else c="msmtp --version"; fi
	t0=$(date +%s%N)
	sh "$0" --loop x 50 sh -c "$c; true"
	t1=$(date +%s%N)
	echo $((t1 - t0)) | awk '{ printf "%.1f\n", $1 / 1e6 / 50 }'
}

rcpt100=
i=0
while [ "$i" -lt 100 ]; do
	rcpt100="$rcpt100 r$i@example.org"
	i=$((i + 1))
done

printf '%-34s %10s %10s %10s\n' "per message ($N sends)" postie msmtp ratio
row() {	# row LABEL FIELD POSTIE-LINE MSMTP-LINE
	p=$(echo "$3" | cut -d' ' -f"$2")
	m=$(echo "$4" | cut -d' ' -f"$2")
	printf '%-34s %10s %10s %10s\n' "$1" "$p" "$m" \
	    "$(awk -v p="$p" -v m="$m" 'BEGIN { if (m > 0) printf "%.2f", p / m; else printf "-" }')"
}
for mode in starttls implicit; do
	P=$(measure postie $mode b@example.org)
	M=$(measure msmtp $mode b@example.org)
	row "$mode, 1 rcpt: wall ms" 1 "$P" "$M"
	row "$mode, 1 rcpt: CPU ms" 2 "$P" "$M"
	row "$mode, 1 rcpt: peak RSS KiB" 3 "$P" "$M"
	row "$mode, 1 rcpt: waits (server)" 4 "$P" "$M"
done
P=$(measure postie starttls $rcpt100)
M=$(measure msmtp starttls $rcpt100)
row "starttls, 100 rcpts: wall ms" 1 "$P" "$M"
row "starttls, 100 rcpts: CPU ms" 2 "$P" "$M"
row "starttls, 100 rcpts: peak RSS KiB" 3 "$P" "$M"
row "starttls, 100 rcpts: waits" 4 "$P" "$M"
ps=$(startup postie)
ms=$(startup msmtp)
printf '%-34s %10s %10s %10s\n' "start-up ms" "$ps" "$ms" \
    "$(awk -v p="$ps" -v m="$ms" 'BEGIN { printf "%.2f", p / m }')"
echo "waits are counted by the server and include the TLS handshake's"
echo "client flights (2 for TLS 1.3); subtract 2 for the SMTP round trips."
