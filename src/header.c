/* SPDX-License-Identifier: MIT */
/*
 * header: RFC 5322 header fields (pure).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "header.h"

#define FOLD_WIDTH	78	/* RFC 5322 section 2.1.1: SHOULD */
#define EW_MAX		75	/* RFC 2047 section 2: encoded-word length */

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

void
header_list_init(struct header_list *h)
{
	memset(h, 0, sizeof(*h));
}

void
header_list_free(struct header_list *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->f[i].raw);
		free(h->f[i].name);
	}
	free(h->f);
	memset(h, 0, sizeof(*h));
}

size_t
header_name_len(const char *line, size_t len)
{
	size_t i = 0, n;

	/* field-name = 1*ftext, ftext = %d33-57 / %d59-126 (section 3.6.8) */
	while (i < len && (unsigned char)line[i] > 32 &&
	    (unsigned char)line[i] < 127 && line[i] != ':')
		i++;
	n = i;
	if (n == 0)
		return 0;
	/* obs-optional (section 4.5.8) allows WSP before the colon */
	while (i < len && is_wsp(line[i]))
		i++;
	if (i >= len || line[i] != ':')
		return 0;
	return n;
}

static int
grow(struct header_list *h)
{
	struct header_field *nf;
	size_t ncap;

	if (h->n < h->cap)
		return 0;
	ncap = h->cap ? h->cap * 2 : 32;
	if ((nf = realloc(h->f, ncap * sizeof(*nf))) == NULL)
		return -1;
	h->f = nf;
	h->cap = ncap;
	return 0;
}

static char *
memdup0(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static int
push(struct header_list *h, const char *raw, size_t rawlen, size_t namelen)
{
	struct header_field *f;
	size_t colon = namelen;

	if (grow(h) == -1)
		return -1;
	while (raw[colon] != ':')
		colon++;
	f = &h->f[h->n];
	if ((f->raw = memdup0(raw, rawlen)) == NULL)
		return -1;
	if ((f->name = memdup0(raw, namelen)) == NULL) {
		free(f->raw);
		return -1;
	}
	f->value_off = colon + 1;
	h->n++;
	h->bytes += rawlen + 2;
	return 0;
}

int
header_list_feed(struct header_list *h, const char *line, size_t len)
{
	size_t nl;

	if (len > 0 && is_wsp(line[0])) {
		struct header_field *f;
		size_t old;
		char *nr;

		if (h->n == 0)
			return 1;
		f = &h->f[h->n - 1];
		old = strlen(f->raw);
		if ((nr = realloc(f->raw, old + 2 + len + 1)) == NULL)
			return -1;
		memcpy(nr + old, "\r\n", 2);
		memcpy(nr + old + 2, line, len);
		nr[old + 2 + len] = '\0';
		f->raw = nr;
		h->bytes += 2 + len;
		return 0;
	}
	if ((nl = header_name_len(line, len)) == 0)
		return 1;
	return push(h, line, len, nl) == -1 ? -1 : 0;
}

int
header_list_add(struct header_list *h, const char *name, const char *value)
{
	size_t nlen = strlen(name), vlen = strlen(value);
	int sp = vlen == 0 || !is_wsp(value[0]);
	size_t rlen = nlen + 1 + sp + vlen;
	char *raw;
	int r;

	if ((raw = malloc(rlen + 1)) == NULL)
		return -1;
	memcpy(raw, name, nlen);
	raw[nlen] = ':';
	if (sp)
		raw[nlen + 1] = ' ';
	memcpy(raw + nlen + 1 + sp, value, vlen);
	raw[rlen] = '\0';
	r = push(h, raw, rlen, nlen);
	free(raw);
	return r;
}

size_t
header_list_find(const struct header_list *h, const char *name, size_t from)
{
	for (size_t i = from; i < h->n; i++)
		if (strcasecmp(h->f[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

size_t
header_list_remove(struct header_list *h, const char *name)
{
	size_t i, j, removed = 0;

	for (i = j = 0; i < h->n; i++) {
		if (strcasecmp(h->f[i].name, name) == 0) {
			h->bytes -= strlen(h->f[i].raw) + 2;
			free(h->f[i].raw);
			free(h->f[i].name);
			removed++;
			continue;
		}
		h->f[j++] = h->f[i];
	}
	h->n = j;
	return removed;
}

const char *
header_value(const struct header_list *h, size_t i)
{
	return h->f[i].raw + h->f[i].value_off;
}

char *
header_unfold(const char *value)
{
	size_t len = strlen(value), j = 0;
	char *out = malloc(len + 1);

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (value[i] == '\r' && value[i + 1] == '\n' &&
		    is_wsp(value[i + 2])) {
			i++;
			continue;
		}
		out[j++] = value[i];
	}
	while (j > 0 && is_wsp(out[j - 1]))
		j--;
	out[j] = '\0';
	len = strspn(out, " \t");
	memmove(out, out + len, j - len + 1);
	return out;
}

/* atext (RFC 5322 section 3.2.3), ASCII only. */
static int
is_atext(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

size_t
header_utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t
b64_encode(const unsigned char *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		unsigned long v = (unsigned long)in[i] << 16;

		if (i + 1 < len)
			v |= (unsigned long)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? b64[v & 63] : '=';
	}
	return o;
}

/*
 * RFC 2047 section 2 and 5(3): the whole phrase as "B" encoded words of at
 * most 75 characters; "=?UTF-8?B?" + "?=" take 12, so 63 characters of
 * base64 remain: 45 octets of text, cut only between characters.
 */
static char *
encode_words(const char *s)
{
	size_t len = strlen(s), o = 0, i = 0;
	size_t chunk = (EW_MAX - 12) / 4 * 3;
	/* base64 of each word <= 4/3 of it + 4; <= len/42 + 1 words, each
	 * with 12 octets of delimiters and a space */
	char *out = malloc(len * 2 + (len / 40 + 2) * 17 + 8);

	if (out == NULL)
		return NULL;
	while (i < len) {
		size_t take = 0, cl;

		const unsigned char *u = (const unsigned char *)s + i;

		while (i + take < len &&
		    (cl = header_utf8_len(u + take)) > 0 && take + cl <= chunk)
			take += cl;
		if (o > 0)
			out[o++] = ' ';
		memcpy(out + o, "=?UTF-8?B?", 10);
		o += 10;
		o += b64_encode((const unsigned char *)s + i, take, out + o);
		memcpy(out + o, "?=", 2);
		o += 2;
		i += take;
	}
	out[o] = '\0';
	return out;
}

char *
header_encode_phrase(const char *name)
{
	const unsigned char *p;
	int eightbit = 0, plain = 1, prev_sp = 1;
	size_t len = strlen(name), o = 0;
	char *out;

	for (p = (const unsigned char *)name; *p != '\0'; ) {
		size_t cl = header_utf8_len(p);

		if (cl == 0 || *p < 32 || *p == 127) {
			errno = EINVAL;
			return NULL;
		}
		if (cl > 1)
			eightbit = 1;
		else if (*p == ' ') {
			if (prev_sp)
				plain = 0;	/* leading or double space */
		} else if (!is_atext(*p))
			plain = 0;
		prev_sp = *p == ' ';
		p += cl;
	}
	if (prev_sp && len > 0)
		plain = 0;			/* trailing space */
	/* an atom like "=?utf-8?q?x?=" would be decoded by the reader
	 * (RFC 2047 section 5(3)): quote it, so it stays text */
	if (strstr(name, "=?") != NULL)
		plain = 0;
	if (eightbit)
		return encode_words(name);
	if (plain)
		return strdup(name);
	/* quoted-string, section 3.2.4: escape DQUOTE and backslash */
	if ((out = malloc(len * 2 + 3)) == NULL)
		return NULL;
	out[o++] = '"';
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '"' || name[i] == '\\')
			out[o++] = '\\';
		out[o++] = name[i];
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

char *
header_fold(const char *name, const char *value)
{
	size_t len = strlen(value), col = strlen(name) + 2, o = 0;
	size_t i = 0;
	char *out = malloc(len * 3 + 1);
	int inq = 0;

	if (out == NULL)
		return NULL;
	while (i < len) {
		/* the next word: up to an unquoted space */
		size_t w = i;

		while (w < len && (value[w] != ' ' || inq)) {
			if (value[w] == '\\' && inq && w + 1 < len)
				w++;
			else if (value[w] == '"')
				inq = !inq;
			w++;
		}
		if (i > 0 && col + 1 + (w - i) > FOLD_WIDTH) {
			memcpy(out + o, "\r\n", 2);
			o += 2;
			col = 0;
		}
		if (i > 0) {
			out[o++] = ' ';
			col++;
		}
		memcpy(out + o, value + i, w - i);
		o += w - i;
		col += w - i;
		i = w < len ? w + 1 : w;
	}
	out[o] = '\0';
	return out;
}
