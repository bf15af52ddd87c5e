#!/bin/sh
# SPDX-License-Identifier: MIT
# postie -a through a real Postfix on loopback (tests/lib-relays.sh): a
# 1 MB binary, a file with a UTF-8 name and spaces, quotes and ';' in it,
# and an 8-bit UTF-8 body (Postfix offers 8BITMIME: it goes 8bit).  What
# Postfix delivers to the maildir passes the strict MIME checker and every
# part decodes byte-exact.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-relays.sh"
CHECK=$TEST_BUILDDIR/mimecheck
# GCC 12's LeakSanitizer crashes at exit ("Tracer caught signal 11") while
# scanning thread-local storage of libraries loaded with dlopen (GnuTLS,
# libgsasl, libmagic are loaded on first use), depending on the memory
# layout; this test's run hits it.  Not scanning TLS hides no leak (TLS
# is a root: skipping it could only report more), and the crash is gone.
LSAN_OPTIONS=${LSAN_OPTIONS:+$LSAN_OPTIONS:}use_tls=0
export LSAN_OPTIONS

start_postfix
echo "# postfix started in $RELAY_START_MS ms"
{
	printf 'host = "localhost"\nport = %s\ntls = starttls\n' \
	    "$RELAY_SUBMISSION_PORT"
	printf 'tls_trust_file = "%s"\n' "$RELAY_CA"
	printf 'user = "%s"\npassword = "%s"\nqueue = false\n' "$RELAY_USER" \
	    "$RELAY_PASS"
} | write_config

head -c 1048576 /dev/urandom >"$T/blob.bin"
printf 'Z\303\244hler;Stand\n1;2\n' >"$T/meter"
aname=$(printf 'Z\303\244hlerst\303\244nde "M\303\244rz"; 2026.csv')
cat >"$T/msg" <<EOF2
From: Sender <sender@example.com>
To: rcpt@example.org
Subject: mime $$

Anbei die Z$(printf '\303\244')hlerst$(printf '\303\244')nde.
.
From the meter
EOF2
printf 'Anbei die Z\303\244hlerst\303\244nde.\r\n.\r\nFrom the meter\r\n' \
    >"$T/want"

expect_exit 0 "sent through Postfix" "$POSTIE" -i -f sender@example.com \
    -a "$T/blob.bin" --attach-name "$aname" -a "$T/meter" \
    rcpt@example.org <"$T/msg"
if maildir_wait_count "$RELAY_MAILDIR" 1 10 &&
    f=$(maildir_find "$RELAY_MAILDIR" "Subject: mime $$") && [ -n "$f" ]
then
	# maildirs store LF line ends; the message went out with CRLF
	sed -e 's/$/\r/' "$f" >"$T/got"
	mkdir -p "$T/d"
	run "$CHECK" -d "$T/d" <"$T/got"
	check "delivered message passes the strict MIME checker" \
	    test "$rc" -eq 0
	check "the body went 8bit (Postfix offers 8BITMIME)" \
	    grep -q '^part 1 type=text/plain cte=8bit .*charset=utf-8' "$T/out"
	same_file "$T/want" "$T/d/part-1" "body byte-exact"
	same_file "$T/blob.bin" "$T/d/blob.bin" "1 MB binary byte-exact"
	same_file "$T/meter" "$T/d/$aname" "UTF-8 name with quotes and ';'"
else
	echo "#   nothing with 'Subject: mime $$' in $RELAY_MAILDIR"
	relay_diag "$RELAY_LOG"
	t_result 1 "delivered"
fi
finish
