#!/bin/sh
# SPDX-License-Identifier: MIT
# --pretend with every real caller's argument vector (notes/anchors.md
# 1.2): the envelope and the header as they would go out, exit 0, no
# connection.
. "$TEST_SRCDIR/lib.sh"

write_config <<'CONF'
host = "relay.example.org"
domain = "host.example.org"
from = "daemon@host.example.org"
user = "me"
password = "Pa55-secret-word"
account "work" {
	host = "work.example.org"
	tls = implicit
	from = "*@work.example.org"
}
CONF

msg() {
	printf 'From: Ann <ann@example.org>\nTo: Bob <bob@example.org>\n'
	printf 'Cc: carol@example.org\nBcc: dave@example.org\n'
	printf 'Subject: test\n\nhello\n.\nafter the dot\n'
}

# pretend NAME ARGS...: run with the message on stdin, expect exit 0.
pretend() {
	pname=$1
	shift
	msg >"$T/in"
	expect_exit 0 "$pname: exit 0" "$POSTIE" --pretend "$@" <"$T/in"
	nogrep_out 'Pa55-secret-word' "$pname: no secret printed"
	grep_out '^relay: ' "$pname: relay printed"
}

pretend "Debian cron" -FCronDaemon -i -B8BITMIME -oem root
grep_out '^recipient: <root@host.example.org>$' "cron: root qualified"
grep_out '^envelope sender: <daemon@host.example.org>$' "cron: from the config"
nogrep_out '^recipient: <bob@' "cron: no -t, header recipients not added"

pretend "Vixie cron" -FCronDaemon -odi -oem -oi -t
grep_out '^recipient: <bob@example.org>$' "vixie: To"
grep_out '^recipient: <carol@example.org>$' "vixie: Cc"
grep_out '^recipient: <dave@example.org>$' "vixie: Bcc"
nogrep_out '^Bcc:' "vixie: Bcc removed"

pretend "mutt" -oem -oi -f ann@example.org -B8BITMIME -N failure,delay \
    -R hdrs -- bob@example.org
grep_out '^envelope sender: <ann@example.org>$' "mutt: -f"
grep_out '^recipient: <bob@example.org>$' "mutt: recipient after --"

pretend "git send-email" -i -f x@work.example.org bob@example.org
grep_out '^account: work$' "git: account chosen by -f"
grep_out '^relay: work.example.org:465$' "git: implicit TLS port"

pretend "PHP mail()" -t -i -fwww@example.org
grep_out '^envelope sender: <www@example.org>$' "php: -f attached"
grep_out '^Subject: test' "php: header printed"

pretend "PHPMailer" -oi -t -f app@example.org
grep_out '^recipient: <bob@example.org>$' "phpmailer: -t"

pretend "Symfony -t" -t
pretend "s-nail" -i -m -f ann@example.org -F "Ann A." -- bob@example.org
pretend "busybox crond" -ti root
grep_out '^recipient: <root@host.example.org>$' "busybox: argv recipient"
grep_out '^recipient: <bob@example.org>$' "busybox: and -t recipients"

# Without -i a lone dot ends the message (Postfix): still exit 0.
msg >"$T/in"
expect_exit 0 "no -i: exit 0" "$POSTIE" --pretend bob@example.org <"$T/in"
grep_out '^Date: ' "Date added"
grep_out '^Message-ID: ' "Message-ID added"

printf 'Subject: none\n\nbody\n' >"$T/in"
expect_exit 65 "-t and no recipient at all: 65" "$POSTIE" --pretend -t <"$T/in"
msg >"$T/in"
expect_exit 78 "--pretend with an unknown --account: 78" \
    "$POSTIE" --pretend --account nosuch bob@example.org <"$T/in"
finish
