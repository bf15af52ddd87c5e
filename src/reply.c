/* SPDX-License-Identifier: MIT */
/*
 * reply: the SMTP reply parser.  Every check here exists because a relay
 * (or a man in the middle before STARTTLS) may send anything: a reply is
 * either well-formed and bounded, or a protocol error (EX_PROTOCOL); it is
 * never half believed.
 */
#include "config.h"

#include <string.h>

#include "reply.h"

void
reply_init(struct reply *r)
{
	r->code = 0;
	r->enh[0] = '\0';
	r->nlines = 0;
	r->len = 0;
	r->done = 0;
	r->text[0] = '\0';
	r->err[0] = '\0';
}

static int
fail(struct reply *r, const char *why)
{
	size_t n = strlen(why);

	if (n >= sizeof(r->err))
		n = sizeof(r->err) - 1;
	memcpy(r->err, why, n);
	r->err[n] = '\0';
	return -1;
}

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * RFC 3463: class "." subject "." detail, subject and detail 1-3 digits,
 * followed by a space or the end of the line.  The class must agree with
 * the reply code's first digit (RFC 2034 section 4), otherwise the text
 * merely looks like a code.  Returns the length matched, or 0.
 */
static size_t
enh_len(const char *p, size_t len, int code)
{
	size_t i = 0, n;

	if (len < 5 || (p[0] != '2' && p[0] != '4' && p[0] != '5') ||
	    p[0] - '0' != code / 100 || p[1] != '.')
		return 0;
	i = 2;
	for (int part = 0; part < 2; part++) {
		for (n = 0; i < len && isdig(p[i]) && n < 4; i++, n++)
			;
		if (n < 1 || n > 3)
			return 0;
		if (part == 0) {
			if (i >= len || p[i] != '.')
				return 0;
			i++;
		}
	}
	if (i < len && p[i] != ' ')
		return 0;
	return i;
}

int
reply_feed(struct reply *r, const char *line, size_t len)
{
	int code;
	size_t i, el;
	char sep;

	if (r->done)
		return fail(r, "reply already complete");
	if (len > REPLY_LINE_MAX)
		return fail(r, "reply line too long");
	if (r->nlines >= REPLY_LINES_MAX)
		return fail(r, "too many reply lines");
	/* RFC 5321 4.2: Reply-code = %x32-35 %x30-35 %x30-39 */
	if (len < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '5' || !isdig(line[2]))
		return fail(r, "reply does not start with a reply code");
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (r->nlines > 0 && code != r->code)
		return fail(r, "reply code changed within a multi-line reply");
	sep = len > 3 ? line[3] : ' ';
	if (sep != ' ' && sep != '-')
		return fail(r, "malformed reply separator");
	/* Printable text only: control characters (TAB excepted) have no
	 * business in a reply and end up on the user's terminal and in
	 * logs.  8-bit bytes are tolerated (UTF-8 text, RFC 6531) and made
	 * printable wherever they are shown. */
	for (i = 3; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(r, "control character in reply");
	}
	r->code = code;
	line += len > 3 ? 4 : 3;
	len -= len > 3 ? 4 : 3;
	el = enh_len(line, len, code);
	if (el > 0) {
		if (r->nlines == 0 && el < sizeof(r->enh)) {
			memcpy(r->enh, line, el);
			r->enh[el] = '\0';
		}
		line += el;
		len -= el;
		if (len > 0) {
			line++;
			len--;
		}
	}
	if (r->len + len + 2 > sizeof(r->text))
		return fail(r, "reply too large");
	if (r->nlines > 0)
		r->text[r->len++] = '\n';
	memcpy(r->text + r->len, line, len);
	r->len += len;
	r->text[r->len] = '\0';
	r->nlines++;
	if (sep == '-')
		return 0;
	r->done = 1;
	return 1;
}

const char *
reply_line(const struct reply *r, size_t want, size_t *lenp)
{
	const char *p = r->text, *end = r->text + r->len, *nl;

	if (want >= r->nlines)
		return NULL;
	for (size_t i = 0; i < want; i++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return NULL;
		p = nl + 1;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	*lenp = (size_t)((nl ? nl : end) - p);
	return p;
}

char *
reply_summary(const struct reply *r, char *buf, size_t size)
{
	size_t o = 0, n = 0;
	const char *t;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (r->code == 0 || size < 5)
		return buf;
	buf[o++] = (char)('0' + r->code / 100);
	buf[o++] = (char)('0' + r->code / 10 % 10);
	buf[o++] = (char)('0' + r->code % 10);
	for (t = r->enh; *t != '\0' && o + 2 < size; t++) {
		if (t == r->enh)
			buf[o++] = ' ';
		buf[o++] = *t;
	}
	t = reply_line(r, 0, &n);
	if (t != NULL && n > 0 && o + 2 < size)
		buf[o++] = ' ';
	for (size_t i = 0; t != NULL && i < n && o + 1 < size; i++) {
		unsigned char c = (unsigned char)t[i];

		buf[o++] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	buf[o] = '\0';
	return buf;
}

const char *
reply_enh(const struct reply *r)
{
	return r->enh[0] != '\0' ? r->enh : NULL;
}
