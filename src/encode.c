/* SPDX-License-Identifier: MIT */
/*
 * encode: base64, quoted-printable and MIME parameter encoders (see
 * encode.h).  Pure functions over caller-provided buffers.
 */
#include "config.h"

#include <string.h>

#include "encode.h"

static const char b64_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char hexdig[] = "0123456789ABCDEF";

/*
 * Two output characters for every 12-bit input value: one lookup and one
 * 2-byte copy per 12 bits instead of two lookups and two stores per 6.
 * 8 KiB; filled once on first use.
 */
static char b64_pair[4096][2];
static int b64_pair_ready;

static void
b64_pair_fill(void)
{
	unsigned i;

	for (i = 0; i < 4096; i++) {
		b64_pair[i][0] = b64_alpha[i >> 6];
		b64_pair[i][1] = b64_alpha[i & 63];
	}
	b64_pair_ready = 1;
}

void
b64_init(struct b64 *b)
{
	if (!b64_pair_ready)
		b64_pair_fill();
	b->ncarry = 0;
}

static inline uint64_t
load_be64(const unsigned char *p)
{
	return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 |
	    (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
	    (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
	    (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

/* One full line: 57 octets -> 76 characters + CRLF. */
static inline void
b64_line(const unsigned char *in, char *out)
{
	int i;
	uint32_t v;

	/* 9 steps of 6 octets (the 8-octet load never passes octet 56) */
	for (i = 0; i < 9; i++) {
		uint64_t w = load_be64(in);

		memcpy(out, b64_pair[(w >> 52) & 0xfff], 2);
		memcpy(out + 2, b64_pair[(w >> 40) & 0xfff], 2);
		memcpy(out + 4, b64_pair[(w >> 28) & 0xfff], 2);
		memcpy(out + 6, b64_pair[(w >> 16) & 0xfff], 2);
		in += 6;
		out += 8;
	}
	v = (uint32_t)in[0] << 16 | (uint32_t)in[1] << 8 | in[2];
	memcpy(out, b64_pair[v >> 12], 2);
	memcpy(out + 2, b64_pair[v & 0xfff], 2);
	out[4] = '\r';
	out[5] = '\n';
}

size_t
b64_update(struct b64 *b, const void *vin, size_t n, char *out)
{
	const unsigned char *in = vin;
	char *o = out;

	if (b->ncarry > 0) {
		size_t k = B64_LINE_IN - b->ncarry;

		if (k > n)
			k = n;
		memcpy(b->carry + b->ncarry, in, k);
		b->ncarry += k;
		in += k;
		n -= k;
		if (b->ncarry < B64_LINE_IN)
			return 0;
		b64_line(b->carry, o);
		o += B64_LINE_OUT;
		b->ncarry = 0;
	}
	while (n >= B64_LINE_IN) {
		b64_line(in, o);
		o += B64_LINE_OUT;
		in += B64_LINE_IN;
		n -= B64_LINE_IN;
	}
	memcpy(b->carry, in, n);
	b->ncarry = n;
	return (size_t)(o - out);
}

size_t
b64_final(struct b64 *b, char *out)
{
	const unsigned char *in = b->carry;
	size_t n = b->ncarry;
	char *o = out;

	if (n == 0)
		return 0;
	for (; n >= 3; n -= 3, in += 3) {
		uint32_t v = (uint32_t)in[0] << 16 | (uint32_t)in[1] << 8 |
		    in[2];

		memcpy(o, b64_pair[v >> 12], 2);
		memcpy(o + 2, b64_pair[v & 0xfff], 2);
		o += 4;
	}
	if (n > 0) {
		uint32_t v = (uint32_t)in[0] << 16 |
		    (n > 1 ? (uint32_t)in[1] << 8 : 0);

		*o++ = b64_alpha[v >> 18];
		*o++ = b64_alpha[(v >> 12) & 63];
		*o++ = n > 1 ? b64_alpha[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o++ = '\r';
	*o++ = '\n';
	b->ncarry = 0;
	return (size_t)(o - out);
}

uint64_t
b64_size(uint64_t n)
{
	uint64_t full = n / B64_LINE_IN, rest = n % B64_LINE_IN;

	return full * B64_LINE_OUT + (rest ? (rest + 2) / 3 * 4 + 2 : 0);
}

/* ---- quoted-printable, RFC 2045 section 6.7 ---- */

void
qp_init(struct qp *q)
{
	q->col = 0;
	q->held = -1;
}

/*
 * Append one encoded unit of k characters, breaking the line first (rule
 * 5: "=" CRLF) when it would not fit before the 76th column, which is kept
 * for the "=" itself.
 */
static inline char *
qp_room(struct qp *q, char *o, unsigned k)
{
	if (q->col + k > QP_LINE_MAX - 1) {
		*o++ = '=';
		*o++ = '\r';
		*o++ = '\n';
		q->col = 0;
	}
	return o;
}

static inline char *
qp_escape(struct qp *q, char *o, unsigned char c)
{
	o = qp_room(q, o, 3);
	*o++ = '=';
	*o++ = hexdig[c >> 4];
	*o++ = hexdig[c & 15];
	q->col += 3;
	return o;
}

/* An octet that is neither held nor part of a CRLF. */
static inline char *
qp_octet(struct qp *q, char *o, unsigned char c)
{
	/* rule 2: printable ASCII except "=" stands for itself; SP/HT only
	 * reach here when something other than a line break follows */
	if ((c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t') {
		o = qp_room(q, o, 1);
		/* "." and "F" opening a line are encoded (section 6.7, note
		 * 8 on "From "; a lone "." is what SMTP ends DATA with) */
		if (q->col == 0 && (c == '.' || c == 'F'))
			return qp_escape(q, o, c);
		*o++ = (char)c;
		q->col++;
		return o;
	}
	return qp_escape(q, o, c);
}

size_t
qp_update(struct qp *q, const void *vin, size_t n, char *out)
{
	const unsigned char *in = vin;
	char *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = in[i];

		if (q->held == '\r') {
			q->held = -1;
			if (c == '\n') {	/* rule 4: a hard line break */
				*o++ = '\r';
				*o++ = '\n';
				q->col = 0;
				continue;
			}
			o = qp_escape(q, o, '\r');	/* a bare CR */
		} else if (q->held >= 0) {
			int h = q->held;

			q->held = -1;
			/* rule 3: whitespace ending a line is encoded */
			o = c == '\r' ? qp_escape(q, o, (unsigned char)h) :
			    qp_octet(q, o, (unsigned char)h);
		}
		if (c == '\r' || c == ' ' || c == '\t')
			q->held = c;
		else
			o = qp_octet(q, o, c);
	}
	return (size_t)(o - out);
}

size_t
qp_final(struct qp *q, char *out)
{
	char *o = out;

	/* the end of the data ends the line: held whitespace is trailing */
	if (q->held >= 0)
		o = qp_escape(q, o, (unsigned char)q->held);
	q->held = -1;
	return (size_t)(o - out);
}

/* ---- header text ---- */

void
enc_buf_init(struct enc_buf *b, char *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->overflow = 0;
	if (cap > 0)
		mem[0] = '\0';
}

void
enc_buf_put(struct enc_buf *b, const char *s, size_t n)
{
	if (b->overflow || b->cap - b->len <= n) {
		b->overflow = 1;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
enc_buf_puts(struct enc_buf *b, const char *s)
{
	enc_buf_put(b, s, strlen(s));
}

static int
is_tspecial(unsigned char c)
{
	return strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

int
enc_is_token(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 32 || c >= 127 || is_tspecial(c))
			return 0;
	}
	return 1;
}

/* Length of the UTF-8 sequence starting at s (at most n), or 0 when it is
 * malformed: overlong forms, surrogates and values past U+10FFFF too. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

int
enc_is_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if ((k = utf8_seq(p + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* Length of the character at s: a UTF-8 sequence when the value is UTF-8,
 * else one octet. */
static size_t
char_len(const char *s, size_t n, int utf8)
{
	size_t k = utf8 ? utf8_seq((const unsigned char *)s, n) : 1;

	return k ? k : 1;
}

/* RFC 2231 section 7: attribute-char, the octets that need no %XX. */
static int
is_attr_char(unsigned char c)
{
	return c > 32 && c < 127 && !is_tspecial(c) && c != '*' &&
	    c != '\'' && c != '%';
}

/* Percent-encoded length of one character. */
static size_t
pct_len(const char *s, size_t k)
{
	size_t i, len = 0;

	for (i = 0; i < k; i++)
		len += is_attr_char((unsigned char)s[i]) ? 1 : 3;
	return len;
}

static void
pct_put(struct enc_buf *b, const char *s, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[3] = { '%', hexdig[c >> 4], hexdig[c & 15] };

		if (is_attr_char(c))
			enc_buf_put(b, (const char *)&s[i], 1);
		else
			enc_buf_put(b, e, 3);
	}
}

#define PARAM_LINE	76	/* SP + text, leaving room for ";" */

void
enc_param_2231(struct enc_buf *b, const char *attr, const char *v, size_t n)
{
	int utf8 = enc_is_utf8(v, n);
	const char *cs = utf8 ? "UTF-8''" : "unknown-8bit''";
	size_t alen = strlen(attr), total, i, k, col, seg;
	char num[24];

	if (enc_is_token(v, n) && 1 + alen + 1 + n <= PARAM_LINE) {
		enc_buf_puts(b, ";\r\n ");
		enc_buf_puts(b, attr);
		enc_buf_puts(b, "=");
		enc_buf_put(b, v, n);
		return;
	}
	total = pct_len(v, n);
	if (1 + alen + 2 + strlen(cs) + total <= PARAM_LINE) {
		enc_buf_puts(b, ";\r\n ");
		enc_buf_puts(b, attr);
		enc_buf_puts(b, "*=");
		enc_buf_puts(b, cs);
		pct_put(b, v, n);
		return;
	}
	/* continuations: attr*0*=charset''..., attr*1*=..., one per line */
	for (i = 0, seg = 0; i < n || seg == 0; seg++) {
		size_t nl = 0, x = seg;

		do {
			nl++;
			x /= 10;
		} while (x);
		for (x = seg, k = nl; k > 0; k--, x /= 10)
			num[k - 1] = (char)('0' + x % 10);
		num[nl] = '\0';
		enc_buf_puts(b, ";\r\n ");
		enc_buf_puts(b, attr);
		enc_buf_puts(b, "*");
		enc_buf_puts(b, num);
		enc_buf_puts(b, "*=");
		col = 1 + alen + 1 + nl + 2;
		if (seg == 0) {
			enc_buf_puts(b, cs);
			col += strlen(cs);
		}
		/* at least one character per line, whatever its size */
		do {
			k = char_len(v + i, n - i, utf8);
			if (col + pct_len(v + i, k) > PARAM_LINE &&
			    col > 1 + alen + 1 + nl + 2 + (seg ? 0 : strlen(cs)))
				break;
			pct_put(b, v + i, k);
			col += pct_len(v + i, k);
			i += k;
		} while (i < n);
	}
}

/* RFC 2047 section 2: an encoded-word is at most 75 characters; 42 octets
 * make 56 base64 characters, so "=?UTF-8?B?" + 56 + "?=" = 68 and the
 * first line, ' name="' + word + '";', stays within 78. */
#define EW_OCTETS	42

static void
b64_put_short(struct enc_buf *b, const char *s, size_t n)
{
	char out[B64_LINE_OUT];
	struct b64 e;
	size_t k;

	b64_init(&e);
	k = b64_update(&e, s, n, out);	/* n < 57: nothing yet */
	k += b64_final(&e, out + k);
	enc_buf_put(b, out, k - 2);	/* without the CRLF */
}

void
enc_param_2047(struct enc_buf *b, const char *attr, const char *v, size_t n)
{
	int utf8 = enc_is_utf8(v, n), ascii = 1;
	size_t i, k, start;

	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 32 || (unsigned char)v[i] > 126)
			ascii = 0;
	/* the readers this form is for decode "=?...?=" even inside the
	 * quotes: a name that holds "=?" is encoded, so it stays itself */
	for (i = 0; i + 1 < n && ascii; i++)
		if (v[i] == '=' && v[i + 1] == '?')
			ascii = 0;
	enc_buf_puts(b, ";\r\n ");
	enc_buf_puts(b, attr);
	enc_buf_puts(b, "=");
	if (enc_is_token(v, n)) {
		enc_buf_put(b, v, n);
		return;
	}
	enc_buf_puts(b, "\"");
	if (ascii) {
		for (i = 0; i < n; i++) {
			if (v[i] == '"' || v[i] == '\\')
				enc_buf_puts(b, "\\");
			enc_buf_put(b, v + i, 1);
		}
	} else {
		for (i = 0; i < n;) {
			for (start = i; i < n; i += k) {
				k = char_len(v + i, n - i, utf8);
				if (i + k - start > EW_OCTETS && i > start)
					break;
			}
			if (start > 0)
				enc_buf_puts(b, "\r\n ");
			enc_buf_puts(b, utf8 ? "=?UTF-8?B?" :
			    "=?unknown-8bit?B?");
			b64_put_short(b, v + start, i - start);
			enc_buf_puts(b, "?=");
		}
	}
	enc_buf_puts(b, "\"");
}
