# SPDX-License-Identifier: MIT
# tests/relays/postie-cases.sh: the cases every real relay runs through
# postie.  Sourced by t0910-postie-postfix.sh and t0920-postie-opensmtpd.sh
# after start_postfix / start_opensmtpd (tests/lib-relays.sh), which set
# RELAY_*.
#
# Config keys used (sendmail.conf(5)): host, port, tls, tls_trust_file,
# user, password, auth (a list of mechanisms), queue (off: a temporary
# failure shows as 75 instead of a queued message).

# relay_config HOST PORT TLS [MECH]: write $POSTIE_CONFIG for the relay.
relay_config() {
	{
		printf 'host = "%s"\n' "$1"
		printf 'port = %s\n' "$2"
		printf 'tls = "%s"\n' "$3"
		printf 'tls_trust_file = "%s"\n' "$RELAY_CA"
		printf 'user = "%s"\n' "$RELAY_USER"
		printf 'password = "%s"\n' "${relay_pass:-$RELAY_PASS}"
		printf 'queue = false\n'
		[ -n "${4:-}" ] && printf 'auth = {"%s"}\n' "$4"
	} | write_config
}

# relay_message FILE MARKER [BODYFILE]: a message with Subject MARKER; the
# body is BODYFILE, or a default one with dot lines, a "From " line, a
# line of 998 octets and no trailing empty line.
relay_message() {
	{
		echo "From: Sender <sender@example.com>"
		echo "To: rcpt@example.org"
		echo "Subject: $2"
		[ -n "${3:-}" ] && [ -n "${relay_mime:-}" ] && printf '%s' "$relay_mime"
		echo
		if [ -n "${3:-}" ]; then
			cat "$3"
		else
			echo "first line of $2"
			echo ".leading dot"
			echo "."
			echo ".."
			echo "From the start of a line"
			awk 'BEGIN { for (i = 0; i < 998; i++) printf "x"; print "" }'
			echo "last line"
		fi
	} >"$1"
	sed -e '1,/^$/d' "$1" >"$1.body"
}

# relay_send NAME WANT MARKER: postie sends $T/msg (made with MARKER),
# exits WANT; with WANT 0, the relay's maildir gets it, body byte-exact.
relay_send() {
	before=$(maildir_count "$RELAY_MAILDIR")
	expect_exit "$2" "$RELAY_NAME: $1: exit $2" \
	    "$POSTIE" -i -f sender@example.com rcpt@example.org <"$T/msg"
	if [ "$2" != 0 ]; then
		sleep 0.5
		check "$RELAY_NAME: $1: nothing delivered" \
		    test "$(maildir_count "$RELAY_MAILDIR")" -eq "$before"
		return
	fi
	if maildir_wait_count "$RELAY_MAILDIR" $((before + 1)) 10 &&
	    f=$(maildir_find "$RELAY_MAILDIR" "Subject: $3") && [ -n "$f" ]
	then
		maildir_body "$f" >"$T/got"
		same_file "$T/msg.body" "$T/got" "$RELAY_NAME: $1: body byte-exact"
	else
		echo "#   nothing with 'Subject: $3' in $RELAY_MAILDIR"
		relay_diag "$RELAY_LOG"
		t_result 1 "$RELAY_NAME: $1: delivered"
	fi
}

relay_cases() {
	n=0
	for m in $RELAY_MECHS; do
		n=$((n + 1))
		relay_config localhost "$RELAY_SUBMISSION_PORT" starttls "$m"
		relay_message "$T/msg" "mech $m $$"
		relay_send "STARTTLS + AUTH $m" 0 "mech $m $$"
	done

	relay_config localhost "$RELAY_SMTPS_PORT" implicit
	relay_message "$T/msg" "implicit $$"
	relay_send "implicit TLS" 0 "implicit $$"

	printf 'Gr\303\274\303\237e, na\303\257ve caf\303\251 \342\200\224 \342\230\203\n' \
	    >"$T/8bit"
	printf 'second line: \342\202\254 100 \302\261 \316\265\n' >>"$T/8bit"
	relay_mime='MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
'
	relay_config localhost "$RELAY_SUBMISSION_PORT" starttls
	relay_message "$T/msg" "8bit $$" "$T/8bit"
	relay_mime=
	relay_send "8-bit body" 0 "8bit $$"

	if [ "$RELAY_IPV6" = yes ]; then
		relay_config ::1 "$RELAY_SUBMISSION_PORT" starttls
		relay_message "$T/msg" "ipv6 $$"
		relay_send "IPv6 (host ::1)" 0 "ipv6 $$"
	else
		t_n=$((t_n + 1))
		echo "ok $t_n - $RELAY_NAME: IPv6 # SKIP no ::1 on this host"
	fi

	# Over the limit: 3 MB of text against 2 MiB.
	awk 'BEGIN { for (i = 0; i < 40000; i++) printf "%075d\n", i }' \
	    >"$T/big"
	relay_config localhost "$RELAY_SUBMISSION_PORT" starttls
	relay_message "$T/msg" "oversize $$" "$T/big"
	relay_log_mark
	relay_send "message over the size limit" 69 "oversize $$"
	# Both relays advertise SIZE: postie knows the limit and must not
	# upload (Postfix would also refuse SIZE= at MAIL; OpenSMTPD ignores
	# SIZE= and would take the whole upload before its 554).
	if relay_uploaded; then
		t_result 1 "$RELAY_NAME: refused before upload"
	else
		t_result 0 "$RELAY_NAME: refused before upload"
	fi

	relay_pass="wrong-$RELAY_PASS"
	relay_config localhost "$RELAY_SUBMISSION_PORT" starttls
	relay_pass=
	relay_message "$T/msg" "badpass $$"
	relay_send "wrong password" 77 "badpass $$"
	nogrep_err "$RELAY_PASS" "$RELAY_NAME: password not echoed on stderr"
}
