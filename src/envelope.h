/* SPDX-License-Identifier: MIT */
/*
 * envelope: the SMTP envelope of one message: the reverse path, the
 * forward paths with a status each, and the per-message ESMTP parameters.
 * Addresses held here are already validated: no CR, LF or NUL, qualified.
 */
#ifndef POSTIE_ENVELOPE_H
#define POSTIE_ENVELOPE_H

#include <stddef.h>

enum rcpt_state {
	RCPT_PENDING = 0,	/* not yet tried */
	RCPT_ACCEPTED,		/* relay took it (2xx to RCPT and to the data) */
	RCPT_TEMPFAIL,		/* 4xx: owed, try again later */
	RCPT_PERMFAIL		/* 5xx: refused for good */
};

#define ENVELOPE_REPLY_MAX 256

struct recipient {
	char		*addr;		/* owned */
	enum rcpt_state	 state;
	int		 code;		/* last reply code, 0 when none */
	char		 reply[ENVELOPE_REPLY_MAX];	/* last reply text */
};

enum body_type {
	BODY_UNSET = 0,		/* let postie decide from the content */
	BODY_7BIT,
	BODY_8BITMIME
};

struct envelope {
	char		*sender;	/* owned; "" is the null reverse path */
	struct recipient *rcpt;		/* owned array */
	size_t		 nrcpt;
	size_t		 rcpt_cap;
	/* DSN (RFC 3461): NULL when not requested */
	char		*dsn_notify;	/* "NEVER" or "SUCCESS,FAILURE,DELAY" */
	char		*dsn_ret;	/* "FULL" or "HDRS" */
	char		*dsn_envid;	/* xtext-encoded when sent */
	enum body_type	 body;		/* from -B or the content */
	int		 smtputf8;	/* an address needs SMTPUTF8 */
};

void	 envelope_init(struct envelope *);
void	 envelope_free(struct envelope *);
/* Set the sender; copies.  Returns 0, or -1 when out of memory. */
int	 envelope_set_sender(struct envelope *, const char *);
/* Add a recipient unless it is already there (compared exactly);
 * copies.  Returns 0, or -1 when out of memory. */
int	 envelope_add_rcpt(struct envelope *, const char *);
/* Number of recipients in the given state. */
size_t	 envelope_count(const struct envelope *, enum rcpt_state);

#endif
