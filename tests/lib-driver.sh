# SPDX-License-Identifier: MIT
# tests/lib-driver.sh: run tests/unit/smtp-driver (one SMTP session, see
# its header) against the scripted server started by start_smtpd.
# Source after lib.sh and lib-smtpd.sh.
#   expect_drive CODE NAME [VAR=VALUE...] [-v] FROM FILE RCPT...
# runs the driver with the account in the environment (defaults: the
# running server, STARTTLS, the test CA, alice/secret, 10 s per phase);
# VAR=VALUE words first override them.  Output in $T/out and $T/err,
# exit code in $rc, elapsed whole seconds in $elapsed.

DRIVER=${DRIVER:-$TEST_BUILDDIR/unit/smtp-driver}

drive() {
	t0=$(date +%s)
	run env SMTP_HOST=127.0.0.1 SMTP_PORT="$SMTPD_PORT" \
		SMTP_TRUST="$SMTPD_CERTS/ca.pem" SMTP_USER=alice \
		SMTP_PASSWORD=secret SMTP_TIMEOUT=10 SMTP_TOTAL=60 \
		"$@"
	elapsed=$(($(date +%s) - t0))
}

# expect_drive CODE NAME [VAR=VALUE...] ARGS...
expect_drive() {
	want=$1 name=$2
	shift 2
	# the VAR=VALUE words go before the program for env(1)
	set -- "$@"
	n=0
	for a in "$@"; do
		case $a in *=*) n=$((n + 1)) ;; *) break ;; esac
	done
	vars=
	i=0
	for a in "$@"; do
		[ "$i" -lt "$n" ] || break
		vars="$vars $(printf '%s' "$a" | sed "s/'/'\\\\''/g; s/^/'/; s/\$/'/")"
		i=$((i + 1))
	done
	shift "$n"
	eval "drive $vars \"\$DRIVER\" \"\$@\""
	if [ "$rc" -eq "$want" ]; then
		t_result 0 "$name"
	else
		echo "#   exit $rc, want $want"
		t_result 1 "$name"
	fi
}

# A small message with lines that need stuffing, and its expected bytes
# on arrival (CRLF, un-stuffed).
mk_msg() {
	printf 'From: a@example.org\nSubject: t\n\nline1\n.dot\n..two\n.\nend\n' \
		>"$T/msg"
	sed 's/$/\r/' "$T/msg" >"$T/want"
}
