#!/bin/sh
# SPDX-License-Identifier: MIT
# postie -a and the queue: what is queued is the message as built, with
# its attachments, 7-bit-safe (the relay at retry time may lack 8BITMIME):
# after `postie -q` it passes the strict MIME checker and every part
# decodes byte-exact.  Relay down at once, and one recipient greylisted
# (the other gets the 8bit build at once, the queued one the 7-bit one).
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
CHECK=$TEST_BUILDDIR/mimecheck
nqueued() { find "$T/queue" -maxdepth 1 -name 'qf*' 2>/dev/null | wc -l; }
count8() { LC_ALL=C tr -d '\000-\177' <"$1" | wc -c; }

printf 'From: ann@example.org\nSubject: queued\n\nGr\303\274\303\237e\n.\n' \
    >"$T/msg"
printf 'Gr\303\274\303\237e\r\n.\r\n' >"$T/want"
head -c 300000 /dev/urandom >"$T/data.bin"
printf 'caf\303\251\n' >"$T/note.txt"
aname=$(printf 'r\303\251sum\303\251 "v2".txt')

# verify NAME FILE: FILE passes mimecheck, its parts decode byte-exact,
# the body went cte $want_cte
verify() {
	mkdir -p "$T/d.$1"
	run "$CHECK" -d "$T/d.$1" <"$2"
	check "$1: passes the strict MIME checker" test "$rc" -eq 0
	check "$1: body $want_cte" \
	    grep -q "^part 1 type=text/plain cte=$want_cte .*charset=utf-8" \
	    "$T/out"
	same_file "$T/want" "$T/d.$1/part-1" "$1: body byte-exact"
	same_file "$T/data.bin" "$T/d.$1/data.bin" "$1: binary byte-exact"
	same_file "$T/note.txt" "$T/d.$1/$aname" "$1: UTF-8 named file"
}

# the relay is down: a port that was bound, then closed
start_smtpd
stop_smtpd
smtpd_config retry_min=1
expect_exit 0 "relay down: exit 0 (queued)" "$POSTIE" -i -a "$T/data.bin" \
    --attach-name "$aname" -a "$T/note.txt" bob@example.org <"$T/msg"
check "one message queued" test "$(nqueued)" -eq 1
sleep 1		# retry_min
start_smtpd
smtpd_config retry_min=1
expect_exit 0 "-q: 0" "$POSTIE" -q
wait_smtpd
check "queue empty" test "$(nqueued)" -eq 0
want_cte=quoted-printable
verify down "$SMTPD_DIR/msg.1"
check "down: the queued copy is 7-bit although the relay offers 8BITMIME" \
    test "$(count8 "$SMTPD_DIR/msg.1")" -eq 0

# one of two recipients greylisted
printf 'at RCPT#2 reply 451 4.7.1 greylisted\n' >"$T/script"
start_smtpd -n 2 -s "$T/script"
smtpd_config retry_min=1
expect_exit 0 "greylisted: 0" "$POSTIE" -i -a "$T/data.bin" \
    --attach-name "$aname" -a "$T/note.txt" a@example.org b@example.org \
    <"$T/msg"
check "greylisted: one queued" test "$(nqueued)" -eq 1
sleep 1
expect_exit 0 "greylisted, -q: 0" "$POSTIE" -q
wait_smtpd
check "queue empty again" test "$(nqueued)" -eq 0
want_cte=8bit
verify now "$SMTPD_DIR/msg.1"
check "now: RCPT a only" grep -q '^RCPT TO:<a@example.org>' \
    "$SMTPD_DIR/msg.1.env"
want_cte=quoted-printable
verify later "$SMTPD_DIR/msg.2"
check "later: RCPT b" grep -q '^RCPT TO:<b@example.org>' \
    "$SMTPD_DIR/msg.2.env"
finish
