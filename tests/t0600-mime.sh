#!/bin/sh
# SPDX-License-Identifier: MIT
# MIME building: messages built by tests/unit/mime-driver (the builder
# behind -a), checked by the strict parser tests/mimecheck, every attached
# file decoded and compared byte for byte with the original.
. "$TEST_SRCDIR/lib.sh"
DRIVER=$TEST_BUILDDIR/unit/mime-driver
CHECK=$TEST_BUILDDIR/mimecheck
n=0

# build NAME DRIVER-ARGS... < message: build, check, decode into $T/d$n.
build() {
	name=$1
	shift
	n=$((n + 1))
	d=$T/d$n
	mkdir -p "$d"
	"$DRIVER" "$@" >"$T/msg$n" 2>"$T/drv.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "#   driver exit $rc: $(cat "$T/drv.err")"
		t_result 1 "$name: built"
		return 1
	fi
	run "$CHECK" -d "$d" <"$T/msg$n"
	if [ "$rc" -eq 0 ]; then t_result 0 "$name: strict parse"; else
		t_result 1 "$name: strict parse"; return 1; fi
}

printf 'From: a@example.org\nTo: b@example.org\nSubject: report\n\nAll fine.\n' >"$T/plain"
# Random bytes behind a fixed prefix that no magic(5) rule matches: bare
# random data is, once in a few thousand runs, taken for a DOS executable
# ("MZ") or another format by libmagic, and this test checks the fallback.
randfile() {
	{ printf '\001\237postie\377\003'; head -c $(($2 - 10)) /dev/urandom; } >"$1"
}
randfile "$T/bin.dat" 4096
: >"$T/empty.dat"
printf 'x' >"$T/one.dat"
randfile "$T/mb.dat" 1048576
printf 'line one\nline two\n' >"$T/nl.txt"
printf 'line one\nno final newline' >"$T/nonl.txt"

build "binary, empty, one byte, 1 MB" -a "$T/bin.dat" -a "$T/empty.dat" \
    -a "$T/one.dat" -a "$T/mb.dat" <"$T/plain"
for f in bin.dat empty.dat one.dat mb.dat; do
	same_file "$T/$f" "$d/$f" "$f decodes byte-exact"
done
grep_out '^part 1 type=text/plain cte=7bit .*charset=us-ascii' \
    "plain ASCII body: text/plain 7bit"
printf 'All fine.\r\n' >"$T/want"
same_file "$T/want" "$d/part-1" "the body is the first part, intact"
grep_out '^parts 5$' "one part per file plus the body"

build "text files" -a "$T/nl.txt" -a "$T/nonl.txt" -c 1 <"$T/plain"
same_file "$T/nl.txt" "$d/nl.txt" "text with final newline byte-exact"
same_file "$T/nonl.txt" "$d/nonl.txt" "text without final newline byte-exact"
grep_out 'filename=nl.txt .*charset=us-ascii' "text file: text/plain charset"

build "awkward names" -N 'my report.pdf' -a "$T/bin.dat" \
    -N 'say "hi".txt' -a "$T/one.dat" -N 'a;b=c.csv' -a "$T/nl.txt" \
    -N 'été à ☃.bin' -a "$T/mb.dat" -N "it's%41.dat" -a "$T/empty.dat" \
    -c 0 -w <"$T/plain"
same_file "$T/bin.dat" "$d/my report.pdf" "name with spaces"
same_file "$T/one.dat" "$d/say \"hi\".txt" "name with quotes"
same_file "$T/nl.txt" "$d/a;b=c.csv" "name with ; and ="
same_file "$T/mb.dat" "$d/été à ☃.bin" "UTF-8 name"
same_file "$T/empty.dat" "$d/it's%41.dat" "name with ' and %"
grep_out 'type=application/pdf cte=base64 filename=my report.pdf' \
    "type from the extension"
grep_out 'type=text/csv' "csv from the built-in table"
check "RFC 2231 filename* in the message" \
    grep -q "filename\\*=UTF-8''%C3%A9t%C3%A9%20%C3%A0%20%E2%98%83.bin" \
    "$T/msg$n"
check "RFC 2047 name= in the message" \
    grep -q 'name="=?UTF-8?B?w6l0w6kgw6Ag4piDLmJpbg==?="' "$T/msg$n"

build "explicit type" -T 'text/x-log; charset=utf-8' -a "$T/bin.dat" \
    <"$T/plain"
grep_out 'type=text/x-log cte=base64 filename=bin.dat size=4096 charset=utf-8' \
    "explicit type used as given"
expect_exit 64 "malformed explicit type refused" "$DRIVER" \
    -T 'text/plain
Bcc: x' -a "$T/bin.dat" <"$T/plain"

printf 'Subject: caf\303\251\n\nCaf\303\251 cr\303\250me\nFrom me\n.\n' >"$T/8bit"
build "8-bit body, no 8BITMIME" -a "$T/one.dat" <"$T/8bit"
grep_out '^part 1 type=text/plain cte=quoted-printable .*charset=utf-8' \
    "8-bit body without 8BITMIME: quoted-printable utf-8"
printf 'Caf\303\251 cr\303\250me\r\nFrom me\r\n.\r\n' >"$T/want"
same_file "$T/want" "$d/part-1" "quoted-printable decodes to the body"
check "From and dot lines encoded" grep -q '^=46rom me' "$T/msg$n"
build "8-bit body, 8BITMIME" -8 -a "$T/one.dat" <"$T/8bit"
grep_out '^part 1 type=text/plain cte=8bit .*charset=utf-8' \
    "8-bit body with 8BITMIME: 8bit"
check "8-bit result flagged for BODY=8BITMIME" grep -q 'eightbit 1' "$T/drv.err"
printf 'Subject: x\n\nd\351j\340\n' >"$T/latin1"
build "Latin-1 body" -8 -a "$T/one.dat" <"$T/latin1"
grep_out 'charset=unknown-8bit' "not UTF-8: unknown-8bit"

cat >"$T/mime" <<'MSG'
From: a@example.org
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain

plain
--inner
Content-Type: text/html

<p>html</p>
--inner--
MSG
build "already-MIME body" -a "$T/bin.dat" <"$T/mime"
grep_out '^part 1 type=multipart/alternative cte=7bit' \
    "nested with its own Content-Type"
sed -n '/^--inner$/,$p' "$T/mime" | sed 's/$/\r/' >"$T/want"
same_file "$T/want" "$d/part-1" "nested body intact"
check "one MIME-Version" test "$(grep -c '^MIME-Version' "$T/msg$n")" = 1

printf 'Subject: empty\n\n' >"$T/nobody"
build "empty body" -a "$T/bin.dat" <"$T/nobody"
grep_out '^part 1 type=application/octet-stream cte=base64 filename=bin.dat' \
    "empty body: only the attachments"
grep_out '^parts 1$' "empty body: one part"

printf 'To: b@example.org\nBcc: hidden@example.org\nSubject: t\n\nhi\n' >"$T/bcc"
build "-t with Bcc" -t -a "$T/one.dat" <"$T/bcc"
check "-t: the Bcc recipient is in the envelope" \
    grep -q '^rcpt <hidden@example.org>' "$T/drv.err"
check "-t: no Bcc field left in the message" \
    sh -c "! grep -qi '^bcc:' '$T/msg$n' && ! grep -q hidden '$T/msg$n'"
same_file "$T/one.dat" "$d/one.dat" "-t: attachment byte-exact"

expect_exit 66 "missing attachment: EX_NOINPUT" "$DRIVER" \
    -a "$T/bin.dat" -a "$T/nope.pdf" <"$T/plain"
grep_err "nope.pdf" "missing attachment named"
expect_exit 66 "directory refused" "$DRIVER" -a "$T" <"$T/plain"

# the checker itself must catch broken messages
build "reference for corruption" -a "$T/bin.dat" <"$T/plain"
good=$T/msg$n
awk '!done && length($0) == 77 && $0 !~ /[ :]/ { $0 = "_" substr($0, 2); done = 1 }
    { print }' "$good" >"$T/bad1"
expect_exit 1 "checker: bad base64 character caught" "$CHECK" <"$T/bad1"
sed '3s/\r$//' "$good" >"$T/bad2"
expect_exit 1 "checker: missing CR caught" "$CHECK" <"$T/bad2"
sed '/^--=_postie_[A-Za-z0-9]*--/d' "$good" >"$T/bad3"
expect_exit 1 "checker: missing close delimiter caught" "$CHECK" <"$T/bad3"
sed 's/filename=bin.dat/filename=other.dat/' "$good" >"$T/bad4"
expect_exit 1 "checker: name/filename mismatch caught" "$CHECK" <"$T/bad4"

# 100 MB: memory stays flat (the driver reads 1 MiB at a time)
head -c 104857600 /dev/urandom >"$T/big.dat"
build "100 MB" -a "$T/big.dat" <"$T/plain"
same_file "$T/big.dat" "$d/big.dat" "100 MB decodes byte-exact"
rm -f "$T/big.dat" "$d/big.dat" "$d/part-2" "$T/msg$n"
finish
