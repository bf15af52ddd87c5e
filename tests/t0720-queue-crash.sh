#!/bin/sh
# Crash safety: SIGKILL during enqueue never leaves a partial message
# visible; a full disk gives non-zero and claims nothing; parallel runs
# send each message once; corrupt records are set aside once; an unsafe
# spool directory is refused.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-queue.sh"

rnd() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }

# A 150 KiB message; the driver makes it CRLF.
{ msg big; i=0; while [ $i -lt 2000 ]; do
	echo "line $i of a message that is long enough to take a while"; i=$((i + 1)); done; } >"$T/big"
awk '{ printf "%s\r\n", $0 }' "$T/big" >"$T/big.crlf"

# 1. SIGKILL at random points (30 runs, bounded): slow writes of the
# message, and fast small ones (to hit the record's write and rename).
i=0
while [ $i -lt 30 ]; do
	if [ $((i % 2)) = 0 ]; then
		"$QD" -d "$Q" enqueue -S 2000 k@example.net <"$T/big" >/dev/null 2>&1 &
		delay=$(( $(rnd) % 250 ))
	else
		"$QD" -d "$Q" enqueue k@example.net <"$T/big" >/dev/null 2>&1 &
		delay=$(( $(rnd) % 15 ))
	fi
	pid=$!
	sleep "$(printf '0.%03d' "$delay")"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	i=$((i + 1))
done
visible=$(nqueued)
partial=$(( $(find "$Q" -maxdepth 1 -name 'df*' | wc -l) - visible ))
echo "# 30 writers: $visible finished, $partial killed mid-write"
check "some writers were killed mid-write" test "$partial" -gt 5
run qd list
nogrep_out 'corrupt' "no corrupt entry visible after the kills"
run qd run -F
grep_out "delivered=$visible deferred=0 failed=0 bounced=0 busy=0 corrupt=0" \
	"every visible message ($visible) was whole and delivered"
bad=0
for s in "$FAKE_SMTP_DIR"/sent.*; do
	[ -e "$s" ] || continue
	sed '1,/^$/d' "$s" | cmp -s - "$T/big.crlf" || bad=$((bad + 1))
done
is_count 0 "$bad" "each delivered message is byte-identical"
is_count 0 "$(nqueued)" "queue empty"

# 2. Full disk.
rm -f "$FAKE_SMTP_DIR"/sent.*
mkdir "$T/small"
if mount -t tmpfs -o size=64k,mode=0700 tmpfs "$T/small" 2>/dev/null; then
	at_exit "umount '$T/small'"
	run "$QD" -d "$T/small/q" enqueue f@example.net <"$T/big"
	check "full tmpfs: non-zero exit ($rc)" test "$rc" = 74 -o "$rc" = 73
	grep_err 'queue' "full tmpfs: says why"
	nogrep_err 'queued as' "full tmpfs: nothing claimed"
	is_count 0 "$(find "$T/small/q" -type f | wc -l | tr -d ' ')" \
		"full tmpfs: no file left behind"
	run "$QD" -d "$T/small/q" list
	grep_out 'Mail queue is empty' "full tmpfs: nothing listed"
else
	echo "# tmpfs mount not permitted here; file-size limit only"
fi
ndf=$(find "$Q" -maxdepth 1 -name 'df*' | wc -l | tr -d ' ')
(ulimit -f 64; exec "$QD" -d "$Q" -m 0 enqueue f@example.net <"$T/big" >"$T/out" 2>"$T/err")
rc=$?
is_count 74 "$rc" "file-size limit: EX_IOERR"
nogrep_err 'queued as' "file-size limit: nothing claimed"
is_count 0 "$(nqueued)" "file-size limit: nothing visible"
is_count "$ndf" "$(find "$Q" -maxdepth 1 -name 'df*' | wc -l | tr -d ' ')" \
	"file-size limit: partial data removed"

# 3. Two runs at once: each message is delivered once.
i=0
while [ $i -lt 20 ]; do msg "p$i" | qd enqueue p$i@example.net >/dev/null 2>&1; i=$((i + 1)); done
FAKE_SMTP_DELAY_MS=30 "$QD" -d "$Q" -m 0 run >"$T/run1" 2>&1 &
p1=$!
FAKE_SMTP_DELAY_MS=30 "$QD" -d "$Q" -m 0 run >"$T/run2" 2>&1 &
p2=$!
wait $p1; wait $p2
is_count 20 "$(nsent)" "parallel runs: 20 transactions"
is_count 20 "$(grep -h '^Subject: p' "$FAKE_SMTP_DIR"/sent.* | sort -u | wc -l | tr -d ' ')" \
	"parallel runs: 20 distinct messages"
is_count 0 "$(nqueued)" "parallel runs: queue empty"
echo "# run 1: $(cat "$T/run1")"
echo "# run 2: $(cat "$T/run2")"

# 4. A run killed with SIGKILL mid-delivery leaves no stale lock.
msg stale | qd enqueue s@example.net >/dev/null 2>&1
FAKE_SMTP_DELAY_MS=3000 "$QD" -d "$Q" -m 0 run >/dev/null 2>&1 &
p=$!
sleep 0.5
run qd list
grep_out '^[0-9A-F]*\*' "in flight: marked with *"
kill -9 $p; wait $p 2>/dev/null
run qd run
grep_out 'delivered=1' "after SIGKILL of a run: delivered, no stale lock"

# 5. Corrupt records: set aside once, never retried.
msg c | qd enqueue c@example.net >/dev/null 2>&1
qf=$(ls "$Q" | grep '^qf' | head -n 1)
printf 'postie-spool 1\nsender 3:a@b\nrcpt 99:x' >"$Q/$qf"
run qd list
grep_out 'corrupt' "listing flags the corrupt record"
run qd run
grep_out 'corrupt=1' "run sets it aside"
grep_err 'corrupt' "and reports it"
check "moved to corrupt/" test -e "$Q/corrupt/$qf"
run qd run
grep_out 'corrupt=0' "reported once only"
nogrep_err 'corrupt' "not reported again"

# A record whose message file is gone (a lost unlink) is set aside.
msg o | qd enqueue o@example.net >/dev/null 2>&1
rm -f "$Q"/df*
run qd run
grep_out 'corrupt=1' "record without message: set aside"
is_count 0 "$(nqueued)" "record without message: not visible any more"

# 6. A spool directory others can write to is refused.
chmod 777 "$Q"
msg >"$T/m"; run qd enqueue u@example.net <"$T/m"
is_count 73 "$rc" "group/other-writable spool: EX_CANTCREAT"
grep_err 'writable by others' "says why"
chmod 700 "$Q"
finish
