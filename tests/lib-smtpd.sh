# SPDX-License-Identifier: MIT
# tests/lib-smtpd.sh: run the scripted SMTP test server from a shell test.
# Source after tests/lib.sh:
#   . "$TEST_SRCDIR/lib.sh"
#   . "$TEST_SRCDIR/lib-smtpd.sh"
#   smtpd_script <<'EOF'                 # optional: faults
#   at RCPT reply 451 4.7.1 greylisted
#   EOF
#   start_smtpd -s "$SMTPD_SCRIPT" [server options...]  # tests/smtpd/README
#   smtpd_config                         # writes $POSTIE_CONFIG
#   expect_exit 0 "sends" "$POSTIE" -t <msg
#   wait_smtpd                           # the server has finished ($smtpd_rc)
#   grep -q '^MAIL FROM:<a@b>' "$SMTPD_LOG"
# start_smtpd gives the server, before the caller's options (later options
# win): -C server cert, -K key (so STARTTLS on), -p, -l, -d, -T 30.
# After it: SMTPD_PORT, SMTPD_DIR (messages: msg.1, msg.1.env, ...),
# SMTPD_LOG (the transcript), SMTPD_ERR (the server's stderr), SMTPD_PID.

SMTPD=${SMTPD:-$TEST_BUILDDIR/smtpd/postie-test-smtpd}
SMTPD_CERTS=$TEST_SRCDIR/certs
smtpd_n=0

# start_smtpd [OPTIONS...]: start a server in the background.
start_smtpd() {
	smtpd_n=$((smtpd_n + 1))
	SMTPD_DIR=$T/smtpd.$smtpd_n
	SMTPD_LOG=$SMTPD_DIR/transcript
	SMTPD_ERR=$SMTPD_DIR/stderr
	mkdir -p "$SMTPD_DIR" || return 1
	"$SMTPD" -C "$SMTPD_CERTS/server.pem" -K "$SMTPD_CERTS/server.key" \
		-T 30 -p "$SMTPD_DIR/port" -l "$SMTPD_LOG" -d "$SMTPD_DIR" \
		"$@" </dev/null >/dev/null 2>"$SMTPD_ERR" &
	SMTPD_PID=$!
	at_exit "kill $SMTPD_PID 2>/dev/null"
	if ! wait_for "$SMTPD_DIR/port" 10; then
		echo "# start_smtpd: no port file; server stderr:"
		sed -e 's/^/#   /' "$SMTPD_ERR"
		SMTPD_PORT=
		return 1
	fi
	SMTPD_PORT=$(cat "$SMTPD_DIR/port")
	export SMTPD_PORT SMTPD_DIR SMTPD_LOG SMTPD_ERR SMTPD_PID
}

# wait_smtpd [SECONDS]: wait (bounded, default 10 s) for the server to
# exit; its exit status is in $smtpd_rc (124: still running, killed).
wait_smtpd() {
	i=0
	while kill -0 "$SMTPD_PID" 2>/dev/null && [ "$i" -lt $((${1:-10} * 20)) ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if kill -0 "$SMTPD_PID" 2>/dev/null; then
		kill "$SMTPD_PID" 2>/dev/null
		wait "$SMTPD_PID" 2>/dev/null
		smtpd_rc=124
	else
		wait "$SMTPD_PID" 2>/dev/null
		smtpd_rc=$?
	fi
	return 0
}

# stop_smtpd: end the server now.
stop_smtpd() {
	kill "$SMTPD_PID" 2>/dev/null
	wait "$SMTPD_PID" 2>/dev/null
	return 0
}

# smtpd_config [KEY=VALUE...]: write $POSTIE_CONFIG (mode 600) for the
# running server.  Defaults: host 127.0.0.1, port $SMTPD_PORT,
# tls starttls, tls_trust_file the test CA, user alice, password secret,
# queue_dir $T/queue.
# Arguments override or add top-level settings; VALUE is written as is,
# so quote strings yourself: smtpd_config tls=implicit 'user="bob"'.
smtpd_config() {
	{
		printf 'host = "127.0.0.1"\nport = %s\ntls = starttls\n' \
			"$SMTPD_PORT"
		printf 'tls_trust_file = "%s"\n' "$SMTPD_CERTS/ca.pem"
		printf 'user = "alice"\npassword = "secret"\n'
		# never the real spool: tests run as root
		printf 'queue_dir = "%s"\n' "$T/queue"
		for kv in "$@"; do
			printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"
		done
	} | awk -F' = ' '{ v[$1] = $0; if (!($1 in seen)) { seen[$1] = 1; k[n++] = $1 } }
		END { for (i = 0; i < n; i++) print v[k[i]] }' |
		write_config "${SMTPD_CONFIG_FILE:-$POSTIE_CONFIG}"
}

# smtpd_script < TEXT: save a dialogue script (tests/smtpd/README) and
# set SMTPD_SCRIPT to its path:
#   smtpd_script <<'EOF'
#   at RCPT#2 reply 550 5.1.1 no such user
#   EOF
#   start_smtpd -s "$SMTPD_SCRIPT"
smtpd_script() {
	smtpd_n=$((smtpd_n + 1))
	SMTPD_SCRIPT=$T/smtpd-script.$smtpd_n
	cat >"$SMTPD_SCRIPT"
}

# smtpd_waits: the last "waits N" count in the transcript.
smtpd_waits() {
	sed -n 's/^waits //p' "$SMTPD_LOG" | tail -n 1
}

# smtpd_commands: the transcript without server notes ("! ...") and
# "waits" lines: exactly the lines the client sent.
smtpd_commands() {
	grep -v -e '^! ' -e '^waits [0-9]*$' "$SMTPD_LOG"
}
