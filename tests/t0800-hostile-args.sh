#!/bin/sh
# SPDX-License-Identifier: MIT
# A hostile caller (notes/security.md 1.6): postie runs as PHP's
# sendmail_path, and a web attacker may append arguments (CVE-2016-10033,
# CVE-2016-10045).  -X, -C, -O, -o* and -d must write nothing, load no
# config of the caller's choosing and run nothing; CR, LF and controls in
# -f, -F, the recipients and --account are refused before anything else
# happens; a config whose secret others can read is refused; secrets never
# reach the output.  (NUL cannot be passed in argv: a C string ends there.)
. "$TEST_SRCDIR/lib.sh"

secret='Pa55-Secret-W0rd'
write_config <<CONF
host = "relay.example.org"
domain = "host.example.org"
from = "www@host.example.org"
user = "www"
password = "$secret"
queue_dir = "$T/realq"
CONF

msg() {
	printf 'To: Bob <bob@example.org>\nSubject: contact form\n\nhi\n'
}
msg >"$T/in"

# snapshot NAME: the list of files under $T (except the test's own
# out/err/in/snapshots), to prove that a run created nothing.
snapshot() {
	(cd "$T" && find . -path ./home -prune -o -print | grep -v -e '^\./out$' \
	    -e '^\./err$' -e '^\./in$' -e '^\./snap\.' -e '^\./realq' | sort) \
	    >"$T/snap.$1"
}
nothing_new() {
	snapshot after
	if cmp -s "$T/snap.before" "$T/snap.after"; then
		t_result 0 "$1"
	else
		diff "$T/snap.before" "$T/snap.after" | sed 's/^/#   /'
		t_result 1 "$1"
	fi
}

# ---- -X: the traffic log is never written (sendmail's -X wrote it) ----
mkdir -p "$T/www/cache" "$T/q"
snapshot before
# CVE-2016-10033: "attacker\" -oQ/tmp/ -X/var/www/cache/phpcode.php
# some"@email.com as -f, split by the shell as PHP's popen() does.
run "$POSTIE" --pretend -t -i '-fattacker\' "-oQ$T/q/" \
    "-X$T/www/cache/phpcode.php" 'some"@email.com' <"$T/in"
check "CVE-2016-10033 argv: -X wrote no file" \
    test ! -e "$T/www/cache/phpcode.php"
nothing_new "CVE-2016-10033 argv: nothing created anywhere"
# the same through a shell, exactly as mail()'s fifth parameter reaches it
run sh -c "\"\$POSTIE\" --pretend -t -i -f\"attacker\\\" -oQ$T/q/ -X$T/www/cache/x.php some\"@email.com" <"$T/in"
check "mail() string through sh: -X wrote no file" \
    test ! -e "$T/www/cache/x.php"
# -X on an existing file must not truncate or touch it either
printf '<?php keep(); ?>\n' >"$T/www/keep.php"
cp "$T/www/keep.php" "$T/keep.orig"
touch -d '2001-01-01 00:00:00' "$T/www/keep.php"
snapshot before
expect_exit 0 "-X existing file with --pretend: accepted" \
    "$POSTIE" --pretend -i -X "$T/www/keep.php" bob@example.org <"$T/in"
same_file "$T/www/keep.php" "$T/keep.orig" "-X did not change an existing file"
check "-X did not even touch it" \
    test "$(stat -c %Y "$T/www/keep.php")" = "$(date -d '2001-01-01 00:00:00' +%s)"
# and not when a delivery is really attempted (the relay is down here)
run "$POSTIE" -i -X "$T/www/send.php" bob@example.org <"$T/in"
check "-X during a delivery attempt wrote nothing" test ! -e "$T/www/send.php"
nothing_new "-X: nothing created anywhere"

# ---- -O / -o* / -d: accepted for compatibility, never acted on ----
snapshot before
run "$POSTIE" -i "-oQ$T/q" -O "QueueDirectory=$T/q" -O "LogLevel=99" \
    "-oL$T/q/log" "-oA$T/q/aliases" -O "AliasFile=$T/q/aliases2" \
    -O "HelpFile=|touch $T/ran-help" "-oX|touch $T/ran-x" \
    -O "DeliveryMode=interactive" "-d0-99.127" -O "ProgMailer=$T/q/prog" \
    bob@example.org <"$T/in"
nothing_new "-O/-o/-d with a delivery attempt: no file written"
check "-O/-o: no command run" test ! -e "$T/ran-help" -a ! -e "$T/ran-x"
check "-oQ/-O QueueDirectory: the caller's queue directory is untouched" \
    test -z "$(ls -A "$T/q")"
expect_exit 0 "-O/-o with --pretend: accepted" "$POSTIE" --pretend -i \
    "-oQ$T/q" -O "QueueDirectory=$T/q" "-oL$T/q/l" bob@example.org <"$T/in"
nothing_new "-O/-o with --pretend: no file written"
# with the relay down the message is queued: in queue_dir, never in -oQ's
printf 'host = "127.0.0.1"\nport = 1\ntls = off\nqueue_dir = "%s"\n' \
    "$T/realq" >"$T/down.conf"
chmod 600 "$T/down.conf"
snapshot before
expect_exit 0 "relay down, -oQ/-O QueueDirectory given: queued (0)" \
    env POSTIE_CONFIG="$T/down.conf" "$POSTIE" -i "-oQ$T/q" \
    -O "QueueDirectory=$T/q" bob@example.org <"$T/in"
check "the message went to the configured queue_dir" \
    test -n "$(find "$T/realq" -type f 2>/dev/null | head -n 1)"
check "nothing in the caller's queue directory" test -z "$(ls -A "$T/q")"
nothing_new "queued: nothing created outside queue_dir"
expect_exit 64 "-bi (rebuild aliases): refused" "$POSTIE" -bi
expect_exit 64 "-bd (daemon): refused" "$POSTIE" -bd

# ---- CR, LF, controls: refused before the config or stdin is read ----
# POSTIE_CONFIG names no file: reading it would exit 66, not 64/65.
cr=$(printf 'a@example.org\rRCPT TO:<evil@example.net>')
lf=$(printf 'Name\nBcc: evil@example.net')
esc=$(printf 'Name\033[2J')
# first_exit WANT NAME ARGS...: postie exits WANT without reading stdin
first_exit() {
	fwant=$1 fname=$2
	shift 2
	(env POSTIE_CONFIG="$T/no-such.conf" "$POSTIE" "$@" 2>"$T/err"
	    echo "rc=$?" >"$T/rc"; cat) <"$T/in" >"$T/out"
	frc=$(sed 's/rc=//' "$T/rc")
	if [ "$frc" = "$fwant" ] && cmp -s "$T/out" "$T/in"; then
		t_result 0 "$fname"
	else
		echo "#   exit $frc (want $fwant); stdin left: $(wc -c <"$T/out") of $(wc -c <"$T/in") bytes"
		t_result 1 "$fname"
	fi
}
first_exit 65 "CR in -f: 65, config and stdin untouched" -f "$cr" root
first_exit 65 "CR in attached -f: 65" "-f$cr" root
first_exit 65 "CR in -r: 65" -r "$cr" root
first_exit 65 "LF in -F: 65" -F "$lf" root
first_exit 65 "CR in a recipient: 65" -i "$cr"
first_exit 65 "LF in a recipient after --: 65" -i -- ok@example.org "$lf"
first_exit 64 "LF in --account: 64" --account "$lf" root
first_exit 64 "CR in --account=: 64" "--account=$cr" root
first_exit 64 "ESC in --account: 64" --account "$esc" root
nogrep_err "$(printf '\033')" "--account: no escape sequence echoed"
first_exit 64 "LF in --attach-name: 64" --attach-name "$lf" -a /dev/null root
first_exit 64 "LF in -V (ENVID): 64" -V "$lf" root
first_exit 64 "LF in -N: 64" -N "$lf" root
first_exit 64 "LF in an unknown -q selector: 64" "-q$lf"
nogrep_err 'Bcc: evil' "the injected line is not echoed"
# what gets past argv: ESMTP parameter and header injection without CR/LF
expect_exit 65 "-f 'a@b> BODY=8BITMIME': 65 (MAIL FROM parameter injection)" \
    "$POSTIE" --pretend -i -f 'a@example.org> BODY=8BITMIME' root <"$T/in"
expect_exit 65 "recipient 'b@x> NOTIFY=NEVER': 65 (RCPT parameter injection)" \
    "$POSTIE" --pretend -i 'b@example.org> NOTIFY=NEVER' <"$T/in"
expect_exit 65 "-F with ESC: 65" "$POSTIE" --pretend -i -F "$esc" root <"$T/in"

# ---- -C: only root, or a file under allowed_config_dirs ----
mkdir -p "$T/attack" "$T/allowed" "$T/www/logs"
cat >"$T/attack/attacker.conf" <<CONF
host = "evil.example.net"
password_command = "/bin/sh -c 'touch $T/pwned-cmd'"
log = "$T/www/logs/log.php"
CONF
chmod 600 "$T/attack/attacker.conf"
printf 'host = "sys.example.org"\nallowed_config_dirs = {"%s/allowed"}\n' \
    "$T" >"$T/sys.conf"
chmod 644 "$T/sys.conf"
ln -s "$T/attack/attacker.conf" "$T/allowed/link.conf"
if [ "$(id -u)" = 0 ]; then
	# run as nobody, bounded; $T must be reachable for that user
	asuser="timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups --"
	chmod 755 "$T"
	chown -R nobody:nogroup "$T/attack"
else
	asuser="timeout 20"
fi
for mode in --check-config --pretend send; do
	m=$mode
	[ "$mode" = send ] && m=-i
	expect_exit 64 "-C attacker.conf as non-root ($mode): 64" \
	    env POSTIE_CONFIG="$T/sys.conf" $asuser "$POSTIE" \
	    -C "$T/attack/attacker.conf" $m root@example.org <"$T/in"
done
grep_err 'only root' "-C refusal explained"
nogrep_out 'evil.example.net' "-C: the attacker's config was not read"
expect_exit 64 "-C through a symlink in an allowed directory: 64" \
    env POSTIE_CONFIG="$T/sys.conf" $asuser "$POSTIE" \
    -C "$T/allowed/link.conf" --check-config
expect_exit 64 "-C /dev/stdin as non-root: 64" \
    env POSTIE_CONFIG="$T/sys.conf" $asuser "$POSTIE" -C /dev/stdin \
    --check-config <"$T/attack/attacker.conf"
expect_exit 64 "-C attacker.conf with no system config: 64" \
    env POSTIE_CONFIG="$T/no-such.conf" $asuser "$POSTIE" \
    -C "$T/attack/attacker.conf" --check-config
check "-C: password_command never ran" test ! -e "$T/pwned-cmd"
check "-C: the log named by the attacker was never written" \
    test ! -e "$T/www/logs/log.php"
chmod 700 "$T"

# ---- secrets in files others can read: 78, for root too ----
cp "$POSTIE_CONFIG" "$T/shared.conf"
chmod 644 "$T/shared.conf"
expect_exit 78 "world-readable config with a password: 78 (uid $(id -u))" \
    env POSTIE_CONFIG="$T/shared.conf" "$POSTIE" --check-config
expect_exit 78 "... and when sending: 78" \
    env POSTIE_CONFIG="$T/shared.conf" "$POSTIE" -i root <"$T/in"
printf 'host = "h.example.org"\npassword_command = "cat %s/pw"\n' "$T" \
    >"$T/shared-cmd.conf"
chmod 604 "$T/shared-cmd.conf"
expect_exit 78 "others-readable config with password_command: 78" \
    env POSTIE_CONFIG="$T/shared-cmd.conf" "$POSTIE" --check-config
printf 'host = "h.example.org"\n' >"$T/writable.conf"
chmod 620 "$T/writable.conf"
expect_exit 78 "group-writable config (no secret in it): 78" \
    env POSTIE_CONFIG="$T/writable.conf" "$POSTIE" --check-config
nogrep_err "$secret" "no secret in the refusal"

# ---- secrets never printed ----
expect_exit 0 "--check-config" "$POSTIE" --check-config
nogrep_out "$secret" "--check-config: password not printed"
expect_exit 0 "--pretend -t -v" "$POSTIE" --pretend -t -i -v <"$T/in"
nogrep_out "$secret" "--pretend: password not on stdout"
nogrep_err "$secret" "--pretend: password not on stderr"
b64=$(printf '\0www\0%s' "$secret" | base64 -w0 2>/dev/null)
nogrep_out "$b64" "--pretend: no AUTH PLAIN token either"
# a config error next to the password must not echo the password's text
for line in "password = \"${secret}\" \"${secret}-2\"" \
    "password = ${secret} ${secret}-2" \
    "password = \"${secret}\"${secret}-2\""; do
	printf 'host = "h.example.org"\nuser = "u"\n%s\n' "$line" >"$T/bad.conf"
	chmod 600 "$T/bad.conf"
	expect_exit 78 "malformed password line: 78" \
	    env POSTIE_CONFIG="$T/bad.conf" "$POSTIE" --check-config
	nogrep_err "$secret" "malformed password line: no part of it echoed"
done

# ---- password_command: run only to authenticate, never for a dry run ----
cat >"$T/pwcmd" <<EOF
#!/bin/sh
echo ran >>"$T/pwcmd.ran"
echo '$secret'
EOF
chmod 700 "$T/pwcmd"
printf 'host = "relay.example.org"\nuser = "www"\npassword_command = "%s"\n' \
    "$T/pwcmd" >"$T/cmd.conf"
chmod 600 "$T/cmd.conf"
expect_exit 0 "password_command config: --check-config" \
    env POSTIE_CONFIG="$T/cmd.conf" "$POSTIE" --check-config
nogrep_out "$T/pwcmd" "--check-config: the command is masked too"
expect_exit 0 "password_command config: --pretend" \
    env POSTIE_CONFIG="$T/cmd.conf" "$POSTIE" --pretend -i -v root <"$T/in"
check "--check-config and --pretend never ran password_command" \
    test ! -e "$T/pwcmd.ran"
nogrep_out "$secret" "--pretend: the command's output is not printed"

# ---- password_command when it is used: its output goes to postie only ----
# It must see /dev/null on stdin (not the message), inherit no socket and
# no other descriptor of postie, and what it prints must reach neither
# the -v transcript nor stderr, in clear or as an AUTH PLAIN token.
. "$TEST_SRCDIR/lib-smtpd.sh"
cat >"$T/pwcmd2" <<EOF
#!/bin/sh
cat >"$T/pw.stdin" 2>&1
ls -l /proc/\$\$/fd/ >"$T/pw.fds" 2>&1
echo secret
EOF
chmod 700 "$T/pwcmd2"
start_smtpd
smtpd_config "password_command=\"$T/pwcmd2\""
sed -i '/^password = /d' "$POSTIE_CONFIG"
printf 'From: www@example.org\nTo: bob@example.org\nSubject: s\n\nbody\n' \
    >"$T/in2"
expect_exit 0 "send with password_command and -v: 0" "$POSTIE" -v -i \
    bob@example.org <"$T/in2"
wait_smtpd
check "the relay authenticated alice" grep -q '^! auth-ok alice' "$SMTPD_LOG"
check "password_command read nothing from stdin (/dev/null)" \
    test -e "$T/pw.stdin" -a ! -s "$T/pw.stdin"
check "password_command inherited no socket" \
    sh -c "! grep -q 'socket:' '$T/pw.fds'"
check "password_command inherited no config or spool file" \
    sh -c "! grep -q -e 'sendmail.conf' -e '(deleted)' -e 'in2' '$T/pw.fds'"
nogrep_err 'secret' "-v transcript: the password is not shown"
b64=$(printf '\0alice\0secret' | base64 -w0)
nogrep_err "$b64" "-v transcript: no AUTH PLAIN token"
nogrep_out 'secret' "stdout: nothing of the password"
finish
