#!/bin/sh
# SPDX-License-Identifier: MIT
# The real relays of tests/lib-relays.sh start and behave as postie's relay
# tests expect, proved with independent clients (gnutls-cli, gsasl, msmtp):
# STARTTLS, implicit TLS, no AUTH before TLS, each SASL mechanism, a wrong
# password refused with 535, delivery into the maildir over IPv4 and IPv6,
# and the 2 MiB size limit.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-relays.sh"

# client_send WHAT HOST PORT STARTTLS(on|off) BODYFILE: msmtp sends one
# message with Subject "relay selftest WHAT", AUTH PLAIN, CA verified.
client_send() {
	{
		echo "account default"
		echo "host $2"
		echo "port $3"
		echo "tls on"
		echo "tls_starttls $4"
		echo "tls_trust_file $RELAY_CA"
		echo "auth plain"
		echo "user $RELAY_USER"
		echo "password \"$RELAY_PASS\""
	} >"$T/msmtprc"
	chmod 600 "$T/msmtprc"
	{
		echo "From: sender@example.com"
		echo "To: rcpt-$1@example.org"
		echo "Subject: relay selftest $1"
		echo
		cat "$5"
	} >"$T/msg"
	run timeout 30 msmtp -C "$T/msmtprc" -f sender@example.com \
	    "rcpt-$1@example.org" <"$T/msg"
}

# delivered NAME MARKER BODYFILE: a message holding MARKER arrived, and its
# body is BODYFILE byte for byte.
delivered() {
	if maildir_wait_count "$RELAY_MAILDIR" "$want_count" 10 &&
	    f=$(maildir_find "$RELAY_MAILDIR" "$2") && [ -n "$f" ]; then
		maildir_body "$f" >"$T/got"
		same_file "$3" "$T/got" "$1"
	else
		echo "#   no message with '$2' in $RELAY_MAILDIR"
		relay_diag "$RELAY_LOG"
		t_result 1 "$1"
	fi
}

selftest() {
	n=$RELAY_NAME
	sub=$RELAY_SUBMISSION_PORT smtps=$RELAY_SMTPS_PORT
	echo "# $n started in $RELAY_START_MS ms (ports $sub, $smtps; IPv6 $RELAY_IPV6)"

	expect_exit 0 "$n: STARTTLS handshake, certificate verified" \
	    timeout 20 gnutls-cli --starttls-proto=smtp --port "$sub" \
	    --x509cafile "$RELAY_CA" localhost </dev/null
	grep_out 'Handshake was completed' "$n: STARTTLS handshake completed"
	expect_exit 0 "$n: implicit TLS handshake, certificate verified" \
	    timeout 20 gnutls-cli --port "$smtps" --x509cafile "$RELAY_CA" \
	    localhost </dev/null
	grep_out 'Handshake was completed' "$n: implicit TLS handshake completed"

	run timeout 20 msmtp --serverinfo --host=127.0.0.1 --port="$sub" \
	    --tls=off --auth=off
	grep_out '^ *STARTTLS:' "$n: STARTTLS offered in clear text"
	nogrep_out '^ *AUTH:' "$n: no AUTH offered before TLS"
	run timeout 20 msmtp --serverinfo --host=127.0.0.1 --port="$sub" \
	    --tls=on --tls-trust-file="$RELAY_CA" --auth=off
	grep_out "^ *SIZE $RELAY_SIZE_LIMIT:" "$n: SIZE $RELAY_SIZE_LIMIT advertised"
	grep_out "^ *AUTH:" "$n: AUTH offered after STARTTLS"

	for m in $RELAY_MECHS; do
		expect_exit 0 "$n: AUTH $m accepted after STARTTLS" \
		    timeout 20 gsasl --smtp --connect "127.0.0.1:$sub" \
		    --x509-ca-file "$RELAY_CA" --mechanism "$m" \
		    -a "$RELAY_USER" -p "$RELAY_PASS" --no-cb </dev/null
		grep_out '^235 ' "$n: AUTH $m: 235"
	done
	expect_exit 1 "$n: wrong password refused" \
	    timeout 20 gsasl --smtp --connect "127.0.0.1:$sub" \
	    --x509-ca-file "$RELAY_CA" --mechanism PLAIN \
	    -a "$RELAY_USER" -p "not-$RELAY_PASS" --no-cb </dev/null
	grep_out '^535' "$n: wrong password: 535"

	want_count=0
	printf 'line one %s\n.leading dot\n.\nlast line\n' "$n" >"$T/body"
	client_send starttls 127.0.0.1 "$sub" on "$T/body"
	want_count=$((want_count + 1))
	check "$n: msmtp STARTTLS + AUTH PLAIN sent" test "$rc" = 0
	delivered "$n: STARTTLS message delivered, body intact" \
	    'relay selftest starttls' "$T/body"

	client_send implicit 127.0.0.1 "$smtps" off "$T/body"
	want_count=$((want_count + 1))
	check "$n: msmtp implicit TLS sent" test "$rc" = 0
	delivered "$n: implicit TLS message delivered" \
	    'relay selftest implicit' "$T/body"

	if [ "$RELAY_IPV6" = yes ]; then
		client_send ipv6 ::1 "$sub" on "$T/body"
		want_count=$((want_count + 1))
		check "$n: msmtp over IPv6 sent" test "$rc" = 0
		delivered "$n: IPv6 message delivered" \
		    'relay selftest ipv6' "$T/body"
	else
		t_n=$((t_n + 1))
		echo "ok $t_n - $n: IPv6 # SKIP no ::1 on this host"
	fi

	# Over the limit: msmtp declares no SIZE=, so the refusal comes at
	# the end of DATA (552 Postfix, 554 OpenSMTPD).
	awk 'BEGIN { for (i = 0; i < 30000; i++)
		printf "%075d\n", i }' >"$T/big"
	client_send big 127.0.0.1 "$sub" on "$T/big"
	check "$n: over-limit message refused" test "$rc" != 0
	grep_err 'server message: 55[24] ' "$n: over-limit message: 552/554"
	sleep 0.5
	check "$n: nothing else delivered" \
	    test "$(maildir_count "$RELAY_MAILDIR")" -eq "$want_count"
}

start_postfix
selftest
start_opensmtpd
selftest
finish
