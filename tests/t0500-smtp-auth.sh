#!/bin/sh
# SPDX-License-Identifier: MIT
# The SMTP session against the scripted server: TLS modes and every
# AUTH mechanism, verified for real on the server side.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
. "$TEST_SRCDIR/lib-driver.sh"
mk_msg
F=a@example.org
R=b@example.org

# happy path: STARTTLS + PLAIN, byte-exact, transcript order
start_smtpd -m PLAIN
expect_drive 0 "STARTTLS + PLAIN delivers" $F "$T/msg" $R
wait_smtpd
same_file "$SMTPD_DIR/msg.1" "$T/want" "message arrives byte-exact"
smtpd_commands | awk '{ printf "%s ", $1 }' >"$T/cmds"
echo 'EHLO STARTTLS EHLO AUTH MAIL RCPT BDAT QUIT ' >"$T/cmds.want"
echo >>"$T/cmds"
same_file "$T/cmds" "$T/cmds.want" "commands in order, AUTH only after TLS"
check "PLAIN with an initial response" grep -q '^AUTH PLAIN [A-Za-z0-9+/=]' "$SMTPD_LOG"
check "authenticated" grep -q '^! auth-ok alice PLAIN$' "$SMTPD_LOG"
check "no pipelining violation" sh -c "! grep -q pipelining-violation '$SMTPD_LOG'"
grep_out 'mech=PLAIN' "info names the mechanism"
grep_out 'tls=TLS1.3' "info names the TLS version"

# implicit TLS
start_smtpd -i -m PLAIN
expect_drive 0 "implicit TLS delivers" SMTP_TLS=implicit $F "$T/msg" $R
wait_smtpd
same_file "$SMTPD_DIR/msg.1" "$T/want" "implicit TLS: byte-exact"
check "implicit TLS: no STARTTLS sent" sh -c "! grep -q '^STARTTLS' '$SMTPD_LOG'"
w=$(smtpd_waits)
# server counts the 2 handshake flights: greeting EHLO AUTH group = 4 + 2
check "implicit TLS + PLAIN + CHUNKING: 6 server-counted waits (got $w)" test "$w" -le 6

# postie's order: SCRAM-SHA-256-PLUS when everything is offered
start_smtpd
expect_drive 0 "default order picks SCRAM-SHA-256-PLUS" $F "$T/msg" $R
wait_smtpd
check "SCRAM-SHA-256-PLUS (tls-exporter) verified" grep -q '^! auth-ok alice SCRAM-SHA-256-PLUS$' "$SMTPD_LOG"

start_smtpd -P NORMAL:-VERS-TLS1.3
expect_drive 0 "SCRAM-SHA-256-PLUS over TLS 1.2" $F "$T/msg" $R
wait_smtpd
check "TLS 1.2 + tls-unique verified" grep -q '^! auth-ok alice SCRAM-SHA-256-PLUS$' "$SMTPD_LOG"

start_smtpd -m "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN LOGIN"
expect_drive 0 "SCRAM-SHA-256 without -PLUS" $F "$T/msg" $R
wait_smtpd
check "SCRAM-SHA-256 verified" grep -q '^! auth-ok alice SCRAM-SHA-256$' "$SMTPD_LOG"

start_smtpd -m "SCRAM-SHA-1 LOGIN"
expect_drive 0 "SCRAM-SHA-1" $F "$T/msg" $R
wait_smtpd
check "SCRAM-SHA-1 verified" grep -q '^! auth-ok alice SCRAM-SHA-1$' "$SMTPD_LOG"

start_smtpd -m LOGIN
expect_drive 0 "LOGIN" -v $F "$T/msg" $R
wait_smtpd
check "LOGIN verified" grep -q '^! auth-ok alice LOGIN$' "$SMTPD_LOG"
check "LOGIN: bare AUTH LOGIN" grep -q '^AUTH LOGIN$' "$SMTPD_LOG"
grep_err '^<<< AUTH LOGIN$' "-v shows the command"
nogrep_err 'c2VjcmV0' "-v never shows the password (base64)"
nogrep_err 'secret' "-v never shows the password"

start_smtpd -m "CRAM-MD5 PLAIN"
expect_drive 0 "CRAM-MD5 only when named" SMTP_MECHS=CRAM-MD5 $F "$T/msg" $R
wait_smtpd
check "CRAM-MD5 verified" grep -q '^! auth-ok alice CRAM-MD5$' "$SMTPD_LOG"

start_smtpd -m "CRAM-MD5"
expect_drive 69 "CRAM-MD5 alone, not named: no mechanism (69)" $F "$T/msg" $R
wait_smtpd
grep_err 'no usable authentication mechanism' "says no mechanism fits"

# OAuth, by hand
start_smtpd -u alice:tok123
expect_drive 0 "XOAUTH2" SMTP_MECHS=XOAUTH2 SMTP_PASSWORD=tok123 $F "$T/msg" $R
wait_smtpd
check "XOAUTH2 verified" grep -q '^! auth-ok alice XOAUTH2$' "$SMTPD_LOG"
start_smtpd -u alice:tok123
expect_drive 0 "OAUTHBEARER" SMTP_MECHS=OAUTHBEARER SMTP_PASSWORD=tok123 $F "$T/msg" $R
wait_smtpd
check "OAUTHBEARER verified" grep -q '^! auth-ok alice OAUTHBEARER$' "$SMTPD_LOG"
start_smtpd -u alice:tok123
expect_drive 77 "OAUTHBEARER bad token: 77" SMTP_MECHS=OAUTHBEARER SMTP_PASSWORD=bad $F "$T/msg" $R
wait_smtpd
check "OAUTHBEARER failure answered with AQ==" grep -q '^AQ==$' "$SMTPD_LOG"
start_smtpd -u alice:tok123
expect_drive 77 "XOAUTH2 bad token: 77" SMTP_MECHS=XOAUTH2 SMTP_PASSWORD=bad $F "$T/msg" $R
wait_smtpd

# wrong password
start_smtpd -m PLAIN
expect_drive 77 "535 5.7.8: 77" SMTP_PASSWORD=wrong $F "$T/msg" $R
wait_smtpd
grep_err 'AUTH PLAIN refused by relay: 535 5.7.8' "names the phase and the reply"
start_smtpd -m SCRAM-SHA-256
expect_drive 77 "SCRAM wrong password: 77" SMTP_PASSWORD=wrong $F "$T/msg" $R
wait_smtpd

# password_command: no shell, exit status checked, time limit
start_smtpd -m PLAIN
expect_drive 0 "password_command" SMTP_PASSWORD= "SMTP_PASSWORD_COMMAND=printf 'secret\\n'" $F "$T/msg" $R
wait_smtpd
check "password_command: authenticated" grep -q '^! auth-ok alice PLAIN$' "$SMTPD_LOG"
start_smtpd -m PLAIN
expect_drive 75 "password_command failing: 75" SMTP_PASSWORD= "SMTP_PASSWORD_COMMAND=sh -c 'echo secret; exit 3'" $F "$T/msg" $R
wait_smtpd
grep_err 'failed (exit 3)' "exit status reported"
check "no AUTH after a failing password_command" sh -c "! grep -q '^AUTH' '$SMTPD_LOG'"
start_smtpd -m PLAIN
expect_drive 75 "password_command hanging: 75" SMTP_PASSWORD= SMTP_TIMEOUT=2 "SMTP_PASSWORD_COMMAND=sleep 30" $F "$T/msg" $R
wait_smtpd
check "password_command killed within its limit (${elapsed}s)" test "$elapsed" -le 5
start_smtpd -m PLAIN
expect_drive 77 "password_command runs without a shell" SMTP_PASSWORD= "SMTP_PASSWORD_COMMAND=printf %s secret;touch $T/x" $F "$T/msg" $R
wait_smtpd
check "';' reached printf as text (no file created)" test ! -e "$T/x"
check "the password was 'secret;touch ...'" grep -q '^! auth-fail PLAIN' "$SMTPD_LOG"

# TLS is required for credentials
echo 'nocap STARTTLS' >"$T/nostarttls"
start_smtpd -m PLAIN -s "$T/nostarttls"
expect_drive 69 "no STARTTLS offered + auth: 69" $F "$T/msg" $R
wait_smtpd
check "no AUTH line sent in the clear" sh -c "! grep -q '^AUTH' '$SMTPD_LOG'"
check "no MAIL sent" sh -c "! grep -q '^MAIL' '$SMTPD_LOG'"
start_smtpd -m none
expect_drive 69 "no AUTH offered: 69" $F "$T/msg" $R
wait_smtpd
start_smtpd -t none
expect_drive 78 "tls=off with auth: 78, nothing sent" SMTP_TLS=off $F "$T/msg" $R
stop_smtpd
check "tls=off + auth: no connection used" sh -c "! grep -q '^EHLO' '$SMTPD_LOG' 2>/dev/null"
start_smtpd -t none
expect_drive 0 "tls=off without auth delivers" SMTP_TLS=off SMTP_USER= $F "$T/msg" $R
wait_smtpd
finish
