#!/bin/sh
# Dead letters: what the relay refuses for good at submit time is kept in
# the spool's failed/ directory, byte-identical to what the relay would
# have received, and the error line says where; recipients refused while
# others were delivered are bounced (RFC 3464, from <>) over the same
# session unless the sender is null or asked NOTIFY=NEVER; -bp -qQ lists
# the dead letters, -qQ -qI<id> sends one again; when keeping fails the
# error says so and the exit code is the refusal's.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
Q=$T/queue
F=$Q/failed
is_count() {
	if [ "$1" = "$2" ]; then t_result 0 "$3"; else
		echo "#   got $2, want $1"; t_result 1 "$3"; fi
}
nfailed() { find "$F" -maxdepth 1 -name 'qf*' 2>/dev/null | wc -l | tr -d ' '; }
nqueued() { find "$Q" -maxdepth 1 -name 'qf*' 2>/dev/null | wc -l | tr -d ' '; }
nmsg() { find "$SMTPD_DIR" -name 'msg.*' ! -name '*.env' | wc -l | tr -d ' '; }
# kept_path: the path the last error line names ("message kept as PATH")
kept_path() { sed -n 's/.*message kept as \(.*\)$/\1/p' "$T/err" | head -n 1; }
printf 'From: ann@example.org\nTo: bob@example.org\nSubject: dead letter\n\nline one\n.dot line\nlast\n' >"$T/in"

# case NAME CODE [postie args...]: the server (already started) refuses;
# postie exits CODE, names a path in failed/ that exists.
case_kept() {
	name=$1 code=$2
	shift 2
	run "$POSTIE" -i -f ann@example.org "$@" <"$T/in"
	is_count "$code" "$rc" "$name: exit $code"
	grep_err "message kept as $F/df" "$name: the error line says where"
	kept=$(kept_path)
	check "$name: the kept file exists" test -f "$kept"
	wait_smtpd
}

# requeue_cmp NAME: send the last kept message again (-qQ -qI<id>) to a
# well-behaved server; what arrives is the kept file, byte for byte.
requeue_cmp() {
	id=${kept##*/df}
	cp "$kept" "$T/kept.copy"
	start_smtpd -n 1
	smtpd_config
	expect_exit 0 "$1: -qQ -qI$id: 0" "$POSTIE" -qQ "-qI$id"
	wait_smtpd
	is_count 1 "$(nmsg)" "$1: requeued and delivered once"
	same_file "$T/kept.copy" "$SMTPD_DIR/msg.1" "$1: delivered byte-identical to the kept file"
	check "$1: no longer in failed/" test ! -e "$kept"
	is_count 0 "$(nqueued)" "$1: queue empty"
}

# 5xx to MAIL: 69, kept; requeued after the "config fix", delivered.
printf 'at MAIL reply 550 5.7.1 sender denied\n' >"$T/s.mail"
start_smtpd -n 1 -s "$T/s.mail"
smtpd_config
case_kept "MAIL 550" 69 bob@example.org
grep_err 'MAIL FROM:<ann@example.org> refused by relay: 550 5.7.1 sender denied; message kept as' \
	"MAIL 550: one line, the reply and the path"
is_count 1 "$(nfailed)" "MAIL 550: one dead letter"
is_count 0 "$(nqueued)" "MAIL 550: nothing queued for retry"
expect_exit 0 "-bp: 0" "$POSTIE" -bp
grep_out 'Mail queue is empty' "-bp: the queue is empty"
grep_out '1 failed message kept: mailq -qQ' "-bp: counts the dead letter"
expect_exit 0 "-bp -qQ: 0" "$POSTIE" -bp -qQ
grep_out "$(basename "$(dirname "$kept")")" "-bp -qQ: names failed/"
grep_out "${kept##*/df}" "-bp -qQ: lists the id"
grep_out 'sender denied' "-bp -qQ: shows the reason"
grep_out '<bob@example.org>' "-bp -qQ: shows the recipient"
ln -s "$POSTIE" "$T/mailq"
expect_exit 0 "mailq -qQ: 0" "$T/mailq" -qQ
grep_out "${kept##*/df}" "mailq -qQ lists it"
requeue_cmp "MAIL 550"
expect_exit 0 "-bp -qQ when none: 0" "$POSTIE" -bp -qQ
grep_out 'No failed messages' "-bp -qQ: none left"

# 5xx after the data: 69, kept.
printf 'at DATA-END reply 554 5.7.1 message refused\n' >"$T/s.data"
start_smtpd -n 1 -s "$T/s.data"
smtpd_config
case_kept "DATA-END 554" 69 bob@example.org
requeue_cmp "DATA-END 554"

# Authentication refused: 77, kept.
printf 'at AUTH reply 535 5.7.8 bad credentials\n' >"$T/s.auth"
start_smtpd -n 1 -s "$T/s.auth"
smtpd_config
case_kept "AUTH 535" 77 bob@example.org
requeue_cmp "AUTH 535"

# STARTTLS not offered: 69, kept.
printf 'nocap STARTTLS\n' >"$T/s.notls"
start_smtpd -n 1 -s "$T/s.notls"
smtpd_config
case_kept "no STARTTLS" 69 bob@example.org
requeue_cmp "no STARTTLS"

# Certificate rejected: 69, kept.
start_smtpd -n 1 -C "$SMTPD_CERTS/untrusted.pem" -K "$SMTPD_CERTS/untrusted.key"
smtpd_config
case_kept "certificate rejected" 69 bob@example.org
grep_err 'TLS certificate' "certificate rejected: says why"
requeue_cmp "certificate rejected"

# Too big for the relay's SIZE: 69, kept.
printf 'cap SIZE 20\ncap PIPELINING\ncap ENHANCEDSTATUSCODES\n' >"$T/s.size"
start_smtpd -n 1 -s "$T/s.size"
smtpd_config
case_kept "SIZE" 69 bob@example.org
requeue_cmp "SIZE"

# SMTPUTF8 needed, not offered: 69, kept (the recipient kept as given).
printf 'nocap SMTPUTF8\n' >"$T/s.utf8"
start_smtpd -n 1 -s "$T/s.utf8"
smtpd_config
u=$(printf 'jos\303\251@example.org')
case_kept "SMTPUTF8" 69 "$u"
check "SMTPUTF8: the recipient is in the record" grep -q "$u" "$F/qf${kept##*/df}"
rm -f "$F"/*

# One recipient refused, the other delivered: 67, kept for the refused
# one (byte-identical to what the other got), a bounce in a second
# transaction from <> with Final-Recipient and Status.
printf 'at RCPT#2 reply 550 5.1.1 no such user\n' >"$T/s.rcpt"
start_smtpd -n 1 -s "$T/s.rcpt"
smtpd_config
case_kept "RCPT 550" 67 bob@example.org nobody@example.org
grep_err '<nobody@example.org>: refused: .*550 5.1.1 no such user; message kept as' \
	"RCPT 550: names the recipient, the reply and the path"
same_file "$kept" "$SMTPD_DIR/msg.1" "RCPT 550: kept file = what the relay received"
is_count 2 "$(nmsg)" "RCPT 550: the message and a bounce"
check "bounce: MAIL FROM:<>" grep -q '^MAIL FROM:<>' "$SMTPD_DIR/msg.2.env"
check "bounce: to the sender" grep -q '^RCPT TO:<ann@example.org>' "$SMTPD_DIR/msg.2.env"
check "bounce: NOTIFY=NEVER" grep -q 'NOTIFY=NEVER' "$SMTPD_DIR/msg.2.env"
check "bounce: multipart/report" grep -q 'report-type=delivery-status' "$SMTPD_DIR/msg.2"
check "bounce: Final-Recipient" grep -q '^Final-Recipient: rfc822; nobody@example.org' "$SMTPD_DIR/msg.2"
check "bounce: Status 5.1.1" grep -q '^Status: 5.1.1' "$SMTPD_DIR/msg.2"
check "bounce: names the dead letter" grep -q "^X-Postie-Queue-ID: ${kept##*/df}" "$SMTPD_DIR/msg.2"
check "bounce: the original headers" grep -q '^Subject: dead letter' "$SMTPD_DIR/msg.2"
check "bounce: not the delivered recipient" sh -c "! grep -q 'Final-Recipient: rfc822; bob@' '$SMTPD_DIR/msg.2'"
is_count 1 "$(grep -c '^STARTTLS' "$SMTPD_LOG")" "bounce: over the same session"
check "RCPT 550: the dead letter holds only the refused recipient" \
	sh -c "grep -q 'nobody@example.org' '$F/qf${kept##*/df}' && ! grep -q 'bob@example.org' '$F/qf${kept##*/df}'"
rm -f "$F"/*

# Null sender: 67, kept, no bounce.
start_smtpd -n 1 -s "$T/s.rcpt"
smtpd_config
run "$POSTIE" -i -f '<>' bob@example.org nobody@example.org <"$T/in"
is_count 67 "$rc" "null sender: 67"
grep_err 'message kept as' "null sender: kept"
wait_smtpd
is_count 1 "$(nmsg)" "null sender: no bounce"
is_count 1 "$(grep -c '^MAIL FROM:' "$SMTPD_LOG")" "null sender: one transaction only"
rm -f "$F"/*

# NOTIFY=NEVER: 67, kept, no bounce.
start_smtpd -n 1 -s "$T/s.rcpt"
smtpd_config
run "$POSTIE" -i -N never -f ann@example.org bob@example.org nobody@example.org <"$T/in"
is_count 67 "$rc" "NOTIFY=NEVER: 67"
wait_smtpd
is_count 1 "$(nmsg)" "NOTIFY=NEVER: no bounce"
rm -f "$F"/*

# The bounce itself refused: reported, the dead letter stays, no loop.
printf 'at RCPT#2 reply 550 5.1.1 no such user\nat RCPT#3 reply 550 5.1.1 sender unknown\n' >"$T/s.bb"
start_smtpd -n 1 -s "$T/s.bb"
smtpd_config
case_kept "bounce refused" 67 bob@example.org nobody@example.org
grep_err 'the bounce to <ann@example.org> failed' "bounce refused: reported"
is_count 1 "$(nmsg)" "bounce refused: nothing else sent"
is_count 1 "$(nfailed)" "bounce refused: the dead letter stays"
is_count 0 "$(nqueued)" "bounce refused: nothing queued"
rm -f "$F"/*

# Refused, deferred and delivered at once: 67; the refused one kept, the
# deferred one queued, the sender told of the refused one only.
printf 'at RCPT#2 reply 550 5.1.1 no such user\nat RCPT#3 reply 451 4.7.1 greylisted\n' >"$T/s.mix"
start_smtpd -n 1 -s "$T/s.mix"
smtpd_config
case_kept "mixed" 67 bob@example.org nobody@example.org later@example.org
is_count 1 "$(nfailed)" "mixed: one dead letter"
is_count 1 "$(nqueued)" "mixed: the deferred one queued"
check "mixed: the queued one is for later@" grep -q 'later@example.org' "$Q"/qf*
is_count 2 "$(nmsg)" "mixed: the message and a bounce"
check "mixed: the bounce names only the refused one" \
	sh -c "grep -q 'Final-Recipient: rfc822; nobody@' '$SMTPD_DIR/msg.2' && ! grep -q 'later@' '$SMTPD_DIR/msg.2'"
rm -f "$F"/* "$Q"/qf* "$Q"/df*

# The relay cannot take the bounce now (451 to its MAIL): it is queued,
# from <>, and nothing is lost.
printf 'at RCPT#2 reply 550 5.1.1 no such user\nat MAIL#2 reply 451 4.3.0 try later\n' >"$T/s.bq"
start_smtpd -n 1 -s "$T/s.bq"
smtpd_config
case_kept "bounce deferred" 67 bob@example.org nobody@example.org
is_count 1 "$(nqueued)" "bounce deferred: the bounce is queued"
check "bounce deferred: queued from <>" grep -q 'sender 0:' "$Q"/qf*
check "bounce deferred: queued to the sender" grep -q 'ann@example.org' "$Q"/qf*
rm -f "$F"/* "$Q"/qf* "$Q"/df*

# With an attachment, what is kept is the built MIME message.
printf 'attached bytes\n' >"$T/att.txt"
start_smtpd -n 1 -s "$T/s.mail"
smtpd_config
case_kept "attachment" 69 -a "$T/att.txt" bob@example.org
check "attachment: the kept message is multipart" grep -q 'multipart/mixed' "$kept"
requeue_cmp "attachment"

# Queued for a temporary failure, an attachment is queued too.
start_smtpd -n 1
stop_smtpd
smtpd_config
expect_exit 0 "relay down, attachment: queued" "$POSTIE" -i -a "$T/att.txt" bob@example.org <"$T/in"
check "relay down, attachment: the queued message is multipart" grep -q 'multipart/mixed' "$Q"/df*
rm -f "$Q"/qf* "$Q"/df*

# queue = false: nothing kept on disk; the line is the refusal alone.
start_smtpd -n 1 -s "$T/s.mail"
smtpd_config queue=false
run "$POSTIE" -i -f ann@example.org bob@example.org <"$T/in"
is_count 69 "$rc" "queue = false: 69"
grep_err 'refused by relay: 550 5.7.1 sender denied$' "queue = false: the refusal alone"
is_count 0 "$(nfailed)" "queue = false: nothing in failed/"
wait_smtpd

# Keeping fails (the spool cannot be created): says so, never claims it
# was kept, exits with the refusal's code.
: >"$T/notadir"
start_smtpd -n 1 -s "$T/s.mail"
smtpd_config "queue_dir=\"$T/notadir/q\""
run "$POSTIE" -i -f ann@example.org bob@example.org <"$T/in"
is_count 69 "$rc" "keeping fails: the original exit code"
grep_err 'refused by relay: 550 5.7.1 sender denied; message NOT kept: ' "keeping fails: says so"
nogrep_err 'message kept as' "keeping fails: nothing claimed"
wait_smtpd
start_smtpd -n 1 -s "$T/s.rcpt"
smtpd_config "queue_dir=\"$T/notadir/q\""
run "$POSTIE" -i -f ann@example.org bob@example.org nobody@example.org <"$T/in"
is_count 67 "$rc" "keeping fails, RCPT 550: 67"
grep_err '<nobody@example.org>: refused: .*; message NOT kept' "keeping fails, RCPT 550: says so"
wait_smtpd
finish
