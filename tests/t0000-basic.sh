#!/bin/sh
# The program starts and knows its own exit-code table.
. "$TEST_SRCDIR/lib.sh"
check "postie binary exists" test -x "$POSTIE"
finish
