#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark: N small messages queued and then drained by one queue run
# (one SMTP session, STARTTLS + AUTH PLAIN), side by side with N separate
# msmtp runs (one session each) against the same test server.
#   N=1000 sh tests/bench/queue-bench.sh      (from a build directory's
#   environment: TEST_SRCDIR, TEST_BUILDDIR as for the tests)
# Needs msmtp and tests/unit/queue-driver-real (the queue API through the
# real SMTP session).  Not part of `make check`.
: "${TEST_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
N=${N:-1000}
QDR=${QDR:-$TEST_BUILDDIR/unit/queue-driver-real}
command -v msmtp >/dev/null || { echo "msmtp not installed"; exit 1; }
printf 'From: a@example.org\nTo: b@example.net\nSubject: bench\n\nHello.\n' >"$T/msg"
now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }

# postie: queue N (no attempt), then one run.
start_smtpd -T 3600 -n 1 -u alice:secret -m PLAIN
q() { "$QDR" -d "$T/q" -m 0 -p "$SMTPD_PORT" -c "$SMTPD_CERTS/ca.pem" \
	-u alice -w secret -D bench.example "$@"; }
t0=$(now)
i=0
while [ $i -lt "$N" ]; do q enqueue r$i@example.net <"$T/msg" >/dev/null 2>&1 || exit 1; i=$((i + 1)); done
sync	# let the enqueue's writeback settle: time the drain alone
t1=$(now)
q run >"$T/run.out" 2>&1
t2=$(now)
wait_smtpd 60
got=$(find "$SMTPD_DIR" -name 'msg.*' ! -name '*.env' | wc -l)
echo "postie: queued $N in $(secs "$t0" "$t1") s, drained in $(secs "$t1" "$t2") s ($got delivered; $(cat "$T/run.out"))"

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
