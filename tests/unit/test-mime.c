/* SPDX-License-Identifier: MIT */
/* Unit tests of src/mime.c, src/mimesrc.c and src/mimetype.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mime.h"
#include "mimetype.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test-mime.XXXXXX";

struct mem {
	const char	*p;
	size_t		 len, pos;
};

static ssize_t
mem_read(void *ctx, char *buf, size_t len)
{
	struct mem *m = ctx;

	if (len > m->len - m->pos)
		len = m->len - m->pos;
	memcpy(buf, m->p + m->pos, len);
	m->pos += len;
	return (ssize_t)len;
}

static int
mem_rewind(void *ctx)
{
	((struct mem *)ctx)->pos = 0;
	return 0;
}

static const char *
mkfile(const char *name, const char *data, size_t n)
{
	static char path[4][256];
	static int i;
	char *p = path[i++ % 4];
	FILE *fp;

	snprintf(p, 256, "%s/%s", tmpdir, name);
	fp = fopen(p, "wb");
	fwrite(data, 1, n, fp);
	fclose(fp);
	return p;
}

/* Read the whole source, step octets at a time; NULL on a read error. */
static char *
slurp(struct source *s, size_t step, size_t *len)
{
	char *buf = malloc(s->size + 1);
	size_t n = 0;
	ssize_t r;

	while (n <= s->size &&
	    (r = source_read(s, buf + n, step > s->size + 1 - n ?
	    s->size + 1 - n : step)) > 0)
		n += (size_t)r;
	if (r < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Build with the given header fields and body; returns the text. */
static char *
build(struct mime *m, const struct mime_field *f, size_t nf,
    const char *body, int eightbit_ok, struct source *out, int *rc)
{
	static struct mem mb;
	struct source bs = { mem_read, mem_rewind, &mb, 0, 0, 0 };
	struct failure fail = { 0, FAIL_NONE, "" };
	size_t len;

	mb.p = body;
	mb.len = strlen(body);
	mb.pos = 0;
	bs.size = mb.len;
	*rc = mime_build_from(m, f, nf, &bs, eightbit_ok, out, &fail);
	if (*rc != 0)
		return NULL;
	return slurp(out, 7, &len);
}

static void
test_add(void)
{
	struct failure f = { 0, FAIL_NONE, "" };
	struct mime *m = mime_new();
	char path[300], big[300];

	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	is_int(mime_add(m, path, NULL, NULL, &f), -1, "missing file refused");
	is_int(f.code, EX_NOINPUT, "missing file: EX_NOINPUT");
	ok(strstr(f.msg, path) != NULL, "missing file named: %s", f.msg);
	failure_clear(&f);
	is_int(mime_add(m, tmpdir, NULL, NULL, &f), -1, "directory refused");
	ok(f.code == EX_NOINPUT && strstr(f.msg, "directory"),
	    "directory: %s", f.msg);
	failure_clear(&f);
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	mkfifo(path, 0600);
	is_int(mime_add(m, path, NULL, NULL, &f), -1, "FIFO refused, no hang");
	is_int(f.code, EX_NOINPUT, "FIFO: EX_NOINPUT");
	failure_clear(&f);
	is_int(mime_add(m, mkfile("a.txt", "x", 1), "text/plain\r\nBcc: x",
	    NULL, &f), -1, "type with CRLF refused");
	is_int(f.code, EX_USAGE, "bad type: EX_USAGE");
	failure_clear(&f);
	memset(big, 'n', 256);
	big[256] = '\0';
	is_int(mime_add(m, mkfile("a.txt", "x", 1), NULL, big, &f), -1,
	    "name over 255 octets refused");
	is_int(mime_count(m), 0, "nothing added by the failures");
	mime_free(m);
}

static void
test_types(void)
{
	char buf[MIMETYPE_MAX];
	const char *tf = mkfile("types", "# c\napplication/x-foo  foo fo2\n"
	    "text/x-bar bar\n", 44);

	is_str(mimetype_by_name("r.PDF", NULL, buf, sizeof(buf)),
	    "application/pdf", "extension table, case-insensitive");
	is_str(mimetype_by_name("data.csv", NULL, buf, sizeof(buf)),
	    "text/csv", "csv");
	ok(mimetype_by_name("x.foo", NULL, buf, sizeof(buf)) == NULL,
	    "unknown extension");
	is_str(mimetype_by_name("x.fo2", tf, buf, sizeof(buf)),
	    "application/x-foo", "mime.types file");
	ok(mimetype_by_name("noext", tf, buf, sizeof(buf)) == NULL &&
	    mimetype_by_name(".foo", tf, buf, sizeof(buf)) == NULL,
	    "no extension, dot file");
	{
		static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
		    "\0\0\0\1\0\0\0\1\x08\x02\0\0\0\x90wS\xde";
		int fd = open(mkfile("picture", png, sizeof(png) - 1),
		    O_RDONLY);
		const char *t = mimetype_by_content(fd, buf, sizeof(buf));

#ifdef HAVE_LIBMAGIC
		is_str(t, "image/png", "libmagic on the open file");
#else
		ok(t == NULL, "no libmagic: no content type");
#endif
		close(fd);
	}
	ok(mimetype_valid("text/plain") &&
	    mimetype_valid("text/plain; charset=utf-8") &&
	    !mimetype_valid("text") && !mimetype_valid("text/") &&
	    !mimetype_valid("te xt/plain") &&
	    !mimetype_valid("text/plain\n; x=y"), "mimetype_valid");
}

static void
test_build(void)
{
	struct failure f = { 0, FAIL_NONE, "" };
	struct mime_field plain[] = { { "From", " a@example.org" },
	    { "Subject", " hi" }, { "Content-Language", " en" } };
	struct mime_field mimef[] = { { "From", " a@example.org" },
	    { "MIME-Version", " 1.0" },
	    { "Content-Type", " text/html; charset=utf-8" },
	    { "Content-Transfer-Encoding", " 8bit" } };
	char longline[1200], *s, *s2, *a;
	struct source out;
	struct mime *m = mime_new();
	size_t len;
	int rc;

	s = build(m, plain, 3, "x\r\n", 0, &out, &rc);
	ok(s == NULL && rc == -1, "nothing attached: refused");
	a = malloc(1000);
	memset(a, 'A', 1000);
	mime_add(m, mkfile("one.bin", a, 1000), NULL, "r\xc3\xa9sum\xc3\xa9.pdf",
	    &f);
	mime_add(m, mkfile("empty", "", 0), NULL, NULL, &f);
	is_int(f.code, EX_OK, "two files added");

	s = build(m, plain, 3, "hello\r\n", 0, &out, &rc);
	ok(s && strlen(s) == out.size, "read size equals announced size");
	ok(s && strstr(s, "From: a@example.org\r\nSubject: hi\r\nMIME-Version:"
	    " 1.0\r\nContent-Type: multipart/mixed;\r\n boundary=\"=_postie_")
	    == s, "top fields kept, MIME fields added");
	ok(s && strstr(s, "\r\nContent-Language: en\r\nContent-Type: "
	    "text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit"
	    "\r\n\r\nhello\r\n\r\n--=_postie_"), "plain ASCII body: 7bit part");
	ok(s && strstr(s, "Content-Type: application/pdf;\r\n name=\"=?UTF-8"
	    "?B?csOpc3Vtw6kucGRm?=\"\r\nContent-Disposition: attachment;\r\n"
	    " filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\r\nContent-Transfer-"
	    "Encoding: base64\r\n\r\nQUFB"), "attachment headers");
	ok(s && strstr(s, "filename=empty\r\nContent-Transfer-Encoding: "
	    "base64\r\n\r\n\r\n--=_postie_"), "empty attachment");
	len = s ? strlen(s) : 0;
	ok(s && len > 40 && strcmp(s + len - 2, "\r\n") == 0 &&
	    strstr(s + len - 40, "--\r\n"), "close delimiter last");
	ok(!out.eightbit && !out.longlines, "7-bit result");
	/* rewind mid-way gives the same octets */
	source_rewind(&out);
	s2 = slurp(&out, 4096, &len);
	ok(s && s2 && strcmp(s, s2) == 0, "rewind: same output");
	free(s);
	free(s2);

	s = build(m, plain, 3, "\xc3\xa9t\xc3\xa9\r\n", 0, &out, &rc);
	ok(s && strstr(s, "charset=utf-8\r\nContent-Transfer-Encoding: "
	    "quoted-printable\r\n\r\n=C3=A9t=C3=A9\r\n"), "UTF-8, no 8BITMIME: "
	    "quoted-printable");
	free(s);
	s = build(m, plain, 3, "\xc3\xa9t\xc3\xa9\r\n", 1, &out, &rc);
	ok(s && strstr(s, "charset=utf-8\r\nContent-Transfer-Encoding: 8bit"
	    "\r\n\r\n\xc3\xa9t\xc3\xa9\r\n") && out.eightbit,
	    "UTF-8 with 8BITMIME: 8bit");
	free(s);
	s = build(m, plain, 3, "\xe9t\xe9\r\n", 1, &out, &rc);
	ok(s && strstr(s, "charset=unknown-8bit"), "Latin-1: unknown-8bit");
	free(s);
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	s = build(m, plain, 3, longline, 1, &out, &rc);
	ok(s && strstr(s, "quoted-printable") && !out.longlines,
	    "line over 998: quoted-printable even with 8BITMIME");
	free(s);
	s = build(m, plain, 3, "\r\n \r\n", 0, &out, &rc);
	ok(s && !strstr(s, "text/plain") &&
	    strstr(s, "\"\r\n\r\n--=_postie_") != NULL,
	    "blank body: attachments only");
	free(s);

	s = build(m, mimef, 4, "<p>\xc3\xa9</p>\r\n", 1, &out, &rc);
	ok(s && strstr(s, "From: a@example.org\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed;") && !strstr(s, "MIME-Version: "
	    "1.0\r\nContent-Type: text/html"), "already MIME: one "
	    "MIME-Version at the top");
	ok(s && strstr(s, "\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n<p>\xc3\xa9</p>\r\n\r\n--"),
	    "already MIME: Content-* moved, body intact");
	ok(out.eightbit, "already MIME 8-bit body: source says eightbit");
	free(s);
	/* declared 8bit, relay without 8BITMIME: quoted-printable */
	s = build(m, mimef, 4, "<p>\xc3\xa9</p>\r\n", 0, &out, &rc);
	ok(s && strstr(s, "\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "<p>=C3=A9</p>\r\n") && !strstr(s, "Transfer-Encoding: 8bit") &&
	    !out.eightbit, "already MIME 8bit, no 8BITMIME: quoted-printable");
	free(s);

	/* a file that changes size after being added */
	truncate(mkfile("one.bin", "", 0), 10);
	s = build(m, plain, 3, "x", 0, &out, &rc);
	ok(s == NULL && strstr(mime_error(m), "one.bin") &&
	    strstr(mime_error(m), "changed size"), "shrunk file: read fails: "
	    "%s", mime_error(m));
	free(a);
	mime_free(m);
}

static void
test_scan(void)
{
	struct textscan t;

	textscan_init(&t);
	textscan_update(&t, "ab\r\ncd\ne\r", 9);
	textscan_final(&t);
	ok(t.bare && t.maxline == 2 && !t.eightbit && !t.blank,
	    "textscan: bare LF/CR, line length");
	textscan_init(&t);
	textscan_update(&t, "\xe2\x82", 2);
	textscan_update(&t, "\xac\r\n", 3);
	textscan_final(&t);
	is_int(textscan_charset(&t), CHARSET_UTF8, "textscan: UTF-8 split "
	    "across chunks");
	textscan_init(&t);
	textscan_update(&t, "\xe2\x82", 2);
	textscan_final(&t);
	is_int(textscan_charset(&t), CHARSET_8BIT, "textscan: truncated "
	    "UTF-8");
}

int
main(void)
{
	static const char *files[] = { "fifo", "a.txt", "types", "one.bin",
	    "empty", "picture" };
	char path[300];
	size_t i;

	if (mkdtemp(tmpdir) == NULL)
		return 99;
	plan(41);
	test_add();
	test_types();
	test_build();
	test_scan();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	if (rmdir(tmpdir) != 0)
		return 99;
	return done();
}
