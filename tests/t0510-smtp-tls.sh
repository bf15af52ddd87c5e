#!/bin/sh
# SPDX-License-Identifier: MIT
# TLS verification, pinning, client certificates, STARTTLS injection,
# connecting over IPv6 and to a closed port.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
. "$TEST_SRCDIR/lib-driver.sh"
mk_msg
F=a@example.org
R=b@example.org
C=$SMTPD_CERTS
pin() { certtool --fingerprint --hash=sha256 --infile "$1"; }

# certificates that must be refused, before any SMTP after the handshake
for c in untrusted wrongname expired; do
	start_smtpd -C "$C/$c.pem" -K "$C/$c.key"
	expect_drive 69 "$c certificate: 69" $F "$T/msg" $R
	wait_smtpd
	grep_err 'TLS certificate of 127.0.0.1 rejected' "$c: says the certificate was rejected"
	check "$c: nothing after STARTTLS" sh -c "test \$(grep -c '^EHLO' '$SMTPD_LOG') = 1"
done
start_smtpd -C "$C/wrongname.pem" -K "$C/wrongname.key" -i
expect_drive 69 "wrong name over implicit TLS: 69" SMTP_TLS=implicit $F "$T/msg" $R
wait_smtpd
check "implicit: no EHLO at all" sh -c "! grep -q '^EHLO' '$SMTPD_LOG'"

# the name: an IP literal gets no SNI (the trailing-dot rule needs DNS)
start_smtpd
expect_drive 0 "IP literal: verified against the IP SAN, no SNI" $F "$T/msg" $R
wait_smtpd
check "IP literal: server saw no SNI problem" sh -c "! grep -q tls-failed '$SMTPD_LOG'"

# pinning replaces the CA check
start_smtpd -C "$C/untrusted.pem" -K "$C/untrusted.key"
expect_drive 0 "fingerprint pin accepts an untrusted certificate" SMTP_TRUST= "SMTP_FINGERPRINT=$(pin "$C/untrusted.pem")" $F "$T/msg" $R
wait_smtpd
start_smtpd
expect_drive 69 "wrong fingerprint: 69" "SMTP_FINGERPRINT=$(pin "$C/untrusted.pem")" $F "$T/msg" $R
wait_smtpd
grep_err 'fingerprint does not match' "says the fingerprint does not match"
check "wrong pin: no EHLO after the handshake" sh -c "test \$(grep -c '^EHLO' '$SMTPD_LOG') = 1"
start_smtpd -C "$C/expired.pem" -K "$C/expired.key"
expect_drive 69 "pinned but expired: 69" "SMTP_FINGERPRINT=$(pin "$C/expired.pem")" $F "$T/msg" $R
wait_smtpd
start_smtpd
expect_drive 78 "malformed (SHA-1 length) pin: 78" SMTP_FINGERPRINT=AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01 $F "$T/msg" $R
wait_smtpd

# verification off: works, and loudly
start_smtpd -C "$C/wrongname.pem" -K "$C/wrongname.key"
expect_drive 0 "tls_verify=0 connects to a wrong name" SMTP_VERIFY=0 $F "$T/msg" $R
wait_smtpd
grep_err 'WARNING: tls_verify is off' "tls_verify=0 warns"

# minimum version
start_smtpd -P NORMAL:-VERS-TLS1.3
expect_drive 69 "tls_min_version 1.3 against a TLS 1.2 server: 69" SMTP_MIN_TLS=1.3 $F "$T/msg" $R
wait_smtpd
start_smtpd -P NORMAL:-VERS-TLS-ALL:+VERS-TLS1.1
expect_drive 69 "a TLS 1.1-only server is refused (1.2 minimum)" $F "$T/msg" $R
wait_smtpd
start_smtpd
expect_drive 78 "bad tls_priorities: 78" SMTP_PRIORITIES=NONSENSE:+FOO $F "$T/msg" $R
wait_smtpd

# client certificate
start_smtpd -V "$C/ca.pem"
expect_drive 0 "client certificate" "SMTP_CERT=$C/client.pem" "SMTP_KEY=$C/client.key" $F "$T/msg" $R
wait_smtpd
check "client certificate verified by the server" grep -q '^! client-cert verified' "$SMTPD_LOG"

# STARTTLS response injection
printf '%s\n' 'at STARTTLS inject "250-injected\r\n250 AUTH PLAIN\r\n"' >"$T/inject"
start_smtpd -s "$T/inject"
expect_drive 76 "bytes after the 220 to STARTTLS: 76" $F "$T/msg" $R
wait_smtpd
grep_err 'after its 220 to STARTTLS' "says what was injected"
last=$(smtpd_commands | tail -n 1)
check "injection: no command after STARTTLS" test "$last" = STARTTLS
printf '%s\n' 'at STARTTLS reply-raw "220 go\r\n2"' >"$T/inject2"
start_smtpd -s "$T/inject2"
expect_drive 76 "a partial line after the 220: 76" $F "$T/msg" $R
wait_smtpd

# STARTTLS refused
echo 'at STARTTLS reply 454 4.7.0 TLS not available' >"$T/s454"
start_smtpd -s "$T/s454"
expect_drive 75 "STARTTLS 454: 75, no plaintext fallback" $F "$T/msg" $R
wait_smtpd
check "454: no AUTH or MAIL" sh -c "! grep -q -e '^AUTH' -e '^MAIL' '$SMTPD_LOG'"

# IPv6 and a closed port
start_smtpd -6
expect_drive 0 "IPv6 ::1" SMTP_HOST=::1 $F "$T/msg" $R
wait_smtpd
start_smtpd
stop_smtpd
expect_drive 75 "connection refused: 75" $F "$T/msg" $R
grep_err 'cannot connect to 127.0.0.1' "says it cannot connect"
finish
