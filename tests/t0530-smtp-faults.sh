#!/bin/sh
# SPDX-License-Identifier: MIT
# Every phase x {4xx, 5xx, drop, stall} gives its documented exit code;
# malformed, oversized, endless and trickled replies; the overall
# deadline; the final-dot window.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"
. "$TEST_SRCDIR/lib-driver.sh"
mk_msg
F=a@example.org
R=b@example.org

# fault NAME CODE 'SCRIPT LINES'... : start a server with the script,
# drive one message, expect CODE.
fault() {
	name=$1 want=$2
	shift 2
	printf '%s\n' "$@" >"$T/script"
	start_smtpd -m PLAIN -s "$T/script"
	expect_drive "$want" "$name: $want" SMTP_TIMEOUT=1 $F "$T/msg" $R
	wait_smtpd
}

# phase      4xx reply                    5xx reply                      5xx code
while read -r phase r4 r5 c5 extra; do
	r4=$(echo "$r4" | tr _ ' ')
	r5=$(echo "$r5" | tr _ ' ')
	extra=$(echo "$extra" | tr _ ' ')
	[ "$extra" = - ] && extra='# none'
	fault "$phase 4xx" 75 "$extra" "at $phase reply $r4"
	grep_err "refused by relay: $r4" "$phase 4xx: phase and reply named"
	fault "$phase 5xx" "$c5" "$extra" "at $phase reply $r5" "at HELO reply $r5"
	grep_err "refused by relay: $r5" "$phase 5xx: phase and reply named"
	fault "$phase drop" 75 "$extra" "at $phase drop"
	fault "$phase stall" 75 "$extra" "at $phase stall 8"
	check "$phase stall: gave up within the 1 s phase timeout (${elapsed}s)" test "$elapsed" -le 3
done <<'EOF2'
GREETING 421_4.3.2_not_now 554_5.3.2_no_service 69 -
EHLO 421_4.3.2_not_now 550_5.7.1_go_away 69 -
STARTTLS 454_4.7.0_TLS_not_available 554_5.7.0_no_TLS 69 -
AUTH 454_4.7.0_try_later 535_5.7.8_bad_credentials 77 -
MAIL 451_4.3.0_try_later 550_5.7.1_sender_rejected 69 -
RCPT 451_4.7.1_greylisted 550_5.1.1_no_such_user 67 -
DATA 451_4.3.0_try_later 554_5.6.0_no 69 nocap_CHUNKING
DATA-END 451_4.3.0_queue_failed 554_5.7.1_refused 69 nocap_CHUNKING
DATA-END 451_4.3.0_queue_failed 554_5.7.1_refused 69 -
EOF2

# the final-dot window (RFC 1047): lost or silent after the end
for cap in CHUNKING none; do
	fault "drop after the final dot (nocap $cap)" 75 "nocap $cap" "at DATA-END drop"
	grep_err 'status unknown, the message may have been delivered' "drop after the end: status unknown (nocap $cap)"
	grep_err '(EX_TEMPFAIL, unknown)' "classified unknown (nocap $cap)"
	fault "stall after the final dot (nocap $cap)" 75 "nocap $cap" "at DATA-END stall 8"
	grep_err 'may have been delivered' "silence after the end: status unknown (nocap $cap)"
done
fault "drop at QUIT: delivered" 0 "at QUIT drop"
fault "stall at QUIT: delivered, no long wait" 0 "at QUIT stall 8"
check "QUIT's reply awaited only a moment (${elapsed}s)" test "$elapsed" -le 2

# malformed replies: protocol errors (76), never believed
fault "code changes mid-reply" 76 'at EHLO reply-raw "250-x\r\n550 y\r\n"'
grep_err 'malformed reply' "says the reply was malformed"
fault "non-digit code" 76 'at MAIL reply-raw "2x0 bad\r\n"'
fault "control character in a reply" 76 'at GREETING reply-raw "220 a\033[2J\r\n"'
fault "oversized reply line" 76 'at EHLO oversized 5000'
fault "2000-line reply" 76 'at EHLO many-lines 2000'
fault "endless reply" 76 'at RCPT endless-reply'
check "endless reply stopped at once (${elapsed}s)" test "$elapsed" -le 2
fault "reply without line end" 75 'at MAIL reply-raw "250 no crlf"'
fault "bare LF reply accepted" 0 'at MAIL reply-raw "250 bare lf\n"'
fault "235 without a finished SCRAM exchange is not believed" 76 'mechs SCRAM-SHA-256' 'at AUTH reply 235 2.7.0 sure'

# a relay that trickles: the deadline spans reads
fault "trickled greeting (1 byte / 300 ms)" 75 'trickle 300'
check "trickle: gave up within the phase deadline (${elapsed}s)" test "$elapsed" -le 3
grep_err 'greeting: no reply' "trickle: says which phase"

# the overall deadline
printf '%s\n' 'at RCPT stall 20' >"$T/script"
start_smtpd -m PLAIN -s "$T/script"
expect_drive 75 "overall deadline: 75" SMTP_TIMEOUT=30 SMTP_TOTAL=2 $F "$T/msg" $R
wait_smtpd
check "overall deadline held (${elapsed}s)" test "$elapsed" -le 4
grep_err 'ran out of time' "says the session ran out of time"
finish
