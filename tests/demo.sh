#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/demo.sh: "make demo", postie's main job end to end.  Starts the
# bundled test SMTP server on loopback (STARTTLS + AUTH, a test CA), writes
# a real sendmail.conf for it, and sends a message with an attachment:
#   postie -a hello.txt -t < message
# then shows what the server received.  Nothing leaves this machine.
# Environment (set by make demo): POSTIE, SMTPD, TEST_SRCDIR.
set -u
: "${TEST_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
: "${POSTIE:=$TEST_SRCDIR/../src/postie}"
: "${SMTPD:=$TEST_SRCDIR/smtpd/postie-test-smtpd}"
certs=$TEST_SRCDIR/certs

for f in "$POSTIE" "$SMTPD"; do
	[ -x "$f" ] || { echo "demo: $f is not built (run make first)" >&2; exit 1; }
done

d=$(mktemp -d "${TMPDIR:-/tmp}/postie-demo.XXXXXX") || exit 1
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$d"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$d/mail" "$d/home"
# postie's own state (queue, per-user config) stays inside the demo
HOME=$d/home XDG_CONFIG_HOME=$d/home/.config XDG_STATE_HOME=$d/home/.local/state
export HOME XDG_CONFIG_HOME XDG_STATE_HOME

echo "== starting the test SMTP server on 127.0.0.1 (STARTTLS, AUTH)"
"$SMTPD" -C "$certs/server.pem" -K "$certs/server.key" -t starttls \
	-u alice:demo-password -T 60 -p "$d/port" -l "$d/transcript" \
	-d "$d/mail" 2>"$d/smtpd.err" </dev/null &
pid=$!
i=0
while [ ! -s "$d/port" ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
if [ ! -s "$d/port" ]; then
	echo "demo: the test server did not start:" >&2
	cat "$d/smtpd.err" >&2
	exit 1
fi
port=$(cat "$d/port")
echo "   listening on port $port"

cat >"$d/sendmail.conf" <<EOF
# written by tests/demo.sh
host = "127.0.0.1"
port = $port
tls = starttls
tls_trust_file = "$certs/ca.pem"
user = "alice"
password = "demo-password"
from = "alice@example.org"
EOF
chmod 600 "$d/sendmail.conf"
POSTIE_CONFIG=$d/sendmail.conf
export POSTIE_CONFIG
echo "== $POSTIE_CONFIG:"
sed -e 's/^\(password = \).*/\1"(hidden)"/' -e 's/^/   /' "$POSTIE_CONFIG"

printf 'Hello from the postie demo.\nThis file is the attachment.\n' >"$d/hello.txt"
cat >"$d/message" <<'EOF'
From: Alice <alice@example.org>
To: Bob <bob@example.org>
Subject: postie demo

Hi Bob,

this message went through postie, over STARTTLS with SMTP AUTH, to the
bundled test server.  A small file is attached.

-- 
Alice
EOF

echo "== running: postie -a hello.txt -t < message"
(cd "$d" && "$POSTIE" -a hello.txt -t <message)
rc=$?
echo "   postie exit status: $rc"

# the server handles one connection and exits; wait for it (bounded)
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done

echo "== what postie said to the server (AUTH payload hidden):"
if [ -s "$d/transcript" ]; then
	awk '/^AUTH / { print "   " $1 " " $2 " (SASL exchange hidden)"; hide = 1; next }
	/^! auth-/ { hide = 0 }
	hide { next }
	{ print "   " $0 }' "$d/transcript"
else
	echo "   (nothing: postie did not connect)"
fi

if [ -s "$d/mail/msg.1" ]; then
	echo "== the server received this message, envelope:"
	sed -e 's/^/   /' "$d/mail/msg.1.env"
	echo "== and content ($(wc -c <"$d/mail/msg.1") bytes, CRLF shown as line ends):"
	tr -d '\r' <"$d/mail/msg.1" | sed -e 's/^/   | /'
	[ "$rc" = 0 ] || exit "$rc"
	echo "== demo done: the message arrived."
	exit 0
fi
echo "== no message arrived at the server (postie exit status $rc)." >&2
[ "$rc" = 0 ] && rc=1
exit "$rc"
