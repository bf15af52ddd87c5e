/* SPDX-License-Identifier: MIT */
/*
 * dotstuff: the DATA writer (RFC 5321 sections 2.3.8, 4.1.1.4, 4.5.2),
 * pure and incremental.
 *
 * Message bytes go in as the source yields them, in buffers of any size;
 * the wire bytes come out.  Whatever the input, the output
 *   - has only CRLF line endings: a CRLF stays, a bare LF or a bare CR
 *     becomes CRLF (so "\r.\r" or "\n.\n" can never reach the relay),
 *   - has a dot doubled at the start of every line (DATA mode), decided
 *     on the output and carried across buffer boundaries,
 *   - ends with exactly one CRLF "." CRLF (DATA mode), a final CRLF being
 *     added when the input lacks one; the input cannot end the data early.
 * BDAT mode (RFC 3030) does the same line-ending repair without stuffing
 * and without the terminator, so the chunk lengths are exact.
 */
#ifndef POSTIE_DOTSTUFF_H
#define POSTIE_DOTSTUFF_H

#include <stddef.h>
#include <stdint.h>

struct dotstuff {
	int	 stuff;		/* 1: DATA (stuff + terminator), 0: BDAT */
	int	 bol;		/* the next output byte starts a line */
	int	 cr;		/* a CR was seen and not yet written */
	uint64_t out;		/* bytes produced so far */
};

/* Room needed in the output buffer for dotstuff_feed of len bytes. */
#define DOTSTUFF_OUT_MAX(len) (2 * (len) + 2)
/* Room needed for dotstuff_finish. */
#define DOTSTUFF_FINISH_MAX 5

void	 dotstuff_init(struct dotstuff *, int stuff);
/* Convert len input bytes; out must hold DOTSTUFF_OUT_MAX(len) bytes.
 * Returns the number of bytes written to out. */
size_t	 dotstuff_feed(struct dotstuff *, const char *in, size_t len,
	    char *out);
/* The end of the input: flush a pending CR, add the missing final CRLF
 * and (DATA mode) the terminating ".\r\n".  out holds
 * DOTSTUFF_FINISH_MAX bytes.  Returns the number written. */
size_t	 dotstuff_finish(struct dotstuff *, char *out);

#endif
