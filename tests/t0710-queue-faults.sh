#!/bin/sh
# Each temporary fault queues the message; a later -q delivers it.  Only the
# loss after the final dot may deliver twice (RFC 1047).
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-queue.sh"

# fault_case NAME RCPTS FAULT...: send with the faults, expect it queued,
# then -q delivers it and the queue is empty.
fault_case() {
	name=$1 rcpts=$2
	shift 2
	: >"$FAKE_SMTP_SCRIPT"
	rm -f "$FAKE_SMTP_DIR"/sent.*
	fault "$@"
	msg "$name" >"$T/m"
	# shellcheck disable=SC2086
	run qd send $rcpts <"$T/m"
	is_count 0 "$rc" "$name: exit 0"
	grep_err 'queued as' "$name: queued"
	is_count 1 "$(nqueued)" "$name: in the queue"
}
# drain NAME: -q empties the queue.
drain() {
	run qd run
	is_count 0 "$(nqueued)" "$1: -q emptied the queue"
}

fault_case "421 at greeting" a@example.net "open 421 4.3.2 busy"
drain "421 at greeting"
is_count 1 "$(nsent)" "421 at greeting: delivered once"

fault_case "451 at RCPT" a@example.net "rcpt 451 4.7.1 greylisted"
drain "451 at RCPT"
is_count 1 "$(nsent)" "451 at RCPT: delivered once"

# Two of three recipients refused with 451: the first is delivered now,
# the other two queued and delivered later; nobody gets it twice.
fault_case "451 for some recipients" "a@example.net b@example.net c@example.net" \
	"rcpt 250 ok" "rcpt 451 later" "rcpt 451 later"
drain "451 for some recipients"
is_count 2 "$(nsent)" "partial 451: two transactions in all"
is_count 1 "$(grep -l '^to <a@' "$FAKE_SMTP_DIR"/sent.* | wc -l | tr -d ' ')" \
	"partial 451: a@ got it once"
grep -q '^to <c@' "$FAKE_SMTP_DIR/sent.2"
is_count 0 $? "partial 451: c@ delivered by -q"

# 452 too many recipients: the relay takes two per transaction.
FAKE_SMTP_RCPTMAX=2; export FAKE_SMTP_RCPTMAX
fault_case "452 too many recipients" "a@x.example b@x.example c@x.example d@x.example e@x.example"
unset FAKE_SMTP_RCPTMAX
run qd run
run qd run
is_count 0 "$(nqueued)" "452: queue drained"
is_count 5 "$(cat "$FAKE_SMTP_DIR"/sent.* | grep -c '^to <')" \
	"452: five recipients, each once"
is_count 5 "$(cat "$FAKE_SMTP_DIR"/sent.* | grep '^to <' | sort -u | wc -l | tr -d ' ')" \
	"452: no recipient twice"

fault_case "drop before the final dot" a@example.net "dot drop"
drain "drop before the final dot"
is_count 1 "$(nsent)" "drop before the dot: delivered once"

fault_case "drop after the final dot" a@example.net "dot drop-after"
grep_err 'unknown' "drop after the dot: status unknown said"
drain "drop after the final dot"
is_count 2 "$(nsent)" "drop after the dot: kept, may arrive twice"

fault_case "drop at DATA" a@example.net "data drop"
drain "drop at DATA"
is_count 1 "$(nsent)" "drop at DATA: delivered once"

fault_case "451 at MAIL" a@example.net "mail 451 4.3.0 try later"
drain "451 at MAIL"
is_count 1 "$(nsent)" "451 at MAIL: delivered once"

# During -q: a relay that drops mid-run; the rest wait, none is lost.
: >"$FAKE_SMTP_SCRIPT"
rm -f "$FAKE_SMTP_DIR"/sent.*
for i in 1 2 3 4; do msg "r$i" | qd enqueue r$i@example.net >/dev/null 2>&1; done
fault "dot 250 ok" "dot drop" "open 421 gone"
run qd run
grep_out 'delivered=1 deferred=3' "mid-run drop: one sent, three deferred"
is_count 3 "$(nqueued)" "mid-run drop: three kept"
run qd list
grep_out '1 attempt: relay said at open: 421' "mid-run drop: attempt and error recorded"
run qd run
is_count 0 "$(nqueued)" "mid-run drop: next run delivers the rest"
is_count 4 "$(nsent)" "mid-run drop: four messages, each once"
finish
