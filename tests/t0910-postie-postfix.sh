#!/bin/sh
# SPDX-License-Identifier: MIT
# postie sends real messages through Postfix on loopback (tests/lib-relays.sh):
# each SASL mechanism Postfix offers over STARTTLS, implicit TLS, an 8-bit
# body, IPv6, a message over the size limit (Postfix advertises SIZE, so
# nothing is uploaded: 69), a wrong password (77); what arrived in the
# maildir is compared byte for byte.
. "$TEST_SRCDIR/lib.sh"
. "$TEST_SRCDIR/lib-relays.sh"
. "$TEST_SRCDIR/relays/postie-cases.sh"

start_postfix
echo "# postfix started in $RELAY_START_MS ms"
relay_cases
finish
