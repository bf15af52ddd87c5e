#!/bin/sh
# SPDX-License-Identifier: MIT
# postie --pretend -a: the MIME structure that will go out -- the top-level
# header fields as sent (MIME-Version, Content-Type with its boundary) and
# one line per part (type, charset, encoding, file name, encoded size) --
# without connecting and without reading the attachments.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
CHECK=$TEST_BUILDDIR/mimecheck

# b64size FILE: octets of FILE in base64, 76-column CRLF lines
b64size() { base64 -w 76 "$1" | sed 's/$/\r/' | wc -c; }

cat >"$T/msg" <<'MSG'
From: ann@example.org
To: bob@example.org
Subject: report
Date: Sat, 28 Nov 2026 10:00:00 +0000
Message-ID: <pretend-1@example.org>

Grüße
MSG
head -c 200000 /dev/urandom >"$T/report.pdf"
printf 'a,b\n1,2\n' >"$T/table.csv"

printf 'nocap 8BITMIME\n' >"$T/script-lines"
smtpd_script <"$T/script-lines"
start_smtpd -s "$SMTPD_SCRIPT"
smtpd_config
expect_exit 0 "pretend with two attachments: 0" "$POSTIE" --pretend -t -i \
    -a "$T/report.pdf" -a "$T/table.csv" <"$T/msg"
cp "$T/out" "$T/pretend"
grep_out '^MIME-Version: 1\.0$' "top level: MIME-Version"
grep_out '^Content-Type: multipart/mixed;$' "top level: multipart/mixed"
grep_out '^ boundary="=_postie_[A-Za-z0-9]*"$' "top level: the boundary"
grep_out '^Subject: report$' "the message's own fields stay"
grep_out '^part 1: the message body, text/plain; charset=utf-8, quoted-printable (8bit when the relay offers 8BITMIME), [0-9][0-9]* octets$' \
    "part 1: the body, charset, encoding, the 8BITMIME note"
grep_out "^part 2: application/pdf, base64, file \"report.pdf\", $(b64size "$T/report.pdf") octets (200000 in the file)\$" \
    "part 2: type, encoding, name, exact encoded size"
grep_out "^part 3: text/csv; charset=us-ascii, base64, file \"table.csv\", $(b64size "$T/table.csv") octets (8 in the file)\$" \
    "part 3: a text attachment with its charset"
nogrep_out '^part 4' "three parts"
check "nothing reached the relay" sh -c "! grep -q '^EHLO' '$SMTPD_LOG' 2>/dev/null"

# the same message sent to this relay (no 8BITMIME): the size shown is
# the size that arrives, which is what SIZE= declared
expect_exit 0 "the same, sent: 0" "$POSTIE" -t -i -a "$T/report.pdf" \
    -a "$T/table.csv" <"$T/msg"
wait_smtpd
size=$(wc -c <"$SMTPD_DIR/msg.1")
check "message size shown = size sent ($size)" \
    grep -q "^message size: $size octets\$" "$T/pretend"
run "$CHECK" <"$SMTPD_DIR/msg.1"
check "what was sent passes the checker" test "$rc" -eq 0
body=$(sed -n 's/^part 1 .*cte=quoted-printable.* size=\([0-9]*\).*/\1/p' "$T/out")
check "sent body part is the quoted-printable one shown" test -n "$body"

# an already-MIME body is shown as nested as it is; an empty body gives
# no body part; control octets in a name are escaped; a 64 GiB sparse
# file is sized, not read
cat >"$T/mime" <<'MSG'
Subject: nested
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain

hi
--inner--
MSG
expect_exit 0 "already MIME: 0" "$POSTIE" --pretend -i -a "$T/table.csv" \
    bob@example.org <"$T/mime"
grep_out '^part 1: the message body, multipart/alternative; boundary="inner", 7bit (already MIME: sent as it is), [0-9]* octets$' \
    "already MIME: nested as it is"
printf 'Subject: empty\n\n' >"$T/empty"
truncate -s 64G "$T/big.bin"
expect_exit 0 "empty body, huge sparse file, odd name: 0" timeout 20 \
    "$POSTIE" --pretend -i -a "$T/table.csv" --attach-name \
    "$(printf 'evil\033[2J.bin')" -a "$T/big.bin" bob@example.org <"$T/empty"
grep_out '^part 1: text/csv' "empty body: the first part is the file"
grep_out '^part 2: application/octet-stream, base64, file "evil\\x1b\[2J\.bin", 94037178696 octets (68719476736 in the file)$' \
    "64 GiB: sized without reading; ESC escaped"
check "no raw ESC on the terminal" sh -c "! grep -q \"$(printf '\033')\" '$T/out'"
grep_out '^message size: ' "the total"
finish
