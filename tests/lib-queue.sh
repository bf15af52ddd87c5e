# SPDX-License-Identifier: MIT
# tests/lib-queue.sh: helpers for the queue tests, on top of lib.sh.
# The queue driver (tests/unit/queue-driver.c) calls the queue API as
# main.c does, with a scripted fake relay (tests/unit/smtp-fake.c):
#   qd ARGS...          queue-driver with the spool in $Q
#   fault LINE...       append fault lines to the fake relay's script
#   nsent               number of messages the fake relay accepted
#   nqueued             number of visible queue entries (qf files)
QD=${QD:-$TEST_BUILDDIR/unit/queue-driver}
Q=$T/spool
FAKE_SMTP_DIR=$T/relay
FAKE_SMTP_SCRIPT=$T/relay/script
export FAKE_SMTP_DIR FAKE_SMTP_SCRIPT
mkdir -p "$FAKE_SMTP_DIR"
: >"$FAKE_SMTP_SCRIPT"

qd() { "$QD" -d "$Q" -m 0 "$@"; }
fault() { for l in "$@"; do printf '%s\n' "$l" >>"$FAKE_SMTP_SCRIPT"; done; }
nsent() { find "$FAKE_SMTP_DIR" -name 'sent.*' | wc -l | tr -d ' '; }
nqueued() { find "$Q" -maxdepth 1 -name 'qf*' 2>/dev/null | wc -l | tr -d ' '; }
nfailed() { find "$Q/failed" -name 'qf*' 2>/dev/null | wc -l | tr -d ' '; }
# is_count WANT GOT NAME
is_count() {
	if [ "$1" = "$2" ]; then t_result 0 "$3"; else
		echo "#   got $2, want $1"; t_result 1 "$3"; fi
}
# msg [SUBJECT]: a small message on stdout
msg() {
	printf 'From: sender@example.org\nTo: rcpt@example.net\n'
	printf 'Subject: %s\n\nHello.\n.leading dot\n' "${1:-test}"
}
