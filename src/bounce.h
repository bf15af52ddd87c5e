/* SPDX-License-Identifier: MIT */
/*
 * bounce: the delivery status notification sent to the envelope sender
 * when queued mail fails for good (RFC 3464 multipart/report, RFC 3462
 * report-type=delivery-status, status codes from RFC 3463).  Pure: builds
 * the message in memory; the queue sends it with the null reverse path.
 */
#ifndef POSTIE_BOUNCE_H
#define POSTIE_BOUNCE_H

#include <stddef.h>
#include <stdint.h>

/* Largest part of the original header block copied into the report. */
#define BOUNCE_HEADERS_MAX	(64 * 1024)

struct bounce_rcpt {
	const char	*addr;		/* the failed recipient */
	const char	*status;	/* RFC 3463 "5.1.1" */
	const char	*diag;		/* the relay's reply, "550 5.1.1 ...",
					   or NULL when there was none */
};

struct bounce_in {
	const char	*to;		/* the original envelope sender */
	const char	*from;		/* address in From:, e.g.
					   MAILER-DAEMON@domain */
	const char	*mta;		/* Reporting-MTA host name */
	const char	*queue_id;
	const char	*envid;		/* ENVID of the original, or NULL */
	const char	*reason;	/* one sentence for the human part */
	int64_t		 arrival;	/* when the message was queued */
	int64_t		 now;
	const struct bounce_rcpt *rcpt;
	size_t		 nrcpt;
	const char	*headers;	/* original header block (CRLF),
					   at most BOUNCE_HEADERS_MAX */
	size_t		 hlen;
};

/*
 * Build the report: CRLF lines, none over 998 octets, ready for a source.
 * *out is the caller's to free.  Returns 0, or -1 (ENOMEM).
 */
int	 bounce_build(const struct bounce_in *, char **out, size_t *outlen);

/*
 * The RFC 3463 status in a reply text such as "550 5.1.1 no such user"
 * (copied into st, 16 octets), or a generic one from the basic code:
 * "5.0.0", or "4.0.0" for a 4xx.
 */
void	 bounce_status(int code, const char *reply, char st[16]);

/* The header block of a message: the octets up to and including the
 * empty line (or all of them, capped at BOUNCE_HEADERS_MAX). */
size_t	 bounce_header_len(const char *msg, size_t len);

#endif
