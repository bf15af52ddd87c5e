#!/bin/sh
# Secrets never reach a core dump: postie makes itself non-dumpable and
# sets its core size limit to zero before it reads any configuration.
. "$TEST_SRCDIR/lib.sh"

write_config <<'CONF'
host = "127.0.0.1"
password = "s3cret-never-shown"
user = "alice"
CONF

# /proc/PID/status of a running postie: read while it waits on stdin.
mkfifo "$T/in"
# Raise the soft limit first, so that only postie itself can lower it.
(ulimit -c unlimited 2>/dev/null || ulimit -c 4096
 exec "$POSTIE" --pretend root) <"$T/in" >"$T/out" 2>"$T/err" &
pid=$!
exec 3>"$T/in"
i=0
while [ "$i" -lt 100 ] && ! grep -q '^Name:' "/proc/$pid/status" 2>/dev/null; do
	sleep 0.02; i=$((i + 1))
done
sleep 0.2
limits=$(cat "/proc/$pid/limits" 2>/dev/null)
printf 'Subject: x\n\nbody\n' >&3
exec 3>&-
wait "$pid"
echo "$limits" | grep -q '^Max core file size *0 *0' ; check_rc=$?
t_result "$check_rc" "core file size limit is 0 while running"
nogrep_out 's3cret' "--pretend output holds no password"
nogrep_err 's3cret' "stderr holds no password"
finish
