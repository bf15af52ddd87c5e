#!/bin/sh
# SPDX-License-Identifier: MIT
# postie -a end to end: through the SMTP session to the test server over
# STARTTLS + AUTH; what arrives passes the strict MIME checker and every
# attachment decodes byte-exact.  Needs the SMTP session (branch smtp):
# add to TESTS in tests:mime once it has landed.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
CHECK=$TEST_BUILDDIR/mimecheck

cat >"$T/msg" <<'MSG'
From: Ann <ann@example.org>
To: bob@example.org
Cc: carol@example.org
Bcc: dave@example.org
Subject: nightly report

Résumé attached.
.
From the cron job
MSG
head -c 3000000 /dev/urandom >"$T/data.bin"
: >"$T/empty"
printf 'a,b\n1,2' >"$T/table.csv"

start_smtpd
smtpd_config
expect_exit 0 "-t with three attachments: sent" "$POSTIE" -t -i \
    -a "$T/data.bin" --attach-name 'été 2026; "final".bin' -a "$T/empty" \
    --attach "$T/table.csv" <"$T/msg"
wait_smtpd
mkdir -p "$T/d"
run "$CHECK" -d "$T/d" <"$SMTPD_DIR/msg.1"
check "what arrived passes the strict MIME checker" test "$rc" -eq 0
cp "$T/out" "$T/parts"
same_file "$T/data.bin" "$T/d/data.bin" "3 MB binary byte-exact"
same_file "$T/empty" "$T/d/été 2026; \"final\".bin" "empty file, awkward name"
same_file "$T/table.csv" "$T/d/table.csv" "text without final newline"
check "the body is quoted-printable UTF-8 (no 8BITMIME assumed)" \
    grep -q '^part 1 type=text/plain cte=quoted-printable .*charset=utf-8' \
    "$T/parts"
printf 'R\303\251sum\303\251 attached.\r\n.\r\nFrom the cron job\r\n' \
    >"$T/want"
same_file "$T/want" "$T/d/part-1" "the body decodes to what was piped in"
check "Bcc recipient in the envelope" \
    grep -q '^RCPT TO:<dave@example.org>' "$SMTPD_DIR/msg.1.env"
check "no Bcc in the message" sh -c "! grep -qi '^bcc:' '$SMTPD_DIR/msg.1'"
size=$(wc -c <"$SMTPD_DIR/msg.1")
check "SIZE= announced the exact size ($size)" \
    grep -q "^MAIL FROM:<[^>]*> .*SIZE=$size\\b" "$SMTPD_DIR/msg.1.env"

# over the relay's SIZE limit: refused before any byte of it is sent
printf 'cap SIZE 100000\ncap 8BITMIME\ncap PIPELINING\n' >"$T/script"
start_smtpd -s "$T/script"
smtpd_config
run "$POSTIE" -t -i -a "$T/data.bin" <"$T/msg"
wait_smtpd
check "over SIZE: not 0 (got $rc)" test "$rc" -ne 0
check "over SIZE: no data sent" \
    sh -c "! ls '$SMTPD_DIR' | grep -q -e '^msg\\.' -e '^refused\\.'"
finish
