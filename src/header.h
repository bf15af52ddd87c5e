/* SPDX-License-Identifier: MIT */
/*
 * header: RFC 5322 header fields, pure (no I/O).  A field list in order;
 * parsing one input line at a time (for streaming intake); unfolding;
 * RFC 2047 encoding of a display name; folding of generated fields.
 *
 * A field keeps its raw text ("Name: value" with folds as CRLF + WSP, no
 * final CRLF) so that it goes out byte for byte as it came in.
 */
#ifndef POSTIE_HEADER_H
#define POSTIE_HEADER_H

#include <stddef.h>

struct header_field {
	char	*raw;		/* owned: the whole field, folds kept, no CRLF */
	char	*name;		/* owned: the name, trailing WSP removed */
	size_t	 value_off;	/* the value starts at raw + value_off */
};

struct header_list {
	struct header_field *f;	/* owned array */
	size_t	 n;
	size_t	 cap;
	size_t	 bytes;		/* sum of raw lengths + 2 per field (CRLF) */
};

void	 header_list_init(struct header_list *);
void	 header_list_free(struct header_list *);

/*
 * Length of the field name if line[0..len) starts a header field
 * ("name" of printable ASCII without ':' then optional WSP then ':'),
 * else 0.  Borrowed; never fails.
 */
size_t	 header_name_len(const char *line, size_t len);

/*
 * Feed one header-block line (without its line ending, no NUL inside).
 * A line starting with SP or HT continues the last field.  Returns 0 when
 * the line was taken, 1 when it is not a header line (no field to
 * continue, or no "name:"), -1 when out of memory.
 */
int	 header_list_feed(struct header_list *, const char *line, size_t len);

/* Append a generated field "name: value" (value used as given: already
 * encoded and folded, may be ""; a leading SP is added when the value does
 * not start with WSP).  Returns 0, or -1 when out of memory. */
int	 header_list_add(struct header_list *, const char *name,
	    const char *value);

/* Index of the first field with this name (case-insensitive) at or after
 * `from`, or (size_t)-1. */
size_t	 header_list_find(const struct header_list *, const char *name,
	    size_t from);

/* Remove every field with this name (case-insensitive); the count. */
size_t	 header_list_remove(struct header_list *, const char *name);

/* The value of field i (raw, after the colon, folds kept); borrowed. */
const char *header_value(const struct header_list *, size_t i);

/*
 * Unfold a raw value (RFC 5322 section 2.2.3: remove each CRLF that is
 * followed by WSP) and trim leading and trailing WSP.  Returns a new
 * string (caller frees), or NULL when out of memory.
 */
char	*header_unfold(const char *value);

/*
 * A display name made safe for a header phrase (RFC 5322 section 3.2.5):
 * kept as is when it is atoms separated by single spaces; a quoted string
 * when it holds specials; RFC 2047 "B" encoded words (UTF-8, at most 75
 * characters each, never splitting a character) when it holds non-ASCII.
 * Returns a new string, or NULL when out of memory or when the name holds
 * a control character or invalid UTF-8 (errno EINVAL).
 */
char	*header_encode_phrase(const char *name);

/* Length of the UTF-8 sequence at s (1 for ASCII and for the NUL), or 0
 * when it is invalid: overlong, a surrogate, beyond U+10FFFF, cut short. */
size_t	 header_utf8_len(const unsigned char *s);

/*
 * Fold a generated value for a field called `name`: break at spaces so
 * that no line exceeds 78 octets where a space allows it (RFC 5322 section
 * 2.1.1).  Returns a new string (caller frees), or NULL when out of memory.
 */
char	*header_fold(const char *name, const char *value);

#endif
