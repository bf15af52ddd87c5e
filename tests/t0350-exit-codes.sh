#!/bin/sh
# SPDX-License-Identifier: MIT
# t0350: every row of the EXIT STATUS table (postie(8), DESIGN.md), end to
# end through the real postie binary and, where a relay is involved, the
# scripted test server.  Each case checks the exit code, the one line on
# standard error that names what was wrong, and, where nothing was
# delivered, that the relay stored no message.
#
# Name resolution is made hermetic with a private mount namespace
# (unshare --mount, or unshare -r --mount without root): /etc/nsswitch.conf,
# /etc/hosts and /etc/resolv.conf are bind-mounted from $T, so "no such
# host" and "temporary DNS failure" need no DNS traffic at all.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-smtpd.sh"

certs=$TEST_SRCDIR/certs

msg() {
	printf 'From: ann@example.org\nTo: bob@example.org\n'
	printf 'Subject: exit codes\n\nline one\n'
}
msg >"$T/in"

# Every case runs with the queue off, so a temporary failure keeps its
# code; the line then ends "; not queued (queue = false)".
QOFF='queue=false'
NQ='; not queued (queue = false)$'

# one_line NAME: the last run wrote exactly one line to standard error.
one_line() {
	n=$(wc -l <"$T/err")
	if [ "$n" -eq 1 ]; then t_result 0 "$1: one line on stderr"; else
		echo "#   $n lines on stderr"; t_result 1 "$1: one line on stderr"
	fi
}

# nothing_stored NAME: the current test server stored no message.
nothing_stored() {
	if ls "$SMTPD_DIR"/msg.* >/dev/null 2>&1; then
		t_result 1 "$1: the relay stored no message"
	else
		t_result 0 "$1: the relay stored no message"
	fi
}

# no_contact NAME: the current test server never heard a command (a local
# failure must be found before connecting).
no_contact() {
	if [ -s "$SMTPD_LOG" ] && [ -n "$(smtpd_commands)" ]; then
		sed -e 's/^/#   transcript: /' "$SMTPD_LOG"
		t_result 1 "$1: postie never spoke to the relay"
	else
		t_result 0 "$1: postie never spoke to the relay"
	fi
}

# script_lines LINE...: a dialogue script of these lines ($SMTPD_SCRIPT).
script_lines() {
	printf '%s\n' "$@" >"$T/rule"
	smtpd_script <"$T/rule"
}

# skip_test NAME REASON: one TAP skip (only when the sandbox forbids it).
skip_test() {
	t_n=$((t_n + 1))
	echo "ok $t_n - $1 # SKIP $2"
}

# A private mount namespace, if this system lets us have one.
ns=
if unshare --mount true 2>/dev/null; then
	ns="unshare --mount"
elif unshare -r --mount true 2>/dev/null; then
	ns="unshare -r --mount"
fi
# in_ns DIR CMD...: run CMD with DIR's nsswitch.conf, hosts and
# resolv.conf (those present) bind-mounted over /etc's.  nscd, if any,
# is hidden so that it cannot answer from the host's view.
cat >"$T/ns.sh" <<'EOF'
d=$1
shift
for f in nsswitch.conf hosts resolv.conf; do
	[ -e "$d/$f" ] || continue
	mount --bind "$d/$f" "/etc/$f" || { echo "ns: cannot mount /etc/$f" >&2; exit 99; }
done
if [ -d /run/nscd ]; then mount -t tmpfs tmpfs /run/nscd || exit 99; fi
exec "$@"
EOF
in_ns() { $ns sh "$T/ns.sh" "$@"; }
# in_ns_net DIR CMD...: the same in a private network namespace as well,
# whose loopback is sure to have no DNS server (else as in_ns).
if [ -n "$ns" ] && $ns --net true 2>/dev/null; then
	in_ns_net() {
		$ns --net sh -c 'ip link set lo up 2>/dev/null; exec sh "$@"' \
		    sh "$T/ns.sh" "$@"
	}
else
	in_ns_net() { in_ns "$@"; }
fi
# in_tmpfs DIR OPTS CMD...: run CMD with a fresh tmpfs (mount options OPTS)
# on DIR.
in_tmpfs() {
	d=$1 o=$2
	shift 2
	$ns sh -c 'mount -t tmpfs -o "$2" tmpfs "$1" || exit 99; shift 2;
	    exec "$@"' sh "$d" "$o" "$@"
}

# ------------------------------------------------------------------ 0
start_smtpd
smtpd_config "$QOFF"
expect_exit 0 "0: every recipient accepted" "$POSTIE" -i -f ann@example.org \
    bob@example.org carol@example.org <"$T/in"
wait_smtpd
check "0: nothing on stderr" test ! -s "$T/err"
check "0: the relay stored the message" test -s "$SMTPD_DIR/msg.1"
check "0: for both recipients" \
    test "$(grep -c '^RCPT TO:' "$SMTPD_DIR/msg.1.env")" -eq 2

# ----------------------------------------------------------------- 64
# A witness server: usage errors are found before any connection.
start_smtpd
smtpd_config "$QOFF"
expect_exit 64 "64: unknown flag" "$POSTIE" -Z bob@example.org <"$T/in"
grep_err '^postie: unknown option -Z$' "64: the flag is named"
one_line "64 unknown flag"
expect_exit 64 "64: -bs" "$POSTIE" -bs <"$T/in"
grep_err '^postie: -bs (SMTP on standard input) is not supported' \
    "64: -bs is named"
one_line "64 -bs"
expect_exit 64 "64: no recipients without -t" "$POSTIE" -i <"$T/in"
grep_err 'no recipients' "64: the missing recipients are named"
one_line "64 no recipients"
stop_smtpd
no_contact "64"
nothing_stored "64"

# ----------------------------------------------------------------- 65
start_smtpd
smtpd_config "$QOFF"
expect_exit 65 "65: CR in -f" "$POSTIE" -i \
    -f "$(printf 'ann@example.org\rRCPT TO:<eve@example.org>')" \
    bob@example.org <"$T/in"
grep_err '^postie: CR or LF in the envelope sender$' "65: CR in -f is named"
one_line "65 CR in -f"
expect_exit 65 "65: LF in a recipient" "$POSTIE" -i \
    "$(printf 'bob@example.org\nRCPT TO:<eve@example.org>')" <"$T/in"
grep_err 'LF' "65: LF in the recipient is named"
one_line "65 LF in a recipient"
printf 'From: ann@example.org\nSubject: nobody\n\nbody\n' >"$T/in-norcpt"
expect_exit 65 "65: -t with no recipients" "$POSTIE" -i -t <"$T/in-norcpt"
grep_err '^postie: no recipients in the message header (-t)$' \
    "65: -t without recipients is named"
one_line "65 -t"
stop_smtpd
no_contact "65"
nothing_stored "65"

# ----------------------------------------------------------------- 66
start_smtpd
smtpd_config "$QOFF"
cp "$POSTIE_CONFIG" "$T/good.conf"
POSTIE_CONFIG=$T/missing.conf expect_exit 66 \
    "66: POSTIE_CONFIG names a missing file" "$POSTIE" -i bob@example.org \
    <"$T/in"
grep_err "^postie: $T/missing.conf: No such file or directory\$" \
    "66: the missing config is named with the reason"
one_line "66 missing config"
POSTIE_CONFIG=$T expect_exit 66 "66: POSTIE_CONFIG names a directory" \
    "$POSTIE" -i bob@example.org <"$T/in"
grep_err "^postie: $T: not a regular file" "66: the directory is named"
one_line "66 directory"
# Permission denied, for real: root reads anything, so as root these two
# checks run as nobody (setpriv), on a mode 000 file in a directory that
# nobody may pass through (711) but not list.
mkdir "$T/cfgdir" && cp "$T/good.conf" "$T/cfgdir/x.conf" &&
    chmod 000 "$T/cfgdir/x.conf"
asuser= perm=yes
if [ "$(id -u)" -eq 0 ]; then
	chmod 711 "$T" "$T/cfgdir"
	asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"
	$asuser "$POSTIE" --version >/dev/null 2>&1 || perm=no
fi
if [ $perm = yes ]; then
	POSTIE_CONFIG=$T/cfgdir/x.conf expect_exit 66 "66: unreadable config" \
	    $asuser "$POSTIE" -i bob@example.org <"$T/in"
	grep_err "^postie: $T/cfgdir/x.conf: Permission denied\$" \
	    "66: the unreadable config is named"
	one_line "66 unreadable config"
else
	skip_test "66: unreadable config" "nobody cannot run $POSTIE here"
fi
# attachments (-a): every one is opened before the message is read
expect_exit 66 "66: missing attachment" "$POSTIE" -i -a "$T/no-such.pdf" \
    bob@example.org <"$T/in"
grep_err "^postie: attachment $T/no-such.pdf: No such file or directory\$" \
    "66: the missing attachment is named"
one_line "66 missing attachment"
expect_exit 66 "66: attachment is a directory" "$POSTIE" -i -a "$T/cfgdir" \
    bob@example.org <"$T/in"
grep_err "^postie: attachment $T/cfgdir: is a directory\$" \
    "66: the directory attachment is named"
one_line "66 directory attachment"
echo 'secret plans' >"$T/cfgdir/plans.txt" && chmod 000 "$T/cfgdir/plans.txt"
# a config the (maybe unprivileged) caller can read, and no one else
cp "$T/good.conf" "$T/cfgdir/own.conf" && chmod 600 "$T/cfgdir/own.conf"
[ -n "$asuser" ] && chown 65534 "$T/cfgdir/own.conf"
if [ $perm = yes ]; then
	POSTIE_CONFIG=$T/cfgdir/own.conf expect_exit 66 \
	    "66: unreadable attachment" $asuser "$POSTIE" -i \
	    -a "$T/cfgdir/plans.txt" bob@example.org <"$T/in"
	grep_err "^postie: attachment $T/cfgdir/plans.txt: Permission denied\$" \
	    "66: the unreadable attachment is named"
	one_line "66 unreadable attachment"
else
	skip_test "66: unreadable attachment" "nobody cannot run $POSTIE here"
fi
chmod 700 "$T"
stop_smtpd
no_contact "66"
nothing_stored "66"

# ----------------------------------------------------------------- 67
smtpd_script <<'EOF'
at RCPT#2 reply 550 5.1.1 no such user
EOF
start_smtpd -s "$SMTPD_SCRIPT"
smtpd_config "$QOFF"
expect_exit 67 "67: one recipient refused for good, the other delivered" \
    "$POSTIE" -i bob@example.org nobody@example.org <"$T/in"
wait_smtpd
grep_err '^postie: <nobody@example.org>: refused: 550 5.1.1 no such user$' \
    "67: the refused recipient is named with the reply"
nogrep_err 'bob@example.org' "67: the delivered one is not"
one_line "67"
check "67: the other recipient got the message" test -s "$SMTPD_DIR/msg.1"
check "67: only the accepted recipient in the envelope" \
    test "$(grep -c '^RCPT TO:' "$SMTPD_DIR/msg.1.env")" -eq 1

# --------------------------------------------------------- 68 and 75 DNS
mkdir -p "$T/nx" "$T/tf" "$T/dot"
printf 'hosts: files\n' >"$T/nx/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$T/nx/hosts"
printf 'hosts: dns\n' >"$T/tf/nsswitch.conf"
# nothing listens on port 53 there (a private network namespace where
# possible): the query is refused at once
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
    >"$T/tf/resolv.conf"
SMTPD_PORT=2525 smtpd_config 'host="no-such-relay.invalid"' "$QOFF"
if [ -n "$ns" ]; then
	expect_exit 68 "68: the relay's name does not exist" \
	    in_ns "$T/nx" "$POSTIE" -i bob@example.org <"$T/in"
	grep_err '^postie: relay no-such-relay.invalid: no such host$' \
	    "68: the relay name is named"
	one_line "68"
	start=$(date +%s)
	expect_exit 75 "75: temporary DNS failure" \
	    in_ns_net "$T/tf" "$POSTIE" -i bob@example.org <"$T/in"
	grep_err '^postie: relay no-such-relay.invalid: cannot resolve: ' \
	    "75: the DNS failure names the relay"
	grep_err "cannot resolve: Temporary failure in name resolution$NQ" \
	    "75: ... and says it is temporary"
	one_line "75 DNS"
	check "75: DNS failure within 10 s" \
	    test $(($(date +%s) - start)) -le 10
else
	for c in "68: no such host" "75: temporary DNS failure"; do
		skip_test "$c" "unshare --mount is not permitted here"
	done
fi

# ----------------------------------------------------------------- 69
sixty_nine() {	# sixty_nine NAME PATTERN: after a run against the server
	wait_smtpd
	grep_err "$2" "69: $1: named"
	one_line "69 $1"
	nothing_stored "69 $1"
}
for rule in 'MAIL reply 550 5.7.1 sender refused' \
    'DATA reply 554 5.7.1 message refused' \
    'DATA-END reply 554 5.6.0 content refused'; do
	script_lines 'nocap CHUNKING' "at $rule"
	start_smtpd -s "$SMTPD_SCRIPT"
	smtpd_config "$QOFF"
	phase=${rule%% *}
	expect_exit 69 "69: 5xx to $phase" "$POSTIE" -i bob@example.org \
	    <"$T/in"
	sixty_nine "5xx to $phase" "^postie: .*${rule#* reply }"
done
script_lines 'at DATA-END reply 554 5.6.0 content refused'
start_smtpd -s "$SMTPD_SCRIPT"
smtpd_config "$QOFF"
expect_exit 69 "69: 5xx to BDAT LAST" "$POSTIE" -i bob@example.org <"$T/in"
sixty_nine "5xx to BDAT LAST" "554 5.6.0 content refused"

script_lines 'nocap STARTTLS'
start_smtpd -s "$SMTPD_SCRIPT"
smtpd_config "$QOFF"
expect_exit 69 "69: STARTTLS required but not offered" "$POSTIE" -i \
    bob@example.org <"$T/in"
sixty_nine "no STARTTLS" 'STARTTLS'
check "69: no STARTTLS: no AUTH, no MAIL in the clear" \
    sh -c '! grep -q -e "^AUTH" -e "^MAIL" "$1"' sh "$SMTPD_LOG"

start_smtpd -m none
smtpd_config "$QOFF"
expect_exit 69 "69: AUTH required but not offered" "$POSTIE" -i \
    bob@example.org <"$T/in"
sixty_nine "no AUTH" 'AUTH\|authenticat'
check "69: no AUTH: no MAIL" sh -c '! grep -q "^MAIL" "$1"' sh "$SMTPD_LOG"

for c in wrongname untrusted expired; do
	start_smtpd -C "$certs/$c.pem" -K "$certs/$c.key"
	smtpd_config "$QOFF" 'host="localhost"'
	expect_exit 69 "69: certificate rejected ($c)" "$POSTIE" -i \
	    bob@example.org <"$T/in"
	sixty_nine "certificate $c" 'certificate'
	check "69: $c: nothing sent after STARTTLS" \
	    sh -c '! grep -q -e "^AUTH" -e "^MAIL" "$1"' sh "$SMTPD_LOG"
done
grep_err 'expired' "69: the expired certificate is called expired"
nogrep_err ' $' "69: no trailing blank in the certificate line"

# ------------------------------------- 5xx: the enhanced code decides
# A permanent refusal is 69 unless its enhanced status code (RFC 3463)
# says more; without one, the basic code (postie(8), EXIT STATUS).
for case in '67 RCPT reply 550 5.1.1 no such user' \
    '67 RCPT reply 550 no such user' \
    '67 MAIL reply 550 5.1.1 no such sender' \
    '65 RCPT reply 553 5.1.3 bad address syntax' \
    '68 RCPT reply 550 5.1.2 no such domain' \
    '76 DATA reply 554 5.5.1 no valid recipients' \
    '69 RCPT reply 550 5.7.1 relaying denied' \
    '69 DATA-END reply 550 5.6.0 content refused' \
    '69 DATA-END reply 552 5.3.4 message too big' \
    '69 DATA-END reply 554 transaction failed'; do
	want=${case%% *}
	rule=${case#* }
	script_lines 'nocap CHUNKING' "at $rule"
	start_smtpd -s "$SMTPD_SCRIPT"
	smtpd_config "$QOFF"
	expect_exit "$want" "$want: ${rule%% *} ${rule#* reply }" "$POSTIE" -i \
	    -f ann@example.org bob@example.org <"$T/in"
	wait_smtpd
	grep_err "refused by relay: ${rule#* reply }\$" \
	    "$want: ${rule%% *} ${rule#* reply }: the reply is shown"
	one_line "$want ${rule#* reply }"
	nothing_stored "$want ${rule#* reply }"
done

# ------------------------------------------------------ trailing dot
# host = "localhost." (an absolute name) must verify against the
# certificate for "localhost": RFC 6125 names carry no trailing dot.
printf '127.0.0.1 localhost localhost.\n' >"$T/dot/hosts"
printf 'hosts: files\n' >"$T/dot/nsswitch.conf"
if [ -n "$ns" ]; then
	start_smtpd
	smtpd_config "$QOFF" 'host="localhost."'
	expect_exit 0 "0: host \"localhost.\" verifies as localhost" \
	    in_ns "$T/dot" "$POSTIE" -i bob@example.org <"$T/in"
	wait_smtpd
	check "0: localhost.: delivered over TLS" \
	    grep -q '^! tls ' "$SMTPD_LOG"
	check "0: localhost.: the relay stored it" test -s "$SMTPD_DIR/msg.1"
	start_smtpd -C "$certs/wrongname.pem" -K "$certs/wrongname.key"
	smtpd_config "$QOFF" 'host="localhost."'
	expect_exit 69 "69: host \"localhost.\", certificate for another name" \
	    in_ns "$T/dot" "$POSTIE" -i bob@example.org <"$T/in"
	sixty_nine "localhost. wrong name" 'certificate'
else
	skip_test "host \"localhost.\"" "unshare --mount is not permitted here"
fi

# ------------------------------------------------------- 73, 74 local
start_smtpd
smtpd_config "$QOFF"
TMPDIR=$T/no-such-dir expect_exit 73 "73: TMPDIR does not exist" \
    "$POSTIE" -i bob@example.org <"$T/in"
grep_err "^postie: cannot create a temporary file in $T/no-such-dir: " \
    "73: the spool directory is named"
one_line "73 no TMPDIR"
mkdir -p "$T/ro" "$T/full"
if [ -n "$ns" ]; then
	TMPDIR=$T/ro expect_exit 73 "73: TMPDIR read-only" \
	    in_tmpfs "$T/ro" ro "$POSTIE" -i bob@example.org <"$T/in"
	grep_err "^postie: cannot create a temporary file in $T/ro: Read-only" \
	    "73: read-only TMPDIR named"
	one_line "73 read-only TMPDIR"
	# a 64 KiB file system and a 1 MiB message
	{ msg; i=0; while [ $i -lt 16384 ]; do
		echo 'a line of sixty-three characters to fill the tmpfs up with.'
		i=$((i + 1)); done; } >"$T/big"
	TMPDIR=$T/full expect_exit 74 "74: TMPDIR full" \
	    in_tmpfs "$T/full" size=64k "$POSTIE" -i bob@example.org <"$T/big"
	grep_err '^postie: writing the temporary file: No space left on device$' \
	    "74: the full spool is named"
	one_line "74 full TMPDIR"
else
	skip_test "73/74: read-only or full TMPDIR" \
	    "unshare --mount is not permitted here"
fi
expect_exit 74 "74: stdin is a directory" "$POSTIE" -i bob@example.org <"$T"
grep_err '^postie: reading the message: Is a directory$' \
    "74: the read error is named"
one_line "74 stdin a directory"
stop_smtpd
no_contact "73/74"
nothing_stored "73/74"

# ----------------------------------------------------------------- 71
# Out of file descriptors: with fds 0-2 and the spool file, socket()
# gets EMFILE.  That is a local failure, not an unreachable relay.
start_smtpd
smtpd_config "$QOFF"
expect_exit 71 "71: no file descriptor left for the socket" \
    sh -c 'for fd in 3 4 5 6 7 8 9; do eval "exec $fd>&-"; done
	ulimit -n 4 && exec "$@"' sh "$POSTIE" -i bob@example.org <"$T/in"
grep_err "^postie: cannot create a socket for 127.0.0.1 port $SMTPD_PORT: Too many open files$NQ" \
    "71: the local failure is named"
one_line "71"
stop_smtpd
no_contact "71"
nothing_stored "71"

# ----------------------------------------------------------- 75 relay
# a temporary refusal at each phase, with the queue off
for rule in 'GREETING reply 421 4.3.2 not now' \
    'EHLO reply 421 4.3.2 shutting down' \
    'STARTTLS reply 454 4.7.0 TLS not available' \
    'AUTH reply 454 4.7.0 temporary authentication failure' \
    'MAIL reply 451 4.3.0 try again later' \
    'RCPT reply 451 4.7.1 greylisted' \
    'DATA reply 451 4.3.0 try again later' \
    'DATA-END reply 451 4.3.0 queue write failed'; do
	script_lines 'nocap CHUNKING' "at $rule"
	start_smtpd -s "$SMTPD_SCRIPT"
	smtpd_config "$QOFF"
	phase=${rule%% *}
	expect_exit 75 "75: 4xx to $phase" "$POSTIE" -i bob@example.org \
	    <"$T/in"
	wait_smtpd
	grep_err "${rule#* reply }" "75: 4xx to $phase: the reply is shown"
	one_line "75 4xx $phase"
	nothing_stored "75 4xx $phase"
done

# the relay refuses the connection: a port where nothing listens any more
start_smtpd
closed=$SMTPD_PORT
stop_smtpd
SMTPD_PORT=$closed smtpd_config "$QOFF"
expect_exit 75 "75: connection refused" "$POSTIE" -i bob@example.org \
    <"$T/in"
grep_err "^postie: cannot connect to 127.0.0.1 port $closed: Connection refused$NQ" \
    "75: connection refused: relay and reason named"
one_line "75 connection refused"

# the relay stalls past a short timeout: with DATA nothing of the message
# has left, so nothing is uncertain ...
script_lines 'nocap CHUNKING' 'at MAIL stall 20'
start_smtpd -s "$SMTPD_SCRIPT"
smtpd_config "$QOFF" timeout_command=1
start=$(date +%s)
expect_exit 75 "75: relay stalls past timeout_command" "$POSTIE" -i \
    bob@example.org <"$T/in"
check "75: stall: gave up within 10 s" test $(($(date +%s) - start)) -le 10
grep_err "^postie: MAIL FROM:<[^>]*>: no reply from .* within 1 s$NQ" \
    "75: stall: the command and the timeout are named"
one_line "75 stall"
wait_smtpd
nothing_stored "75 stall"
# ... while a small message goes out with BDAT LAST in the first flight
# (PIPELINING + CHUNKING), so after a stall its fate is unknown: still 75
script_lines 'at MAIL stall 20'
start_smtpd -s "$SMTPD_SCRIPT"
smtpd_config "$QOFF" timeout_command=1
expect_exit 75 "75: stall after an early BDAT LAST" "$POSTIE" -i \
    bob@example.org <"$T/in"
grep_err '^postie: status unknown, the message may have been delivered: MAIL' \
    "75: early BDAT: the uncertain outcome is said"
one_line "75 stall early BDAT"
wait_smtpd

# ------------------------------------------------- with the queue on
# 0 also means "durably queued": a temporary failure is kept for -q and
# postie exits 0, quietly unless -v (or a terminal); a queue that cannot
# be written gives 73 or 74 and claims nothing.
if "$POSTIE" -bp >/dev/null 2>&1; then
	script_lines 'at RCPT reply 451 4.7.1 greylisted'
	start_smtpd -s "$SMTPD_SCRIPT"
	smtpd_config "queue_dir=\"$T/q1\""
	expect_exit 0 "0: 4xx, queue on: queued" "$POSTIE" -i \
	    bob@example.org <"$T/in"
	wait_smtpd
	check "0: queued: nothing on stderr (no -v, no terminal)" \
	    test ! -s "$T/err"
	nothing_stored "0 queued"
	run "$POSTIE" -bp
	grep_out 'bob@example.org' "0: queued: -bp lists the owed recipient"
	script_lines 'at RCPT reply 451 4.7.1 greylisted'
	start_smtpd -s "$SMTPD_SCRIPT"
	smtpd_config "queue_dir=\"$T/q1\""
	expect_exit 0 "0: 4xx, queue on, -v" "$POSTIE" -v -i \
	    bob@example.org <"$T/in"
	wait_smtpd
	grep_err '451 4.7.1 greylisted; queued as ' "0: -v says why and the id"
	script_lines 'at STARTTLS inject "250 injected\r\n"'
	start_smtpd -s "$SMTPD_SCRIPT"
	smtpd_config "queue_dir=\"$T/q2\""
	expect_exit 0 "0: STARTTLS injection, queue on: queued for a retry" \
	    "$POSTIE" -i bob@example.org <"$T/in"
	wait_smtpd
	run "$POSTIE" -bp
	grep_out 'bob@example.org' "0: injection: -bp lists it"
	# no descriptor for the socket, and none for the queue either
	start_smtpd
	smtpd_config "queue_dir=\"$T/q3\""
	expect_exit 73 "73: no descriptor for the socket nor the queue" \
	    sh -c 'for fd in 3 4 5 6 7 8 9; do eval "exec $fd>&-"; done
		ulimit -n 4 && exec "$@"' sh "$POSTIE" -i bob@example.org \
	    <"$T/in"
	grep_err "^postie: queue directory $T/q3: Too many open files\$" \
	    "73: the queue directory is named with the reason"
	one_line "73 queue, no descriptor"
	stop_smtpd
	if [ -n "$ns" ]; then
		mkdir -p "$T/qro" "$T/qfull"
		script_lines 'at RCPT reply 451 4.7.1 greylisted'
		start_smtpd -s "$SMTPD_SCRIPT"
		smtpd_config "queue_dir=\"$T/qro/q\""
		expect_exit 73 "73: 4xx and the queue cannot be created" \
		    in_tmpfs "$T/qro" ro "$POSTIE" -i bob@example.org <"$T/in"
		wait_smtpd
		grep_err "$T/qro/q" "73: the queue directory is named"
		one_line "73 queue"
		script_lines 'at RCPT reply 451 4.7.1 greylisted'
		start_smtpd -s "$SMTPD_SCRIPT"
		smtpd_config "queue_dir=\"$T/qfull/q\""
		expect_exit 74 "74: 4xx and the queue file cannot be written" \
		    in_tmpfs "$T/qfull" size=64k "$POSTIE" -i bob@example.org \
		    <"$T/big"
		wait_smtpd
		grep_err 'No space left on device' "74: the full queue is named"
		one_line "74 queue"
	else
		skip_test "73/74: queue unwritable" \
		    "unshare --mount is not permitted here"
	fi
else
	skip_test "0: queued" "this postie has no queue yet (-bp fails)"
fi

# ----------------------------------------------------------------- 76
# (without CHUNKING: a small message would already have left with an early
# BDAT LAST, and the relay may well have stored it)
script_lines 'nocap CHUNKING' 'at MAIL reply-raw "250-x\r\n550 y\r\n"'
start_smtpd -s "$SMTPD_SCRIPT"
smtpd_config "$QOFF"
expect_exit 76 "76: malformed reply (the code changes mid-reply)" \
    "$POSTIE" -i bob@example.org <"$T/in"
wait_smtpd
grep_err "^postie: MAIL FROM:<[^>]*>: malformed reply from .*: reply code changed within a multi-line reply$NQ" \
    "76: malformed reply named"
one_line "76 malformed"
nothing_stored "76 malformed"
script_lines 'at EHLO#1 reply-raw "2x0 bad\r\n"'
start_smtpd -s "$SMTPD_SCRIPT"
smtpd_config "$QOFF"
expect_exit 76 "76: malformed reply (non-digit code)" \
    "$POSTIE" -i bob@example.org <"$T/in"
wait_smtpd
grep_err "^postie: EHLO: malformed reply from .*: reply does not start with a reply code$NQ" \
    "76: non-digit code named"
one_line "76 non-digit"
nothing_stored "76 non-digit"
script_lines 'at STARTTLS inject "250 injected\r\n"'
start_smtpd -s "$SMTPD_SCRIPT"
smtpd_config "$QOFF"
expect_exit 76 "76: data injected after STARTTLS" "$POSTIE" -i \
    bob@example.org <"$T/in"
wait_smtpd
grep_err 'STARTTLS' "76: the injection is named"
one_line "76 injection"
nothing_stored "76 injection"
check "76: injection: no AUTH, no MAIL" \
    sh -c '! grep -q -e "^AUTH" -e "^MAIL" "$1"' sh "$SMTPD_LOG"

# ----------------------------------------------------------------- 77
start_smtpd
smtpd_config "$QOFF" 'password="not-the-password"'
expect_exit 77 "77: authentication refused (535 5.7.8)" "$POSTIE" -i \
    bob@example.org <"$T/in"
wait_smtpd
grep_err '535 5.7.8' "77: the relay's reply is shown"
nogrep_err 'not-the-password' "77: the password is not"
one_line "77"
nothing_stored "77"

# ----------------------------------------------------------------- 78
start_smtpd
smtpd_config "$QOFF"
printf 'port = 587\nhost = "x" "y"\n' | write_config "$T/syntax.conf"
POSTIE_CONFIG=$T/syntax.conf expect_exit 78 "78: syntax error" \
    "$POSTIE" -i bob@example.org <"$T/in"
grep_err "^postie: $T/syntax.conf:2: " "78: syntax error: file:line"
one_line "78 syntax"
printf 'host = "127.0.0.1"\nport = 587\nfrobnicate = 1\n' |
    write_config "$T/unknown.conf"
POSTIE_CONFIG=$T/unknown.conf expect_exit 78 "78: unknown option" \
    "$POSTIE" -i bob@example.org <"$T/in"
grep_err "^postie: $T/unknown.conf:3: .*frobnicate" \
    "78: unknown option: file:line and the name"
one_line "78 unknown option"
# an EHLO name that cannot be sent is a config error (it used to pass the
# loader and come back as 70, "SMTP command too long", once connected)
smtpd_config "$QOFF" "domain=\"$(printf '%0300d' 0).example\""
expect_exit 78 "78: domain longer than 255" "$POSTIE" -i -f ann@example.org \
    bob@example.org <"$T/in"
grep_err "^postie: $POSTIE_CONFIG:[0-9]*: domain: invalid value" \
    "78: long domain: file:line and the option"
one_line "78 long domain"
smtpd_config "$QOFF" 'domain="my host"'
expect_exit 78 "78: domain with a space" "$POSTIE" -i -f ann@example.org \
    bob@example.org <"$T/in"
grep_err "^postie: $POSTIE_CONFIG:[0-9]*: domain: invalid value 'my host'" \
    "78: domain with a space: named"
one_line "78 domain with a space"
smtpd_config "$QOFF"
chmod 644 "$POSTIE_CONFIG"
expect_exit 78 "78: world-readable config with a password" "$POSTIE" -i \
    bob@example.org <"$T/in"
grep_err "^postie: $POSTIE_CONFIG:.*password" \
    "78: the file and the password are named"
nogrep_err 'secret' "78: the password itself is not shown"
one_line "78 readable password"
chmod 600 "$POSTIE_CONFIG"
stop_smtpd
no_contact "78"
nothing_stored "78"

finish
