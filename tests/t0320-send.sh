#!/bin/sh
# SPDX-License-Identifier: MIT
# End to end through main(): options, config, intake, SMTP session, exit
# code, against the scripted test server.  Needs branches intake and smtp;
# add to TESTS in tests:foundation once both have landed (it passes on
# cli + intake + smtp).
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"

msg() {
	printf 'From: ann@example.org\nTo: bob@example.org\n'
	printf 'Subject: hello\n\nline one\n.dot line\n'
}

# Every recipient accepted: 0, the message arrives.
start_smtpd
smtpd_config "log=\"$T/post.log\""
msg >"$T/in"
expect_exit 0 "two recipients accepted: 0" "$POSTIE" -i -f ann@example.org \
    bob@example.org carol@example.org <"$T/in"
wait_smtpd
check "the relay stored the message" test -s "$SMTPD_DIR/msg.1"
check "MAIL FROM is the -f address" \
    grep -q '^MAIL FROM:<ann@example.org>' "$SMTPD_DIR/msg.1.env"
check "both recipients in the envelope" \
    test "$(grep -c '^RCPT TO:' "$SMTPD_DIR/msg.1.env")" -eq 2
check "the dot line arrived intact" grep -q '^\.dot line' "$SMTPD_DIR/msg.1"
check "one log line: 2 accepted, over TLS" \
    grep -q 'from=<ann@example.org> nrcpt=2 accepted=2 .* tls=' "$T/post.log"

# One recipient refused for good, the other accepted: 67, and named.
printf 'at RCPT#2 reply 550 5.1.1 no such user\n' >"$T/script"
start_smtpd -s "$T/script"
smtpd_config
expect_exit 67 "one recipient refused permanently: 67" "$POSTIE" -i \
    -f ann@example.org bob@example.org nobody@example.org <"$T/in"
wait_smtpd
grep_err '<nobody@example.org>: refused: 550 5.1.1' \
    "the refused recipient is named with the reply"
nogrep_err 'bob@example.org' "the accepted one is not"
check "the other recipient got it" test -s "$SMTPD_DIR/msg.1"

# Every recipient refused: not 0, not 67.
printf 'at RCPT reply 550 5.1.1 no such user\n' >"$T/script"
start_smtpd -s "$T/script"
smtpd_config
run "$POSTIE" -i -f ann@example.org nobody@example.org <"$T/in"
wait_smtpd
check "all recipients refused: not 0 (got $rc)" test "$rc" -ne 0
grep_err 'nobody@example.org' "all refused: the recipient is named"

# One recipient refused for now: owed, queued: 0 (t0750 has the rest).
printf 'at RCPT#2 reply 450 4.2.1 try later\n' >"$T/script"
start_smtpd -s "$T/script"
smtpd_config
expect_exit 0 "one recipient refused for now: queued, 0" \
    "$POSTIE" -v -i bob@example.org later@example.org <"$T/in"
grep_err 'queued as' "one recipient refused for now: says queued"
wait_smtpd

# Authentication refused: 77.
printf 'at AUTH reply 535 5.7.8 bad credentials\n' >"$T/script"
start_smtpd -s "$T/script"
smtpd_config
expect_exit 77 "authentication refused: 77" "$POSTIE" -i bob@example.org \
    <"$T/in"
wait_smtpd
finish
