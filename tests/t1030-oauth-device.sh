#!/bin/sh
# SPDX-License-Identifier: MIT
# postie --oauth-device-login --account NAME: the device code flow
# (RFC 8628) against the local token endpoint in Microsoft's shape, then
# a message sent with the result; a declined login; Google refused.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
. "$TEST_SRCDIR/lib-tokend.sh"

U=me@contoso.example
printf 'Subject: device\n\nhello\n' >"$T/msg"
start_tokend -S microsoft -a dev -P 1
start_smtpd -u "$U:dev-1" -m "XOAUTH2 LOGIN"
conf() {
	write_config <<CONF
account "work" {
	provider = office365
	host = "127.0.0.1"
	port = $SMTPD_PORT
	tls_trust_file = "$TEST_SRCDIR/certs/ca.pem"
	user = "$U"
	oauth_client_id = "client-id"
	oauth_token_endpoint = "https://localhost:$TOKEND_PORT/common/oauth2/v2.0/token"
	oauth_scope = "https://outlook.office.com/SMTP.Send offline_access"
	$1
}
CONF
}
conf
expect_exit 0 "device login" "$POSTIE" --oauth-device-login --account work </dev/null
grep_err 'https://microsoft.com/devicelogin' "the address to open is shown"
grep_err 'WDJB-MJHT' "the code to enter is shown"
grep_out '^oauth_refresh_token = "rotated-1"$' "the refresh token line is printed"
check "codes asked at .../devicecode" grep -q '^POST /common/oauth2/v2.0/devicecode ' "$TOKEND_LOG"
check "polled with the device_code grant until issued (2 polls)" \
    test "$(grep -c 'grant_type=urn:ietf:params:oauth:grant-type:device_code' "$TOKEND_LOG")" = 2
check "access token cached" grep -q '^token dev-1$' \
    "$XDG_STATE_HOME/postie/oauth/work.token"
conf "$(cat "$T/out")"
expect_exit 0 "then sends with the cached token" "$POSTIE" --account work \
    rcpt@example.org <"$T/msg"
wait_smtpd
check "authenticated with XOAUTH2" grep -q "^! auth-ok $U XOAUTH2\$" "$SMTPD_LOG"
check "no further token request" test "$(tokend_requests)" = 3

start_tokend -S microsoft -D
conf
expect_exit 77 "declined device login: 77" "$POSTIE" --oauth-device-login --account work </dev/null
grep_err 'access_denied' "the refusal is named"
nogrep_out 'oauth_refresh_token' "nothing printed on stdout"

write_config <<CONF
account "g" {
	provider = gmail
	user = "me@gmail.example"
	oauth_client_id = "id.apps.googleusercontent.com"
}
CONF
expect_exit 78 "google: no device flow for mail: 78" "$POSTIE" --oauth-device-login --account g
grep_err 'for Google see sendmail.conf(5)' "points to the manual steps"

finish
