/* SPDX-License-Identifier: MIT */
/*
 * fuzz-encode: the MIME encoders, each checked by decoding its output
 * back.  The first input byte seeds the chunk sizes of the streaming
 * encoders (so every carry and held octet meets a boundary); the rest is
 * the content (an attachment, a body, a file name).
 *
 *   base64: lines of 76 characters + CRLF (the last may be shorter), the
 *     size b64_size() promised, decodes to the input;
 *   quoted-printable: printable ASCII and CRLF only, lines of at most 76
 *     characters, no white space before a line end, no line starting with
 *     "." or "F", decodes to the input;
 *   RFC 2231 and RFC 2047 parameters: printable ASCII, folds CRLF SP only,
 *     RFC 2231 lines within 78 characters; both decode to the input.
 */
#include "config.h"

#include "encode.h"
#include "fuzz.h"

static unsigned seed;

static size_t
next_chunk(size_t left)
{
	size_t n;

	seed = seed * 1103515245u + 12345u;
	n = (seed >> 16) % 70;
	return n > left ? left : n;
}

static int
b64v(int c)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(a, c) : NULL;

	return p ? (int)(p - a) : -1;
}

/* Decode base64 text s[0..len) (no line breaks inside) into out. */
static size_t
b64_decode(const char *s, size_t len, unsigned char *out)
{
	unsigned long acc = 0;
	size_t i, o = 0;
	int bits = 0, v;

	for (i = 0; i < len; i++) {
		if (s[i] == '=')
			break;
		if ((v = b64v(s[i])) < 0)
			fuzz_fail("not base64: 0x%02x", (unsigned char)s[i]);
		acc = (acc << 6) | (unsigned)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return o;
}

static void
check_b64(const uint8_t *in, size_t n)
{
	struct b64 e;
	char *out = malloc(b64_update_bound(n) + B64_LINE_OUT + 1);
	unsigned char *back = malloc(n + 3);
	size_t o = 0, i = 0, k, b = 0, line;

	fuzz_assert(out != NULL && back != NULL);
	b64_init(&e);
	while (i < n) {
		k = next_chunk(n - i);
		o += b64_update(&e, in + i, k, out + o);
		i += k;
	}
	o += b64_final(&e, out + o);
	fuzz_assert(o == b64_size(n));
	for (i = 0; i < o; i += line + 2) {
		const char *cr = memchr(out + i, '\r', o - i);

		fuzz_assert(cr != NULL && cr + 1 < out + o && cr[1] == '\n');
		line = (size_t)(cr - (out + i));
		fuzz_assert(line > 0 && line <= 76 && line % 4 == 0);
		if (cr + 2 < out + o)
			fuzz_assert(line == 76);
		b += b64_decode(out + i, line, back + b);
	}
	fuzz_assert(b == n && memcmp(back, in, n) == 0);
	free(back);
	free(out);
}

static int
hexv(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
check_qp(const uint8_t *in, size_t n)
{
	struct qp q;
	char *out = malloc(qp_update_bound(n) + QP_FINAL_MAX);
	unsigned char *back = malloc(n + 1);
	size_t o = 0, i = 0, k, b = 0, col = 0;

	fuzz_assert(out != NULL && back != NULL);
	qp_init(&q);
	while (i < n) {
		k = next_chunk(n - i);
		o += qp_update(&q, in + i, k, out + o);
		i += k;
	}
	o += qp_final(&q, out + o);
	fuzz_assert(fuzz_crlf_only(out, o));
	for (i = 0; i < o; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c == '\r') {
			fuzz_assert(i == 0 || (out[i - 1] != ' ' &&
			    out[i - 1] != '\t'));
			col = 0;
			i++;
			continue;
		}
		fuzz_assert((c >= 32 && c < 127) || c == '\t');
		if (col == 0)
			fuzz_assert(c != '.' && c != 'F');
		fuzz_assert(++col <= QP_LINE_MAX);
	}
	if (o > 0)
		fuzz_assert(out[o - 1] != ' ' && out[o - 1] != '\t');
	/* decode (RFC 2045 6.7): "=" CRLF vanishes, =XX is the octet */
	for (i = 0; i < o; i++) {
		if (out[i] != '=') {
			back[b++] = (unsigned char)out[i];
			continue;
		}
		fuzz_assert(i + 2 < o);
		if (out[i + 1] == '\r') {
			fuzz_assert(out[i + 2] == '\n');
			i += 2;
			continue;
		}
		fuzz_assert(hexv(out[i + 1]) >= 0 && hexv(out[i + 2]) >= 0);
		back[b++] = (unsigned char)(hexv(out[i + 1]) * 16 +
		    hexv(out[i + 2]));
		i += 2;
	}
	if (b != n || memcmp(back, in, n) != 0)
		fuzz_fail("quoted-printable does not decode to the input");
	free(back);
	free(out);
}

/* Split a parameter text into its lines; each fold is CRLF SP. */
static void
check_folds(const char *s, size_t len, size_t maxline)
{
	size_t i, col = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r') {
			fuzz_assert(i + 2 < len && s[i + 1] == '\n' &&
			    s[i + 2] == ' ');
			col = 0;
			i++;
			continue;
		}
		fuzz_assert(c >= 32 && c < 127);
		if (maxline)
			fuzz_assert(++col <= maxline);
	}
}

static void
check_2231(const char *v, size_t n)
{
	size_t cap = 6 * n + 4096, o = 0, seg = 0;
	char *mem = malloc(cap), *back = malloc(n + 1), *p, *end;
	struct enc_buf b;

	fuzz_assert(mem != NULL && back != NULL);
	enc_buf_init(&b, mem, cap);
	enc_param_2231(&b, "filename", v, n);
	fuzz_assert(!b.overflow);
	check_folds(b.p, b.len, 78);
	mem[b.len] = '\0';
	/* each piece: ";" CRLF SP filename ("=" | "*=" | "*N*=") text */
	for (p = mem; *p != '\0'; p = end) {
		const char *t;

		fuzz_assert(strncmp(p, ";\r\n filename", 12) == 0);
		p += 12;
		end = strstr(p, ";\r\n ");
		if (end == NULL)
			end = p + strlen(p);
		if (*p == '=') {	/* a token */
			fuzz_assert(seg == 0);
			memcpy(back, p + 1, (size_t)(end - p - 1));
			o = (size_t)(end - p - 1);
			seg = 1;
			continue;
		}
		fuzz_assert(*p == '*');
		t = p + 1;
		if (*t != '=') {
			fuzz_assert(strtoul(t, NULL, 10) == seg);
			t += strspn(t, "0123456789");
			fuzz_assert(*t == '*');
			t++;
		}
		fuzz_assert(*t == '=');
		t++;
		if (seg == 0) {
			fuzz_assert(strncmp(t, "UTF-8''", 7) == 0 ||
			    strncmp(t, "unknown-8bit''", 14) == 0);
			t = strstr(t, "''") + 2;
		}
		for (; t < end; t++) {
			if (*t == '%') {
				fuzz_assert(hexv(t[1]) >= 0 && hexv(t[2]) >= 0);
				back[o++] = (char)(hexv(t[1]) * 16 + hexv(t[2]));
				t += 2;
			} else
				back[o++] = *t;
			fuzz_assert(o <= n);
		}
		seg++;
	}
	if (o != n || memcmp(back, v, n) != 0)
		fuzz_fail("RFC 2231 parameter does not decode to the value");
	free(back);
	free(mem);
}

static void
check_2047(const char *v, size_t n)
{
	size_t cap = 6 * n + 4096, o = 0;
	char *mem = malloc(cap), *p, *q;
	unsigned char *back = malloc(n + 64);
	struct enc_buf b;

	fuzz_assert(mem != NULL && back != NULL);
	enc_buf_init(&b, mem, cap);
	enc_param_2047(&b, "name", v, n);
	fuzz_assert(!b.overflow);
	check_folds(b.p, b.len, 0);
	mem[b.len] = '\0';
	fuzz_assert(strncmp(mem, ";\r\n name=", 9) == 0);
	p = mem + 9;
	if (*p != '"') {
		o = strlen(p);
		memcpy(back, p, o);
	} else if (strncmp(p + 1, "=?", 2) != 0) {
		for (p++; *p != '"'; p++) {
			fuzz_assert(*p != '\0');
			if (*p == '\\')
				p++;
			back[o++] = (unsigned char)*p;
		}
		fuzz_assert(p[1] == '\0');
	} else {
		for (p++; *p != '"'; ) {
			fuzz_assert(strncmp(p, "=?UTF-8?B?", 10) == 0 ||
			    strncmp(p, "=?unknown-8bit?B?", 17) == 0);
			p = strchr(p + 2, '?') + 3;
			q = strstr(p, "?=");
			fuzz_assert(q != NULL && q - p <= 75);
			o += b64_decode(p, (size_t)(q - p), back + o);
			fuzz_assert(o <= n);
			p = q + 2;
			if (strncmp(p, "\r\n ", 3) == 0)
				p += 3;
		}
		fuzz_assert(p[1] == '\0');
	}
	if (o != n || memcmp(back, v, n) != 0)
		fuzz_fail("RFC 2047 parameter does not decode to the value");
	free(back);
	free(mem);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 128 * 1024)
		return 0;
	seed = data[0];
	check_b64(data + 1, size - 1);
	check_qp(data + 1, size - 1);
	if (size - 1 <= 1024) {		/* a file name, not a file */
		check_2231((const char *)data + 1, size - 1);
		check_2047((const char *)data + 1, size - 1);
	}
	return 0;
}
