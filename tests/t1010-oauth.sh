#!/bin/sh
# SPDX-License-Identifier: MIT
# OAuth2 built in: postie gets the access token from the local token
# endpoint (tests/tokend, Google and Microsoft shapes), caches it, reuses
# it, refreshes it when expired or refused (once), and reports a revoked
# refresh token or a refused OAUTHBEARER token with exit 77.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
. "$TEST_SRCDIR/lib-tokend.sh"

printf 'Subject: oauth\n\nhello\n' >"$T/msg"
CACHE=$XDG_STATE_HOME/postie/oauth/default.token
U=me@gmail.example

# oauth_config [LINE...]: an account on the running smtpd and tokend;
# provider gmail (XOAUTH2 first) unless $PROVIDER says otherwise
PROVIDER=gmail
oauth_config() {
	{
		[ -n "$PROVIDER" ] && printf 'provider = %s\n' "$PROVIDER"
		printf 'host = "127.0.0.1"\nport = %s\n' "$SMTPD_PORT"
		printf 'tls_trust_file = "%s"\n' "$TEST_SRCDIR/certs/ca.pem"
		printf 'user = "%s"\ntimeout_total = 30\n' "$U"
		printf 'oauth_client_id = "client-id"\n'
		printf 'oauth_client_secret = "client-secret"\n'
		printf 'oauth_token_endpoint = "%s"\n' "$TOKEND_URL"
		# never the real spool (dead letters, the queue): tests run as root
		printf 'queue_dir = "%s"\n' "$T/queue"
		for l in "$@"; do printf '%s\n' "$l"; done
	} | write_config
}
send() { expect_exit "$1" "$2" "$POSTIE" rcpt@example.org <"$T/msg"; }

# --- Google shape: refresh, cache, reuse -----------------------------------
start_tokend -S google -a ya29.g
start_smtpd -n 2 -u "$U:ya29.g-1" -m "XOAUTH2 OAUTHBEARER PLAIN"
oauth_config 'oauth_refresh_token = "good-refresh"'
send 0 "google: refreshed token sends"
check "google: one token request" test "$(tokend_requests)" = 1
check "google: the form carried grant, client and refresh token" grep -q \
    '^POST /token grant_type=refresh_token client_id=client-id client_secret=client-secret refresh_token=good-refresh scope=-$' \
    "$TOKEND_LOG"
check "google: XOAUTH2 with the issued token" grep -q "^! auth-ok $U XOAUTH2\$" \
    "$SMTPD_LOG"
check "cache written" test -f "$CACHE"
check "cache is 0600" test "$(stat -c %a "$CACHE")" = 600
check "cache holds the token" grep -q '^token ya29.g-1$' "$CACHE"
check "no temporary file left" test "$(ls "${CACHE%/*}" | wc -l)" = 1
expect_exit 0 "--check-config with a cached token" "$POSTIE" --check-config
grep_out "^oauth_cache = $CACHE ([0-9]* s left)\$" "--check-config shows the cached token's time left"
nogrep_out 'ya29' "... but not the token"
send 0 "google: second message"
check "cached token reused: still one request" test "$(tokend_requests)" = 1
wait_smtpd
check "second session authenticated" test "$(grep -c "^! auth-ok $U XOAUTH2\$" "$SMTPD_LOG")" = 2
nogrep_err 'ya29\|good-refresh\|client-secret' "no secret on stderr"

# expired cache entry: refreshed before trying the relay
sed -i 's/^expires .*/expires 1000/' "$CACHE"
start_smtpd -u "$U:ya29.g-2" -m XOAUTH2
oauth_config 'oauth_refresh_token = "good-refresh"'
send 0 "expired cache: refreshed"
check "expired cache: a second request" test "$(tokend_requests)" = 2
check "expired cache: no failed AUTH" sh -c "! grep -q auth-fail '$SMTPD_LOG'"
wait_smtpd

# a token that expires within the margin (60 s) is not used
start_tokend -S google -a short -e 30
start_smtpd -n 2 -u "$U:short-2" -m XOAUTH2
oauth_config 'oauth_refresh_token = "good-refresh"'
send 77 "token about to expire: relay refuses short-1"
send 0 "... next message refreshes (short-2)"
check "about to expire: two requests" test "$(tokend_requests)" = 2
wait_smtpd

# --- refresh on refusal, once ----------------------------------------------
start_tokend -S google -a fresh
start_smtpd -u "$U:fresh-1" -m XOAUTH2
oauth_config 'oauth_refresh_token = "good-refresh"'
send 0 "fills the cache (fresh-1)"
wait_smtpd
sed -i 's/^token .*/token stale-token/' "$CACHE"
start_smtpd -n 2 -u "$U:fresh-2" -m XOAUTH2
oauth_config 'oauth_refresh_token = "good-refresh"'
send 0 "refused cached token: refreshed and retried"
stop_smtpd
check "the relay saw the stale token fail, then the fresh one pass" \
    sh -c "grep -q '^! auth-fail XOAUTH2 token' '$SMTPD_LOG' && grep -q '^! auth-ok $U XOAUTH2\$' '$SMTPD_LOG'"
check "one refresh" test "$(tokend_requests)" = 2

rm -f "$CACHE"
start_tokend -S google -a nope
start_smtpd -n 3 -u "$U:never" -m XOAUTH2
oauth_config 'oauth_refresh_token = "good-refresh"'
send 77 "fresh token refused: 77, no loop"
grep_err '^postie: hint: Gmail refused the OAuth2 token' "the OAuth2 hint, not the app-password one"
stop_smtpd
check "fresh token refused: exactly one request" test "$(tokend_requests)" = 1
check "fresh token refused: exactly one AUTH" test "$(grep -c '^AUTH' "$SMTPD_LOG")" = 1

# --- refusals from the endpoint ----------------------------------------------
rm -f "$CACHE"
start_tokend -S google -R
start_smtpd -u "$U:x" -m XOAUTH2
oauth_config 'oauth_refresh_token = "good-refresh"'
send 77 "google: revoked refresh token: 77"
grep_err 'invalid_grant: Token has been expired or revoked\.' "the endpoint's reason"
grep_err 'get a new one' "says what to do"
stop_smtpd
check "revoked: the relay was not contacted" sh -c "! grep -q '^EHLO' '$SMTPD_LOG'"

start_tokend -S google -c other-client
start_smtpd -u "$U:x" -m XOAUTH2
oauth_config 'oauth_refresh_token = "good-refresh"'
send 77 "unknown client: 77"
grep_err 'invalid_client' "invalid_client named"
stop_smtpd

start_tokend -s 503
start_smtpd -u "$U:x" -m XOAUTH2
oauth_config 'oauth_refresh_token = "good-refresh"' 'queue = false'
send 75 "endpoint 503, queue = false: temporary (75)"
grep_err 'HTTP 503' "the endpoint's status named"
oauth_config 'oauth_refresh_token = "good-refresh"'
expect_exit 0 "endpoint 503: the message is queued (0)" "$POSTIE" -v \
    rcpt@example.org <"$T/msg"
grep_err 'queued as' "... and says so"
stop_smtpd
# the queue run gets its token the same way
start_tokend -S google -a q
start_smtpd -u "$U:q-1" -m XOAUTH2
oauth_config 'oauth_refresh_token = "good-refresh"'
expect_exit 0 "postie -qR with OAuth2" "$POSTIE" -qRrcpt@example.org
wait_smtpd
check "queue run: XOAUTH2 with a fresh token" grep -q "^! auth-ok $U XOAUTH2\$" "$SMTPD_LOG"
check "queue run: the queued message delivered" test -s "$SMTPD_DIR/msg.1"

start_tokend -S google
port=$TOKEND_PORT
stop_tokend
start_smtpd -u "$U:x" -m XOAUTH2
oauth_config 'oauth_refresh_token = "good-refresh"' 'queue = false'
send 75 "endpoint not listening: 75"
stop_smtpd

# the endpoint's certificate is verified like the relay's
rm -f "$CACHE"
mkdir -p "$T/badtok"
"$TOKEND" -C "$TEST_SRCDIR/certs/untrusted.pem" -K "$TEST_SRCDIR/certs/untrusted.key" \
    -p "$T/badtok/port" -l "$T/badtok/log" -n 1 -T 20 </dev/null >/dev/null 2>&1 &
bad_pid=$!
at_exit "kill $bad_pid 2>/dev/null"
wait_for "$T/badtok/port" 10
TOKEND_URL="https://localhost:$(cat "$T/badtok/port")/token"
start_smtpd -u "$U:x" -m XOAUTH2
oauth_config 'oauth_refresh_token = "good-refresh"'
send 69 "untrusted endpoint certificate: 69"
check "untrusted endpoint: no token request made" sh -c "! grep -q '^POST' '$T/badtok/log'"
stop_smtpd

# --- no provider: OAUTHBEARER first -------------------------------------------
rm -f "$CACHE"
PROVIDER=
start_tokend -S google -a ob
start_smtpd -u "$U:ob-1"
oauth_config 'oauth_refresh_token = "good-refresh"'
send 0 "no provider: OAUTHBEARER preferred"
wait_smtpd
check "OAUTHBEARER with the issued token" grep -q "^! auth-ok $U OAUTHBEARER\$" "$SMTPD_LOG"
PROVIDER=office365

# --- Microsoft shape -----------------------------------------------------------
start_tokend -S microsoft -a eyJ0.ms
start_smtpd -u "$U:eyJ0.ms-1" -m "XOAUTH2 LOGIN"
oauth_config 'oauth_refresh_token_command = "printf good-refresh"' \
    'oauth_scope = "https://outlook.office.com/SMTP.Send offline_access"'
send 0 "microsoft: refresh token from a command"
wait_smtpd
check "microsoft: scope sent" grep -q 'scope=https://outlook.office.com/SMTP.Send offline_access$' "$TOKEND_LOG"
check "microsoft: authenticated" grep -q "^! auth-ok $U XOAUTH2\$" "$SMTPD_LOG"

rm -f "$CACHE"
start_tokend -S microsoft -R
start_smtpd -u "$U:x" -m XOAUTH2
oauth_config 'oauth_refresh_token = "good-refresh"' 'oauth_scope = "s"'
send 77 "microsoft: revoked: 77"
grep_err 'invalid_grant: AADSTS' "microsoft: AADSTS reason shown"
nogrep_err "$(printf '\r')" "no CR from the endpoint reaches the terminal"
stop_smtpd

start_tokend -S microsoft -a svc
start_smtpd -u "$U:svc-1" -m XOAUTH2
oauth_config 'oauth_grant = client_credentials' \
    'oauth_scope = "https://outlook.office365.com/.default"'
send 0 "microsoft: client-credentials grant"
wait_smtpd
check "client_credentials form" grep -q '^POST /token grant_type=client_credentials client_id=client-id client_secret=client-secret refresh_token=- scope=https://outlook.office365.com/.default$' "$TOKEND_LOG"

start_tokend -S microsoft
start_smtpd -u "$U:x" -m XOAUTH2
oauth_config 'oauth_refresh_token_command = "false"' 'oauth_scope = "s"' \
    'queue = false'
send 75 "failing refresh token command: 75"
grep_err 'oauth_refresh_token_command' "the command's option is named"
check "failing command: no request" test "$(tokend_requests)" = 0
stop_smtpd

# a group-readable cache is not trusted
start_tokend -S google -a g2
start_smtpd -u "$U:g2-1" -m XOAUTH2
oauth_config 'oauth_refresh_token = "good-refresh"'
printf 'postie-oauth-cache 1\nkey 0\nexpires 9999999999\ntoken g2-1\n' >"$CACHE"
chmod 640 "$CACHE"
send 0 "group-readable cache ignored"
check "... and a token requested instead" test "$(tokend_requests)" = 1
check "... and the cache rewritten 0600" test "$(stat -c %a "$CACHE")" = 600
wait_smtpd

# --- the OAUTHBEARER failure exchange (RFC 7628 3.2.3) -------------------------
start_smtpd -u "$U:right" -m OAUTHBEARER
{
	printf 'host = "127.0.0.1"\nport = %s\n' "$SMTPD_PORT"
	printf 'tls_trust_file = "%s"\n' "$TEST_SRCDIR/certs/ca.pem"
	printf 'user = "%s"\npassword = "wrong"\nauth = { OAUTHBEARER }\n' "$U"
	printf 'queue_dir = "%s"\n' "$T/queue"
} | write_config
send 77 "OAUTHBEARER refused: 77"
wait_smtpd
check "the client answered the JSON challenge with ^A (AQ==)" grep -q '^AQ==$' "$SMTPD_LOG"
grep_err '535' "the relay's reply shown"

finish
