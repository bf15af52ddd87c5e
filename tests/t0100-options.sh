#!/bin/sh
# SPDX-License-Identifier: MIT
# The sendmail command line: help, version, refusals and their exit codes,
# -X never writing, and every flag of --help documented in postie(8).
. "$TEST_SRCDIR/lib.sh"

write_config <<'CONF'
host = "relay.example.org"
CONF

expect_exit 0 "--help exits 0" "$POSTIE" --help
grep_out '^usage: postie' "--help prints the usage"
grep_out '-X file.*never writes' "--help says -X never writes"
expect_exit 0 "--version exits 0" "$POSTIE" --version
grep_out '^postie [0-9]' "--version prints the version"
expect_exit 0 "-d0.1 exits 0" "$POSTIE" -d0.1
grep_out '^postie [0-9]' "-d0.1 prints the version"

expect_exit 64 "unknown flag: 64" "$POSTIE" -x root
grep_err 'postie: unknown option -x' "unknown flag named"
expect_exit 64 "unknown long option: 64" "$POSTIE" --frobnicate root
expect_exit 64 "-bs: 64" "$POSTIE" -bs -odb -oem
grep_err 'not supported' "-bs says it is not supported"
expect_exit 64 "-bt: 64" "$POSTIE" -bt
printf 'queue_dir = "%s"\n' "$T/queue" | write_config "$T/q.conf"
expect_exit 0 "-bp: 0" env POSTIE_CONFIG="$T/q.conf" "$POSTIE" -bp
grep_out 'Mail queue is empty' "-bp lists the (empty) queue"
expect_exit 0 "-q: 0" env POSTIE_CONFIG="$T/q.conf" "$POSTIE" -q
ln -s "$POSTIE" "$T/mailq"
expect_exit 0 "mailq: 0" env POSTIE_CONFIG="$T/q.conf" "$T/mailq"
grep_out 'Mail queue is empty' "mailq lists the queue"
expect_exit 64 "no recipients and no -t: 64" "$POSTIE" -i </dev/null
expect_exit 64 "-f without a value: 64" "$POSTIE" -f
expect_exit 64 "bad -N: 64" "$POSTIE" -N sometimes root
expect_exit 64 "bad -R: 64" "$POSTIE" -R body root
expect_exit 64 "bad -B: 64" "$POSTIE" -B BINARYMIME root

cr=$(printf 'a@example.org\rRCPT TO:<x@example.org>')
expect_exit 65 "CR in -f: 65" "$POSTIE" -f "$cr" root
grep_err 'CR or LF' "CR in -f named"
lf=$(printf 'Name\nBcc: x@example.org')
expect_exit 65 "LF in -F: 65" "$POSTIE" -F "$lf" root
expect_exit 65 "CR in a recipient: 65" "$POSTIE" -i "$cr"

# -X never writes (notes/security.md 1.6), whatever else happens.
expect_exit 0 "-X is accepted" "$POSTIE" -X "$T/traffic.php" --check-config
check "-X did not create its file" test ! -e "$T/traffic.php"
expect_exit 0 "-oQ, -O, -X together accepted" "$POSTIE" -oQ/tmp/ \
    -O QueueDirectory=/tmp -X"$T/x.php" --check-config
check "-X attached did not create its file" test ! -e "$T/x.php"

# Every flag of the table is documented in postie(8).
"$POSTIE" --help | sed -n 's/^  \(-[^ ]*\).*/\1/p' >"$T/flags"
missing=
while read -r flag; do
	name=$(printf '%s\n' "$flag" | sed -e 's/[<[].*//' -e 's/^--/\\-/' \
	    -e 's/^-//')
	[ -n "$name" ] || continue
	grep '^\.It' "$TEST_SRCDIR/../man/postie.8" |
	    grep -q -F -e "Fl $name" -e "Fl \\&$name" ||
	    missing="$missing $flag"
done <"$T/flags"
check "every --help flag is in postie(8)${missing:+ (missing:$missing)}" \
    test -z "$missing"
check "--help lists at least 40 flags" test "$(wc -l <"$T/flags")" -ge 40
finish
