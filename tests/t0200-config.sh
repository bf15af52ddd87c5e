#!/bin/sh
# SPDX-License-Identifier: MIT
# sendmail.conf: the example file, errors with file:line and their exit
# codes, secrets and permissions, include, account choice, -C.
. "$TEST_SRCDIR/lib.sh"

ex=$TEST_SRCDIR/../sendmail.conf.example
cp "$ex" "$T/example.conf" && chmod 644 "$T/example.conf"
expect_exit 0 "--check-config on sendmail.conf.example" \
    env POSTIE_CONFIG="$T/example.conf" "$POSTIE" --check-config
grep_out '^account = example$' "example: default_account chosen"
grep_out '^host = smtp.example.org$' "example: host"
grep_out '^port = 587$' "example: default port"
grep_out '^timeout_data_end = 600$' "example: RFC 5321 timeout default"
for opt in host port tls tls_trust_file tls_fingerprint tls_cert_file \
    tls_key_file tls_min_version tls_priorities tls_verify auth user \
    password password_command from domain aliases log queue queue_dir \
    queue_lifetime retry_min retry_max timeout_connect timeout_greeting \
    timeout_tls timeout_command timeout_data_block timeout_data_end \
    timeout_total allowed_config_dirs default_account include; do
	grep -q "^#$opt\\b" "$ex" || missing="$missing $opt"
done
check "the example shows every option${missing:+ (missing:$missing)}" \
    test -z "$missing"

expect_exit 66 "unreadable named config: 66" env POSTIE_CONFIG="$T/nope" \
    "$POSTIE" --check-config
grep_err "$T/nope" "the file is named"

write_config <<'CONF'
host = "relay.example.org"
port = 0587
CONF
expect_exit 78 "octal-looking port: 78" "$POSTIE" --check-config
grep_err 'sendmail.conf:2: port' "error names file:line"

write_config <<'CONF'
host = "relay.example.org"
prot = 25
CONF
expect_exit 78 "unknown option: 78" "$POSTIE" --check-config
grep_err 'sendmail.conf:2:' "unknown option: file:line"

write_config <<'CONF'
host = "${POSTIE_SURELY_UNSET_VARIABLE}"
CONF
expect_exit 78 "unset variable: 78" "$POSTIE" --check-config
grep_err 'empty value' "unset variable explained"

write_config <<'CONF'
account "a" { host = "x.example.org" }
account "a" { host = "y.example.org" }
CONF
expect_exit 78 "duplicate account: 78" "$POSTIE" --check-config

write_config <<'CONF'
host = "relay.example.org"
user = "me"
password = "s3cret-Passw0rd"
CONF
expect_exit 0 "private file with a password" "$POSTIE" --check-config
grep_out '^password = \*\*\*\*\*\*\*\*$' "password masked"
nogrep_out 's3cret' "the secret is not printed"
chmod 644 "$POSTIE_CONFIG"
expect_exit 78 "world-readable password: 78" "$POSTIE" --check-config
grep_err 'group or others can read' "world-readable password explained"
chmod 640 "$POSTIE_CONFIG"
expect_exit 78 "group-readable password: 78" "$POSTIE" --check-config
chmod 600 "$POSTIE_CONFIG"

write_config <<'CONF'
host = "relay.example.org"
tls = off
auth = on
user = "me"
CONF
expect_exit 78 "auth without TLS: 78" "$POSTIE" --check-config

write_config <<'CONF'
tls = implicit
CONF
expect_exit 78 "no host: 78" "$POSTIE" --check-config
grep_err 'no relay host' "no host explained"

# include() is relative to the including file, and checked like it.
mkdir -p "$T/conf/d" "$T/elsewhere"
write_config "$T/conf/main.conf" <<'CONF'
include("d/accounts.conf")
default_account = "work"
CONF
write_config "$T/conf/d/accounts.conf" <<'CONF'
account "work" {
	host = "work.example.org"
	from = "*@work.example.org"
	tls = implicit
}
account "home" {
	host = "home.example.org"
	from = "me@home.example.org"
	user = "me"
	password = "hunter2hunter2"
}
CONF
cd "$T/elsewhere" || exit 99
expect_exit 0 "include relative to the including file" \
    env POSTIE_CONFIG="$T/conf/main.conf" "$POSTIE" --check-config
cd / || exit 99
grep_out '^host = work.example.org$' "default_account from an included file"
grep_out '^port = 465$' "implicit TLS defaults to 465"
expect_exit 0 "account chosen by -f" \
    env POSTIE_CONFIG="$T/conf/main.conf" "$POSTIE" \
    -f me@home.example.org --check-config
grep_out '^account = home$' "-f me@home chose home"
expect_exit 0 "account chosen by pattern" \
    env POSTIE_CONFIG="$T/conf/main.conf" "$POSTIE" \
    -f Boss@WORK.example.org --check-config
grep_out '^account = work$' "-f *@work matched case-insensitively"
expect_exit 0 "--account wins over -f" \
    env POSTIE_CONFIG="$T/conf/main.conf" "$POSTIE" \
    --account home -f x@work.example.org --check-config
grep_out '^account = home$' "--account home"
expect_exit 78 "unknown --account: 78" \
    env POSTIE_CONFIG="$T/conf/main.conf" "$POSTIE" --account nosuch --check-config
chmod 644 "$T/conf/d/accounts.conf"
expect_exit 78 "world-readable included file with a password: 78" \
    env POSTIE_CONFIG="$T/conf/main.conf" "$POSTIE" --check-config
grep_err 'accounts.conf:' "the included file is named"

# -C: root may name any file; others only files in allowed_config_dirs.
write_config "$T/other.conf" <<'CONF'
host = "other.example.org"
CONF
chmod 644 "$T/other.conf"
if [ "$(id -u)" = 0 ]; then
	expect_exit 0 "-C as root is honoured" "$POSTIE" -C "$T/other.conf" \
	    --check-config
	grep_out '^host = other.example.org$' "-C file used"
	asuser="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
else
	asuser=
fi
chmod 755 "$T"
mkdir -p "$T/allowed"
cp "$T/other.conf" "$T/allowed/ok.conf"
printf 'host = "sys.example.org"\n' >"$T/sys.conf"
chmod 644 "$T/sys.conf" "$T/allowed/ok.conf"
expect_exit 64 "-C outside allowed_config_dirs: 64" \
    env POSTIE_CONFIG="$T/sys.conf" $asuser "$POSTIE" -C "$T/other.conf" \
    --check-config
grep_err 'only root' "-C refusal explained"
printf 'host = "sys.example.org"\nallowed_config_dirs = {"%s/allowed"}\n' \
    "$T" >"$T/sys.conf"
expect_exit 0 "-C inside allowed_config_dirs" \
    env POSTIE_CONFIG="$T/sys.conf" $asuser "$POSTIE" -C "$T/allowed/ok.conf" \
    --check-config
expect_exit 64 "-C ../ out of allowed_config_dirs: 64" \
    env POSTIE_CONFIG="$T/sys.conf" $asuser "$POSTIE" \
    -C "$T/allowed/../other.conf" --check-config
chmod 700 "$T"
finish
