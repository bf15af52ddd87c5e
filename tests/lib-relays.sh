# SPDX-License-Identifier: MIT
# tests/lib-relays.sh: real SMTP servers on loopback for the relay tests.
# Source it after tests/lib.sh:
#   . "$TEST_SRCDIR/lib.sh"
#   . "$TEST_SRCDIR/lib-relays.sh"
#   start_postfix          # or start_opensmtpd
#   ... "$POSTIE" ... ; maildir_wait_count "$PF_MAILDIR" 1 10
#   finish
#
# The servers are the Debian packages unpacked by tests/relays/fetch.sh
# (build-aux/setup-debian runs it) into $POSTIE_RELAYS_DIR, default
# /var/cache/postie-test/relays.  Nothing is installed or started on the
# host: each server gets its own configuration, queue, log and maildir in
# a fresh directory, listens on ports the kernel chose on 127.0.0.1 and ::1,
# and is stopped (whole process group) when the script exits.
#
# start_postfix exports
#   PF_SUBMISSION_PORT  STARTTLS required before AUTH; AUTH required to send
#   PF_SMTPS_PORT       implicit TLS (wrapper mode), same AUTH rules
#   PF_USER PF_PASS     the one account (Cyrus sasldb)
#   PF_MECHS            mechanisms offered: PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1
#                       SCRAM-SHA-256
#   PF_MAILDIR          every recipient is delivered here (catch-all)
#   PF_SIZE_LIMIT       message_size_limit, bytes (2 MiB, SIZE advertised)
#   PF_LOG              the server's log
# start_opensmtpd exports the same with the prefix OS_ (OS_MECHS is
# PLAIN LOGIN; OpenSMTPD refuses an oversized message only after the
# final dot, with 554).  Both set RELAY_* to the last started server's
# values, plus RELAY_NAME, RELAY_CA (the CA to trust), RELAY_IPV6 (yes/no:
# whether ::1 is up here) and RELAY_START_MS (how long the start took).
#
# The servers must run as root (they drop privileges themselves):
# relays_require skips the script when not root, and bails out (fails)
# when the servers are missing.

: "${POSTIE_RELAYS_DIR:=/var/cache/postie-test/relays}"
relay_probe=$TEST_BUILDDIR/relays/portprobe

# Print a file as TAP comments (diagnostics), at most 40 lines.
relay_diag() { [ -f "$1" ] && tail -n 40 "$1" | sed -e 's/^/#   /'; :; }

relay_bail() { echo "Bail out! $*"; exit 1; }

# relays_require NAME: the server NAME is unpacked and we can run it.
relays_require() {
	[ "$(id -u)" = 0 ] ||
		skip_all "the real relays must start as root (they drop privileges)"
	[ -f "$POSTIE_RELAYS_DIR/$1/.unpacked" ] || relay_bail "$1 is not in" \
		"$POSTIE_RELAYS_DIR: run build-aux/setup-debian"
	[ -x "$relay_probe" ] || relay_bail "$relay_probe not built"
}

relay_now_ms() { date +%s%3N; }

# relay_certs: a CA and a server certificate for localhost, 127.0.0.1 and
# ::1.  tests/certs/ is used when it holds such a pair, else one is made
# under $T (certtool, a few milliseconds).  Sets RELAY_CA, RELAY_CERT and
# RELAY_KEY.
relay_certs() {
	[ -n "${RELAY_CA:-}" ] && return 0
	d=$TEST_SRCDIR/certs
	for c in server localhost; do
		if [ -f "$d/ca.pem" ] && [ -f "$d/$c.pem" ] && [ -f "$d/$c.key" ] &&
		    certtool -i --infile "$d/$c.pem" 2>/dev/null |
		    grep -q 'IPAddress: ::1'; then
			RELAY_CA=$d/ca.pem RELAY_CERT=$d/$c.pem RELAY_KEY=$d/$c.key
			return 0
		fi
	done
	d=$T/relay-certs
	mkdir -p "$d"
	printf '%s\n' 'cn = postie relay test CA' ca cert_signing_key \
	    'expiration_days = 2' >"$d/ca.tmpl"
	printf '%s\n' 'cn = localhost' 'dns_name = localhost' \
	    'ip_address = 127.0.0.1' 'ip_address = ::1' tls_www_server \
	    signing_key encryption_key 'expiration_days = 2' >"$d/srv.tmpl"
	{
		certtool --generate-privkey --key-type=ecdsa \
		    --outfile "$d/ca.key" &&
		certtool --generate-self-signed --load-privkey "$d/ca.key" \
		    --template "$d/ca.tmpl" --outfile "$d/ca.pem" &&
		certtool --generate-privkey --key-type=ecdsa \
		    --outfile "$d/server.key" &&
		certtool --generate-certificate --load-privkey "$d/server.key" \
		    --load-ca-certificate "$d/ca.pem" \
		    --load-ca-privkey "$d/ca.key" --template "$d/srv.tmpl" \
		    --outfile "$d/server.pem"
	} >"$d/log" 2>&1 || { relay_diag "$d/log"; relay_bail "certtool failed"; }
	RELAY_CA=$d/ca.pem RELAY_CERT=$d/server.pem RELAY_KEY=$d/server.key
}

# relay_dir NAME: a fresh directory for one server (outside $T: the
# servers' unprivileged processes must be able to reach into it).
relay_dir() {
	# Short: Postfix's and OpenSMTPD's unix sockets live under it, and a
	# socket path has at most 108 bytes.
	rd=${TMPDIR:-/tmp}
	[ ${#rd} -le 40 ] || rd=/tmp
	rd=$(mktemp -d "$rd/postie-$1.XXXXXX") || relay_bail "mktemp failed"
	chmod 711 "$rd"
	mkdir -m 700 "$rd/tls"
	cp "$RELAY_CERT" "$rd/tls/cert.pem"
	cp "$RELAY_KEY" "$rd/tls/key.pem"
	cp "$RELAY_CA" "$rd/tls/ca.pem"
	chmod 600 "$rd/tls/key.pem"
	mkdir -p "$rd/Maildir"
	chown nobody:nogroup "$rd/Maildir"
}

# relay_stop PGID DIR: stop a server's whole process group (bounded), then
# remove its directory.
relay_stop() {
	kill -TERM -"$1" 2>/dev/null
	i=0
	while kill -0 -"$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -KILL -"$1" 2>/dev/null
	wait "$1" 2>/dev/null
	rm -rf "$2"
}

# relay_ports N: N free loopback ports into $relay_ports.
relay_ports() {
	relay_ports=$("$relay_probe" free "$1") ||
		relay_bail "no free loopback ports"
}

# relay_ready PID LOG PORT...: the server PID answers on every PORT of
# 127.0.0.1 (and ::1 when up) within 10 s; 1 when it died (retry).
relay_ready() {
	rp=$1 rl=$2
	shift 2
	for p in "$@"; do
		for h in 127.0.0.1 ::1; do
			[ "$h" = ::1 ] && [ "$RELAY_IPV6" = no ] && continue
			"$relay_probe" wait "$h" "$p" 10 2>/dev/null && continue
			kill -0 "$rp" 2>/dev/null || return 1
			relay_diag "$rl"
			relay_bail "server pid $rp not answering on $h port $p"
		done
	done
}

relay_common() {
	relays_require "$1"
	relay_certs
	if "$relay_probe" has6; then RELAY_IPV6=yes; else RELAY_IPV6=no; fi
	RELAY_NAME=$1
}

# ------------------------------------------------------------ Postfix
start_postfix() {
	relay_common postfix
	t0=$(relay_now_ms)
	pf=$POSTIE_RELAYS_DIR/postfix
	relay_dir pf
	PF_DIR=$rd PF_MAILDIR=$rd/Maildir PF_LOG=$rd/maillog
	PF_USER=alice PF_PASS="pf-S3cret $$" PF_SIZE_LIMIT=2097152
	PF_MECHS="PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256"
	mkdir -p "$rd/conf/sasl" "$rd/q" "$rd/data"
	# Debian's Postfix reads the Cyrus config from $config_directory/sasl.
	cat >"$rd/conf/sasl/smtpd.conf" <<-EOF
	pwcheck_method: auxprop
	auxprop_plugin: sasldb
	sasldb_path: $rd/conf/sasl/sasldb2
	mech_list: $PF_MECHS
	EOF
	# The realm must equal smtpd_sasl_local_domain.
	printf '%s' "$PF_PASS" | saslpasswd2 -p -c -u localhost \
	    -f "$rd/conf/sasl/sasldb2" "$PF_USER" ||
		relay_bail "saslpasswd2 failed"
	chown daemon "$rd/conf/sasl/sasldb2"	# smtpd reads it as mail_owner
	# The queue layout postfix-script would create, owned by mail_owner
	# (the existing 'daemon' user: nothing is added to /etc/passwd).
	for q in active bounce corrupt defer deferred flush hold incoming \
	    private saved trace; do
		mkdir -m 700 "$rd/q/$q"
		chown daemon "$rd/q/$q"
	done
	mkdir -m 730 "$rd/q/maildrop"
	mkdir -m 710 "$rd/q/public"
	chown daemon:mail "$rd/q/maildrop" "$rd/q/public"
	mkdir -m 755 "$rd/q/pid"
	chown daemon "$rd/data"
	: >"$PF_LOG"
	cat >"$rd/conf/main.cf" <<-EOF
	compatibility_level = 3.7
	queue_directory = $rd/q
	data_directory = $rd/data
	command_directory = $pf/usr/sbin
	daemon_directory = $pf/usr/lib/postfix/sbin
	meta_directory = $pf/etc/postfix
	shlib_directory = $pf/usr/lib/postfix
	import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG LD_LIBRARY_PATH
	mail_owner = daemon
	setgid_group = mail
	default_privs = nobody
	myhostname = localhost
	mydomain = localdomain
	mydestination =
	inet_protocols = $([ "$RELAY_IPV6" = yes ] && echo all || echo ipv4)
	maillog_file = $PF_LOG
	maillog_file_prefixes = $rd
	smtpd_peername_lookup = no
	alias_maps =
	alias_database =
	local_recipient_maps =
	biff = no
	virtual_mailbox_domains = static:all
	virtual_mailbox_base = $rd
	virtual_mailbox_maps = static:Maildir/
	virtual_uid_maps = static:65534
	virtual_gid_maps = static:65534
	message_size_limit = $PF_SIZE_LIMIT
	smtpd_tls_chain_files = $rd/tls/key.pem, $rd/tls/cert.pem
	smtpd_tls_security_level = encrypt
	smtpd_tls_auth_only = yes
	smtpd_tls_loglevel = 1
	smtpd_sasl_auth_enable = yes
	smtpd_sasl_type = cyrus
	smtpd_sasl_path = smtpd
	cyrus_sasl_config_path = $rd/conf/sasl
	smtpd_sasl_local_domain = localhost
	smtpd_relay_restrictions = permit_sasl_authenticated, reject
	smtpd_recipient_restrictions = permit_sasl_authenticated, reject
	EOF
	for attempt in 1 2 3; do
		relay_ports 2
		set -- $relay_ports
		PF_SUBMISSION_PORT=$1 PF_SMTPS_PORT=$2
		{
		l=
		[ "$RELAY_IPV6" = yes ] && l="[::1]"
		for h in 127.0.0.1 $l; do
			echo "$h:$1 inet n - n - - smtpd"
			echo "$h:$2 inet n - n - - smtpd -o smtpd_tls_wrappermode=yes"
		done
		cat <<-EOF
		cleanup unix n - n - 0 cleanup
		qmgr unix n - n 300 1 qmgr
		rewrite unix - - n - - trivial-rewrite
		bounce unix - - n - 0 bounce
		defer unix - - n - 0 bounce
		trace unix - - n - 0 bounce
		verify unix - - n - 1 verify
		flush unix n - n 1000? 0 flush
		proxymap unix - - n - - proxymap
		virtual unix - n n - - virtual
		postlog unix-dgram n - n - 1 postlogd
		tlsmgr unix - - n 1000? 1 tlsmgr
		anvil unix - - n - 1 anvil
		scache unix - - n - 1 scache
		error unix - - n - - error
		retry unix - - n - - error
		discard unix - - n - - discard
		EOF
		} >"$rd/conf/master.cf"
		# Postfix re-reads a config file until its mtime is in the past
		# (300 ms naps, up to 2 s): make it so.
		touch -d '-1 minute' "$rd/conf/main.cf" "$rd/conf/master.cf"
		# master -d stays in the foreground: $! is its pid and, through
		# setsid, its process group (master kills its own group on TERM).
		# The unpacked binaries' RUNPATH is /usr/lib/postfix.
		LD_LIBRARY_PATH=$pf/usr/lib/postfix \
		    setsid "$pf/usr/lib/postfix/sbin/master" -c "$rd/conf" -d \
		    </dev/null >"$rd/master.out" 2>&1 &
		PF_PID=$!
		relay_ready $PF_PID "$PF_LOG" "$@" && break
		wait $PF_PID 2>/dev/null
		[ $attempt = 3 ] && { relay_diag "$PF_LOG"; relay_diag "$rd/master.out"
			relay_bail "postfix did not start"; }
	done
	at_exit "relay_stop $PF_PID '$rd'"
	RELAY_START_MS=$(($(relay_now_ms) - t0))
	export PF_SUBMISSION_PORT PF_SMTPS_PORT PF_USER PF_PASS PF_MECHS \
	    PF_MAILDIR PF_SIZE_LIMIT PF_LOG
	relay_set PF
}

# relay_set PREFIX: RELAY_* from the server's own variables.
relay_set() {
	eval "RELAY_SUBMISSION_PORT=\$${1}_SUBMISSION_PORT
	RELAY_SMTPS_PORT=\$${1}_SMTPS_PORT RELAY_USER=\$${1}_USER
	RELAY_PASS=\$${1}_PASS RELAY_MECHS=\$${1}_MECHS
	RELAY_MAILDIR=\$${1}_MAILDIR RELAY_SIZE_LIMIT=\$${1}_SIZE_LIMIT
	RELAY_LOG=\$${1}_LOG"
	export RELAY_SUBMISSION_PORT RELAY_SMTPS_PORT RELAY_USER RELAY_PASS \
	    RELAY_MECHS RELAY_MAILDIR RELAY_SIZE_LIMIT RELAY_LOG RELAY_NAME \
	    RELAY_CA RELAY_IPV6 RELAY_START_MS
}

# ------------------------------------------------------------ OpenSMTPD
# OpenSMTPD hard-codes /usr/libexec/opensmtpd, /var/spool/smtpd,
# /var/lib/opensmtpd/empty, /run/smtpd.sock and its users opensmtpd and
# opensmtpq.  It runs in a private mount namespace (unshare) where those
# directories, /etc/passwd and /etc/group are bind mounts of private
# copies: the host's files are not touched.
start_opensmtpd() {
	relay_common opensmtpd
	# Needs CAP_SYS_ADMIN and / a mount point (not so in a bare chroot).
	unshare --mount true 2>"$T/unshare.err" || relay_bail "OpenSMTPD needs" \
	    "a private mount namespace: $(head -n 1 "$T/unshare.err")"
	t0=$(relay_now_ms)
	os=$POSTIE_RELAYS_DIR/opensmtpd
	relay_dir os
	OS_DIR=$rd OS_MAILDIR=$rd/Maildir OS_LOG=$rd/smtpd.log
	OS_USER=alice OS_PASS="os-S3cret $$" OS_SIZE_LIMIT=2097152
	OS_MECHS="PLAIN LOGIN"
	mkdir -p "$rd/ns/spool" "$rd/ns/lib/opensmtpd/empty" "$rd/ns/run" \
	    "$rd/ns/etc"
	# Two unused ids for the privilege-separated users.
	ids=$(awk -F: '{ u[$3] = 1 } END { n = 0
		for (i = 64000; i < 65000 && n < 2; i++)
			if (!(i in u)) { print i; n++ } }' /etc/passwd /etc/group)
	set -- $ids
	cp /etc/passwd "$rd/ns/etc/passwd"
	cp /etc/group "$rd/ns/etc/group"
	printf 'opensmtpd:x:%s:%s::/var/lib/opensmtpd/empty:/usr/sbin/nologin\n' \
	    "$1" "$1" >>"$rd/ns/etc/passwd"
	printf 'opensmtpq:x:%s:%s::/var/lib/opensmtpd/empty:/usr/sbin/nologin\n' \
	    "$2" "$2" >>"$rd/ns/etc/passwd"
	printf 'opensmtpd:x:%s:\nopensmtpq:x:%s:\n' "$1" "$2" >>"$rd/ns/etc/group"
	# Credentials tables hold crypt(3) hashes: the package's own encrypt.
	h=$(printf '%s\n' "$OS_PASS" | "$os/usr/libexec/opensmtpd/encrypt") ||
		relay_bail "opensmtpd encrypt failed"
	printf '%s %s\n' "$OS_USER" "$h" >"$rd/creds"
	echo "@ nobody" >"$rd/vusers"	# catch-all, delivered as nobody
	chmod 600 "$rd/creds"
	for attempt in 1 2 3; do
		relay_ports 2
		set -- $relay_ports
		OS_SUBMISSION_PORT=$1 OS_SMTPS_PORT=$2
		{
		cat <<-EOF
		pki localhost cert "$rd/tls/cert.pem"
		pki localhost key "$rd/tls/key.pem"
		ca localhost cert "$rd/tls/ca.pem"
		table creds file:$rd/creds
		table vusers file:$rd/vusers
		smtp max-message-size $OS_SIZE_LIMIT
		EOF
		l=
		[ "$RELAY_IPV6" = yes ] && l=::1
		for h in 127.0.0.1 $l; do
			# ca: else the default bundle is loaded, and a host
			# without ca-certificates makes smtpd exit.
			echo "listen on $h port $1 tls-require pki localhost" \
			    "ca localhost auth <creds> hostname localhost"
			echo "listen on $h port $2 smtps pki localhost" \
			    "ca localhost auth <creds> hostname localhost"
		done
		echo "action deliver maildir \"$rd/Maildir\" virtual <vusers>"
		echo "match from any for any action deliver"
		} >"$rd/smtpd.conf"
		setsid unshare --mount sh -c '
			r=$1 o=$2
			mount --bind "$o/usr/libexec" /usr/libexec &&
			mount --bind "$r/ns/spool" /var/spool &&
			mount --bind "$r/ns/lib" /var/lib &&
			mount --bind "$r/ns/run" /run &&
			mount --bind "$r/ns/etc/passwd" /etc/passwd &&
			mount --bind "$r/ns/etc/group" /etc/group &&
			exec "$o/usr/sbin/smtpd" -d -f "$r/smtpd.conf"
		    ' sh "$rd" "$os" </dev/null >"$OS_LOG" 2>&1 &
		OS_PID=$!
		relay_ready $OS_PID "$OS_LOG" "$@" && break
		wait $OS_PID 2>/dev/null
		[ $attempt = 3 ] && { relay_diag "$OS_LOG"
			relay_bail "opensmtpd did not start"; }
	done
	at_exit "relay_stop $OS_PID '$rd'"
	RELAY_START_MS=$(($(relay_now_ms) - t0))
	export OS_SUBMISSION_PORT OS_SMTPS_PORT OS_USER OS_PASS OS_MECHS \
	    OS_MAILDIR OS_SIZE_LIMIT OS_LOG
	relay_set OS
}

# ------------------------------------------------------------ server logs
# relay_log_mark: remember where the current server's log ends.
relay_log_mark() { relay_mark=$(wc -l <"$RELAY_LOG"); }

# relay_uploaded: succeeds when the server received message data (a DATA
# or BDAT that got past the command) since relay_log_mark; prints the
# lines it judged by, as TAP comments.
relay_uploaded() {
	tail -n +$((relay_mark + 1)) "$RELAY_LOG" | tr -d '\000' >"$T/relay.log"
	case $RELAY_NAME in
	postfix)
		# The session's last line counts commands (accepted/sent): a
		# refused MAIL (mail=0/1) leaves a pipelined DATA nothing to
		# send; an accepted MAIL then DATA or BDAT means data went up.
		last=$(grep 'disconnect from' "$T/relay.log" | tail -n 1)
		echo "#   $last"
		case $last in
		*' mail=0/'*) return 1 ;;
		*' mail='*' data='*|*' mail='*' bdat='*) return 0 ;;
		*) return 1 ;;
		esac ;;
	opensmtpd)
		# No PIPELINING: a message accepted, or refused as too big after
		# the final dot, is the only trace of an upload.
		grep -e 'smtp message msgid=' -e 'too big' "$T/relay.log" |
		    sed -e 's/^/#   /'
		grep -q -e 'smtp message msgid=' -e 'too big' "$T/relay.log" ;;
	*)
		relay_bail "relay_uploaded: unknown server $RELAY_NAME" ;;
	esac
}

# ------------------------------------------------------------ maildirs
# maildir_messages DIR: the delivered messages' paths, one a line, in
# name order (delivery time first).
maildir_messages() {
	for f in "$1"/new/* "$1"/cur/*; do
		[ -f "$f" ] && echo "$f"
	done | sort
}

maildir_count() { maildir_messages "$1" | wc -l; }

# maildir_wait_count DIR N TIMEOUT: wait until DIR holds at least N
# messages, at most TIMEOUT seconds; fails when it does not.
maildir_wait_count() {
	i=0
	while [ "$(maildir_count "$1")" -lt "$2" ] && [ $i -lt $(($3 * 20)) ]
	do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$(maildir_count "$1")" -ge "$2" ]
}

# maildir_find DIR STRING: the first message containing STRING.
maildir_find() {
	maildir_messages "$1" | while read -r f; do
		grep -q -F -e "$2" "$f" && { echo "$f"; break; }
	done
}

# maildir_body FILE: the body of a delivered message (after the first
# empty line).  Maildirs store LF line endings.
maildir_body() { sed -e '1,/^$/d' "$1"; }
