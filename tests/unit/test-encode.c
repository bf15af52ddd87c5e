/* SPDX-License-Identifier: MIT */
/* Unit tests of src/encode.c: base64, quoted-printable, RFC 2231/2047. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "tap.h"

static uint32_t rng = 12345;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* base64 of the whole input at once; out must be big enough */
static size_t
b64_all(const unsigned char *in, size_t n, char *out)
{
	struct b64 b;
	size_t k;

	b64_init(&b);
	k = b64_update(&b, in, n, out);
	return k + b64_final(&b, out + k);
}

/* The same in random pieces. */
static size_t
b64_split(const unsigned char *in, size_t n, char *out)
{
	struct b64 b;
	size_t k = 0, i = 0;

	b64_init(&b);
	while (i < n) {
		size_t c = rnd() % 200;

		if (c > n - i)
			c = n - i;
		k += b64_update(&b, in + i, c, out + k);
		i += c;
	}
	return k + b64_final(&b, out + k);
}

/* A slow reference: 6 bits at a time, lines counted separately. */
static size_t
b64_ref(const unsigned char *in, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0, col = 0;

	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t r = n - i;

		if (r > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (r > 2)
			v |= in[i + 2];
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = r > 1 ? a[(v >> 6) & 63] : '=';
		out[o++] = r > 2 ? a[v & 63] : '=';
		col += 4;
		if (col == 76 || i + 3 >= n) {
			out[o++] = '\r';
			out[o++] = '\n';
			col = 0;
		}
	}
	return o;
}

static void
test_b64(void)
{
	static const char *in[] = { "", "f", "fo", "foo", "foob", "fooba",
	    "foobar" };
	static const char *want[] = { "", "Zg==\r\n", "Zm8=\r\n", "Zm9v\r\n",
	    "Zm9vYg==\r\n", "Zm9vYmE=\r\n", "Zm9vYmFy\r\n" };
	unsigned char *data = malloc(20000);
	char *a = malloc(30000), *b = malloc(30000), *r = malloc(30000);
	size_t i, n, ka, kb, kr;
	int bad_split = 0, bad_ref = 0, bad_size = 0, bad_line = 0;
	char out[100];

	for (i = 0; i < 7; i++) {
		n = b64_all((const unsigned char *)in[i], strlen(in[i]), out);
		out[n] = '\0';
		is_str(out, want[i], "RFC 4648 section 10: \"%s\"", in[i]);
	}
	for (i = 0; i < 20000; i++)
		data[i] = (unsigned char)rnd();
	for (n = 0; n < 20000; n += n < 300 ? 1 : 997) {
		ka = b64_all(data, n, a);
		kb = b64_split(data, n, b);
		kr = b64_ref(data, n, r);
		if (ka != kb || memcmp(a, b, ka) != 0)
			bad_split++;
		if (ka != kr || memcmp(a, r, ka) != 0)
			bad_ref++;
		if (ka != b64_size(n))
			bad_size++;
		for (i = 0; i < ka; i++) {	/* lines: 76, last <= 76 */
			size_t s = i;

			while (i < ka && a[i] != '\r')
				i++;
			if (i - s > 76 || (i - s != 76 && i + 2 != ka) ||
			    i + 1 >= ka || a[i + 1] != '\n')
				bad_line++;
			i++;
		}
	}
	ok(bad_split == 0, "base64: random chunk splits equal one-shot (%d)",
	    bad_split);
	ok(bad_ref == 0, "base64: equals the reference encoder (%d)",
	    bad_ref);
	ok(bad_size == 0, "base64: b64_size exact (%d)", bad_size);
	ok(bad_line == 0, "base64: 76-column CRLF lines (%d)", bad_line);
	is_int(b64_size(57), 78, "b64_size(57)");
	is_int(b64_size(58), 78 + 6, "b64_size(58)");
	is_int(b64_size(0), 0, "b64_size(0)");
	free(data);
	free(a);
	free(b);
	free(r);
}

static const char *
qp(const char *in, size_t n)
{
	static char out[4096];
	struct qp q;
	size_t k;

	qp_init(&q);
	k = qp_update(&q, in, n, out);
	k += qp_final(&q, out + k);
	out[k] = '\0';
	return out;
}

static int
unhex(int c)
{
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : c - '0';
}

/* Decode strictly; returns -1 when the encoding breaks a rule. */
static long
qp_decode(const char *s, size_t n, char *out)
{
	size_t i, o = 0, col = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r') {
			if (i + 1 >= n || s[i + 1] != '\n' || col > 76 ||
			    (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t')))
				return -1;
			out[o++] = '\r';
			out[o++] = '\n';
			i++;
			col = 0;
		} else if (s[i] == '=') {
			if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
				if (col + 1 > 76)
					return -1;
				i += 2;
				col = 0;
				continue;
			}
			if (i + 2 >= n || !strchr("0123456789ABCDEF", s[i + 1]) ||
			    !strchr("0123456789ABCDEF", s[i + 2]) ||
			    !s[i + 1] || !s[i + 2])
				return -1;
			out[o++] = (char)(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
			i += 2;
			col += 3;
		} else {
			unsigned char c = (unsigned char)s[i];

			if ((c < 33 || c > 126) && c != ' ' && c != '\t')
				return -1;
			out[o++] = s[i];
			col++;
		}
	}
	if (col > 76 || (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')))
		return -1;
	return (long)o;
}

static void
test_qp(void)
{
	char *data = malloc(8000), *a = malloc(60000), *b = malloc(60000);
	char *d = malloc(8000);
	int bad_split = 0, bad_dec = 0, round;
	size_t i, n, ka, kb;
	struct qp q;

	is_str(qp("hello\r\n", 7), "hello\r\n", "qp: plain text kept");
	is_str(qp("a=b", 3), "a=3Db", "qp: = encoded");
	is_str(qp("end \r\nx", 7), "end=20\r\nx", "qp: trailing SP encoded");
	is_str(qp("tab\t", 4), "tab=09", "qp: HT at end of data encoded");
	is_str(qp("a b", 3), "a b", "qp: inner SP kept");
	is_str(qp(".\r\n", 3), "=2E\r\n", "qp: leading dot encoded");
	is_str(qp("x\r\nFrom me", 10), "x\r\n=46rom me",
	    "qp: leading From encoded");
	is_str(qp("a\nb\rc", 5), "a=0Ab=0Dc", "qp: bare LF and CR encoded");
	is_str(qp("\xc3\xa9", 2), "=C3=A9", "qp: 8-bit octets encoded");
	is_str(qp("a \r", 3), "a=20=0D", "qp: SP before a final bare CR");
	memset(data, 'a', 100);
	is_str(qp(data, 100), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaa=\r\naaaaaaaaaaaaaaaaaaaaaaaaa",
	    "qp: soft break keeps lines within 76");
	memset(data, '=', 30);
	is_str(qp(data, 30), "=3D=3D=3D=3D=3D=3D=3D=3D=3D=3D=3D=3D=3D=3D=3D"
	    "=3D=3D=3D=3D=3D=3D=3D=3D=3D=3D=\r\n=3D=3D=3D=3D=3D",
	    "qp: soft break never splits an escape");

	for (round = 0; round < 300; round++) {
		static const char pick[] = "ab .F=\t\r\n\r\n\r\n\x80\xff";

		n = rnd() % 8000;
		for (i = 0; i < n; i++)
			data[i] = round % 2 ? (char)rnd() :
			    pick[rnd() % (sizeof(pick) - 1)];
		qp_init(&q);
		ka = qp_update(&q, data, n, a);
		ka += qp_final(&q, a + ka);
		qp_init(&q);
		for (i = 0, kb = 0; i < n;) {
			size_t c = rnd() % 50;

			if (c > n - i)
				c = n - i;
			kb += qp_update(&q, data + i, c, b + kb);
			i += c;
		}
		kb += qp_final(&q, b + kb);
		if (ka != kb || memcmp(a, b, ka) != 0)
			bad_split++;
		if (qp_decode(a, ka, d) != (long)n || memcmp(d, data, n) != 0)
			bad_dec++;
	}
	ok(bad_split == 0, "qp: random chunk splits equal one-shot (%d)",
	    bad_split);
	ok(bad_dec == 0, "qp: strict decode gives the input back (%d)",
	    bad_dec);
	free(data);
	free(a);
	free(b);
	free(d);
}

static const char *
p2231(const char *v)
{
	static char mem[4096];
	struct enc_buf b;

	enc_buf_init(&b, mem, sizeof(mem));
	enc_param_2231(&b, "filename", v, strlen(v));
	return b.overflow ? "(overflow)" : mem;
}

static const char *
p2047(const char *v)
{
	static char mem[4096];
	struct enc_buf b;

	enc_buf_init(&b, mem, sizeof(mem));
	enc_param_2047(&b, "name", v, strlen(v));
	return b.overflow ? "(overflow)" : mem;
}

static int
lines_within(const char *s, size_t max)
{
	const char *e;

	for (; (e = strstr(s, "\r\n")) != NULL; s = e + 2)
		if ((size_t)(e - s) > max)
			return 0;
	return strlen(s) <= max;
}

static void
test_params(void)
{
	char longname[300];
	const char *r;
	size_t i;

	is_str(p2231("report.pdf"), ";\r\n filename=report.pdf",
	    "2231: a token as it is");
	is_str(p2231("my file.txt"), ";\r\n filename*=UTF-8''my%20file.txt",
	    "2231: space");
	is_str(p2231("a;b\"c'd"), ";\r\n filename*=UTF-8''a%3Bb%22c%27d",
	    "2231: ; quote apostrophe");
	is_str(p2231("\xc3\xa9t\xc3\xa9.txt"),
	    ";\r\n filename*=UTF-8''%C3%A9t%C3%A9.txt", "2231: UTF-8");
	is_str(p2231("\xe9t\xe9"), ";\r\n filename*=unknown-8bit''%E9t%E9",
	    "2231: not UTF-8 is labelled unknown-8bit");
	for (i = 0; i < 40; i++)
		memcpy(longname + 2 * i, "\xc3\xa9", 2);
	longname[80] = '\0';
	r = p2231(longname);
	ok(strncmp(r, ";\r\n filename*0*=UTF-8''%C3%A9", 29) == 0 &&
	    strstr(r, ";\r\n filename*1*=%C3%A9") != NULL &&
	    lines_within(r, 77), "2231: continuations, lines within 78");
	ok(strstr(r, "%C3;") == NULL, "2231: split at character boundaries");

	is_str(p2047("report.pdf"), ";\r\n name=report.pdf",
	    "2047: a token as it is");
	is_str(p2047("my file.txt"), ";\r\n name=\"my file.txt\"",
	    "2047: ASCII as a quoted-string");
	is_str(p2047("a\"b\\c;d"), ";\r\n name=\"a\\\"b\\\\c;d\"",
	    "2047: quotes and backslash escaped");
	is_str(p2047("\xc3\xa9t\xc3\xa9.txt"),
	    ";\r\n name=\"=?UTF-8?B?w6l0w6kudHh0?=\"", "2047: UTF-8 word");
	r = p2047(longname);
	ok(strstr(r, "?=\r\n =?UTF-8?B?") != NULL && lines_within(r, 77),
	    "2047: long names in several words, lines within 78");
	ok(enc_is_utf8("\xf0\x9f\x98\x80", 4) && !enc_is_utf8("\xc0\xaf", 2) &&
	    !enc_is_utf8("\xed\xa0\x80", 3) && !enc_is_utf8("\xe2\x82", 2),
	    "UTF-8 validation: overlong, surrogate, truncated refused");
}

int
main(void)
{
	plan(41);
	test_b64();
	test_qp();
	test_params();
	return done();
}
