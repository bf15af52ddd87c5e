#!/bin/sh
# SPDX-License-Identifier: MIT
# ESMTP: PIPELINING, CHUNKING, SIZE, 8BITMIME, DSN, SMTPUTF8, partial
# recipient failure, 452, HELO fallback, hostile message bytes, and the
# number of round trips.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
. "$TEST_SRCDIR/lib-driver.sh"
mk_msg
F=a@example.org
R=b@example.org
script() { printf '%s\n' "$@" >"$T/script"; }
cmds() { smtpd_commands | awk '{ printf "%s ", $1 } END { print "" }'; }

# PIPELINING + CHUNKING (the server's default): one group, 6 waits
start_smtpd -m PLAIN
expect_drive 0 "pipelined + BDAT" $F "$T/msg" $R c@example.org
wait_smtpd
same_file "$SMTPD_DIR/msg.1" "$T/want" "BDAT: byte-exact"
check "no pipelining violation" sh -c "! grep -q pipelining-violation '$SMTPD_LOG'"
grep_out 'waits=6 ' "STARTTLS + PLAIN + group with BDAT: 6 waits"
check "BDAT LAST in the group" grep -q '^BDAT [0-9]* LAST$' "$SMTPD_LOG"

# PIPELINING without CHUNKING: MAIL RCPT DATA in one group, 7 waits
script 'nocap CHUNKING' 'pipelining reject'
start_smtpd -m PLAIN -s "$T/script"
expect_drive 0 "pipelined + DATA" $F "$T/msg" $R c@example.org
wait_smtpd
same_file "$SMTPD_DIR/msg.1" "$T/want" "DATA: byte-exact, un-stuffed"
grep_out 'waits=7 ' "STARTTLS + PLAIN + DATA: 7 waits"
c=$(cmds)
check "DATA commands ($c)" test "$c" = "EHLO STARTTLS EHLO AUTH MAIL RCPT RCPT DATA QUIT "
start_smtpd -m PLAIN -i -s "$T/script"
expect_drive 0 "implicit TLS + DATA" SMTP_TLS=implicit $F "$T/msg" $R
wait_smtpd
grep_out 'waits=5 ' "implicit TLS + PLAIN + DATA: 5 waits"
start_smtpd -m PLAIN -i
expect_drive 0 "implicit TLS + BDAT" SMTP_TLS=implicit $F "$T/msg" $R
wait_smtpd
grep_out 'waits=4 ' "implicit TLS + PLAIN + BDAT group: 4 waits"

# lock-step when PIPELINING is not offered (the server hangs up on any
# violation)
script 'nocap PIPELINING' 'nocap CHUNKING' 'pipelining reject'
start_smtpd -m PLAIN -s "$T/script"
expect_drive 0 "lock-step without PIPELINING" $F "$T/msg" $R c@example.org
wait_smtpd
same_file "$SMTPD_DIR/msg.1" "$T/want" "lock-step: byte-exact"
check "lock-step: no violation" sh -c "! grep -q pipelining-violation '$SMTPD_LOG'"
script 'nocap PIPELINING' 'pipelining reject'
start_smtpd -m PLAIN -s "$T/script"
expect_drive 0 "lock-step BDAT" $F "$T/msg" $R
wait_smtpd
same_file "$SMTPD_DIR/msg.1" "$T/want" "lock-step BDAT: byte-exact"

# a large message: several BDAT chunks, and the same through DATA
awk 'BEGIN { for (i = 0; i < 6000; i++) printf "%s%05d %s\n", (i % 7 ? "" : "."), i, "abcdefghijklmnopqrstuvwxyz0123456789" }' >"$T/big"
sed 's/$/\r/' "$T/big" >"$T/big.want"
start_smtpd -m PLAIN
expect_drive 0 "250 KB through BDAT" $F "$T/big" $R
wait_smtpd
same_file "$SMTPD_DIR/msg.1" "$T/big.want" "BDAT chunks: byte-exact"
check "several chunks" test "$(grep -c '^BDAT' "$SMTPD_LOG")" -ge 3
script 'nocap CHUNKING'
start_smtpd -m PLAIN -s "$T/script"
expect_drive 0 "250 KB through DATA" $F "$T/big" $R
wait_smtpd
same_file "$SMTPD_DIR/msg.1" "$T/big.want" "DATA: byte-exact"

# the driver's -n flag: one session, several transactions
start_smtpd -m PLAIN
expect_drive 0 "three transactions in one session" -n 3 $F "$T/msg" $R
wait_smtpd
check "three messages" test -e "$SMTPD_DIR/msg.3"
check "one EHLO after TLS: same session" test "$(grep -c '^EHLO' "$SMTPD_LOG")" = 2

script 'nocap PIPELINING' 'pipelining reject'
start_smtpd -m PLAIN -s "$T/script"
expect_drive 0 "250 KB through lock-step BDAT" $F "$T/big" $R
wait_smtpd
same_file "$SMTPD_DIR/msg.1" "$T/big.want" "lock-step BDAT chunks: byte-exact"
check "lock-step BDAT: each chunk waited for" sh -c "! grep -q pipelining-violation '$SMTPD_LOG'"
for pl in PIPELINING none; do
	script "nocap $pl" 'at BDAT#1 reply 552 5.3.4 chunk too big'
	start_smtpd -m PLAIN -s "$T/script"
	expect_drive 69 "a BDAT chunk refused: 69 (nocap $pl)" $F "$T/big" $R
	wait_smtpd
	grep_err 'BDAT) refused by relay: 552 5.3.4' "names the BDAT refusal (nocap $pl)"
	check "nothing delivered (nocap $pl)" test ! -e "$SMTPD_DIR/msg.1"
done

# hostile bytes: bare CR and LF, smuggling sequences, no final newline
printf 'Subject: s\n\nA\rB\nC\r.\rD\n.\nE\r\n.\nF' >"$T/evil"
printf 'Subject: s\r\n\r\nA\r\nB\r\nC\r\n.\r\nD\r\n.\r\nE\r\n.\r\nF\r\n' >"$T/evil.want"
for cap in CHUNKING none; do
	script "nocap $cap"
	start_smtpd -m PLAIN -s "$T/script"
	expect_drive 0 "hostile line endings (nocap $cap)" $F "$T/evil" $R
	wait_smtpd
	same_file "$SMTPD_DIR/msg.1" "$T/evil.want" "only CRLF, nothing ends the data early (nocap $cap)"
	check "one message only (nocap $cap)" test ! -e "$SMTPD_DIR/msg.2"
done

# SIZE: refused before upload
script 'cap SIZE 100' 'cap PIPELINING'
start_smtpd -m PLAIN -s "$T/script"
expect_drive 69 "larger than SIZE: 69" $F "$T/big" $R
wait_smtpd
grep_err 'larger than' "says the message is too large"
check "refused before MAIL" sh -c "! grep -q '^MAIL' '$SMTPD_LOG'"
start_smtpd -m PLAIN
expect_drive 0 "SIZE declared" $F "$T/msg" $R
wait_smtpd
check "MAIL carries SIZE=" grep -q '^MAIL FROM:<a@example.org> SIZE=[0-9]' "$SMTPD_LOG"

# 8-bit body
printf 'Subject: 8\n\ncaf\303\251\n' >"$T/8bit"
sed 's/$/\r/' "$T/8bit" >"$T/8bit.want"
start_smtpd -m PLAIN
expect_drive 0 "8-bit body" $F "$T/8bit" $R
wait_smtpd
check "BODY=8BITMIME declared" grep -q 'BODY=8BITMIME' "$SMTPD_LOG"
same_file "$SMTPD_DIR/msg.1" "$T/8bit.want" "8-bit body byte-exact"
script 'cap PIPELINING' 'cap SIZE 100000'
start_smtpd -m PLAIN -s "$T/script"
expect_drive 0 "8-bit body, no 8BITMIME: sent as it is" $F "$T/8bit" $R
wait_smtpd
check "no BODY= without 8BITMIME" sh -c "! grep -q 'BODY=' '$SMTPD_LOG'"
start_smtpd -m PLAIN
expect_drive 0 "7-bit body" $F "$T/msg" $R
wait_smtpd
check "no BODY= for 7-bit" sh -c "! grep -q 'BODY=' '$SMTPD_LOG'"

# DSN and SMTPUTF8
start_smtpd -m PLAIN
expect_drive 0 "DSN parameters" SMTP_DSN_NOTIFY=SUCCESS,FAILURE SMTP_DSN_RET=HDRS SMTP_DSN_ENVID=id+1 $F "$T/msg" $R
wait_smtpd
check "MAIL has RET and xtext ENVID" grep -q '^MAIL FROM:<a@example.org> SIZE=[0-9]* RET=HDRS ENVID=id+2B1$' "$SMTPD_LOG"
check "RCPT has NOTIFY" grep -q '^RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE$' "$SMTPD_LOG"
script 'cap PIPELINING'
start_smtpd -m PLAIN -s "$T/script"
expect_drive 0 "DSN not offered: parameters left out" SMTP_DSN_NOTIFY=NEVER $F "$T/msg" $R
wait_smtpd
check "no NOTIFY without DSN" sh -c "! grep -q NOTIFY '$SMTPD_LOG'"
start_smtpd -m PLAIN
expect_drive 0 "SMTPUTF8" SMTP_UTF8=1 $F "$T/msg" "j\303\274rgen@example.org"
wait_smtpd
check "MAIL has SMTPUTF8" grep -q 'SMTPUTF8' "$SMTPD_LOG"
start_smtpd -m PLAIN -s "$T/script"
expect_drive 69 "SMTPUTF8 needed, not offered: 69" SMTP_UTF8=1 $F "$T/msg" "j\303\274rgen@example.org"
wait_smtpd
check "no MAIL without SMTPUTF8" sh -c "! grep -q '^MAIL' '$SMTPD_LOG'"

# some recipients refused
script 'at RCPT#2 reply 550 5.1.1 no such user'
start_smtpd -m PLAIN -s "$T/script"
expect_drive 67 "one of three refused: 67" $F "$T/msg" $R x@example.org c@example.org
wait_smtpd
grep_err 'x@example.org.*550 5.1.1 no such user' "the refused recipient is named with the reply"
grep_out 'rcpt b@example.org accepted' "first accepted"
grep_out 'rcpt x@example.org permfail 550' "second refused"
grep '^RCPT' "$SMTPD_DIR/msg.1.env" >"$T/env.got"
printf 'RCPT TO:<b@example.org>\nRCPT TO:<c@example.org>\n' >"$T/env.want"
same_file "$T/env.got" "$T/env.want" "delivered to the accepted ones"
script 'rcpt-limit 1'
start_smtpd -m PLAIN -s "$T/script"
expect_drive 75 "452 too many recipients: owed (75 from the driver)" $F "$T/msg" $R c@example.org
wait_smtpd
grep_out 'rcpt b@example.org accepted' "452: first delivered"
grep_out 'rcpt c@example.org tempfail 452' "452: second owed"
script 'rcpt-limit 1'
start_smtpd -m PLAIN -s "$T/script"
expect_drive 0 "owed recipient in a second transaction" -n 2 $F "$T/msg" $R c@example.org
wait_smtpd
check "second message went to the owed recipient" grep -q '^RCPT TO:<c@example.org>' "$SMTPD_DIR/msg.2.env"

# HELO fallback
script 'at EHLO reply 502 5.5.1 not implemented'
start_smtpd -t none -s "$T/script"
expect_drive 0 "EHLO refused: HELO, delivered (tls=off, no auth)" SMTP_TLS=off SMTP_USER= $F "$T/msg" $R
wait_smtpd
check "HELO sent" grep -q '^HELO client.test$' "$SMTPD_LOG"
start_smtpd -s "$T/script"
expect_drive 69 "EHLO refused with tls=starttls: HELO has no STARTTLS, 69" $F "$T/msg" $R
wait_smtpd
finish
