#!/bin/sh
# SPDX-License-Identifier: MIT
# Each provider preset sends end to end: provider = NAME plus the user
# and secret, against the scripted server playing that provider's
# greeting, EHLO and mechanisms (tests/providers/NAME.script), over
# STARTTLS and, where the provider has one, implicit TLS.  Only host and
# port are overridden (to loopback).  Then each provider's typical AUTH
# refusal prints its hint.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"

P=$TEST_SRCDIR/providers
printf 'Subject: preset\n\nhello\n' >"$T/msg"

# account NAME TLS USER SECRET-LINE: the preset, loopback, the test CA
account() {
	{
		printf 'provider = %s\n' "$1"
		[ "$1" = ses ] && printf 'region = "eu-west-1"\n'
		printf 'host = "127.0.0.1"\nport = %s\n' "$SMTPD_PORT"
		[ "$2" = implicit ] && printf 'tls = implicit\n'
		printf 'tls_trust_file = "%s"\n' "$TEST_SRCDIR/certs/ca.pem"
		printf 'timeout_total = 30\n'
		# never the real spool (dead letters, the queue): tests run as root
		printf 'queue_dir = "%s"\n' "$T/queue"
		[ "$3" != - ] && printf 'user = "%s"\n' "$3"
		printf '%s\n' "$4"
	} | write_config
}

# name tls user secret-line server-user:secret mechanism
while IFS='|' read -r pv tls user secret srvuser mech; do
	[ -n "$pv" ] || continue
	if [ "$tls" = implicit ]; then mode=-i; else mode=; fi
	start_smtpd $mode -s "$P/$pv.script" -u "$srvuser"
	account "$pv" "$tls" "$user" "$secret"
	expect_exit 0 "$pv ($tls): sends" "$POSTIE" -v rcpt@example.org <"$T/msg"
	wait_smtpd
	check "$pv ($tls): authenticated with $mech" \
	    grep -q "^! auth-ok ${srvuser%%:*} $mech\$" "$SMTPD_LOG"
	check "$pv ($tls): message stored" test -s "$SMTPD_DIR/msg.1"
	if [ "$tls" = implicit ]; then
		check "$pv ($tls): no STARTTLS" sh -c "! grep -q '^STARTTLS' '$SMTPD_LOG'"
	else
		check "$pv ($tls): STARTTLS before AUTH" sh -c \
		    "grep -n -e '^STARTTLS' -e '^AUTH' '$SMTPD_LOG' | head -n 1 | grep -q STARTTLS"
	fi
done <<'EOF'
gmail|starttls|me@gmail.example|password = "app-password-16ch"|me@gmail.example:app-password-16ch|PLAIN
gmail|implicit|me@gmail.example|password = "app-password-16ch"|me@gmail.example:app-password-16ch|PLAIN
outlook|starttls|me@outlook.example|password_command = "printf EwBAccessToken"|me@outlook.example:EwBAccessToken|XOAUTH2
office365|starttls|svc@contoso.example|password_command = "printf eyJ0eXAi.token"|svc@contoso.example:eyJ0eXAi.token|XOAUTH2
sendgrid|starttls|-|password = "SG.abc.def"|apikey:SG.abc.def|PLAIN
sendgrid|implicit|-|password = "SG.abc.def"|apikey:SG.abc.def|PLAIN
ses|starttls|AKIAEXAMPLE|password = "BPsmtpSecret"|AKIAEXAMPLE:BPsmtpSecret|PLAIN
ses|implicit|AKIAEXAMPLE|password = "BPsmtpSecret"|AKIAEXAMPLE:BPsmtpSecret|PLAIN
mailjet|starttls|apikey123|password = "secretkey456"|apikey123:secretkey456|PLAIN
mailjet|implicit|apikey123|password = "secretkey456"|apikey123:secretkey456|PLAIN
brevo|starttls|me@example.org|password = "xsmtpsib-key"|me@example.org:xsmtpsib-key|PLAIN
brevo|implicit|me@example.org|password = "xsmtpsib-key"|me@example.org:xsmtpsib-key|PLAIN
duocircle|starttls|relayuser|password = "relaypass"|relayuser:relaypass|PLAIN
duocircle|implicit|relayuser|password = "relaypass"|relayuser:relaypass|PLAIN
EOF

# The refusals each service gives, and the hint postie adds.
while IFS='|' read -r pv code refusal hint; do
	[ -n "$pv" ] || continue
	smtpd_script <<SCRIPT
$(grep -v '^#' "$P/$pv.script")
at AUTH reply $refusal
SCRIPT
	start_smtpd -s "$SMTPD_SCRIPT" -u x:y
	account "$pv" starttls someone 'password = "wrong"'
	expect_exit "$code" "$pv: refused AUTH: $code" "$POSTIE" rcpt@example.org <"$T/msg"
	grep_err "^postie: hint: .*$hint" "$pv: hint ($hint)"
	stop_smtpd
done <<'EOF'
gmail|77|535-5.7.8 Username and Password not accepted. For more information, go to\r\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp|app password
outlook|77|535 5.7.3 Authentication unsuccessful|OAuth2 only
office365|77|535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.|Authenticated SMTP
office365|69|550 5.7.30 Basic authentication is not supported for Client Submission.|basic authentication is retired
sendgrid|77|535 Authentication failed: Bad username / password|"apikey"
ses|77|535 Authentication Credentials Invalid|not an IAM access key
mailjet|77|535 5.7.8 Error: authentication failed: authentication failure|secret key
brevo|77|535 5.7.8 Authentication failed|not the API key
duocircle|77|535 5.7.8 Error: authentication failed: UGFzc3dvcmQ6|DuoCircle dashboard
EOF

# the preset's mechanism not offered: the hint says why
smtpd_script <<SCRIPT
$(grep -v '^#' "$P/outlook.script")
mechs LOGIN
SCRIPT
start_smtpd -s "$SMTPD_SCRIPT" -u me:pw
account outlook starttls me 'password = "pw"'
expect_exit 69 "outlook preset, relay without XOAUTH2: 69" "$POSTIE" rcpt@example.org <"$T/msg"
grep_err 'no usable authentication mechanism' "says no usable mechanism"
grep_err '^postie: hint: Outlook.com accepts OAuth2 only' "and the hint"
stop_smtpd

# no hint when the relay is not the one saying no
start_smtpd -s "$P/brevo.script" -u me:right
account brevo starttls me 'password = "right"'
smtpd_script <<SCRIPT
$(grep -v '^#' "$P/brevo.script")
at MAIL reply 554 5.7.1 sender refused
SCRIPT
stop_smtpd
start_smtpd -s "$SMTPD_SCRIPT" -u me:right
account brevo starttls me 'password = "right"'
expect_exit 69 "refused sender: 69" "$POSTIE" rcpt@example.org <"$T/msg"
nogrep_err 'hint:' "no AUTH hint for a refused sender"
stop_smtpd

finish
