#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/bench/outbox-bench.sh [BUILDDIR] [N]: issue 5's figure through the
# real postie binary.  N small messages (default 1000) are sent while the
# relay is down: each postie run queues its message and exits 0.  Then
# the relay (the scripted test server, STARTTLS + AUTH PLAIN, one
# connection) comes up and ONE "postie -qR@" drains them all over one
# session (-qR selects every message and ignores the retry backoff, as
# sendmail's -qR does; a bare -q would wait for the backoff).  Side by
# side, N separate msmtp runs against the same kind of server.  Every
# message is checked to have arrived, and the queue to be empty.
# (tests/bench/queue-bench.sh, by the queue's author, times the same
# through the queue API driver.)  Timing: tests/bench/runs.pl,
# CLOCK_MONOTONIC.  Without BUILDDIR, the optimised build of
# smtp-bench.sh is used (and made).  Not part of make check.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/bench
b=${1:-}
N=${2:-1000}
case $N in *[!0-9]*|'') echo "N must be a number" >&2; exit 2;; esac
[ "$N" -ge 1 ] && [ "$N" -le 10000 ] || { echo "N: 1..10000" >&2; exit 2; }
. "$top/tests/bench/lib-bench.sh"
bench_build "$b"
MSMTP=$(command -v msmtp) || { echo "msmtp not installed" >&2; exit 2; }
RUNS="perl $here/runs.pl"
# the queue where postie would keep it (a real file system: its fsyncs
# are part of the cost); what the server stores on tmpfs when there is
# one, so that the server's file creation (about 0.4 ms each on a busy
# disk) is not what is measured, for either client
w=$(mktemp -d "${TMPDIR:-/tmp}/outbox-bench.XXXXXX")
sd=$w
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	sd=$(mktemp -d /dev/shm/outbox-bench.XXXXXX)
fi
spid=
trap '[ -z "$spid" ] || kill "$spid" 2>/dev/null; rm -rf "$w" "$sd"' EXIT
export HOME="$w" XDG_CONFIG_HOME="$w" XDG_STATE_HOME="$w/state"
printf 'From: a@example.org\nTo: b@example.net\nSubject: bench\n\nHello.\n' >"$w/msg"

serve() {	# serve CONNECTIONS: start the server, $port
	rm -rf "$w/port" "$sd/mail"
	mkdir -p "$sd/mail"
	"$SMTPD" -C "$CERTS/server.pem" -K "$CERTS/server.key" -T 900 \
		-n "$1" -p "$w/port" -d "$sd/mail" -m PLAIN \
		</dev/null >/dev/null 2>&1 &
	spid=$!
	i=0
	while [ ! -s "$w/port" ] && [ "$i" -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	port=$(cat "$w/port")
}
unserve() {	# wait (bounded) for the server to finish, then end it
	i=0
	while kill -0 "$spid" 2>/dev/null && [ "$i" -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	spid=
}
delivered() { find "$sd/mail" -name 'msg.*' ! -name '*.env' | wc -l; }
conf() {	# conf PORT
	printf 'host = "127.0.0.1"\nport = %s\ntls = starttls\n' "$1" >"$w/conf"
	printf 'tls_trust_file = "%s"\n' "$CERTS/ca.pem" >>"$w/conf"
	printf 'user = "alice"\npassword = "secret"\n' >>"$w/conf"
	printf 'queue_dir = "%s"\n' "$w/queue" >>"$w/conf"
	chmod 600 "$w/conf"
}
export POSTIE_CONFIG="$w/conf"

# the relay down: a port the OS gave the server, closed again
serve 1
kill "$spid"
wait "$spid" 2>/dev/null || true
spid=
conf "$port"
set -- $($RUNS "$N" "$w/msg" "$POSTIE" -f a@example.org b@example.net)
[ "$4" = 0 ] || { echo "$4 of $N postie runs did not exit 0" >&2; exit 1; }
qwall=$(awk -v m="$2" -v n="$N" 'BEGIN { printf "%.2f", m * n / 1000 }')
queued=$("$POSTIE" -bp | grep -c '^[0-9A-F][0-9A-F]*\*\{0,1\} ' || true)

# the relay up: one run drains the queue
serve 1
conf "$port"
sync	# the enqueue's writeback is not the drain's cost
set -- $($RUNS 1 /dev/null "$POSTIE" -qR@)
[ "$4" = 0 ] || { echo "postie -qR@ failed" >&2; "$POSTIE" -v -qR@ >&2 || true; exit 1; }
dwall=$(awk -v m="$1" 'BEGIN { printf "%.3f", m / 1000 }')
unserve
pd=$(delivered)
left=$("$POSTIE" -bp 2>&1 | head -n 1)

# msmtp: N runs, N sessions
serve "$N"
cat >"$w/msmtprc" <<CONF
account default
host 127.0.0.1
port $port
tls on
tls_starttls on
tls_trust_file $CERTS/ca.pem
auth plain
user alice
password secret
from a@example.org
CONF
chmod 600 "$w/msmtprc"
set -- $($RUNS "$N" "$w/msg" "$MSMTP" -C "$w/msmtprc" b@example.net)
[ "$4" = 0 ] || { echo "$4 of $N msmtp runs failed" >&2; exit 1; }
mwall=$(awk -v m="$2" -v n="$N" 'BEGIN { printf "%.2f", m * n / 1000 }')
unserve
md=$(delivered)

echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(getconf _NPROCESSORS_ONLN) CPUs"
echo "postie: $N runs with the relay down: $qwall s, $queued listed by postie -bp"
echo "postie: one 'postie -qR@' with the relay up: $dwall s, $pd delivered; then postie -bp: $left"
echo "msmtp:  $N runs: $mwall s, $md delivered"
awk -v d="$dwall" -v m="$mwall" 'BEGIN {
	printf "drain vs msmtp: %.1fx faster (target >= 30x)\n", m / (d > 0 ? d : 0.001) }'
[ "$pd" -eq "$N" ] && [ "$md" -eq "$N" ] ||
	{ echo "not every message arrived" >&2; exit 1; }
