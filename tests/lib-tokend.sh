# SPDX-License-Identifier: MIT
# tests/lib-tokend.sh: run the local HTTPS token endpoint (tests/tokend)
# from a shell test.  Source after tests/lib.sh:
#   start_tokend [OPTIONS...]   # -S microsoft, -R, -s 503, ... (tokend.c)
#   ... oauth_token_endpoint = "$TOKEND_URL" ...
#   tokend_requests            # how many token requests it has seen
# start_tokend gives the server the test certificate (tests/certs, signed
# by ca.pem), -c client-id:client-secret, -r good-refresh, -T 60, -n 20.
TOKEND=${TOKEND:-$TEST_BUILDDIR/tokend/postie-test-tokend}
tokend_n=0

start_tokend() {
	tokend_n=$((tokend_n + 1))
	TOKEND_DIR=$T/tokend.$tokend_n
	TOKEND_LOG=$TOKEND_DIR/log
	mkdir -p "$TOKEND_DIR" || return 1
	"$TOKEND" -C "$TEST_SRCDIR/certs/server.pem" \
		-K "$TEST_SRCDIR/certs/server.key" -p "$TOKEND_DIR/port" \
		-l "$TOKEND_LOG" -c client-id:client-secret -r good-refresh \
		-T 60 -n 20 "$@" </dev/null >/dev/null 2>"$TOKEND_DIR/stderr" &
	TOKEND_PID=$!
	at_exit "kill $TOKEND_PID 2>/dev/null"
	if ! wait_for "$TOKEND_DIR/port" 10; then
		echo "# start_tokend: no port file"
		sed -e 's/^/#   /' "$TOKEND_DIR/stderr"
		return 1
	fi
	TOKEND_PORT=$(cat "$TOKEND_DIR/port")
	TOKEND_URL="https://localhost:$TOKEND_PORT/token"
	: >>"$TOKEND_LOG"
}

stop_tokend() {
	kill "$TOKEND_PID" 2>/dev/null
	wait "$TOKEND_PID" 2>/dev/null
	return 0
}

# tokend_requests: the number of token requests answered so far.
tokend_requests() { grep -c '^POST ' "$TOKEND_LOG"; }
