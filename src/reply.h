/* SPDX-License-Identifier: MIT */
/*
 * reply: the SMTP reply parser (RFC 5321 section 4.2), pure and bounded.
 *
 * Lines are fed one at a time, without their line terminator, as the
 * relay sent them.  The parser checks every line (three digits, the same
 * code on every line of a multi-line reply, a space or hyphen or nothing
 * after the code, no control characters) and keeps the text with hard
 * limits on line length, line count and total size.  An enhanced status
 * code (RFC 2034 / RFC 3463) is recognised when present, never assumed.
 * Nothing here allocates; a struct reply is self-contained.
 */
#ifndef POSTIE_REPLY_H
#define POSTIE_REPLY_H

#include <stddef.h>

#define REPLY_LINE_MAX	2048	/* one line, without CRLF */
#define REPLY_LINES_MAX	100	/* lines in one reply */
#define REPLY_BYTES_MAX	32768	/* text kept for one reply */

struct reply {
	int	 code;		/* 200..599; 0 before the first line */
	char	 enh[16];	/* "5.1.1", or "" when the relay sent none */
	size_t	 nlines;
	size_t	 len;		/* bytes used in text */
	int	 done;		/* the last line has been seen */
	/* each line's text (after the code, separator and enhanced code),
	 * separated by '\n', NUL-terminated */
	char	 text[REPLY_BYTES_MAX];
	char	 err[96];	/* why a line was refused */
};

void	 reply_init(struct reply *);
/*
 * Feed one line.  Returns 1 when the reply is complete, 0 when more lines
 * follow, -1 when the line breaks the protocol (reason in r->err); after
 * -1 or 1 the reply must be re-initialised before the next one.
 */
int	 reply_feed(struct reply *, const char *line, size_t len);
/* The text of line i (0-based) and its length, or NULL. */
const char *reply_line(const struct reply *, size_t i, size_t *len);
/*
 * "550 5.1.1 no such user": the code, the enhanced code when present and
 * the first line's text, made printable (control and 8-bit bytes become
 * '?') and truncated to fit.  Returns buf.
 */
char	*reply_summary(const struct reply *, char *buf, size_t size);
/* The enhanced code, or NULL when there is none (for status_from_reply). */
const char *reply_enh(const struct reply *);

#endif
