#!/bin/sh
# SPDX-License-Identifier: MIT
# postie -a and 8BITMIME (RFC 6152): the message is built after EHLO, so
# an 8-bit text body goes 8bit with BODY=8BITMIME when the relay offers
# it, and quoted-printable (the whole message 7-bit) when it does not;
# either way it passes the strict MIME checker, decodes byte-exact, and
# SIZE= is the exact size.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
CHECK=$TEST_BUILDDIR/mimecheck

printf 'From: ann@example.org\nTo: bob@example.org\nSubject: r\n\n' \
    >"$T/msg"
printf 'Gr\303\274\303\237e aus K\303\266ln \342\202\254\n.\n' >>"$T/msg"
printf '=41 and a very long line %0900d\nno final newline' 0 >>"$T/msg"
# what the body must decode to: CRLF line ends (intake ends the last
# line too), nothing else changed
printf 'Gr\303\274\303\237e aus K\303\266ln \342\202\254\r\n.\r\n' \
    >"$T/want"
printf '=41 and a very long line %0900d\r\nno final newline\r\n' 0 \
    >>"$T/want"
head -c 100000 /dev/urandom >"$T/data.bin"

# send NAME [SCRIPT-LINES]: send $T/msg with data.bin attached through a
# server with those script lines; $M is the message that arrived, $E its
# envelope, $T/d.NAME the decoded parts, $T/parts.NAME mimecheck's list.
send() {
	sname=$1
	printf '%s' "${2:-}" >"$T/script-lines"
	smtpd_script <"$T/script-lines"
	start_smtpd -s "$SMTPD_SCRIPT"
	smtpd_config
	expect_exit 0 "$sname: sent" "$POSTIE" -i -a "$T/data.bin" \
	    bob@example.org <"$T/msg"
	wait_smtpd
	M=$SMTPD_DIR/msg.1
	E=$SMTPD_DIR/msg.1.env
	mkdir -p "$T/d.$sname"
	run "$CHECK" -d "$T/d.$sname" <"$M"
	check "$sname: passes the strict MIME checker" test "$rc" -eq 0
	cp "$T/out" "$T/parts.$sname"
	same_file "$T/want" "$T/d.$sname/part-1" "$sname: body byte-exact"
	same_file "$T/data.bin" "$T/d.$sname/data.bin" \
	    "$sname: attachment byte-exact"
	size=$(wc -c <"$M")
	check "$sname: SIZE= is the exact size ($size)" \
	    grep -q "^MAIL FROM:<[^>]*> .*SIZE=$size\\b" "$E"
}

# count8 FILE: octets with the high bit set
count8() { LC_ALL=C tr -d '\000-\177' <"$1" | wc -c; }

send offered
check "offered: body part 8bit, charset utf-8" \
    grep -q '^part 1 type=text/plain cte=8bit .*charset=utf-8' \
    "$T/parts.offered"
check "offered: MAIL FROM with BODY=8BITMIME" \
    grep -q '^MAIL FROM:<[^>]*> .*BODY=8BITMIME' "$E"
check "offered: the 8-bit octets went as they are" test "$(count8 "$M")" -gt 0

send notoffered 'nocap 8BITMIME
'
check "not offered: body part quoted-printable, charset utf-8" \
    grep -q '^part 1 type=text/plain cte=quoted-printable .*charset=utf-8' \
    "$T/parts.notoffered"
check "not offered: no BODY= in MAIL FROM" sh -c "! grep -q 'BODY=' '$E'"
check "not offered: the whole message is 7-bit" test "$(count8 "$M")" -eq 0

# DATA instead of BDAT: the same choice, dot-stuffing still right
send data 'nocap CHUNKING
'
check "DATA: body part 8bit" grep -q '^part 1 type=text/plain cte=8bit' \
    "$T/parts.data"
check "DATA: sent with DATA" grep -q '^DATA$' "$SMTPD_LOG"

# Latin-1 (not UTF-8): unknown-8bit, 8bit when offered, qp when not
printf 'Subject: l\n\ncaf\351\n' >"$T/msg"
printf 'caf\351\r\n' >"$T/want"
send latin1
check "latin1: unknown-8bit, 8bit" grep -q \
    '^part 1 type=text/plain cte=8bit .*charset=unknown-8bit' \
    "$T/parts.latin1"
send latin1qp 'nocap 8BITMIME
'
check "latin1 without 8BITMIME: quoted-printable" grep -q \
    '^part 1 type=text/plain cte=quoted-printable .*charset=unknown-8bit' \
    "$T/parts.latin1qp"

# a 7-bit body stays 7bit; no BODY= needed
printf 'Subject: a\n\nplain ascii\n' >"$T/msg"
printf 'plain ascii\r\n' >"$T/want"
send ascii
check "ascii: 7bit" grep -q '^part 1 type=text/plain cte=7bit' \
    "$T/parts.ascii"
check "ascii: no BODY=8BITMIME" sh -c "! grep -q 'BODY=' '$E'"

# a line over 998 octets cannot go 8bit even when offered (RFC 5321 4.5.3.1.6)
printf 'Subject: long\n\n%01200d \303\251\n' 0 >"$T/msg"
printf '%01200d \303\251\r\n' 0 >"$T/want"
send longline
check "long line: quoted-printable although 8BITMIME is offered" grep -q \
    '^part 1 type=text/plain cte=quoted-printable' "$T/parts.longline"
finish
