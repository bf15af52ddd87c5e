/* SPDX-License-Identifier: MIT */
/*
 * source: the message as a stream of bytes, ready for the DATA writer.
 *
 * A source yields the whole message (header block, blank line, body) with
 * CRLF line endings and no dot-stuffing; the DATA writer adds the stuffing
 * and the final CRLF.CRLF.  Its size is known before the first byte is
 * read, so SIZE= can be declared and an oversized message refused before
 * MAIL FROM.  Message intake, the MIME builder and the queue each produce
 * one; the SMTP session consumes it.
 */
#ifndef POSTIE_SOURCE_H
#define POSTIE_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct source {
	/*
	 * Read up to len bytes into buf.  Returns the number of bytes read,
	 * 0 at the end of the message, or -1 on error (errno set).
	 */
	ssize_t		(*read)(void *ctx, char *buf, size_t len);
	/* Go back to the first byte (a second transaction, BDAT retry).
	 * Returns 0 or -1. */
	int		(*rewind)(void *ctx);
	void		*ctx;
	uint64_t	 size;		/* exact octets read() will yield */
	int		 eightbit;	/* some octet has its high bit set */
	int		 longlines;	/* some line is over 998 octets */
};

/* A source over bytes in memory, borrowed: they must outlive the source.
 * eightbit and longlines are worked out from the bytes. */
struct source_mem {
	const char	*p;
	size_t		 len;
	size_t		 off;
};

void	 source_from_memory(struct source *, struct source_mem *,
	    const char *p, size_t len);

static inline ssize_t
source_read(struct source *s, char *buf, size_t len)
{
	return s->read(s->ctx, buf, len);
}

static inline int
source_rewind(struct source *s)
{
	return s->rewind(s->ctx);
}

#endif
