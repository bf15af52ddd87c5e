/* SPDX-License-Identifier: MIT */
/*
 * mime: wrap a message and attached files into multipart/mixed (RFC 2045,
 * RFC 2046), streamed.
 *
 *   m = mime_new();
 *   mime_add(m, path, type, name, &f)   once per file, BEFORE connecting:
 *                                       opens it once, refuses what cannot
 *                                       be sent (EX_NOINPUT naming it)
 *   mime_build(m, msg, eightbit_ok, &src, &f)
 *                                       src yields the whole new message,
 *                                       src.size exact before any read
 *   ... send or queue src ...
 *   mime_free(m)
 *
 * The result: the message's header fields minus Content-* and
 * MIME-Version, then "MIME-Version: 1.0" and "Content-Type:
 * multipart/mixed; boundary=...".  First part: the original body --
 * a plain body as text/plain with its charset (us-ascii, utf-8 or
 * unknown-8bit) and a transfer encoding that the relay can carry (7bit;
 * 8bit when eightbit_ok; quoted-printable otherwise, and whenever a line
 * is over 998 octets or holds NUL or a bare CR/LF); an already-MIME body
 * (MIME-Version, Content-Type or Content-Transfer-Encoding present) nested
 * under its own Content-* fields, intact unless it is single-part and
 * labelled (or defaulting to) 7bit/8bit with octets that label or the
 * relay cannot carry: then its Content-Transfer-Encoding becomes 8bit or
 * it is re-encoded quoted-printable, by the rules above (multipart and
 * message bodies are never touched); no part at all when the body is
 * empty or blank.  Then one base64 part per file, in the order added.
 */
#ifndef POSTIE_MIME_H
#define POSTIE_MIME_H

#include <stddef.h>
#include <stdio.h>

#include "source.h"
#include "status.h"

struct mime;		/* opaque: the opened files and the built message */
struct message;

#define MIME_NAME_MAX	255	/* octets in an attachment's file name */

/* A new, empty builder; NULL when out of memory. */
struct mime *mime_new(void);

/*
 * Attach the file at path.  type: "type/subtype[; params]" or NULL to
 * guess (mimetype.h); name: the file name to show, or NULL for the last
 * component of path.  Strings are copied.  The file is opened once, here,
 * and read from that descriptor when the message is sent.  Fails with
 * EX_NOINPUT ("attachment PATH: reason") when it cannot be opened or is
 * not a regular file, EX_USAGE for a malformed type or name, EX_OSERR
 * when out of memory.
 */
int	 mime_add(struct mime *, const char *path, const char *type,
	    const char *name, struct failure *);
size_t	 mime_count(const struct mime *);

/*
 * Build the message around the attachments.  eightbit_ok: the relay takes
 * 8BITMIME (when the message goes to the queue or the relay is not known
 * yet, pass 0: the result is then 7-bit wherever postie encodes).  May be
 * called again (e.g. after EHLO); each call replaces the previous source.
 * The source borrows the message (its body is read when src is read): the
 * message must outlive it.  The body is read once here (to choose the
 * encoding and compute the exact size).  Fails with EX_IOERR reading it,
 * EX_OSERR out of memory, EX_SOFTWARE when no file was added.
 *
 * src.read() fails (-1, errno EIO) when an attached file changed size
 * since mime_add(); mime_error() then names it.
 */
int	 mime_build(struct mime *, struct message *, int eightbit_ok,
	    struct source *src, struct failure *);

/* The same, from header fields and a body source (used by mime_build and
 * by tests).  Fields: name and raw value (the text after the colon, folds
 * as CRLF WSP), copied; body: borrowed, must be rewindable. */
struct mime_field {
	const char	*name, *value;
};
int	 mime_build_from(struct mime *, const struct mime_field *,
	    size_t nfields, struct source *body, int eightbit_ok,
	    struct source *src, struct failure *);

/*
 * For --pretend, after mime_build(): the top-level header block as it will
 * be sent (control octets escaped, folds as line breaks), a blank line,
 * one line per part --
 *   part N: the message body, TYPE, ENCODING[ (note)], SIZE octets
 *   part N: TYPE, base64, file "NAME", SIZE octets (M in the file)
 * -- SIZE the encoded octets in the message, then "message size: N
 * octets" (what SIZE= declares).  Reads no attachment.
 */
void	 mime_print(const struct mime *, FILE *);

/* The last read error of the built source, one line; "" when none. */
const char *mime_error(const struct mime *);

/* Close the files, free everything (NULL is fine). */
void	 mime_free(struct mime *);

#endif
