#!/bin/sh
. "$TEST_SRCDIR/lib.sh"
finish
