/* SPDX-License-Identifier: MIT */
/*
 * oauth-json: the strict JSON reader of token endpoint replies.  A
 * recursive-descent parser over RFC 8259's grammar, bounded in input size,
 * depth and string length, so a hostile or broken endpoint can cost at
 * most OAUTH_JSON_MAX bytes and OAUTH_JSON_DEPTH stack frames.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oauth-json.h"

struct jp {
	const unsigned char	*p, *end;
	char			*why;
	size_t			 whylen;
	int			 failed;
};

/* A growing output buffer for one string, capped. */
struct sbuf {
	char	*s;
	size_t	 len, cap, max;
	int	 over;		/* more than max bytes: truncated */
};

static int __attribute__((format(printf, 2, 3)))
fail(struct jp *j, const char *fmt, ...)
{
	va_list ap;

	if (!j->failed) {
		va_start(ap, fmt);
		vsnprintf(j->why, j->whylen, fmt, ap);
		va_end(ap);
		j->failed = 1;
	}
	return -1;
}

static void
ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
put(struct sbuf *b, const char *s, size_t n)
{
	char *t;
	size_t c;

	if (b == NULL)
		return 0;
	if (b->len + n > b->max) {
		b->over = 1;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		c = b->cap ? b->cap * 2 : 64;
		while (c < b->len + n + 1)
			c *= 2;
		if ((t = realloc(b->s, c)) == NULL)
			return -1;
		b->s = t;
		b->cap = c;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629 section 4), or 0. */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

static int
hex4(struct jp *j, unsigned *v)
{
	int i, c;

	if (j->end - j->p < 4)
		return fail(j, "short \\u escape");
	for (*v = 0, i = 0; i < 4; i++) {
		c = j->p[i];
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return fail(j, "bad \\u escape");
	}
	j->p += 4;
	return 0;
}

static int
put_cp(struct sbuf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return put(b, u, n);
}

/* \uXXXX, with a surrogate pair when the first is a high surrogate. */
static int
unicode_escape(struct jp *j, struct sbuf *b)
{
	unsigned cp, lo;

	if (hex4(j, &cp) == -1)
		return -1;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(j, "lone low surrogate");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
			return fail(j, "lone high surrogate");
		j->p += 2;
		if (hex4(j, &lo) == -1)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(j, "bad surrogate pair");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp == 0)
		return fail(j, "\\u0000 in a string");
	return put_cp(b, cp) == -1 ? fail(j, "out of memory") : 0;
}

/* A string (j->p at the opening quote); its text into b when not NULL. */
static int
string(struct jp *j, struct sbuf *b)
{
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
	const unsigned char *run;
	const char *e;
	size_t n;

	j->p++;
	for (;;) {
		run = j->p;
		while (j->p < j->end && *j->p >= 0x20 && *j->p < 0x80 &&
		    *j->p != '"' && *j->p != '\\')
			j->p++;
		if (put(b, (const char *)run, (size_t)(j->p - run)) == -1)
			return fail(j, "out of memory");
		if (j->p == j->end)
			return fail(j, "unterminated string");
		if (*j->p == '"') {
			j->p++;
			return 0;
		}
		if (*j->p < 0x20)
			return fail(j, "control character in a string");
		if (*j->p >= 0x80) {
			if ((n = utf8_len(j->p, j->end)) == 0)
				return fail(j, "invalid UTF-8");
			if (put(b, (const char *)j->p, n) == -1)
				return fail(j, "out of memory");
			j->p += n;
			continue;
		}
		/* a backslash */
		if (++j->p == j->end)
			return fail(j, "unterminated string");
		if (*j->p == 'u') {
			j->p++;
			if (unicode_escape(j, b) == -1)
				return -1;
			continue;
		}
		if (*j->p == '\0' || (e = strchr(esc_in, *j->p)) == NULL)
			return fail(j, "bad escape");
		if (put(b, &esc_out[e - esc_in], 1) == -1)
			return fail(j, "out of memory");
		j->p++;
	}
}

static int
digits(struct jp *j)
{
	const unsigned char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s ? 0 : fail(j, "bad number");
}

static int
number(struct jp *j, struct sbuf *b)
{
	const unsigned char *s = j->p;

	if (*j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (digits(j) == -1)
		return -1;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (digits(j) == -1)
			return -1;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (digits(j) == -1)
			return -1;
	}
	return put(b, (const char *)s, (size_t)(j->p - s)) == -1 ?
	    fail(j, "out of memory") : 0;
}

static int
literal(struct jp *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return fail(j, "unexpected character");
	j->p += n;
	return 0;
}

static int value(struct jp *, int depth, struct sbuf *);

/* An object or an array (j->p at '{' or '['), checked and skipped. */
static int
container(struct jp *j, int depth)
{
	int obj = *j->p == '{';
	char close = obj ? '}' : ']';

	if (depth >= OAUTH_JSON_DEPTH)
		return fail(j, "nested too deeply");
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		if (obj) {
			if (j->p == j->end || *j->p != '"')
				return fail(j, "expected a member name");
			if (string(j, NULL) == -1)
				return -1;
			ws(j);
			if (j->p == j->end || *j->p != ':')
				return fail(j, "expected ':'");
			j->p++;
		}
		if (value(j, depth + 1, NULL) == -1)
			return -1;
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			ws(j);
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		return fail(j, "expected ',' or '%c'", close);
	}
}

/* Any value; a string's or number's text goes to b when not NULL. */
static int
value(struct jp *j, int depth, struct sbuf *b)
{
	ws(j);
	if (j->p == j->end)
		return fail(j, "unexpected end");
	switch (*j->p) {
	case '"':
		return string(j, b);
	case '{':
	case '[':
		return container(j, depth);
	case 't':
		return literal(j, "true");
	case 'f':
		return literal(j, "false");
	case 'n':
		return literal(j, "null");
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return number(j, b);
		return fail(j, "unexpected character");
	}
}

/* One member of the top-level object. */
static int
member(struct jp *j, const char *const *keys, char **vals, size_t n)
{
	struct sbuf k = { NULL, 0, 0, 128, 0 };
	struct sbuf v = { NULL, 0, 0, OAUTH_JSON_STR, 0 };
	size_t i = n;
	int r;

	if (j->p == j->end || *j->p != '"')
		return fail(j, "expected a member name");
	r = string(j, &k);
	if (r == 0 && !k.over && k.s != NULL)
		for (i = 0; i < n && strcmp(keys[i], k.s) != 0; i++)
			;
	if (r == 0 && i < n && vals[i] != NULL)
		r = fail(j, "duplicate member \"%s\"", keys[i]);
	free(k.s);
	if (r == -1)
		return -1;
	ws(j);
	if (j->p == j->end || *j->p != ':')
		return fail(j, "expected ':'");
	j->p++;
	if (value(j, 1, i < n ? &v : NULL) == -1) {
		free(v.s);
		return -1;
	}
	if (v.over) {
		free(v.s);
		return fail(j, "member \"%s\" is too long", keys[i]);
	}
	if (i < n && v.s == NULL && (v.s = strdup("")) == NULL)
		return fail(j, "out of memory");
	if (i < n)
		vals[i] = v.s;
	return 0;
}

int
oauth_json_pick(const char *buf, size_t len, const char *const *keys,
    char **vals, size_t n, char *why, size_t whylen)
{
	struct jp j;
	size_t i;

	j.p = (const unsigned char *)buf;
	j.end = j.p + len;
	j.why = why;
	j.whylen = whylen;
	j.failed = 0;
	for (i = 0; i < n; i++)
		vals[i] = NULL;
	if (len > OAUTH_JSON_MAX) {
		fail(&j, "reply longer than %d bytes", OAUTH_JSON_MAX);
		return -1;
	}
	ws(&j);
	if (j.p == j.end || *j.p != '{') {
		fail(&j, "not a JSON object");
		return -1;
	}
	j.p++;
	ws(&j);
	if (j.p < j.end && *j.p == '}')
		j.p++;
	else
		for (;;) {
			if (member(&j, keys, vals, n) == -1)
				goto bad;
			ws(&j);
			if (j.p < j.end && *j.p == ',') {
				j.p++;
				ws(&j);
				continue;
			}
			if (j.p < j.end && *j.p == '}') {
				j.p++;
				break;
			}
			fail(&j, "expected ',' or '}'");
			goto bad;
		}
	ws(&j);
	if (j.p == j.end)
		return 0;
	fail(&j, "data after the object");
bad:
	for (i = 0; i < n; i++) {
		if (vals[i] != NULL) {
#ifdef HAVE_EXPLICIT_BZERO
			explicit_bzero(vals[i], strlen(vals[i]));
#endif
			free(vals[i]);
		}
		vals[i] = NULL;
	}
	return -1;
}
