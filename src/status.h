/* SPDX-License-Identifier: MIT */
/*
 * status: how a failure is recorded and how it becomes an exit code.
 *
 * A failure is recorded once, where it happens, into a struct failure that
 * the caller owns; only main() turns it into an exit status.  The mapping
 * from SMTP replies to sysexits lives here and nowhere else.
 */
#ifndef POSTIE_STATUS_H
#define POSTIE_STATUS_H

#include <stdarg.h>
#include <sysexits.h>

/* Whether trying again later could succeed. */
enum fail_class {
	FAIL_NONE = 0,		/* no failure recorded */
	FAIL_TEMP,		/* temporary: queue and retry */
	FAIL_PERM,		/* permanent: do not retry */
	FAIL_UNKNOWN		/* outcome unknown (lost after the final dot):
				   retried like FAIL_TEMP, may duplicate */
};

#define FAILURE_MSG_MAX 512

struct failure {
	int		 code;		/* sysexits value; EX_OK when none */
	enum fail_class	 cls;
	char		 msg[FAILURE_MSG_MAX];	/* one line, no newline */
};

/* Record a failure.  The first one recorded wins: later calls on a
 * failure that already holds one do nothing, so the root cause is kept. */
void	 failure_set(struct failure *, int code, enum fail_class,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	 failure_vset(struct failure *, int code, enum fail_class,
	    const char *fmt, va_list);
/* Forget any recorded failure. */
void	 failure_clear(struct failure *);

/*
 * Map an SMTP reply (three-digit code and, when the relay sent one, the
 * enhanced status code "x.y.z" or NULL) to a sysexits value and class.
 * 2yz gives EX_OK.  See the EXIT STATUS table in postie(8).
 */
int	 status_from_reply(int code, const char *enhanced, enum fail_class *);

/* A short name for an exit code ("EX_TEMPFAIL"), for logs and tests. */
const char *status_name(int code);

#endif
