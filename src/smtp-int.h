/* SPDX-License-Identifier: MIT */
/*
 * smtp-int: what smtp.c (connection, TLS, AUTH) and smtp-tx.c (the mail
 * transaction) share.  Not for other modules.
 */
#ifndef POSTIE_SMTP_INT_H
#define POSTIE_SMTP_INT_H

#include <stdint.h>

#include "io.h"
#include "reply.h"
#include "smtp.h"
#include "tls.h"

/* ESMTP extensions, from the last EHLO reply only */
#define CAP_STARTTLS	0x001
#define CAP_PIPELINING	0x002
#define CAP_SIZE	0x004
#define CAP_8BITMIME	0x008
#define CAP_SMTPUTF8	0x010
#define CAP_DSN		0x020
#define CAP_CHUNKING	0x040
#define CAP_AUTH	0x080
#define CAP_ENHANCED	0x100

#define SMTP_CMD_MAX	1024	/* our own command lines (AUTH aside) */

struct smtp_session {
	const struct account	*a;
	struct io		*io;
	struct tls		*tls;
	unsigned		 caps;
	uint64_t		 size_max;	/* 0: no limit announced */
	char			 auth[512];	/* AUTH mechanisms offered */
	int			 usable;	/* in sync, may send more */
	int			 need_rset;	/* a transaction was begun */
	int			 port;
	int64_t			 overall;	/* the session's deadline */
	struct smtp_info	 info;
	struct reply		 rep;		/* the last reply read */
};

/* Queue one command line (CRLF added), shown in the -v transcript as
 * shown (NULL: the line itself).  Returns 0 or -1 (failure set). */
int	 smtp_send(struct smtp_session *, const char *shown,
	    struct failure *, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/*
 * Flush what is queued and read one reply into s->rep within timeout
 * seconds.  what: the command it answers, for messages ("RCPT TO:<x>").
 * Returns the reply code, or -1 with the failure recorded and the session
 * marked unusable (timeout, lost connection, malformed reply).
 * redact: show the reply text as "********" in the transcript.
 */
int	 smtp_reply(struct smtp_session *, int timeout, const char *what,
	    int redact, struct failure *);
/* Record s->rep as the refusal of what: "<what> refused by relay: <reply>",
 * classified by status_from_reply().  Returns -1. */
int	 smtp_refused(struct smtp_session *, const char *what,
	    struct failure *);
/* Phase timeouts with the RFC 5321 4.5.3.2 defaults for unset (0) ones */
int	 smtp_tmo(int configured, int dflt);

#endif
