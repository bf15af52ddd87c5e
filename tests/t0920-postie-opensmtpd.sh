#!/bin/sh
# SPDX-License-Identifier: MIT
# postie sends real messages through OpenSMTPD 7.4 on loopback
# (tests/lib-relays.sh): PLAIN and LOGIN over STARTTLS (OpenSMTPD offers no
# PIPELINING: lock-step), implicit TLS, an 8-bit body, IPv6, a message over
# the size limit (69 without uploading it: OpenSMTPD advertises SIZE but
# ignores SIZE=, and would answer 554 only after the final dot), a wrong
# password (535 after about a second: 77); what arrived
# in the maildir is compared byte for byte.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-relays.sh"
. "$TEST_SRCDIR/relays/postie-cases.sh"

start_opensmtpd
echo "# opensmtpd started in $RELAY_START_MS ms"
relay_cases
finish
