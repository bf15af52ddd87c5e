#!/bin/sh
# SPDX-License-Identifier: MIT
# TLS 1.3 session resumption across runs: the ticket cache in the state
# directory, its permissions, and what must never reuse it.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
C=$SMTPD_CERTS
D=$XDG_STATE_HOME/postie/tls
S=$D/default.session
printf 'Subject: resume\n\nhello\n' >"$T/msg"
pin() { certtool --fingerprint --hash=sha256 --infile "$1"; }
send() { expect_exit "$1" "$2" "$POSTIE" -v -i b@example.org <"$T/msg"; }
mode() { stat -c %a "$1"; }
resumed() { grep -q '^! tls-resumed' "$SMTPD_LOG"; }
QOFF='queue=false'

# first run stores a ticket, second run (same server process) resumes
start_smtpd -n 2
smtpd_config "$QOFF"
send 0 "first run sends"
nogrep_err 'TLS session resumed' "first run: a full handshake"
check "the ticket file is 0600" test "$(mode "$S")" = 600
check "its directory is 0700" test "$(mode "$D")" = 700
cp "$S" "$T/ticket1"
send 0 "second run sends"
grep_err 'TLS session resumed' "-v says TLS session resumed"
same_file "$S" "$T/ticket1" "a resumed run keeps the stored ticket"
wait_smtpd
check "the server resumed the second session" resumed
check "the server got both messages" test -s "$SMTPD_DIR/msg.2"

# a group/other-readable cache file is ignored and removed
start_smtpd -n 2
smtpd_config "$QOFF"
send 0 "fill the cache"
chmod 644 "$S"
send 0 "sends with a 0644 cache file"
nogrep_err 'TLS session resumed' "0644 cache file: not used"
check "0644 cache file replaced by a private one" test "$(mode "$S")" = 600
wait_smtpd
check "server: no resumption from the 0644 file" sh -c "! grep -q '^! tls-resumed' '$SMTPD_LOG'"

# a cache file of another owner is ignored (tests run as root in CI:
# the file can be given away; otherwise this is the 0600 case again)
start_smtpd -n 2
smtpd_config "$QOFF"
send 0 "fill the cache"
[ "$(id -u)" = 0 ] && chown 65534 "$S"
send 0 "sends with a cache file of another owner"
if [ "$(id -u)" = 0 ]; then
	nogrep_err 'TLS session resumed' "another owner's cache file: not used"
	check "replaced by one of ours" test "$(stat -c %u "$S")" = 0
else
	grep_err 'TLS session resumed' "own cache file: used"
fi
wait_smtpd

# a damaged cache file is ignored and replaced
start_smtpd -n 2
smtpd_config "$QOFF"
printf 'postie-tls-session 1\ngarbage' >"$S"
chmod 600 "$S"
send 0 "sends with a damaged cache file"
nogrep_err 'TLS session resumed' "damaged cache: full handshake"
check "damaged cache replaced" sh -c "test \$(wc -c <'$S') -gt 100"
send 0 "then resumes"
grep_err 'TLS session resumed' "the replacement ticket resumes"
wait_smtpd

# other trust settings (or host) never reuse the ticket
start_smtpd -n 2
smtpd_config "$QOFF"
send 0 "fill the cache"
cp "$C/ca.pem" "$T/ca2.pem"
smtpd_config "$QOFF" "tls_trust_file=\"$T/ca2.pem\""
send 0 "another trust file"
nogrep_err 'TLS session resumed' "another trust file: not resumed"
wait_smtpd
check "server: no resumption across trust settings" sh -c "! grep -q '^! tls-resumed' '$SMTPD_LOG'"
start_smtpd -n 2
smtpd_config "$QOFF"
send 0 "fill the cache"
smtpd_config "$QOFF" 'host="localhost"' "tls_verify=false"
send 0 "another host name"
nogrep_err 'TLS session resumed' "another host: not resumed"
wait_smtpd

# tls_session_cache = false writes nothing and reads nothing
rm -rf "$D"
start_smtpd -n 2
smtpd_config "$QOFF" tls_session_cache=false
send 0 "no cache: sends"
check "no cache: nothing written" test ! -e "$S"
send 0 "no cache: sends again"
nogrep_err 'TLS session resumed' "no cache: not resumed"
wait_smtpd

# pinning: a ticket from a correct-pin run never lets a wrong pin pass
rm -rf "$D"
start_smtpd -n 2 -C "$C/untrusted.pem" -K "$C/untrusted.key"
smtpd_config "$QOFF" "tls_fingerprint=\"$(pin "$C/untrusted.pem")\""
sed -i '/^tls_trust_file/d' "$POSTIE_CONFIG"
send 0 "pinned: first run"
send 0 "pinned: second run"
grep_err 'TLS session resumed' "pinned: resumed with the right pin"
wait_smtpd
start_smtpd -n 2 -C "$C/untrusted.pem" -K "$C/untrusted.key"
smtpd_config "$QOFF" "tls_fingerprint=\"$(pin "$C/untrusted.pem")\""
sed -i '/^tls_trust_file/d' "$POSTIE_CONFIG"
send 0 "pinned: fill the cache"
smtpd_config "$QOFF" "tls_fingerprint=\"$(pin "$C/server.pem")\""
sed -i '/^tls_trust_file/d' "$POSTIE_CONFIG"
send 69 "wrong pin with a cached ticket: still refused"
grep_err 'fingerprint does not match' "wrong pin: says so"
wait_smtpd
check "wrong pin: the server did not resume" sh -c "! grep -q '^! tls-resumed' '$SMTPD_LOG'"

# the option is in the configuration printout and the example
smtpd_config tls_session_cache=false
expect_exit 0 "--check-config" "$POSTIE" --check-config
grep_out '^tls_session_cache = false$' "--check-config prints tls_session_cache"
check "sendmail.conf.example lists tls_session_cache" \
    grep -q '^#tls_session_cache = true' "$TEST_SRCDIR/../sendmail.conf.example"
finish
