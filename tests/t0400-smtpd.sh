#!/bin/sh
# SPDX-License-Identifier: MIT
# The scripted test server, proven with independent clients (gsasl,
# gnutls-cli, msmtp) before postie's own tests rely on it.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"

CA=$TEST_SRCDIR/certs/ca.pem

# sasl MECH PASSWORD [gsasl options...]: one AUTH through gsasl's client.
sasl() {
	m=$1 pw=$2
	shift 2
	timeout 20 gsasl --smtp --connect="127.0.0.1:$SMTPD_PORT" -m "$m" \
		-a alice -p "$pw" --starttls --x509-ca-file="$CA" "$@" \
		</dev/null >"$T/out" 2>"$T/err"
}

# msmtp_send [msmtp options...] < message
msmtp_send() {
	timeout 20 msmtp --host=127.0.0.1 --port="$SMTPD_PORT" \
		--tls=on --tls-starttls=on --tls-trust-file="$CA" \
		--auth=on --user=alice --passwordeval='echo secret' \
		--from=a@example.org "$@" >"$T/out" 2>"$T/err"
}

# --- AUTH: every mechanism verified by libgsasl, and a wrong password
for m in PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256; do
	start_smtpd
	sasl "$m" secret --no-cb
	check "STARTTLS + AUTH $m accepted" test "$?" = 0
	wait_smtpd
	check "transcript: $m authenticated" grep -q "^! auth-ok alice $m\$" "$SMTPD_LOG"
done
for m in SCRAM-SHA-1-PLUS SCRAM-SHA-256-PLUS; do
	start_smtpd
	sasl "$m" secret
	check "$m with tls-exporter (TLS 1.3)" test "$?" = 0
	wait_smtpd
	check "transcript: TLS 1.3, $m" grep -q "^! auth-ok alice $m\$" "$SMTPD_LOG"
done
start_smtpd -P NORMAL:-VERS-TLS1.3
sasl SCRAM-SHA-256-PLUS secret
check "SCRAM-SHA-256-PLUS with tls-unique (TLS 1.2)" test "$?" = 0
wait_smtpd
check "transcript: TLS 1.2 negotiated" grep -q '^! tls TLS1.2$' "$SMTPD_LOG"

start_smtpd
sasl PLAIN wrong
check "wrong password refused" test "$?" != 0
grep_out '^535 5.7.8' "wrong password gets 535 5.7.8"
wait_smtpd
check "transcript: auth-fail" grep -q '^! auth-fail PLAIN' "$SMTPD_LOG"

start_smtpd
sasl SCRAM-SHA-256 wrong --no-cb
check "SCRAM with a wrong password refused" test "$?" != 0
wait_smtpd

start_smtpd -m PLAIN
sasl CRAM-MD5 secret
check "unadvertised mechanism refused" test "$?" != 0
wait_smtpd

# --- a whole message through msmtp: envelope, dot-stuffing, transcript
hdr='From: a@example.org\nDate: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <1@example.org>\nSubject: t\n'
printf "$hdr"'\nline1\n.dot\n..two\n.\nend\n' >"$T/msg"
printf "$hdr"'\nline1\n.dot\n..two\n.\nend\n' | sed 's/$/\r/' >"$T/want"
start_smtpd
msmtp_send b@example.org c@example.org <"$T/msg"
check "msmtp delivers" test "$?" = 0
wait_smtpd
check "server exited 0" test "$smtpd_rc" = 0
same_file "$SMTPD_DIR/msg.1" "$T/want" "message bytes un-dot-stuffed exactly"
printf 'MAIL FROM:<a@example.org>\nRCPT TO:<b@example.org>\nRCPT TO:<c@example.org>\n' >"$T/env"
same_file "$SMTPD_DIR/msg.1.env" "$T/env" "envelope file"
check "transcript ends with waits" sh -c "tail -n 1 '$SMTPD_LOG' | grep -q '^waits [0-9][0-9]*\$'"
smtpd_commands | awk '{ printf "%s ", $1 }' >"$T/cmds"
echo >>"$T/cmds"
echo 'EHLO STARTTLS EHLO AUTH MAIL RCPT RCPT DATA QUIT ' >"$T/cmds.want"
same_file "$T/cmds" "$T/cmds.want" "client commands logged in order"

# --- implicit TLS and IPv6
start_smtpd -i
timeout 20 msmtp --host=127.0.0.1 --port="$SMTPD_PORT" --tls=on \
	--tls-starttls=off --tls-trust-file="$CA" --auth=on --user=alice \
	--passwordeval='echo secret' --from=a@example.org x@example.org \
	<"$T/msg" >"$T/out" 2>"$T/err"
check "implicit TLS delivers" test "$?" = 0
wait_smtpd
same_file "$SMTPD_DIR/msg.1" "$T/want" "implicit TLS message bytes"

# msmtp sends an IP literal as SNI, which GnuTLS's server refuses (RFC
# 6066 §3), so IPv6 is proven with gnutls-cli.
start_smtpd -6
printf 'QUIT\r\n' | timeout 20 gnutls-cli --starttls-proto=smtp \
	--x509cafile="$CA" --port="$SMTPD_PORT" ::1 >"$T/out" 2>"$T/err"
grep_out 'Handshake was completed' "IPv6 ::1 STARTTLS handshake"
grep_out '^221 ' "IPv6 session QUIT"
wait_smtpd

# --- faults from a script
cat >"$T/greylist" <<'EOF'
# greylist the second recipient, once
at RCPT#2 reply 451 4.7.1 greylisted
EOF
start_smtpd -s "$T/greylist"
msmtp_send b@example.org c@example.org <"$T/msg"
check "msmtp fails on a 451 recipient" test "$?" != 0
grep_err '451 4.7.1 greylisted' "the scripted 451 reached the client"
wait_smtpd
check "no message stored on failure" test ! -e "$SMTPD_DIR/msg.1"

printf 'at MAIL reply 552 5.3.4 too big\n' >"$T/s"
start_smtpd -s "$T/s"
msmtp_send b@example.org <"$T/msg"
grep_err '552 5.3.4 too big' "scripted MAIL 552"
wait_smtpd

printf 'at DATA-END drop\n' >"$T/s"
start_smtpd -s "$T/s"
msmtp_send b@example.org <"$T/msg"
check "drop after the final dot fails the client" test "$?" != 0
wait_smtpd
check "dropped message kept as refused.1" test -e "$SMTPD_DIR/refused.1"

printf 'at GREETING stall 30\n' >"$T/s"
start_smtpd -s "$T/s"
timeout 20 msmtp --timeout=1 --host=127.0.0.1 --port="$SMTPD_PORT" \
	--tls=on --tls-starttls=on --tls-trust-file="$CA" \
	--from=a@example.org b@example.org <"$T/msg" >"$T/out" 2>"$T/err"
check "stalled greeting times the client out" test "$?" != 0
wait_smtpd 5
check "stalling server ends when the client hangs up" test "$smtpd_rc" = 0

printf 'at STARTTLS inject "250 injected\\r\\n"\n' >"$T/s"
start_smtpd -s "$T/s"
msmtp_send b@example.org <"$T/msg"
check "msmtp refuses data injected after STARTTLS" test "$?" != 0
wait_smtpd

printf 'at EHLO#1 reply-raw "250-first\\r\\n550 second\\r\\n"\n' >"$T/s"
start_smtpd -s "$T/s"
msmtp_send b@example.org <"$T/msg"
check "a reply whose code changes is a failure" test "$?" != 0
wait_smtpd

printf 'rcpt-limit 1\n' >"$T/s"
start_smtpd -s "$T/s"
msmtp_send b@example.org c@example.org <"$T/msg"
grep_err '452' "rcpt-limit 1 gives 452 on the second recipient"
wait_smtpd

printf 'at bogus whatever\n' >"$T/s"
expect_exit 2 "a bad script line is refused" \
	"$SMTPD" -p "$T/port" -t none -s "$T/s"
grep_err 'cannot parse' "and named"

# --- gnutls-cli: the certificate verifies for "localhost"
start_smtpd
printf 'QUIT\r\n' | timeout 20 gnutls-cli --starttls-proto=smtp \
	--x509cafile="$CA" --port="$SMTPD_PORT" localhost >"$T/out" 2>"$T/err"
grep_out 'Handshake was completed' "gnutls-cli STARTTLS handshake with the test CA"
wait_smtpd

finish
