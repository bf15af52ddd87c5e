/* SPDX-License-Identifier: MIT */
/*
 * fuzz-mime: the multipart builder, read back as a mail reader would.
 * Input: byte 0 picks options (bit 0: the relay takes 8BITMIME, bit 1:
 * the body is already MIME, bit 2: the file name comes from the input,
 * bit 3: a given text type, bits 4-6 all set: the type is guessed),
 * byte 1 where to split the rest into the attached file and the body.
 * The body is made CRLF first, as intake hands it over.
 *
 * Invariants: the source yields exactly src.size bytes, CRLF only; the
 * boundary appears only as delimiter lines, one per part plus the close;
 * the attachment's base64 decodes to the file; the text part decodes
 * (7bit, 8bit or quoted-printable) to the body; without 8BITMIME nothing
 * postie encodes has an 8-bit octet and no line is over 998 octets.
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "fuzz.h"
#include "mime.h"

static char dir[64] = "/tmp/postie-fuzz-mime.XXXXXX", path[128];

static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

struct mem {
	const char	*p;
	size_t		 len, off;
};

static ssize_t
mem_read(void *ctx, char *buf, size_t len)
{
	struct mem *m = ctx;
	size_t n = m->len - m->off;

	if (n > len)
		n = len;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

static int
mem_rewind(void *ctx)
{
	((struct mem *)ctx)->off = 0;
	return 0;
}

static char *
crlf(const uint8_t *in, size_t len, size_t *olen)
{
	char *out = malloc(2 * len + 1);
	size_t o = 0, i;

	fuzz_assert(out != NULL);
	for (i = 0; i < len; i++) {
		if (in[i] == '\r' || in[i] == '\n') {
			if (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n')
				i++;
			out[o++] = '\r';
			out[o++] = '\n';
		} else
			out[o++] = (char)in[i];
	}
	*olen = o;
	return out;
}

static int
b64v(int c)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(a, c) : NULL;

	return p ? (int)(p - a) : -1;
}

static int
hexv(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ?
	    c - 'A' + 10 : -1;
}

/* Decode one part's content by its Content-Transfer-Encoding. */
static char *
decode(const char *s, size_t len, const char *cte, size_t *olen)
{
	char *out = malloc(len + 1);
	unsigned long acc = 0;
	size_t i, o = 0;
	int bits = 0, v;

	fuzz_assert(out != NULL);
	for (i = 0; i < len; i++) {
		if (strcmp(cte, "base64") == 0) {
			if (s[i] == '\r' || s[i] == '\n' || s[i] == '=')
				continue;
			fuzz_assert((v = b64v(s[i])) >= 0);
			acc = (acc << 6) | (unsigned)v;
			if ((bits += 6) >= 8) {
				bits -= 8;
				out[o++] = (char)(acc >> bits);
			}
		} else if (strcmp(cte, "quoted-printable") == 0 &&
		    s[i] == '=') {
			fuzz_assert(i + 2 < len || (i + 2 == len &&
			    s[i + 1] == '\r'));
			if (s[i + 1] == '\r') {
				i += 2;
				continue;
			}
			fuzz_assert(hexv(s[i + 1]) >= 0 && hexv(s[i + 2]) >= 0);
			out[o++] = (char)(hexv(s[i + 1]) * 16 + hexv(s[i + 2]));
			i += 2;
		} else
			out[o++] = s[i];
	}
	*olen = o;
	return out;
}

/* The value of field name in a header block, or "" (a copy in buf). */
static const char *
field(const char *h, size_t hlen, const char *name, char *buf, size_t cap)
{
	size_t nl = strlen(name), i, k;

	for (i = 0; i + nl < hlen; i++)
		if ((i == 0 || h[i - 1] == '\n') &&
		    strncasecmp(h + i, name, nl) == 0) {
			i += nl;
			while (i < hlen && h[i] == ' ')
				i++;
			for (k = 0; i < hlen && h[i] != '\r' && h[i] != ';' &&
			    k + 1 < cap; i++)
				buf[k++] = h[i];
			buf[k] = '\0';
			return buf;
		}
	return "";
}

static void
check(const char *out, size_t len, const char *body, size_t blen,
    const char *file, size_t flen, int strict)
{
	char bnd[128], delim[140], cte[64], tmp[64];
	const char *p, *q, *b, *hend;
	size_t dl, parts = 0, i, col = 0, dlen;
	char *dec;

	fuzz_assert(fuzz_crlf_only(out, len));
	p = strstr(out, "boundary=\"");
	fuzz_assert(p != NULL);
	p += 10;
	q = strchr(p, '"');
	fuzz_assert(q != NULL && q - p > 0 && q - p < 100);
	snprintf(bnd, sizeof(bnd), "%.*s", (int)(q - p), p);
	dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", bnd);
	hend = strstr(out, "\r\n\r\n");
	fuzz_assert(hend != NULL);
	b = hend + 2;	/* the CRLF before the first "--" is the delimiter's */
	for (;;) {
		fuzz_assert((size_t)(out + len - b) >= dl &&
		    memcmp(b, delim, dl) == 0);
		b += dl;
		if (strncmp(b, "--\r\n", 4) == 0) {
			fuzz_assert(b + 4 == out + len);
			break;
		}
		fuzz_assert(strncmp(b, "\r\n", 2) == 0);
		b += 2;
		parts++;
		/* the part: headers, blank line, content up to the delimiter */
		q = strstr(b, "\r\n\r\n");
		fuzz_assert(q != NULL);
		snprintf(cte, sizeof(cte), "%s", field(b, (size_t)(q - b + 2),
		    "Content-Transfer-Encoding:", tmp, sizeof(tmp)));
		p = q + 4;
		q = memmem(p, (size_t)(out + len - p), delim, dl);
		fuzz_assert(q != NULL);
		dec = decode(p, (size_t)(q - p), cte[0] ? cte : "8bit", &dlen);
		if (strcmp(cte, "base64") == 0) {
			if (dlen != flen || memcmp(dec, file, flen) != 0)
				fuzz_fail("the attachment does not decode to "
				    "the file");
		} else if (dlen != blen || memcmp(dec, body, blen) != 0)
			fuzz_fail("the text part does not decode to the body "
			    "(%s)", cte[0] ? cte : "none");
		free(dec);
		b = q;
	}
	fuzz_assert(parts == 1 || parts == 2);
	/* the boundary is nowhere but in the delimiters and the header */
	for (p = out, i = 0; (p = memmem(p, (size_t)(out + len - p), bnd,
	    strlen(bnd))) != NULL; p++)
		i++;
	fuzz_assert(i == parts + 2);
	if (!strict)
		return;
	for (i = 0; i < len; i++) {
		fuzz_assert((unsigned char)out[i] < 0x80);
		if (out[i] == '\r')
			col = 0;
		else if (out[i] != '\n')
			fuzz_assert(++col <= 998);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_field fields[] = {
		{ "From", " a@example.org" },
		{ "To", " b@example.org" },
		{ "Subject", " fuzz" },
		{ "Content-Type", " text/html; charset=utf-8" },
	};
	static int ready;
	struct failure f;
	struct source bsrc, src;
	struct mem bm;
	struct mime *m;
	char name[64], *body, *out;
	size_t k, blen, n, flen, got = 0;
	unsigned flags;
	int fd, is_mime;
	ssize_t r;

	if (size < 2 || size > 64 * 1024)
		return 0;
	if (!ready) {
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(path, sizeof(path), "%s/attachment", dir);
		atexit(cleanup);
		ready = 1;
	}
	flags = data[0];
	is_mime = !!(flags & 2);
	n = size - 2;
	flen = (size_t)data[1] * n / 256;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || (flen > 0 && write(fd, data + 2, flen) !=
	    (ssize_t)flen) || close(fd) == -1)
		abort();
	body = crlf(data + 2 + flen, n - flen, &blen);
	/* a file name from the input: its first bytes, without NUL */
	snprintf(name, sizeof(name), "%.*s", (int)(flen < 40 ? flen : 40),
	    (const char *)data + 2);
	failure_clear(&f);
	if ((m = mime_new()) == NULL)
		abort();
	/* guessing the type (libmagic) costs milliseconds: 1 input in 8 */
	if (mime_add(m, path, (flags & 8) ? "text/plain; charset=utf-8" :
	    (flags & 0x70) == 0x70 ? NULL : "application/pdf",
	    (flags & 4) && name[0] ? name : "report.pdf", &f) != 0) {
		fuzz_assert(f.code == EX_USAGE);	/* a bad name */
		goto out;
	}
	bm = (struct mem){ body, blen, 0 };
	bsrc = (struct source){ mem_read, mem_rewind, &bm, blen, 0, 0 };
	if (mime_build_from(m, fields, is_mime ? 4 : 3, &bsrc, flags & 1,
	    &src, &f) != 0)
		fuzz_fail("mime_build_from failed: %s", f.msg);
	out = malloc(src.size + 1);
	fuzz_assert(out != NULL);
	while (got < src.size && (r = source_read(&src, out + got,
	    (k = (size_t)(src.size - got)) > 997 ? 997 : k)) > 0)
		got += (size_t)r;
	fuzz_assert(got == src.size && source_read(&src, out, 1) == 0);
	out[got] = '\0';
	check(out, got, body, blen, (const char *)data + 2, flen,
	    !is_mime && !(flags & 1));
	free(out);
out:
	mime_free(m);
	free(body);
	return 0;
}
