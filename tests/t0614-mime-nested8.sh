#!/bin/sh
# SPDX-License-Identifier: MIT
# postie -a with a body that is already MIME but not labelled for its
# octets: a single-part body with 8-bit octets and no (or a 7bit)
# Content-Transfer-Encoding is labelled 8bit when the relay offers
# 8BITMIME and re-encoded quoted-printable (its charset kept) when it does
# not; a declared 8bit body goes quoted-printable without 8BITMIME; a
# base64 body and a multipart body go as they are.  Each time: the strict
# checker passes, the body decodes byte-exact, SIZE= is the exact size.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
CHECK=$TEST_BUILDDIR/mimecheck
DRIVER=$TEST_BUILDDIR/unit/mime-driver

head -c 3000 /dev/urandom >"$T/data.bin"
count8() { LC_ALL=C tr -d '\000-\177' <"$1" | wc -c; }

# body: the 8-bit text every case carries, as sent and as it must decode
printf 'Gr\303\274\303\237e aus K\303\266ln \342\202\254\n.\nFrom here\n' \
    >"$T/body"
printf 'Gr\303\274\303\237e aus K\303\266ln \342\202\254\r\n.\r\nFrom here\r\n' \
    >"$T/want"

# msg FIELDS...: $T/msg with those header fields and $T/body
msg() {
	printf 'From: ann@example.org\nTo: bob@example.org\nSubject: n\n' \
	    >"$T/msg"
	for fld in "$@"; do printf '%s\n' "$fld" >>"$T/msg"; done
	printf '\n' >>"$T/msg"
	cat "$T/body" >>"$T/msg"
}

# send NAME [SCRIPT-LINES]: as t0611; $M the message that arrived, $E its
# envelope, $T/d.NAME the decoded parts, $T/parts.NAME the checker's list
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

# drive NAME DRIVER-ARGS...: the same through the builder alone
drive() {
	dname=$1
	shift
	"$DRIVER" "$@" -a "$T/data.bin" <"$T/msg" >"$T/built.$dname" \
	    2>"$T/drv.$dname"
	rc=$?
	check "$dname: built" test "$rc" -eq 0
	mkdir -p "$T/d.$dname"
	run "$CHECK" -d "$T/d.$dname" <"$T/built.$dname"
	check "$dname: passes the strict MIME checker" test "$rc" -eq 0
	cp "$T/out" "$T/parts.$dname"
	same_file "$T/want" "$T/d.$dname/part-1" "$dname: body byte-exact"
	grep "^size " "$T/drv.$dname" >"$T/size.$dname"
	check "$dname: announced size is the size built" grep -q \
	    "^size $(wc -c <"$T/built.$dname") " "$T/size.$dname"
}

# only a Content-Type, 8-bit body (the common script)
msg 'Content-Type: text/plain; charset=utf-8'
send ct8
check "ct8: labelled 8bit, charset kept" grep -q \
    '^part 1 type=text/plain cte=8bit .*charset=utf-8' "$T/parts.ct8"
check "ct8: BODY=8BITMIME" grep -q '^MAIL FROM:<[^>]*> .*BODY=8BITMIME' "$E"
check "ct8: the 8-bit octets went as they are" test "$(count8 "$M")" -gt 0
send ctqp 'nocap 8BITMIME
'
check "ctqp: quoted-printable, charset kept" grep -q \
    '^part 1 type=text/plain cte=quoted-printable .*charset=utf-8' \
    "$T/parts.ctqp"
check "ctqp: no BODY=" sh -c "! grep -q 'BODY=' '$E'"
check "ctqp: the whole message is 7-bit" test "$(count8 "$M")" -eq 0
check "ctqp: one Content-Transfer-Encoding in the part" test \
    "$(grep -c -i '^Content-Transfer-Encoding:' "$M")" -eq 2
drive drv8 -8
check "drv8: labelled 8bit" grep -q '^part 1 type=text/plain cte=8bit' \
    "$T/parts.drv8"
drive drvqp
check "drvqp: quoted-printable" grep -q \
    '^part 1 type=text/plain cte=quoted-printable .*charset=utf-8' \
    "$T/parts.drvqp"
check "drvqp: 7-bit result" test "$(count8 "$T/built.drvqp")" -eq 0

# MIME-Version and an explicit 8bit, relay without 8BITMIME
msg 'MIME-Version: 1.0' 'Content-Type: text/plain; charset="utf-8"' \
    'Content-Transfer-Encoding: 8BIT'
send decl8qp 'nocap 8BITMIME
'
check "declared 8bit, no 8BITMIME: quoted-printable" grep -q \
    '^part 1 type=text/plain cte=quoted-printable .*charset=utf-8' \
    "$T/parts.decl8qp"
check "declared 8bit, no 8BITMIME: 7-bit" test "$(count8 "$M")" -eq 0
send decl8 ''
check "declared 8bit, 8BITMIME: kept 8bit" grep -q \
    '^part 1 type=text/plain cte=8bit' "$T/parts.decl8"

# a 7bit label on 8-bit text with a line over 998 octets: quoted-printable
# even with 8BITMIME (RFC 5321 section 4.5.3.1.6)
printf '%01200d \303\251\n' 0 >"$T/body"
printf '%01200d \303\251\r\n' 0 >"$T/want"
msg 'Content-Type: text/plain; charset=utf-8' \
    'Content-Transfer-Encoding: 7bit'
send long
check "long line: quoted-printable although 8BITMIME is offered" grep -q \
    '^part 1 type=text/plain cte=quoted-printable' "$T/parts.long"

# base64 declared: the sender's encoding, kept
printf 'Gr\303\274\303\237e\r\n' >"$T/want"
printf 'R3LDvMOfZQ0K\n' >"$T/body"
msg 'Content-Type: text/plain; charset=utf-8' \
    'Content-Transfer-Encoding: base64'
send b64 'nocap 8BITMIME
'
check "base64 body: kept base64" grep -q '^part 1 type=text/plain cte=base64' \
    "$T/parts.b64"
check "base64 body: the encoded text as sent" grep -q '^R3LDvMOfZQ0K' "$M"

# multipart 8-bit body: nested intact, never re-encoded (postie(8)), even
# for a relay without 8BITMIME
printf -- '--in\nContent-Type: text/plain; charset=utf-8\n\n\303\251t\303\251\n--in--\n' \
    >"$T/body"
printf -- '--in\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\303\251t\303\251\r\n--in--\r\n' \
    >"$T/want"
msg 'MIME-Version: 1.0' 'Content-Type: multipart/alternative; boundary=in' \
    'Content-Transfer-Encoding: 8bit'
send multi 'nocap 8BITMIME
'
check "multipart: kept as it is, 8bit" grep -q \
    '^part 1 type=multipart/alternative cte=8bit' "$T/parts.multi"
check "multipart: its 8-bit octets untouched" test "$(count8 "$M")" -gt 0
finish
