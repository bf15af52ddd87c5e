#!/bin/sh
# The outbox: relay down -> queued (exit 0); -q delivers exactly once;
# listing; selectors; backoff.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-queue.sh"

run qd list
expect_exit 0 "empty queue lists" qd list
grep_out '^Mail queue is empty$' "says the queue is empty"

fault "open 421 4.3.2 service not available"
msg one >"$T/m"; run qd send rcpt@example.net <"$T/m"
is_count 0 "$rc" "relay down: exit 0"
grep_err 'queued as' "relay down: says queued"
is_count 1 "$(nqueued)" "one message in the queue"
is_count 0 "$(nsent)" "nothing sent yet"
mode=$(stat -c %a "$Q")
is_count 700 "$mode" "spool directory is 0700"
mode=$(stat -c %a "$Q"/qf*)
is_count 600 "$mode" "queue files are 0600"

run qd list
grep_out 'sender@example.org' "listing shows the sender"
grep_out '<rcpt@example.net>' "listing shows the recipient"
grep_out '421 4.3.2' "listing shows the last error"
grep_out '1 attempt' "listing shows the attempts"
grep_out 'Total requests: 1' "listing counts"

run qd run
is_count 0 "$rc" "-q exits 0"
is_count 1 "$(nsent)" "-q delivered it"
is_count 0 "$(nqueued)" "queue empty after delivery"
grep -q '^\.leading dot' "$FAKE_SMTP_DIR/sent.1"
is_count 0 $? "message bytes intact"
run qd run
is_count 1 "$(nsent)" "a second -q sends nothing again"
expect_exit 0 "list after delivery" qd list
grep_out 'Mail queue is empty' "empty again"

# Backoff: with retry_min 600 a deferred message is not due...
msg two | "$QD" -d "$Q" -m 600 enqueue -e "451 later" a@example.net >/dev/null 2>&1
run "$QD" -d "$Q" -m 600 run
grep_out 'delivered=0 deferred=0' "not due before its backoff"
# ...unless named (-qI / -qR ignore the backoff, as in sendmail).
msg three | "$QD" -d "$Q" -m 600 enqueue -e "451 later" b@example.net >"$T/id3" 2>/dev/null
id3=$(cat "$T/id3")
run "$QD" -d "$Q" -m 600 run -R B@EXAMPLE
grep_out 'delivered=1' "-qR selects by recipient substring"
grep -q '^to <b@example.net>' "$FAKE_SMTP_DIR"/sent.2
is_count 0 $? "-qR sent the right one"
id2=$(ls "$Q" | sed -n 's/^qf//p')
run "$QD" -d "$Q" -m 600 run -I "$(echo "$id2" | cut -c1-12)"
grep_out 'delivered=1' "-qI selects by id prefix"
is_count 0 "$(nqueued)" "queue empty"

# One session for many messages.
: >"$FAKE_SMTP_DIR/log"
for i in 1 2 3 4 5; do msg "m$i" | qd enqueue r$i@example.net >/dev/null 2>&1; done
run qd run
grep_out 'delivered=5' "five delivered"
is_count 1 "$(grep -c '^open' "$FAKE_SMTP_DIR/log")" "over one session"

# Queue disabled: EX_TEMPFAIL, nothing kept.
fault "open 421 down"
msg >"$T/m"; run qd -Q send x@example.net <"$T/m"
is_count 75 "$rc" "queue disabled: EX_TEMPFAIL"
is_count 0 "$(nqueued)" "queue disabled: nothing kept"

# Messages of an account that is not configured are left alone.
msg | "$QD" -d "$Q" -a other enqueue o@example.net >/dev/null 2>&1
run qd run
grep_out 'unknown=1' "unknown account counted"
nogrep_err 'not configured' "unknown account: quiet without -v"
QD_VERBOSE=1; export QD_VERBOSE
run qd run
unset QD_VERBOSE
grep_err 'not configured' "unknown account: said with -v"
is_count 1 "$(nqueued)" "and left in the queue"
run qd -A other run
grep_out 'delivered=1' "delivered once the account exists"

# -qS selects by sender; accounts found through the lookup callback.
msg | "$QD" -d "$Q" -m 600 enqueue -f boss@example.com -e "451 x" s@example.net >/dev/null 2>&1
msg | "$QD" -d "$Q" -m 600 enqueue -e "451 x" t@example.net >/dev/null 2>&1
run "$QD" -d "$Q" -m 600 run -S BOSS@
grep_out 'delivered=1 deferred=0' "-qS selects by sender substring"
run qd run -F
grep_out 'delivered=1' "-q with force sends what is not yet due"
msg | "$QD" -d "$Q" -a cfg-work enqueue w@example.net >/dev/null 2>&1
run qd run -l
grep_out 'delivered=1 .* unknown=0' "account found through the lookup"
is_count 0 "$(nqueued)" "queue empty"
finish
