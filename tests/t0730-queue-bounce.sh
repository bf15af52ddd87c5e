#!/bin/sh
# Permanent failure and expiry: one RFC 3464 bounce to the sender from the
# null reverse path, the message kept in failed/; never a bounce of a
# bounce; never retried.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-queue.sh"

reset() { : >"$FAKE_SMTP_SCRIPT"; rm -rf "$FAKE_SMTP_DIR"/sent.* "$Q/failed"; }
queue1() { msg "$1" | qd enqueue -e "451 4.7.1 try later" ${2:+-f "$2"} "${3:-rcpt@example.net}" >/dev/null 2>&1; }

# 5xx to MAIL FROM during a queue run.
reset
queue1 "five-oh-oh"
fault "mail 550 5.7.1 sender denied"
run qd run
grep_out 'failed=1 bounced=1' "5xx: failed and bounced"
grep_err 'failed/' "5xx: reported on stderr"
is_count 1 "$(nsent)" "5xx: one bounce sent"
b=$FAKE_SMTP_DIR/sent.1
check "bounce from the null reverse path" grep -q '^from <>$' "$b"
check "bounce to the sender" grep -q '^to <sender@example.org>$' "$b"
check "multipart/report" grep -q 'multipart/report; report-type=delivery-status' "$b"
check "Final-Recipient" grep -q '^Final-Recipient: rfc822; rcpt@example.net' "$b"
check "Action: failed" grep -q '^Action: failed' "$b"
check "Status from the reply" grep -q '^Status: 5.7.1' "$b"
check "original headers included" grep -q '^Subject: five-oh-oh' "$b"
check "original body not included" sh -c "! grep -q '^Hello' '$b'"
is_count 0 "$(nqueued)" "5xx: not in the queue"
is_count 1 "$(nfailed)" "5xx: kept in failed/"
run qd run
is_count 1 "$(nsent)" "5xx: no second bounce on the next run"

# Every recipient refused (5xx to each RCPT).
reset
queue1 "all-refused" "" a@example.net
fault "rcpt 550 5.1.1 no such user"
run qd run
grep_out 'failed=1 bounced=1' "all recipients 5xx: failed and bounced"
check "status 5.1.1" grep -q '^Status: 5.1.1' "$FAKE_SMTP_DIR/sent.1"

# Some refused, some accepted: delivered to the rest, bounce for the
# refused one, nothing left.
reset
msg partial | qd enqueue -e "451 x" a@example.net b@example.net >/dev/null 2>&1
fault "rcpt 250 ok" "rcpt 550 5.1.1 no such user"
run qd run
grep_out 'delivered=1 deferred=0 failed=0 bounced=1' "partial 5xx: delivered and bounced"
is_count 2 "$(nsent)" "partial 5xx: message + bounce"
check "bounce names the refused one" grep -q '^Final-Recipient: rfc822; b@example.net' "$FAKE_SMTP_DIR/sent.2"
is_count 0 "$(nqueued)" "partial 5xx: queue empty"

# Expiry: lifetime 0, the relay still says 451.
reset
queue1 "expiring"
fault "rcpt 451 4.7.1 still greylisted"
run qd -L 0 run
grep_out 'failed=1 bounced=1' "expired: failed and bounced"
check "expired: bounce sent" grep -q '^from <>$' "$FAKE_SMTP_DIR/sent.1"
check "expired: says so" grep -q 'expired' "$FAKE_SMTP_DIR/sent.1"
is_count 1 "$(nfailed)" "expired: in failed/"

# Expired while the relay is down: no bounce possible; kept in failed/.
reset
queue1 "expiring-down"
fault "open 421 down"
run qd -L 0 run
grep_out 'failed=1 bounced=0' "expired, relay down: failed, no bounce"
grep_err 'bounce' "expired, relay down: the failed bounce is reported"
is_count 1 "$(nfailed)" "expired, relay down: in failed/"

# A message from the null sender is never bounced.
reset
msg nullsender | qd enqueue -f "" -e "451 x" n@example.net >/dev/null 2>&1
fault "mail 550 5.7.1 no"
run qd run
grep_out 'failed=1 bounced=0' "null sender: no bounce"
is_count 0 "$(nsent)" "null sender: nothing sent"

# NOTIFY=NEVER: no bounce; NOTIFY=FAILURE,DELAY: a bounce.
reset
msg never | qd enqueue -N NEVER -e "451 x" n@example.net >/dev/null 2>&1
fault "mail 550 5.7.1 no"
run qd run
grep_out 'failed=1 bounced=0' "NOTIFY=NEVER: no bounce"
msg fd | qd enqueue -N FAILURE,DELAY -e "451 x" n@example.net >/dev/null 2>&1
fault "mail 550 5.7.1 no"
run qd run
grep_out 'failed=1 bounced=1' "NOTIFY=FAILURE,DELAY: bounced"
check "the bounce asks for no DSN itself" test "$(nsent)" = 1

# The bounce itself refused: reported, message in failed/, no loop.
reset
queue1 "bounce-refused"
fault "mail 550 5.7.1 no" "rcpt 550 5.1.1 sender unknown"
run qd run
grep_out 'failed=1 bounced=0' "bounce refused: failed, not bounced"
grep_err 'bounce to <sender@example.org> failed' "bounce refused: reported"
run qd run
grep_out 'delivered=0 deferred=0 failed=0' "bounce refused: nothing retried"
finish
