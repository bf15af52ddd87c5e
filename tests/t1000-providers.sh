#!/bin/sh
# SPDX-License-Identifier: MIT
# provider = NAME: each preset resolves to its host, port, TLS mode and
# mechanisms (--check-config, --pretend); explicit options win; the port
# and TLS mode must agree; OAuth2 settings are checked.
. "$TEST_SRCDIR/lib.sh"

# preset NAME [EXTRA-LINE]: a two-line account of that provider
preset() {
	{
		printf 'provider = %s\nuser = "me@example.org"\n' "$1"
		printf 'password = "secret"\n'
		[ -n "$2" ] && printf '%s\n' "$2"
	} | write_config
}

while read -r pname extra host port tls auth; do
	preset "$pname" "$(printf '%s' "$extra" | tr '~' ' ' | sed 's/^-$//')"
	expect_exit 0 "$pname: --check-config" "$POSTIE" --check-config
	grep_out "^host = $host\$" "$pname: host $host"
	grep_out "^port = $port\$" "$pname: port $port"
	grep_out "^tls = $tls\$" "$pname: tls $tls"
	grep_out "^auth = $(echo "$auth" | tr '~' ' ')\$" "$pname: auth"
	grep_out "^provider = $pname\$" "$pname: provider shown"
done <<'EOF'
gmail - smtp.gmail.com 587 starttls auto
gmail port~=~465 smtp.gmail.com 465 implicit auto
gmail tls~=~implicit smtp.gmail.com 465 implicit auto
outlook - smtp-mail.outlook.com 587 starttls {~XOAUTH2~}
office365 - smtp.office365.com 587 starttls {~XOAUTH2~}
sendgrid - smtp.sendgrid.net 587 starttls auto
sendgrid port~=~2525 smtp.sendgrid.net 2525 starttls auto
sendgrid port~=~465 smtp.sendgrid.net 465 implicit auto
ses region~=~"eu-west-1" email-smtp.eu-west-1.amazonaws.com 587 starttls auto
ses region~=~"us-east-1"~port~=~2465 email-smtp.us-east-1.amazonaws.com 2465 implicit auto
ses region~=~"us-east-1"~port~=~2587 email-smtp.us-east-1.amazonaws.com 2587 starttls auto
mailjet - in-v3.mailjet.com 587 starttls auto
mailjet port~=~465 in-v3.mailjet.com 465 implicit auto
brevo - smtp-relay.brevo.com 587 starttls auto
brevo port~=~2525 smtp-relay.brevo.com 2525 starttls auto
brevo port~=~465 smtp-relay.brevo.com 465 implicit auto
duocircle - outbound.mailhop.org 2525 starttls auto
duocircle port~=~10465 outbound.mailhop.org 10465 implicit auto
duocircle port~=~10025 outbound.mailhop.org 10025 starttls auto
EOF

# sendgrid: the user is preset to apikey when the file has none
printf 'provider = sendgrid\npassword = "SG.x"\n' | write_config
expect_exit 0 "sendgrid without user" "$POSTIE" --check-config
grep_out '^user = apikey$' "sendgrid: user apikey preset"

# --pretend shows the resolved relay
preset brevo 'port = 465'
printf 'Subject: x\n\nbody\n' >"$T/msg"
expect_exit 0 "brevo --pretend" "$POSTIE" --pretend rcpt@example.org <"$T/msg"
grep_out '^relay: smtp-relay.brevo.com:465$' "pretend: relay"
grep_out '^tls: implicit$' "pretend: tls"

# explicit options win over the preset
preset gmail 'host = "127.0.0.1"
auth = { "LOGIN" }'
expect_exit 0 "gmail with host override" "$POSTIE" --check-config
grep_out '^host = 127.0.0.1$' "explicit host kept"
grep_out '^auth = { LOGIN }$' "explicit auth kept"

# contradictions and mistakes: 78 with the fix in the message
preset gmail 'port = 465
tls = starttls'
expect_exit 78 "port 465 with tls = starttls: 78" "$POSTIE" --check-config
grep_err 'port 465 uses implicit TLS; set tls = implicit' "says set tls = implicit"
preset brevo 'port = 587
tls = implicit'
expect_exit 78 "port 587 with tls = implicit: 78" "$POSTIE" --check-config
grep_err 'port 587 uses STARTTLS TLS; set tls = starttls' "says set tls = starttls"
preset ses
expect_exit 78 "ses without region: 78" "$POSTIE" --check-config
grep_err 'region = eu-west-1' "says how to set region"
preset gmial
expect_exit 78 "unknown provider: 78" "$POSTIE" --check-config
grep_err 'sendmail.conf:1: provider: unknown .gmial.' "unknown: file:line"
grep_err 'known: gmail outlook office365 sendgrid ses mailjet brevo duocircle' \
    "unknown: lists the known ones"
preset ses 'region = "EU west"'
expect_exit 78 "bad region: 78" "$POSTIE" --check-config
preset outlook 'tls = off'
expect_exit 78 "tls = off with a provider: 78" "$POSTIE" --check-config

# accounts: presets per account, over top-level defaults
write_config <<'CONF'
from = "%U@example.org"
account "g" {
	provider = gmail
	user = "me@gmail.com"
	password = "app-password"
}
account "s" {
	provider = ses
	region = "ap-south-1"
	user = "AKIAEXAMPLE"
	password = "smtp-secret"
}
CONF
expect_exit 0 "account g" "$POSTIE" --check-config --account g
grep_out '^host = smtp.gmail.com$' "account g: host"
expect_exit 0 "account s" "$POSTIE" --check-config --account s
grep_out '^host = email-smtp.ap-south-1.amazonaws.com$' "account s: host"

# OAuth2 settings
write_config <<'CONF'
provider = gmail
user = "me@gmail.com"
oauth_client_id = "123.apps.googleusercontent.com"
oauth_client_secret = "GOCSPX-x"
oauth_refresh_token = "1//0gabc"
CONF
expect_exit 0 "gmail with OAuth2" "$POSTIE" --check-config
grep_out '^auth = { XOAUTH2, OAUTHBEARER }$' "gmail OAuth2: mechanisms"
grep_out '^oauth_token_endpoint = google$' "gmail OAuth2: google endpoint"
grep_out '^oauth_refresh_token = \*\*\*\*\*\*\*\*$' "refresh token masked"
grep_out '^oauth_client_secret = \*\*\*\*\*\*\*\*$' "client secret masked"
nogrep_out '1//0gabc' "refresh token never printed"
chmod 644 "$POSTIE_CONFIG"
expect_exit 78 "refresh token in a readable file: 78" "$POSTIE" --check-config
grep_err 'oauth_client_secret in a file that group or others can read' \
    "readable secret named"

write_config <<'CONF'
provider = outlook
user = "me@outlook.com"
password = "pw"
oauth_client_id = "id"
oauth_refresh_token = "rt"
CONF
expect_exit 78 "password and OAuth2: 78" "$POSTIE" --check-config
grep_err 'password (or password_command) and OAuth2 both set' "says which"

write_config <<'CONF'
provider = office365
user = "svc@contoso.example"
oauth_client_id = "id"
oauth_client_secret = "s"
oauth_grant = client_credentials
CONF
expect_exit 78 "client_credentials without tenant: 78" "$POSTIE" --check-config
grep_err 'needs oauth_tenant' "says oauth_tenant"
printf 'oauth_tenant = "contoso.example"\n' >>"$POSTIE_CONFIG"
expect_exit 0 "client_credentials with tenant" "$POSTIE" --check-config
grep_out '^oauth_grant = client_credentials$' "grant shown"

write_config <<'CONF'
user = "me@example.org"
host = "smtp.example.org"
oauth_client_id = "id"
oauth_refresh_token = "rt"
oauth_token_endpoint = "http://auth.example.org/token"
CONF
expect_exit 78 "http:// token endpoint refused" "$POSTIE" --check-config
grep_err 'oauth_token_endpoint: invalid value' "endpoint named"

# the worked examples of sendmail.conf.example, uncommented, all load
sed -n '/^# --- providers/,$p' "$TEST_SRCDIR/../sendmail.conf.example" |
    sed -n '/^#account/,/^#}/s/^#//p' | write_config
for acct in gmail workspace work alerts sendgrid ses mailjet brevo duocircle; do
	expect_exit 0 "example account $acct loads" "$POSTIE" --check-config \
	    --account "$acct"
done
grep_out '^host = outbound.mailhop.org$' "example duocircle: host"
for opt in provider region oauth_client_id oauth_client_secret \
    oauth_client_secret_command oauth_refresh_token \
    oauth_refresh_token_command oauth_token_endpoint oauth_tenant \
    oauth_grant oauth_scope; do
	grep -q "^#$opt\\b" "$TEST_SRCDIR/../sendmail.conf.example" ||
	    pmissing="$pmissing $opt"
	grep -q "^\\.It Cm $opt " "$TEST_SRCDIR/../man/sendmail.conf.5" ||
	    grep -q "Cm $opt Li = " "$TEST_SRCDIR/../man/sendmail.conf.5" ||
	    mmissing="$mmissing $opt"
done
check "the example shows every provider option${pmissing:+ (missing:$pmissing)}" \
    test -z "$pmissing"
check "sendmail.conf(5) documents every provider option${mmissing:+ (missing:$mmissing)}" \
    test -z "$mmissing"

finish
