#!/bin/sh
# SPDX-License-Identifier: MIT
# t0300-intake: message intake byte for byte (line endings, lone dot, NUL,
# no header, folding, mbox From), -t extraction, Bcc, Resent-*, and the
# Date/Message-ID/From that are added.  Driven through
# tests/unit/intake-driver (message_read + message_prepare + message_source).
. "$TEST_SRCDIR/lib.sh"

D=$TEST_BUILDDIR/unit/intake-driver
# fields that stop Date/Message-ID/From from being added
H='Date: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <m@x>\nFrom: f@x\n'
HC='Date: Sat, 28 Nov 2026 10:00:00 +0000\r\nMessage-ID: <m@x>\r\nFrom: f@x\r\n'

# intake NAME INPUT WANT [driver args]: printf-formats INPUT into the
# driver and WANT into the expected output; the two must be identical.
intake() {
	name=$1 in=$2 want=$3
	shift 3
	# shellcheck disable=SC2059
	printf "$in" >"$T/in"
	# shellcheck disable=SC2059
	printf "$want" >"$T/want"
	"$D" -f s@x "$@" r@x <"$T/in" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "#   exit $rc"
		t_result 1 "$name"
		return
	fi
	same_file "$T/out" "$T/want" "$name"
}

intake "LF becomes CRLF" \
	"${H}Subject: s\n\nbody\nline 2\n" \
	"${HC}Subject: s\r\n\r\nbody\r\nline 2\r\n"
intake "CRLF kept" \
	"${HC}Subject: s\r\n\r\nbody\r\n" \
	"${HC}Subject: s\r\n\r\nbody\r\n"
intake "mixed CRLF and LF (as PHP sends)" \
	"To: a@x\r\nSubject: s\n${H}X: y\r\n\r\nl1\nl2\r\nl3\n" \
	"To: a@x\r\nSubject: s\r\n${HC}X: y\r\n\r\nl1\r\nl2\r\nl3\r\n"
intake "bare CR is a line break" \
	"${H}\na\rb\r\r\nc\r" \
	"${HC}\r\na\r\nb\r\n\r\nc\r\n"
intake "lone dot ends the input without -i" \
	"${H}\na\n.\nafter\n" \
	"${HC}\r\na\r\n"
intake "lone dot with CRLF ends the input" \
	"${H}\na\r\n.\r\nafter\r\n" \
	"${HC}\r\na\r\n"
intake "lone dot kept with -i" \
	"${H}\na\n.\nafter\n" \
	"${HC}\r\na\r\n.\r\nafter\r\n" -i
intake "dot lines are not stuffed here" \
	"${H}\n..\n.a\n" \
	"${HC}\r\n..\r\n.a\r\n"
intake "missing final newline added" \
	"${H}\nlast line" \
	"${HC}\r\nlast line\r\n"
intake "NUL in the body kept" \
	"${H}\na\000b\n" \
	"${HC}\r\na\000b\r\n"
printf 'Subject: a\000b\n\nx\n' | "$D" -f s@x r@x >/dev/null 2>"$T/err"
rc=$?
check "NUL in the header: EX_DATAERR" [ "$rc" -eq 65 ]
grep_err "NUL byte in the message header" "NUL refusal says why"
intake "no header at all: all body" \
	"just text: no\nSubject: not a header\n" \
	"\r\njust text: no\r\nSubject: not a header\r\n" -P
intake "folded header kept as it came" \
	"${H}Subject: one\n two\n\tthree\n\nb\n" \
	"${HC}Subject: one\r\n two\r\n\tthree\r\n\r\nb\r\n"
long=$(head -c 3000 /dev/zero | tr '\0' 'x')
intake "3000-octet header line kept whole" \
	"${H}X-Long: $long\n\nb\n" \
	"${HC}X-Long: $long\r\n\r\nb\r\n"
"$D" -S -f s@x r@x <"$T/in" >"$T/out" 2>&1
grep_out "longlines 1" "long line flagged in the source"
intake "mbox From line dropped" \
	"From s@x Sat Nov 28 10:00:00 2026\n${H}\nFrom here\n" \
	"${HC}\r\nFrom here\r\n"

# -t: groups, comments, quoted local parts; Bcc removed.
printf '%s\n' "${H}To: Team: a@x, \"John Doe\"@x;, (c) Pete <p@x (home)>" \
	'Cc: "Smith, J." <j@x>, undisclosed-recipients:;' 'Bcc: hidden@x' \
	'' 'body' | sed 's/\\n/\n/g' >"$T/in"
"$D" -t -f s@x -e "$T/env" cli@x <"$T/in" >"$T/out" 2>"$T/err"
check "-t exits 0" [ $? -eq 0 ]
printf '%s\n' 'sender <s@x>' 'rcpt <cli@x>' 'rcpt <a@x>' \
	'rcpt <"John Doe"@x>' 'rcpt <p@x>' 'rcpt <j@x>' 'rcpt <hidden@x>' \
	'body unset' 'smtputf8 0' 'nul 0' >"$T/want"
same_file "$T/env" "$T/want" "-t adds header recipients to the command line"
nogrep_out "^Bcc" "Bcc removed"
grep_out "^To: Team" "To kept"

printf 'Resent-From: r@x\nResent-To: new@x\nResent-Bcc: nb@x\nReceived: x\nResent-To: old@x\nTo: orig@x\nBcc: ob@x\n%b\nbody\n' "$H" >"$T/in"
"$D" -t -f s@x -e "$T/env" <"$T/in" >"$T/out" 2>"$T/err"
printf '%s\n' 'sender <s@x>' 'rcpt <new@x>' 'rcpt <nb@x>' 'body unset' \
	'smtputf8 0' 'nul 0' >"$T/want"
same_file "$T/env" "$T/want" "-t with Resent-: the topmost block only"
nogrep_out "Bcc" "Resent-Bcc and Bcc removed"

printf 'Subject: x\n\nb\n' | "$D" -t -f s@x >/dev/null 2>"$T/err"
check "-t with no recipient: EX_DATAERR" [ $? -eq 65 ]
printf 'To: John Smith\n\nb\n' | "$D" -t -f s@x >/dev/null 2>"$T/err"
check "-t with a malformed To: EX_DATAERR" [ $? -eq 65 ]
grep_err "To: a phrase with no address" "the field is named"

# Date, Message-ID and From added; -F encoded or quoted.
printf 'Subject: x\n\nb\n' | "$D" -H -f root -d example.org \
	-F 'Jörg Müller' r@x >"$T/out" 2>"$T/err"
grep_out '^Date: [A-Z][a-z][a-z], [0-9]\{1,2\} [A-Z][a-z][a-z] [0-9]\{4\} [0-9][0-9]:[0-9][0-9]:[0-9][0-9] [-+][0-9]\{4\}$' "Date added (RFC 5322)"
grep_out '^Message-ID: <[a-z2-7]\{26\}@example.org>$' "Message-ID added"
grep_out '^From: =?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <root@example.org>$' \
	"From added, -F encoded (RFC 2047), bare sender qualified"
printf 'Subject: x\n\nb\n' | "$D" -H -f s@x -F 'J. Smith, Jr.' r@x >"$T/out"
grep_out '^From: "J. Smith, Jr." <s@x>$' "-F with specials quoted"
printf 'Subject: x\n\nb\n' | "$D" -H -f s@x -F 'CronDaemon' r@x >"$T/out"
grep_out '^From: CronDaemon <s@x>$' "-F plain"
printf 'From: keep@x\n\nb\n' | "$D" -H -f s@x -F 'X' r@x >"$T/out"
grep_out '^From: keep@x$' "an existing From is kept"
printf 'Subject: x\n\nb\n' | "$D" -f s@x -F "$(printf 'Eve\r\nBcc: v@x')" r@x \
	>/dev/null 2>"$T/err"
check "-F with CRLF: EX_DATAERR" [ $? -eq 65 ]
printf 'Subject: x\n\nb\n' | "$D" -f s@x "$(printf 'a@x\nBcc: v@x')" \
	>/dev/null 2>"$T/err"
check "recipient with LF: EX_DATAERR" [ $? -eq 65 ]
printf 'Subject: x\n\nb\n' | "$D" -f "$(printf 's@x\r')" r@x \
	>/dev/null 2>"$T/err"
check "sender with CR: EX_DATAERR" [ $? -eq 65 ]

# qualification, aliases, IDN, SMTPUTF8, 8BITMIME hint
cat >"$T/aliases" <<'EOF'
# local names
root: admin, ops@example.net
admin: Alice <alice@example.net>
EOF
printf '%b\nb\303\251\n' "$H" | "$D" -e "$T/env" -f daemon -d example.org \
	-A "$T/aliases" root bob user@bücher.example 'jörg@x' >/dev/null
printf '%s\n' 'sender <daemon@example.org>' 'rcpt <alice@example.net>' \
	'rcpt <ops@example.net>' 'rcpt <bob@example.org>' \
	'rcpt <user@xn--bcher-kva.example>' 'rcpt <jörg@x>' \
	'body 8bitmime' 'smtputf8 1' 'nul 0' >"$T/want"
same_file "$T/env" "$T/want" "aliases, qualification, IDN, SMTPUTF8, 8BITMIME"
printf 'S: x\n\nb\n' | "$D" -f s@x -A "$T/nonexistent" r@x >/dev/null 2>&1
check "unreadable aliases file: EX_NOINPUT" [ $? -eq 66 ]
printf 'S: x\n\nb\n' | "$D" -f s@x -e "$T/env" r@x "Joe <j@x>, k@x" >/dev/null
grep -c '^rcpt' "$T/env" >"$T/out"
grep_out '^3$' "a command-line argument may be an address list"

# the sender: null, with a display name, and the From made for it
printf 'S: x\n\nb\n' | "$D" -H -e "$T/env" -f '<>' -d example.org r@x >"$T/out"
grep -q '^sender <>$' "$T/env"
check "-f '<>' is the null sender" [ $? -eq 0 ]
grep_out '^From: [^<>@]*@example.org$' "null sender: From names the user"
printf 'S: x\n\nb\n' | "$D" -e "$T/env" -f 'Ann <ann@x>' r@x >/dev/null
grep -q '^sender <ann@x>$' "$T/env"
check "-f with a display name: the address" [ $? -eq 0 ]
printf 'S: x\n\nb\n' | "$D" -f 'a@x, b@x' r@x >/dev/null 2>&1
check "-f with two addresses: EX_DATAERR" [ $? -eq 65 ]
printf 'Return-Path: <x@y>\nContent-Length: 3\nSubject: s\n%b\nb\n' "$H" |
	"$D" -f s@x r@x >"$T/out"
nogrep_out '^Return-Path\|^Content-Length' "Return-Path and Content-Length dropped"
grep_out '^Subject: s' "the rest kept"
printf 'S: x\n\nb\n' | "$D" -f 'Ann' -n r@x >/dev/null 2>&1
check "-f with a bare name is qualified" [ $? -eq 0 ]
printf 'S: x\n\nb\n' | "$D" -f 'Ann Smith' r@x >/dev/null 2>"$T/err"
check "-f with a phrase and no address: EX_DATAERR" [ $? -eq 65 ]
long=$(printf 'Ünïcödé %.0s' 1 2 3 4 5 6 7 8 9 10)
printf 'S: x\n\nb\n' | "$D" -f s@x -F "$long" r@x >"$T/out"
awk 'length($0) > 79 { bad = 1 } END { exit bad }' "$T/out"
check "a long -F name is folded under 78 columns" [ $? -eq 0 ]
grep_out '^ =?UTF-8?B?' "folded onto a continuation line"

# The same rules through postie itself (--pretend prints the envelope and
# the header as they would go out).
cat >"$T/aliases" <<'EOF'
root: admin
admin: ops@example.net, "Desk" <desk@example.net>
EOF
write_config <<EOF
host = "relay.example.org"
domain = "host.example.org"
from = "daemon@host.example.org"
aliases = "$T/aliases"
EOF
printf 'Subject: s\nTo: root, Team: a@x, "J D"@x;\nBcc: b@x\nReturn-Path: <x@y>\n\nbody\n.\n' >"$T/in"
expect_exit 0 "postie -t: exit 0" "$POSTIE" --pretend -t -F 'Zoë' bob <"$T/in"
grep_out '^recipient: <bob@host.example.org>$' "postie: bare argument qualified"
grep_out '^recipient: <ops@example.net>$' "postie: header root through the aliases"
grep_out '^recipient: <desk@example.net>$' "postie: alias with a display name"
grep_out '^recipient: <"J D"@x>$' "postie: quoted local part in a group"
grep_out '^recipient: <b@x>$' "postie: Bcc recipient"
nogrep_out '^Bcc:\|^Return-Path:' "postie: Bcc and Return-Path removed"
grep_out '^To: root, Team: a@x, "J D"@x;$' "postie: To left as written"
grep_out '^From: =?UTF-8?B?Wm/Dqw==?= <daemon@host.example.org>$' \
	"postie: From added with -F encoded"
grep_out '^Message-ID: <[a-z2-7]\{26\}@host.example.org>$' \
	"postie: Message-ID with the configured domain"
printf 'Subject: \033]0;owned\007 x\n\nx\n' >"$T/in"
expect_exit 0 "postie: control octets in a header" "$POSTIE" --pretend bob <"$T/in"
grep_out '^Subject: \\x1b]0;owned\\x07 x$' "--pretend escapes them"
printf 'Subject: a\000b\n\nx\n' >"$T/in"
expect_exit 65 "postie: NUL in the header: 65" "$POSTIE" --pretend bob <"$T/in"
printf 'Subject: s\n\nx\n' >"$T/in"
expect_exit 65 "postie: LF in a recipient argument: 65" "$POSTIE" --pretend \
	"$(printf 'bob\nBcc: eve@x')" <"$T/in"
expect_exit 65 "postie: CR in -F: 65" "$POSTIE" --pretend \
	-F "$(printf 'Eve\rBcc: x@y')" bob <"$T/in"
finish
