#!/bin/sh
# The queue against the scripted SMTP server, through the real SMTP
# session (tests/unit/queue-driver-real): relay down, faults at each phase,
# one session for many messages, the drain after a send, bounces.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
QDR=$TEST_BUILDDIR/unit/queue-driver-real
Q=$T/spool

# qr PORT ARGS...: the real driver, plain SMTP to 127.0.0.1:PORT.
qr() { p=$1; shift; "$QDR" -d "$Q" -m 0 -T -p "$p" -D client.example "$@"; }
nqueued() { find "$Q" -maxdepth 1 -name 'qf*' 2>/dev/null | wc -l | tr -d ' '; }
nmsg() { find "$SMTPD_DIR" -name 'msg.*' ! -name '*.env' | wc -l | tr -d ' '; }
is_count() {
	if [ "$1" = "$2" ]; then t_result 0 "$3"; else
		echo "#   got $2, want $1"; t_result 1 "$3"; fi
}
printf 'From: a@example.org\nTo: b@example.net\nSubject: relay test\n\nline\n.dot\n' >"$T/msg"
sed 's/$/\r/' "$T/msg" >"$T/want"
srv() { start_smtpd -t none -m none "$@"; }

# Relay down: a port that was bound, then closed.
srv -n 1
down=$SMTPD_PORT
stop_smtpd
run qr "$down" send b@example.net <"$T/msg"
is_count 0 "$rc" "relay down: exit 0"
grep_err 'queued as' "relay down: queued"
is_count 1 "$(nqueued)" "relay down: in the queue"
srv -n 1
run qr "$SMTPD_PORT" run
wait_smtpd
is_count 1 "$(nmsg)" "relay up: -q delivered it"
same_file "$SMTPD_DIR/msg.1" "$T/want" "relay up: byte-exact"
is_count 0 "$(nqueued)" "relay up: queue empty"

# fault_case NAME RCPTS SCRIPT-LINES...: queued by send, delivered by -q.
fault_case() {
	name=$1 rcpts=$2
	shift 2
	printf '%s\n' "$@" >"$T/script"
	srv -n 2 -s "$T/script"
	# shellcheck disable=SC2086
	run qr "$SMTPD_PORT" send $rcpts <"$T/msg"
	is_count 0 "$rc" "$name: exit 0"
	grep_err 'queued as' "$name: queued"
	run qr "$SMTPD_PORT" run
	wait_smtpd
	is_count 0 "$(nqueued)" "$name: -q emptied the queue"
}
fault_case "421 at greeting" b@example.net "at GREETING#1 reply 421 4.3.2 busy"
is_count 1 "$(nmsg)" "421 at greeting: delivered once"
fault_case "451 at RCPT" b@example.net "at RCPT#1 reply 451 4.7.1 greylisted"
is_count 1 "$(nmsg)" "451 at RCPT: delivered once"
fault_case "452 too many recipients" "r1@x.example r2@x.example r3@x.example" "rcpt-limit 2"
is_count 2 "$(nmsg)" "452: two transactions"
is_count 3 "$(cat "$SMTPD_DIR"/msg.*.env | grep -c '^RCPT TO')" "452: each recipient once"
fault_case "drop before the final dot" b@example.net "nocap CHUNKING" "at DATA#1 drop"
is_count 1 "$(nmsg)" "drop at DATA: delivered once"
fault_case "drop after the final dot" b@example.net "nocap CHUNKING" "at DATA-END#1 drop"
is_count 1 "$(nmsg)" "drop after the dot: delivered by -q"
fault_case "drop after BDAT LAST" b@example.net "at DATA-END#1 drop"
is_count 1 "$(nmsg)" "drop after BDAT LAST: delivered by -q"

# Many messages, one session; and the drain after a successful send.
srv -n 1
down=$SMTPD_PORT
stop_smtpd
for i in 1 2 3; do qr "$down" send q$i@example.net <"$T/msg" >/dev/null 2>&1; done
is_count 3 "$(nqueued)" "three queued while down"
srv -n 1
run qr "$SMTPD_PORT" send now@example.net <"$T/msg"
wait_smtpd
is_count 0 "$rc" "send succeeds"
is_count 4 "$(nmsg)" "the send drained the queue over its session"
is_count 1 "$(grep -c '^EHLO' "$SMTPD_LOG")" "one session"
is_count 4 "$(grep -c '^MAIL FROM' "$SMTPD_LOG")" "four transactions in it"
is_count 0 "$(nqueued)" "queue empty"

# 5xx in a run: a bounce from <> to the sender, the message in failed/.
qr "$down" send -f owner@example.org b@example.net <"$T/msg" >/dev/null 2>&1
printf 'at MAIL#1 reply 550 5.7.1 sender denied\n' >"$T/script"
srv -n 1 -s "$T/script"
run qr "$SMTPD_PORT" run
wait_smtpd
grep_out 'failed=1 bounced=1' "5xx: failed and bounced"
grep -q '^MAIL FROM:<>' "$SMTPD_DIR/msg.1.env"
is_count 0 $? "bounce from the null reverse path"
grep -q '^RCPT TO:<owner@example.org>' "$SMTPD_DIR/msg.1.env"
is_count 0 $? "bounce to the sender"
grep -q '^Status: 5.7.1' "$SMTPD_DIR/msg.1"
is_count 0 $? "bounce carries the status"
is_count 1 "$(find "$Q/failed" -name 'qf*' | wc -l | tr -d ' ')" "5xx: in failed/"

# Expiry: the relay still greylists; lifetime 0.
qr "$down" send -f owner@example.org c@example.net <"$T/msg" >/dev/null 2>&1
printf 'at RCPT#1 reply 451 4.7.1 greylisted\n' >"$T/script"
srv -n 1 -s "$T/script"
run qr "$SMTPD_PORT" -L 0 run
run qr "$SMTPD_PORT" -L 0 run
wait_smtpd
grep -q '^MAIL FROM:<>' "$SMTPD_DIR/msg.1.env"
is_count 0 $? "expired: one bounce"
is_count 1 "$(nmsg)" "expired: nothing else sent"
is_count 2 "$(find "$Q/failed" -name 'qf*' | wc -l | tr -d ' ')" "expired: in failed/"

# Two runs at once against one server: each message once.
for i in 1 2 3 4 5 6; do qr "$down" send p$i@example.net <"$T/msg" >/dev/null 2>&1; done
srv -n 2
qr "$SMTPD_PORT" run >/dev/null 2>&1 &
p1=$!
qr "$SMTPD_PORT" run >/dev/null 2>&1 &
p2=$!
wait $p1; wait $p2
stop_smtpd
is_count 6 "$(nmsg)" "parallel runs: six messages"
is_count 6 "$(cat "$SMTPD_DIR"/msg.*.env | grep '^RCPT' | sort -u | wc -l | tr -d ' ')" \
	"parallel runs: each once"
finish
