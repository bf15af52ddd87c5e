/* SPDX-License-Identifier: MIT */
/*
 * mimetype: the content type of an attached file, and the charset of text.
 *
 * Order (first answer wins): the type the user gave; the file name's
 * extension in a built-in table of common types, then in mime.types(5)
 * when readable; libmagic on the open file when built with it and it says
 * more than "application/octet-stream"; else application/octet-stream.
 * libmagic is loaded on the first content look-up only, so a message
 * without attachments never pays for it.
 */
#ifndef POSTIE_MIMETYPE_H
#define POSTIE_MIMETYPE_H

#include <stddef.h>
#include <stdint.h>

#define MIMETYPE_MAX	128	/* longest type/subtype we produce */
#define MIMETYPE_DEFAULT "application/octet-stream"
#define MIMETYPE_TYPES_FILE "/etc/mime.types"

/* Whether s is "type/subtype" made of RFC 2045 tokens, optionally followed
 * by parameters of printable ASCII ("; charset=utf-8"): safe to put in a
 * header.  Used to check a type given on the command line. */
int	 mimetype_valid(const char *s);

/* The type for a file name by its extension (case-insensitive): the
 * built-in table, then types_file (NULL: none).  Copies it into buf and
 * returns buf, or returns NULL when unknown. */
const char *mimetype_by_name(const char *name, const char *types_file,
	    char *buf, size_t cap);

/* The type libmagic sees in the open file fd (offset not used), or NULL
 * when it cannot tell, says only application/octet-stream, or postie was
 * built without it.  The magic database stays loaded until
 * mimetype_cleanup(). */
const char *mimetype_by_content(int fd, char *buf, size_t cap);
void	 mimetype_cleanup(void);

/* ---- text classification (streaming) ---- */
enum charset { CHARSET_ASCII, CHARSET_UTF8, CHARSET_8BIT };

struct textscan {
	uint64_t	 linelen;	/* octets on the current line */
	uint64_t	 maxline;	/* longest line, without CRLF */
	int		 eightbit;	/* an octet >= 0x80 */
	int		 nul;		/* a NUL octet */
	int		 bare;		/* a CR or LF not in a CRLF pair */
	int		 blank;		/* only SP, HT, CR, LF so far */
	int		 utf8_bad;	/* not well-formed UTF-8 */
	unsigned	 need;		/* continuation octets still expected */
	unsigned	 prev;		/* previous octet (for CRLF); 256 none */
	uint32_t	 cp, min;	/* code point being decoded, its minimum */
};

void	 textscan_init(struct textscan *);
void	 textscan_update(struct textscan *, const void *, size_t);
void	 textscan_final(struct textscan *);
enum charset textscan_charset(const struct textscan *);
const char *charset_name(enum charset);	/* "us-ascii", "utf-8",
					   "unknown-8bit" (RFC 1428) */

#endif
