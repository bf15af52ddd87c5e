/* SPDX-License-Identifier: MIT */
/*
 * spoolfmt: the metadata record of one queued message, as bytes (pure).
 *
 * The record is a magic line followed by length-prefixed fields and an end
 * marker:
 *
 *	postie-spool 1\n
 *	sender 17:alice@example.org\n
 *	rcpt 15:bob@example.net\n
 *	...
 *	end 0:\n
 *
 * Each field is "key SP decimal-length ':' value LF"; the value is taken by
 * its length, never by searching for a delimiter, so a hostile value cannot
 * start a new field (the lesson of Exim CVE-2020-28015 and of msmtpq's
 * word-split argument lines).  On top of that the decoder refuses control
 * characters in addresses, so a tampered spool file cannot smuggle a
 * command line into the SMTP session.  A record without its end marker,
 * with a field cut short, an unknown version or a missing required field
 * is corrupt.
 */
#ifndef POSTIE_SPOOLFMT_H
#define POSTIE_SPOOLFMT_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "status.h"

/* Largest record the decoder accepts (callers read at most this much). */
#define SPOOLFMT_MAX		(1024 * 1024)
/* Largest single value. */
#define SPOOLFMT_VALUE_MAX	4096

struct spool_meta {
	char		*account;	/* owned; account name */
	struct envelope	 env;		/* sender, owed recipients (all
					   RCPT_PENDING), DSN, body, smtputf8 */
	uint64_t	 size;		/* octets of the message file */
	int		 eightbit;	/* the message has 8-bit octets */
	int		 longlines;	/* some line is over 998 octets */
	unsigned	 attempts;	/* delivery attempts so far */
	int64_t		 first;		/* time queued (seconds since epoch) */
	int64_t		 last;		/* last attempt, 0 when none */
	int64_t		 next;		/* not due before this time */
	char		 error[FAILURE_MSG_MAX];	/* last error, "" */
};

void	 spoolfmt_init(struct spool_meta *);
void	 spoolfmt_free(struct spool_meta *);

/*
 * Encode into a new buffer (*out, caller frees; *outlen set).  Recipients
 * are written whatever their state.  The error text is made printable
 * (control octets become '?').  Returns 0, or -1 with errno EINVAL when an
 * address or the account name holds a control character or is over
 * SPOOLFMT_VALUE_MAX, ENOMEM when out of memory.
 */
int	 spoolfmt_encode(const struct spool_meta *, char **out, size_t *outlen);

/*
 * Decode a whole record.  On success fills the (initialised, empty) meta
 * and returns 0; on a corrupt record returns -1, leaves the meta empty and
 * writes a short reason into why (why may be NULL).  Memory exhaustion
 * also returns -1 (reason "out of memory").
 */
int	 spoolfmt_decode(const char *buf, size_t len, struct spool_meta *,
	    char *why, size_t whylen);

#endif
