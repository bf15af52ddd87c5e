/* SPDX-License-Identifier: MIT */
/*
 * smtp: one SMTP submission session, readable top to bottom like RFC 5321:
 * connect, greeting, EHLO, STARTTLS, EHLO again, AUTH, then one or more
 * transactions (MAIL, RCPT..., DATA or BDAT), then QUIT.
 *
 * The session reads the account (borrowed for the session's lifetime),
 * updates each recipient's state in the envelope, and records at most one
 * failure, classified temporary / permanent / unknown, in the caller's
 * struct failure.
 */
#ifndef POSTIE_SMTP_H
#define POSTIE_SMTP_H

#include "account.h"
#include "envelope.h"
#include "source.h"
#include "status.h"

struct smtp_session;

/* What the session negotiated, for the log line. */
struct smtp_info {
	char	 relay[300];	/* "host[addr]:port" */
	char	 tls[128];	/* "TLS1.3 AES-256-GCM", or "" */
	char	 mech[32];	/* SASL mechanism used, or "" */
	/* added by the session work, compatible: */
	char	 data_reply[256]; /* the relay's reply to the message data,
				    e.g. "250 2.0.0 Ok: queued as 4Xyz" */
	unsigned waits;		/* times postie waited for the relay */
	unsigned flushes;	/* writes of batched commands or data */
};

/*
 * Connect and get ready for transactions: TLS and AUTH done.  Returns the
 * session, or NULL with the failure recorded.
 */
struct smtp_session *smtp_open(const struct account *, struct failure *);

/*
 * One transaction.  Every recipient in RCPT_PENDING or RCPT_TEMPFAIL state
 * is tried; states and replies are written back.  Returns 0 when the relay
 * accepted the message for at least one recipient (check the envelope for
 * refused ones), -1 otherwise, with the failure recorded.  After a failure
 * that leaves the session usable, smtp_usable() is true and another
 * transaction may follow (RSET is sent first).
 */
int	 smtp_transaction(struct smtp_session *, struct envelope *,
	    struct source *, struct failure *);
int	 smtp_usable(const struct smtp_session *);
const struct smtp_info *smtp_get_info(const struct smtp_session *);

/* QUIT (when usable), close and free.  NULL is allowed. */
void	 smtp_close(struct smtp_session *);

#endif
