#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/bench/smtp-bench.sh [BUILDDIR] [N]: the real postie binary against
# msmtp, side by side in the same run, on loopback through the scripted
# test server (tests/smtpd/), both clients given the same settings in a
# config file (STARTTLS or implicit TLS, the test CA as the only trust
# anchor, AUTH PLAIN as alice):
#   - wall and CPU time (user+sys) per message, a 2 KiB message, 1 rcpt
#     (median wall and mean CPU over N sends, default 50; the two clients
#     take turns in 5 rounds of N/5 sends, so that other load on a shared
#     machine weighs on both alike),
#   - the same for one message to 100 recipients,
#   - peak memory (max RSS of one send, GNU time),
#   - start-up: "--version", median of 500 runs (hyperfine when installed,
#     else tests/bench/runs.pl: fork/exec/wait on CLOCK_MONOTONIC),
#   - waits: how often the client had to wait for the server, counted by
#     the server from kernel receive timestamps (tests/smtpd/README).
# Without BUILDDIR, an optimised build without sanitizers is configured
# and kept up to date in ${TMPDIR:-/tmp}/postie-bench-build.  A BUILDDIR
# given must be configured without sanitizers.  Not part of make check.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/bench
b=${1:-}
N=${2:-50}
[ "$N" -ge 1 ] && [ "$N" -le 10000 ] || { echo "N: 1..10000" >&2; exit 2; }
ROUNDS=5
[ "$N" -ge "$ROUNDS" ] || ROUNDS=$N
per=$((N / ROUNDS))	# sends per round
N=$((per * ROUNDS))
. "$top/tests/bench/lib-bench.sh"
bench_build "$b"
MSMTP=$(command -v msmtp) || { echo "msmtp not installed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
RUNS="perl $here/runs.pl"
w=$(mktemp -d "${TMPDIR:-/tmp}/smtp-bench.XXXXXX")
spid=
trap '[ -z "$spid" ] || kill "$spid" 2>/dev/null; rm -rf "$w"' EXIT
export HOME="$w" XDG_CONFIG_HOME="$w" XDG_STATE_HOME="$w/state"
# exported, not given with env(1): an env exec per run would be counted
# in postie's CPU time (0.6 ms, more than a tenth of it); msmtp ignores it
export POSTIE_CONFIG="$w/postie.conf"

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

serve() {	# serve CONNECTIONS [smtpd options]: start the server, $port
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
finish_serve() {	# let the server exit after its last connection
	i=0
	while kill -0 "$spid" 2>/dev/null && [ "$i" -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	spid=
}

configs() {	# configs TLSMODE: both clients' config files for $port
	mode=$1
	st=on
	[ "$mode" = starttls ] || st=off
	cat >"$w/postie.conf" <<-CONF
	host = "127.0.0.1"
	port = $port
	tls = $mode
	tls_trust_file = "$CERTS/ca.pem"
	user = "alice"
	password = "secret"
	CONF
	cat >"$w/msmtp.conf" <<-CONF
	account bench
	host 127.0.0.1
	port $port
	tls on
	tls_starttls $st
	tls_trust_file $CERTS/ca.pem
	auth plain
	user alice
	password secret
	from a@example.org
	account default : bench
	CONF
	chmod 600 "$w/postie.conf" "$w/msmtp.conf"
}

# measure TOOL TLSMODE RCPTS...: $per sends, prints
# "wall_ms cpu_ms maxrss_kb waits"
measure() {
	tool=$1 mode=$2
	shift 2
	iflag=
	[ "$mode" = implicit ] && iflag=-i
	serve $((per + 1)) $iflag
	configs "$mode"
	if [ "$tool" = postie ]; then
		set -- "$POSTIE" -f a@example.org "$@"
	else
		set -- "$MSMTP" -C "$w/msmtp.conf" "$@"
	fi
	/usr/bin/time -f %M -o "$w/rss" "$@" <"$w/msg" >/dev/null 2>"$w/err" ||
		{ echo "$tool $mode failed:" >&2; cat "$w/err" >&2; exit 1; }
	r=$($RUNS "$per" "$w/msg" "$@")
	finish_serve
	set -- $r
	[ "$4" = 0 ] || { echo "$tool $mode: $4 of $per sends failed" >&2; exit 1; }
	awk -v wall="$1" -v cpu="$3" -v rss="$(tail -n 1 "$w/rss")" '
		/^waits / { w = $2 }
		END { printf "%.2f %.2f %d %d\n", wall, cpu, rss, w }' "$w/log"
}

# pair TLSMODE RCPTS...: postie and msmtp by turns, ROUNDS rounds; sets
# P and M to "wall_ms cpu_ms maxrss_kb waits": the median of the rounds'
# median walls, the mean CPU, the largest RSS and waits
pair() {
	: >"$w/P"
	: >"$w/M"
	k=0
	while [ "$k" -lt "$ROUNDS" ]; do
		measure postie "$@" >>"$w/P"
		measure msmtp "$@" >>"$w/M"
		k=$((k + 1))
	done
	P=$(combine "$w/P")
	M=$(combine "$w/M")
}
combine() {
	sort -n "$1" | awk '{ w[NR] = $1; c += $2
		if ($3 > m) m = $3
		if ($4 > x) x = $4 }
	END { med = NR % 2 ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2
		printf "%.2f %.2f %d %d\n", med, c / NR, m, x }'
}

startup() {	# startup COMMAND...: median ms of 500 starts
	if command -v hyperfine >/dev/null; then
		hyperfine -N -w 20 -r 500 --export-json "$w/hf.json" "$*" \
			>/dev/null 2>&1
		sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' "$w/hf.json" |
			head -n 1 | awk '{ printf "%.3f\n", $1 * 1000 }'
	else
		$RUNS 500 /dev/null "$@" | awk '{ print $1 }'
	fi
}

rcpt100=
i=0
while [ "$i" -lt 100 ]; do
	rcpt100="$rcpt100 r$i@example.org"
	i=$((i + 1))
done

ratio() { awk -v p="$1" -v m="$2" 'BEGIN { if (m > 0) printf "%.2f", p / m; else printf "-" }'; }
line() { printf '%-36s %9s %9s %7s  %s\n' "$@"; }
row() {	# row LABEL FIELD POSTIE-LINE MSMTP-LINE TARGET
	p=$(echo "$3" | cut -d' ' -f"$2")
	m=$(echo "$4" | cut -d' ' -f"$2")
	line "$1" "$p" "$m" "$(ratio "$p" "$m")" "$5"
}

echo "postie $("$POSTIE" --version | head -n 1 | sed 's/^postie //'), $("$MSMTP" --version | head -n 1); N=$N sends per figure, $ROUNDS rounds by turns"
line "" postie msmtp ratio target
for mode in starttls implicit; do
	pair $mode b@example.org
	row "$mode, 1 rcpt: wall ms (median)" 1 "$P" "$M" "ratio <= 0.20"
	row "$mode, 1 rcpt: CPU ms (user+sys)" 2 "$P" "$M" "ratio <= 0.50"
	row "$mode, 1 rcpt: peak RSS KiB" 3 "$P" "$M" ""
	if [ $mode = starttls ]; then t="postie <= 7"; else t="postie <= 5"; fi
	row "$mode, 1 rcpt: waits" 4 "$P" "$M" "$t"
done
# shellcheck disable=SC2086
pair starttls $rcpt100
row "starttls, 100 rcpts: wall ms" 1 "$P" "$M" "ratio <= 0.20"
row "starttls, 100 rcpts: CPU ms" 2 "$P" "$M" "ratio <= 0.50"
row "starttls, 100 rcpts: peak RSS KiB" 3 "$P" "$M" ""
row "starttls, 100 rcpts: waits" 4 "$P" "$M" "postie <= 7"
ps=$(startup "$POSTIE" --version)
ms=$(startup "$MSMTP" --version)
if command -v hyperfine >/dev/null; then how=hyperfine; else how=runs.pl; fi
line "start-up ms (--version, median)" "$ps" "$ms" "$(ratio "$ps" "$ms")" "ratio <= 0.33"
echo "start-up measured with $how, 500 runs each; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "waits count the TLS handshake's client flights (2 for TLS 1.3) and"
echo "each pipelined group once; see tests/smtpd/README."
