#!/bin/sh
# The queue through postie itself (main.c): relay down -> exit 0, queued;
# -bp and mailq list; -q delivers once; the drain after a send; queue =
# false -> 75; a spool that cannot be written -> non-zero, nothing claimed.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
Q=$T/queue
nqueued() { find "$Q" -maxdepth 1 -name 'qf*' 2>/dev/null | wc -l | tr -d ' '; }
nmsg() { find "$SMTPD_DIR" -name 'msg.*' ! -name '*.env' | wc -l | tr -d ' '; }
is_count() {
	if [ "$1" = "$2" ]; then t_result 0 "$3"; else
		echo "#   got $2, want $1"; t_result 1 "$3"; fi
}
printf 'From: ann@example.org\nTo: bob@example.org\nSubject: outbox\n\nline one\n.dot line\n' >"$T/in"
sed 's/$/\r/' "$T/in" >"$T/want"

# A port that was bound, then closed: the relay is down.
start_smtpd -n 1
stop_smtpd
smtpd_config retry_min=1 "log=\"$T/post.log\""
run "$POSTIE" -i -f ann@example.org bob@example.org <"$T/in"
is_count 0 "$rc" "relay down: exit 0"
nogrep_err 'queued' "relay down: quiet when not interactive"
grep -q 'status=queued' "$T/post.log"
is_count 0 $? "relay down: the log says queued"
run "$POSTIE" -v -i -f ann@example.org carol@example.org <"$T/in"
is_count 0 "$rc" "relay down, -v: exit 0"
grep_err 'queued as' "relay down, -v: says queued"
is_count 2 "$(nqueued)" "two messages queued"
expect_exit 0 "-bp: 0" "$POSTIE" -bp
grep_out '<bob@example.org>' "-bp lists a recipient"
grep_out 'Total requests: 2' "-bp counts"
ln -s "$POSTIE" "$T/mailq"
expect_exit 0 "mailq: 0" "$T/mailq"
grep_out '<carol@example.org>' "mailq lists"

# Relay up: -qR takes one, -q the rest; each arrives once, byte-exact.
sleep 1	# retry_min: 1 s
start_smtpd -n 2
smtpd_config retry_min=1
expect_exit 0 "-qRcarol: 0" "$POSTIE" -qRcarol
is_count 1 "$(nqueued)" "-qR took one"
expect_exit 0 "-q: 0" "$POSTIE" -q
wait_smtpd
is_count 2 "$(nmsg)" "-q delivered the rest"
is_count 0 "$(nqueued)" "queue empty"
tail -n 2 "$SMTPD_DIR/msg.1" >"$T/got.tail"
tail -n 2 "$T/want" >"$T/want.tail"
same_file "$T/got.tail" "$T/want.tail" "delivered byte-exact (body)"
expect_exit 0 "-q again: 0" "$POSTIE" -q
expect_exit 0 "-bp: 0" "$POSTIE" -bp
grep_out 'Mail queue is empty' "-bp: empty"

# Queue two while down; the next send drains them over its session.
start_smtpd -n 1
down=$SMTPD_PORT
stop_smtpd
for r in d1 d2; do "$POSTIE" -i $r@example.org <"$T/in" >/dev/null 2>&1; done
is_count 2 "$(nqueued)" "two queued while down"
sleep 1	# retry_min: 1 s
start_smtpd -n 1
smtpd_config retry_min=1
expect_exit 0 "a send with the relay up: 0" "$POSTIE" -i now@example.org <"$T/in"
wait_smtpd
is_count 3 "$(nmsg)" "the send drained the queue"
is_count 1 "$(grep -c '^STARTTLS' "$SMTPD_LOG")" "over one session"
is_count 0 "$(nqueued)" "queue empty"

# 451 to one of two recipients: the other delivered, the owed one queued.
printf 'at RCPT#2 reply 451 4.7.1 greylisted\n' >"$T/script"
start_smtpd -n 2 -s "$T/script"
smtpd_config retry_min=1
expect_exit 0 "one recipient greylisted: 0" "$POSTIE" -i a@example.org b@example.org <"$T/in"
is_count 1 "$(nqueued)" "the greylisted one queued"
sleep 1
expect_exit 0 "-q: 0" "$POSTIE" -q
wait_smtpd
is_count 2 "$(nmsg)" "each recipient got it"
is_count 2 "$(cat "$SMTPD_DIR"/msg.*.env | grep -c '^RCPT')" "no recipient twice"

# queue = false: 75, nothing kept.
smtpd_config queue=false "port=$down"
expect_exit 75 "queue = false: 75" "$POSTIE" -i x@example.org <"$T/in"
is_count 0 "$(nqueued)" "queue = false: nothing kept"

# The spool cannot be written (a full disk): non-zero, nothing claimed.
head -c 150000 /dev/zero | tr '\0' 'x' | fold -w 70 >"$T/big"
cat "$T/in" "$T/big" >"$T/in.big"
mkdir "$T/small"
if mount -t tmpfs -o size=64k,mode=0700 tmpfs "$T/small" 2>/dev/null; then
	at_exit "umount '$T/small'"
	smtpd_config "port=$down" "queue_dir=\"$T/small/q\""
	run "$POSTIE" -v -i x@example.org <"$T/in.big"
	is_count 74 "$rc" "full spool: EX_IOERR"
	nogrep_err 'queued as' "full spool: nothing claimed"
	is_count 0 "$(find "$T/small/q" -type f | wc -l | tr -d ' ')" \
		"full spool: nothing left behind"
else
	# no tmpfs here: a file-size limit (intake's temporary file may be
	# what fails first; either way nothing may be claimed)
	smtpd_config "port=$down"
	(ulimit -f 100; exec "$POSTIE" -v -i x@example.org <"$T/in.big" >"$T/out" 2>"$T/err")
	rc=$?
	check "file-size limit: 71, 73 or 74 (got $rc)" test "$rc" = 71 -o "$rc" = 73 -o "$rc" = 74
	nogrep_err 'queued as' "file-size limit: nothing claimed"
	is_count 0 "$(nqueued)" "file-size limit: nothing visible"
fi
finish
