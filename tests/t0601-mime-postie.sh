#!/bin/sh
# SPDX-License-Identifier: MIT
# postie -a: an attachment that cannot be sent stops postie before it
# connects, with one line naming the file and exit 66 (EX_NOINPUT).
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"

printf 'Subject: report\n\nsee attached\n' >"$T/msg"
printf 'data\n' >"$T/ok.txt"
mkfifo "$T/fifo"

start_smtpd
smtpd_config
expect_exit 66 "missing attachment: 66" "$POSTIE" -i -a "$T/ok.txt" \
    -a "$T/missing.pdf" bob@example.org <"$T/msg"
grep_err "missing.pdf" "the missing file is named"
check "one line on stderr" test "$(wc -l <"$T/err")" -eq 1
expect_exit 66 "a directory: 66" "$POSTIE" -i -a "$T" bob@example.org \
    <"$T/msg"
grep_err "directory" "says it is a directory"
expect_exit 66 "a FIFO: 66, no hang" "$POSTIE" -i --attach "$T/fifo" \
    bob@example.org <"$T/msg"
expect_exit 64 "a malformed --attach-type: 64" "$POSTIE" -i \
    --attach-type 'no-slash' -a "$T/ok.txt" bob@example.org <"$T/msg"
stop_smtpd
check "nothing reached the relay" sh -c "! grep -q '^EHLO' '$SMTPD_LOG' 2>/dev/null"
check "no message stored" test ! -e "$SMTPD_DIR/msg.1"
finish
