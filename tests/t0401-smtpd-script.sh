#!/bin/sh
# SPDX-License-Identifier: MIT
# The test server's script actions, BDAT, OAuth, client certificates and
# pipelining checks, seen through gnutls-cli and msmtp.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"

CA=$TEST_SRCDIR/certs/ca.pem
PLAIN_IR=AGFsaWNlAHNlY3JldA==	# alice / secret

# session BYTES [gnutls-cli options...]: STARTTLS with gnutls-cli, then
# BYTES (printf format) all at once; the server's reply lines in $T/out.
session() {
	bytes=$1
	shift
	# shellcheck disable=SC2059
	printf "$bytes" | timeout 20 gnutls-cli --starttls-proto=smtp \
		--x509cafile="$CA" --port="$SMTPD_PORT" "$@" localhost \
		>"$T/raw" 2>"$T/err"
	grep -a '^[0-9]' "$T/raw" >"$T/out"
}

# plain BYTES [UNTIL]: the same without TLS.  gnutls-cli --starttls
# stays in plaintext until its input ends, so the input is held open
# (bounded) until a reply line matches UNTIL (default: 221 or 421).
plain() {
	until=${2:-^[24]21 }
	rm -f "$T/fifo" "$T/raw"
	mkfifo "$T/fifo"
	timeout 20 gnutls-cli --starttls --port="$SMTPD_PORT" --insecure \
		localhost <"$T/fifo" >"$T/raw" 2>"$T/err" &
	p=$!
	exec 3>"$T/fifo"
	# shellcheck disable=SC2059
	printf "$1" >&3
	i=0
	while ! grep -q -a -e "$until" "$T/raw" 2>/dev/null &&
	    [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	exec 3>&-
	wait $p
	grep -a '^[0-9]' "$T/raw" >"$T/out"
}

msmtp_send() {
	timeout 20 msmtp --host=localhost --port="$SMTPD_PORT" \
		--tls=on --tls-starttls=on --tls-trust-file="$CA" \
		--from=a@example.org "$@" >"$T/out" 2>"$T/err"
}
printf 'From: a@example.org\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <1@x>\n\nhi\n' >"$T/msg"

# --- BDAT: chunks concatenated, no dot handling
start_smtpd
session "EHLO x\r\nAUTH PLAIN $PLAIN_IR\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 7\r\nhello\r\nBDAT 5 LAST\r\n.abc\nQUIT\r\n"
grep_out '^250 2.0.0 Ok: 7 octets received' "BDAT chunk acknowledged"
grep_out '^250 2.0.0 Ok: 12 bytes queued' "BDAT LAST queues 12 bytes"
wait_smtpd
printf 'hello\r\n.abc\n' >"$T/want"
same_file "$SMTPD_DIR/msg.1" "$T/want" "BDAT chunks stored concatenated"
check "pipelined EHLO noted" grep -q '^! pipelining-violation EHLO$' "$SMTPD_LOG"
check "pipelined MAIL/RCPT/BDAT not noted" sh -c "! grep -q 'violation [MRB]' '$SMTPD_LOG'"

# --- DATA: only CRLF.CRLF ends it; one dot removed at each line start
start_smtpd
session "EHLO x\r\nAUTH PLAIN $PLAIN_IR\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\nA\n.\nB\r\n..C\r\n.\rX\r\n\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<b@x>\r\nDATA\r\n.\r\nQUIT\r\n"
wait_smtpd
printf 'A\n.\nB\r\n.C\r\n\rX\r\n\r\n' >"$T/want"
same_file "$SMTPD_DIR/msg.1" "$T/want" "DATA un-stuffing is exact (bare LF is no line end)"
check "an empty message is stored empty" test -e "$SMTPD_DIR/msg.2" -a ! -s "$SMTPD_DIR/msg.2"
check "null sender in the envelope" grep -q '^MAIL FROM:<>$' "$SMTPD_DIR/msg.2.env"
check "body pipelined after DATA noted" grep -q '^! pipelining-violation DATA$' "$SMTPD_LOG"

# --- PIPELINING not offered: noted, or refused
printf 'nocap PIPELINING\n' >"$T/s"
start_smtpd -s "$T/s"
session "EHLO x\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nQUIT\r\n"
wait_smtpd
check "unoffered pipelining noted" grep -q '^! pipelining-violation MAIL$' "$SMTPD_LOG"
printf 'nocap PIPELINING\npipelining reject\n' >"$T/s"
start_smtpd -s "$T/s"
session "EHLO x\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nQUIT\r\n"
grep_out '^554 .*improper use of SMTP command pipelining' \
	"pipelining reject answers 554"
wait_smtpd

# --- STARTTLS command injection: bytes after STARTTLS are discarded
start_smtpd -t starttls
plain "EHLO x\r\nSTARTTLS\r\nRSET\r\n" '^220 2.0.0'
wait_smtpd
check "and discarded" grep -q '^! discarded 6 bytes after STARTTLS$' "$SMTPD_LOG"
check "never run as a command" sh -c "! grep -q '^RSET' '$SMTPD_LOG'"
check "bytes after STARTTLS noted" grep -q '^! pipelining-violation STARTTLS$' "$SMTPD_LOG"

# --- capabilities
printf 'cap SIZE 1000\ncap 8BITMIME\nnocap AUTH\n' >"$T/s"
start_smtpd -s "$T/s"
session "EHLO x\r\nMAIL FROM:<a@x> SIZE=2000\r\nQUIT\r\n"
grep_out '^250-SIZE 1000' "cap replaces the default list"
nogrep_out 'PIPELINING' "default capabilities gone"
nogrep_out 'AUTH' "nocap AUTH"
grep_out '^552 ' "SIZE= above the limit: 552 (no enhanced codes unadvertised)"
nogrep_out '^552 5' "no enhanced code when ENHANCEDSTATUSCODES is not offered"
wait_smtpd

start_smtpd -t none
plain "EHLO x\r\nQUIT\r\n"
grep_out '^250 AUTH .*PLAIN' "-t none offers AUTH in the clear"
nogrep_out 'STARTTLS' "-t none offers no STARTTLS"
nogrep_out 'PLUS' "no -PLUS without TLS"
wait_smtpd

printf 'require-auth\n' >"$T/s"
start_smtpd -s "$T/s"
session "EHLO x\r\nMAIL FROM:<a@x>\r\nQUIT\r\n"
grep_out '^530 5.7.0 Authentication required' "require-auth"
wait_smtpd

# --- strict syntax
start_smtpd
session "EHLO\r\nEHLO x\r\nAUTH PLAIN $PLAIN_IR\r\nMAIL FROM: a@x\r\nMAIL FROM:<a@x>junk\r\nMAIL FROM:<a@x> BODY=8BITMIME\r\nRCPT TO:b@x\r\nQUIT\r\n"
grep_out '^501 Syntax: EHLO hostname' "EHLO without a name: 501 (no enhanced code before EHLO)"
grep_out '^501 5.1.7' "MAIL without <path>: 501"
check "only the well-formed MAIL accepted" test "$(grep -c '^250 2.1.0' "$T/out")" = 1
grep_out '^501 5.1.3' "RCPT without <path>: 501"
wait_smtpd

# --- reply faults
printf 'at EHLO oversized 102400\n' >"$T/s"
start_smtpd -s "$T/s"
session "EHLO x\r\nQUIT\r\n"
check "oversized: one 102400-byte line" sh -c \
	"grep -a '^250 xxx' '$T/raw' | tr -d '\r' | awk '{ exit length(\$0) != 102398 }'"
wait_smtpd

printf 'at EHLO many-lines 3 250\n' >"$T/s"
start_smtpd -s "$T/s"
session "EHLO x\r\nQUIT\r\n"
printf '250-line 1\r\n250-line 2\r\n250 line 3\r\n221 2.0.0 Bye\r\n' >"$T/want"
same_file "$T/out" "$T/want" "many-lines 3"
wait_smtpd

printf 'at MAIL reply 250-a\\r\\n550 b\nat RCPT reply-raw "2x0 odd\\r\\n"\nat NOOP inject "250 extra\\r\\n"\n' >"$T/s"
start_smtpd -s "$T/s"
session "EHLO x\r\nAUTH PLAIN $PLAIN_IR\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nNOOP\r\nQUIT\r\n"
grep_out '^250-a' "reply with escapes: first line"
grep_out '^550 b' "reply with escapes: changed code"
grep_out '^2x0 odd' "reply-raw"
grep_out '^250 extra' "inject after a reply"
wait_smtpd

smtpd_script <<'EOF'
# the second RCPT of the run is refused, every other one forwarded
at RCPT#2 reply 550 5.1.1 no such user
at RCPT reply 251 2.1.5 forwarded
EOF
start_smtpd -s "$SMTPD_SCRIPT"
session "EHLO x\r\nAUTH PLAIN $PLAIN_IR\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nRCPT TO:<c@x>\r\nRCPT TO:<d@x>\r\nQUIT\r\n"
printf '251 2.1.5 forwarded\n550 5.1.1 no such user\n251 2.1.5 forwarded\n' >"$T/want"
grep -a -e '^251' -e '^550' "$T/out" | tr -d '\r' >"$T/got"
same_file "$T/got" "$T/want" "per-occurrence rule wins over the general one"
wait_smtpd

printf 'at MAIL reply 421 4.3.2 shutting down\n' >"$T/s"
start_smtpd -s "$T/s"
session "EHLO x\r\nAUTH PLAIN $PLAIN_IR\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\n"
grep_out '^421 4.3.2' "421 sent"
nogrep_out '^503' "and the connection closed after it"
wait_smtpd

printf 'trickle 20\n' >"$T/s"
start_smtpd -s "$T/s" -t none
t0=$(date +%s%N)
plain "QUIT\r\n"
t1=$(date +%s%N)
grep_out '^220 localhost' "trickled greeting arrives whole"
check "trickle takes its time" test $(((t1 - t0) / 1000000)) -ge 700
wait_smtpd

printf 'at EHLO endless-reply\n' >"$T/s"
start_smtpd -s "$T/s"
session "EHLO x\r\n"
wait_smtpd 15
check "endless reply: the server ends when the client leaves" test "$smtpd_rc" = 0

# --- drop / stall on every phase (the client sees the end)
for ph in GREETING EHLO MAIL RCPT DATA QUIT; do
	printf 'at %s drop\n' "$ph" >"$T/s"
	start_smtpd -s "$T/s"
	session "EHLO x\r\nAUTH PLAIN $PLAIN_IR\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n"
	wait_smtpd
	check "drop at $ph ends the session" test "$smtpd_rc" = 0
done

# --- OAuth by hand; the failure exchange
for m in xoauth2 oauthbearer; do
	start_smtpd
	msmtp_send --auth=$m --user=alice --passwordeval='echo secret' x@example.org <"$T/msg"
	check "$m token accepted" test "$?" = 0
	wait_smtpd
	start_smtpd
	msmtp_send --auth=$m --user=alice --passwordeval='echo wrong' x@example.org <"$T/msg"
	check "$m bad token refused" test "$?" != 0
	grep_err '535 5.7.8' "$m failure ends in 535"
	wait_smtpd
	check "$m failure noted" grep -qi "^! auth-fail $m token" "$SMTPD_LOG"
done

# --- client certificates
start_smtpd -V "$CA"
session "QUIT\r\n" --x509certfile="$TEST_SRCDIR/certs/client.pem" \
	--x509keyfile="$TEST_SRCDIR/certs/client.key"
wait_smtpd
check "client certificate verified" grep -q '^! client-cert verified .*CN=alice' "$SMTPD_LOG"
start_smtpd -V "$CA"
session "QUIT\r\n"
wait_smtpd
check "no client certificate noted" grep -q '^! client-cert none$' "$SMTPD_LOG"

# --- several connections; occurrences count across them
printf 'at GREETING#1 reply 421 4.3.2 busy\n' >"$T/s"
start_smtpd -n 2 -t none -s "$T/s"
plain "QUIT\r\n"
grep_out '^421 4.3.2 busy' "first connection: 421"
plain "QUIT\r\n"
grep_out '^220 ' "second connection: normal greeting"
wait_smtpd
check "two connections served, exit 0" test "$smtpd_rc" = 0

# --- the self-kill timeout
start_smtpd -T 1
wait_smtpd 5
check "-T ends an idle server with 3" test "$smtpd_rc" = 3
check "timeout noted" grep -q '^! timeout$' "$SMTPD_LOG"

finish
