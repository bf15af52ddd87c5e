#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark: N small messages queued (sent while the relay is down) and
# then drained by one queue run
# (one SMTP session, STARTTLS + AUTH PLAIN), side by side with N separate
# msmtp runs (one session each) against the same test server.
#   N=1000 sh tests/bench/queue-bench.sh      (from a build directory's
#   environment: TEST_SRCDIR, TEST_BUILDDIR as for the tests)
# Needs msmtp; uses $POSTIE (build without sanitizers for figures).  Not
# part of `make check`.
: "${TEST_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
N=${N:-1000}
command -v msmtp >/dev/null || { echo "msmtp not installed"; exit 1; }
printf 'From: a@example.org\nTo: b@example.net\nSubject: bench\n\nHello.\n' >"$T/msg"
now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }

# postie: N sends while the relay is down (each queued), then one postie -q
# (one session, STARTTLS + AUTH PLAIN, one transaction per message).
start_smtpd -T 3600 -n 1 -u alice:secret -m PLAIN
up=$SMTPD_PORT
start_smtpd -n 1
down=$SMTPD_PORT
stop_smtpd
SMTPD_PORT=$down
smtpd_config retry_min=1 "queue_dir=\"$T/q\"" 'log="none"'
t0=$(now)
i=0
while [ $i -lt "$N" ]; do "$POSTIE" -i r$i@example.net <"$T/msg" 2>/dev/null || exit 1; i=$((i + 1)); done
t1=$(now)
queued=$(find "$T/q" -name 'qf*' | wc -l)
SMTPD_PORT=$up
smtpd_config retry_min=1 "queue_dir=\"$T/q\"" 'log="none"'
sleep 1	# retry_min
sync	# let the enqueue's writeback settle: time the drain alone
t1=$(now)
"$POSTIE" -q || exit 1
t2=$(now)
SMTPD_DIR=$T/smtpd.1
got=$(find "$SMTPD_DIR" -name 'msg.*' ! -name '*.env' | wc -l)
echo "postie: $N sends with the relay down in $(secs "$t0" "$t1") s ($queued queued); postie -q drained them in $(secs "$t1" "$t2") s ($got delivered)"

# msmtp: N runs.
start_smtpd -T 3600 -n "$N" -u alice:secret -m PLAIN
cat >"$T/msmtprc" <<EOC
account default
host 127.0.0.1
port $SMTPD_PORT
tls on
tls_starttls on
tls_trust_file $SMTPD_CERTS/ca.pem
auth plain
user alice
password secret
from a@example.org
EOC
chmod 600 "$T/msmtprc"
t3=$(now)
i=0
while [ $i -lt "$N" ]; do msmtp -C "$T/msmtprc" r$i@example.net <"$T/msg" || exit 1; i=$((i + 1)); done
t4=$(now)
wait_smtpd 60
got=$(find "$SMTPD_DIR" -name 'msg.*' ! -name '*.env' | wc -l)
echo "msmtp:  $N runs in $(secs "$t3" "$t4") s ($got delivered)"
echo "$t1 $t2 $t3 $t4" | awk '{ d = $2 - $1; m = $4 - $3;
	printf "drain vs msmtp: %.1fx faster\n", m / (d > 0 ? d : 0.001) }'
