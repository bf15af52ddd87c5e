/* SPDX-License-Identifier: MIT */
/*
 * message: standard input to an unlinked temporary file, line endings made
 * CRLF as it is read; the header block parsed into fields held in memory
 * (bounded); the body left in the file.  message_prepare() is in
 * prepare.c.
 *
 * Rules (documented in postie(8), MESSAGE INPUT):
 *  - LF, CRLF and a CR not followed by LF each end a line; every line
 *    leaves as CRLF (RFC 5321 section 2.3.8: no bare CR or LF on the wire;
 *    a bare CR is a line break, as Postfix reads it).
 *  - Without -i a line holding only "." ends the input (sendmail).
 *  - A missing final line ending is added.
 *  - A first line "From " (an mbox separator) is dropped.
 *  - The header block ends at the first empty line or at the first line
 *    that is neither a field nor a continuation; that line is the body's
 *    first.  No header at all: the whole input is body.
 *  - A NUL in the header block is refused (EX_DATAERR); in the body it is
 *    kept and counted (message_stats) for the sending side to judge.
 *  - The header block is capped (MESSAGE_HEADER_MAX octets,
 *    MESSAGE_FIELDS_MAX fields): beyond, EX_DATAERR.  The body is not.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "header.h"
#include "message.h"

#define IOBUF		65536
#define LINE_MAX_SMTP	998	/* RFC 5321 section 4.5.3.1.6, CRLF excluded */

struct msrc {
	struct message	*m;
	int		 whole;		/* header block first */
	char		*hdr;		/* owned: serialised header block */
	size_t		 hdrlen;
	uint64_t	 pos;
};

struct message {
	int		 fd;		/* the unlinked body file */
	struct header_list h;
	uint64_t	 body_size;
	uint64_t	 nul;
	int		 body8;
	int		 bodylong;
	struct msrc	 src_whole;
	struct msrc	 src_body;
};

enum phase { PH_HEADER, PH_BODY };

struct reader {
	struct message	*m;
	int		 dot_ends;
	enum phase	 phase;
	int		 first_line;
	int		 pending_cr;
	int		 held_dot;	/* body: a leading '.' not yet written */
	int		 done;
	size_t		 cur_len;	/* body: octets in the current line */
	char		*line;		/* header phase: the current line */
	size_t		 linelen;
	size_t		 olen;
	struct failure	*fail;
	char		 obuf[IOBUF];
};

static int
flush(struct reader *r)
{
	if (r->olen == 0)
		return 0;
	if (fdio_write_all(r->m->fd, r->obuf, r->olen) == -1) {
		failure_set(r->fail, EX_IOERR, FAIL_TEMP,
		    "writing the temporary file: %s", strerror(errno));
		return -1;
	}
	r->olen = 0;
	return 0;
}

static int
out(struct reader *r, const char *p, size_t len)
{
	r->m->body_size += len;
	while (len > 0) {
		size_t n = sizeof(r->obuf) - r->olen;

		if (n > len)
			n = len;
		memcpy(r->obuf + r->olen, p, n);
		r->olen += n;
		p += n;
		len -= n;
		if (r->olen == sizeof(r->obuf) && flush(r) == -1)
			return -1;
	}
	return 0;
}

static int
body_char(struct reader *r, unsigned char c)
{
	if (r->cur_len == 0 && c == '.' && r->dot_ends) {
		r->held_dot = 1;	/* might be the lone dot */
		r->cur_len = 1;
		return 0;
	}
	if (r->held_dot) {
		r->held_dot = 0;
		if (out(r, ".", 1) == -1)
			return -1;
	}
	if (c & 0x80)
		r->m->body8 = 1;
	else if (c == '\0')
		r->m->nul++;
	r->cur_len++;
	return out(r, (const char *)&c, 1);
}

static int
body_eol(struct reader *r)
{
	if (r->held_dot && r->cur_len == 1) {
		r->done = 1;		/* a line holding a single dot */
		return 0;
	}
	if (r->cur_len > LINE_MAX_SMTP)
		r->m->bodylong = 1;
	r->cur_len = 0;
	return out(r, "\r\n", 2);
}

/* Could the buffered start of a line still be a header field line? */
static int
is_header_line(const struct reader *r)
{
	if (r->linelen > 0 && (r->line[0] == ' ' || r->line[0] == '\t'))
		return r->m->h.n > 0;
	return header_name_len(r->line, r->linelen) > 0;
}

/* The buffered line is not a header: from here on everything is body. */
static int
to_body(struct reader *r)
{
	r->phase = PH_BODY;
	r->cur_len = 0;
	for (size_t i = 0; i < r->linelen; i++)
		if (body_char(r, (unsigned char)r->line[i]) == -1)
			return -1;
	r->linelen = 0;
	return 0;
}

static int
header_eol(struct reader *r)
{
	int first = r->first_line;

	r->first_line = 0;
	/* "From " but not "From : x" (obsolete WSP before the colon) */
	if (first && r->linelen >= 5 && memcmp(r->line, "From ", 5) == 0 &&
	    header_name_len(r->line, r->linelen) == 0) {
		r->linelen = 0;		/* mbox separator: dropped */
		return 0;
	}
	if (r->dot_ends && r->linelen == 1 && r->line[0] == '.') {
		r->done = 1;
		return 0;
	}
	if (r->linelen == 0) {
		/* the separator: message_source() writes it back */
		r->phase = PH_BODY;
		return 0;
	}
	if (!is_header_line(r)) {
		if (to_body(r) == -1)
			return -1;
		return body_eol(r);
	}
	if (memchr(r->line, '\0', r->linelen) != NULL) {
		failure_set(r->fail, EX_DATAERR, FAIL_PERM,
		    "NUL byte in the message header");
		return -1;
	}
	switch (header_list_feed(&r->m->h, r->line, r->linelen)) {
	case 0:
		break;
	case -1:
		failure_set(r->fail, EX_OSERR, FAIL_TEMP, "out of memory");
		return -1;
	default:		/* cannot happen: checked above */
		return to_body(r) == -1 ? -1 : body_eol(r);
	}
	r->linelen = 0;
	if (r->m->h.n > MESSAGE_FIELDS_MAX || r->m->h.bytes >
	    MESSAGE_HEADER_MAX) {
		failure_set(r->fail, EX_DATAERR, FAIL_PERM,
		    "message header over %d fields or %d octets",
		    MESSAGE_FIELDS_MAX, MESSAGE_HEADER_MAX);
		return -1;
	}
	return 0;
}

static int
header_char(struct reader *r, unsigned char c)
{
	if (r->linelen + r->m->h.bytes >= MESSAGE_HEADER_MAX) {
		/* a huge first line that is not a field is body text */
		if (r->first_line && r->linelen >= 5 &&
		    memcmp(r->line, "From ", 5) == 0) {
			failure_set(r->fail, EX_DATAERR, FAIL_PERM,
			    "mbox \"From \" line too long");
			return -1;
		}
		if (is_header_line(r)) {
			failure_set(r->fail, EX_DATAERR, FAIL_PERM,
			    "message header over %d octets",
			    MESSAGE_HEADER_MAX);
			return -1;
		}
		r->first_line = 0;
		if (to_body(r) == -1)
			return -1;
		return body_char(r, c);
	}
	r->line[r->linelen++] = (char)c;
	return 0;
}

static int
eol(struct reader *r)
{
	return r->phase == PH_HEADER ? header_eol(r) : body_eol(r);
}

/* One input octet; the line-ending rules of the top of this file. */
static int
feed(struct reader *r, unsigned char c)
{
	if (r->pending_cr) {
		r->pending_cr = 0;
		if (eol(r) == -1)
			return -1;
		if (c == '\n' || r->done)
			return 0;
	}
	if (c == '\r') {
		r->pending_cr = 1;
		return 0;
	}
	if (c == '\n')
		return eol(r);
	return r->phase == PH_HEADER ? header_char(r, c) : body_char(r, c);
}

/*
 * Fast path for the body: a run of octets that are neither CR, LF nor NUL,
 * inside a line (so no lone-dot question), copied in one go.  Returns the
 * number of octets taken (0: let feed() handle the next one), or -1.
 */
static ssize_t
body_run(struct reader *r, const unsigned char *p, size_t n)
{
	unsigned char hi = 0;
	size_t i;

	if (r->phase != PH_BODY || r->pending_cr || r->held_dot ||
	    r->cur_len == 0)
		return 0;
	for (i = 0; i < n && p[i] != '\n' && p[i] != '\r' && p[i] != '\0';
	    i++)
		hi |= p[i];
	if (hi & 0x80)
		r->m->body8 = 1;
	r->cur_len += i;
	return out(r, (const char *)p, i) == -1 ? -1 : (ssize_t)i;
}

static int
open_spool(struct failure *fail)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	int fd;

	if (dir == NULL || dir[0] != '/' ||
	    strlen(dir) + sizeof("/postie.XXXXXX") > sizeof(path))
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/postie.XXXXXX", dir);
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1) {
		failure_set(fail, EX_CANTCREAT, FAIL_TEMP,
		    "cannot create a temporary file in %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	/* unlinked at once: nothing is left behind, whatever happens */
	if (unlink(path) == -1) {
		failure_set(fail, EX_CANTCREAT, FAIL_TEMP, "unlink %s: %s",
		    path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct message *
message_read(int fd, const struct intake_opts *o, struct failure *fail)
{
	struct message *m = calloc(1, sizeof(*m));
	/* not calloc: zeroing obuf (64 KiB) cost more instructions than the
	 * whole intake of a small message, and a page fault per 4 KiB */
	struct reader *r = malloc(sizeof(*r));
	char *in = malloc(IOBUF);
	ssize_t n;

	if (r != NULL)
		memset(r, 0, offsetof(struct reader, obuf));
	if (m != NULL)
		m->fd = -1;
	if (m == NULL || r == NULL || in == NULL ||
	    (r->line = malloc(MESSAGE_HEADER_MAX)) == NULL) {
		failure_set(fail, EX_OSERR, FAIL_TEMP, "out of memory");
		goto fail;
	}
	header_list_init(&m->h);
	if ((m->fd = open_spool(fail)) == -1)
		goto fail;
	r->m = m;
	r->dot_ends = o != NULL && o->dot_ends;
	r->phase = PH_HEADER;
	r->first_line = 1;
	r->fail = fail;
	while (!r->done) {
		if ((n = read(fd, in, IOBUF)) == -1) {
			if (errno == EINTR)
				continue;
			failure_set(fail, EX_IOERR, FAIL_TEMP,
			    "reading the message: %s", strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n && !r->done; i++) {
			ssize_t k = body_run(r, (unsigned char *)in + i,
			    (size_t)(n - i));

			if (k == -1)
				goto fail;
			i += k;
			if (i < n && feed(r, (unsigned char)in[i]) == -1)
				goto fail;
		}
	}
	/* the end of input ends an unfinished line: add its CRLF */
	if (!r->done && (r->pending_cr || (r->phase == PH_HEADER ?
	    r->linelen > 0 : r->cur_len > 0)) && eol(r) == -1)
		goto fail;
	if (flush(r) == -1)
		goto fail;
	free(r->line);
	free(r);
	free(in);
	return m;
fail:
	if (r != NULL)
		free(r->line);
	free(r);
	free(in);
	message_free(m);
	return NULL;
}

size_t
message_header_count(const struct message *m)
{
	return m->h.n;
}

int
message_header_get(const struct message *m, size_t i, const char **name,
    const char **value)
{
	if (i >= m->h.n)
		return -1;
	*name = m->h.f[i].name;
	*value = header_value(&m->h, i);
	return 0;
}

size_t
message_header_remove(struct message *m, const char *name)
{
	return header_list_remove(&m->h, name);
}

int
message_header_add(struct message *m, const char *name, const char *value)
{
	return header_list_add(&m->h, name, value);
}

void
message_stats(const struct message *m, struct message_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->body_size = m->body_size;
	st->nul = m->nul;
	st->body_eightbit = m->body8;
	st->body_longlines = m->bodylong;
	for (size_t i = 0; i < m->h.n; i++)
		for (const char *p = m->h.f[i].raw; *p != '\0'; p++)
			if (*p & 0x80)
				st->header_eightbit = 1;
}

static ssize_t
msrc_read(void *ctx, char *buf, size_t len)
{
	struct msrc *s = ctx;
	uint64_t off;
	ssize_t n;

	if (s->pos < s->hdrlen) {
		size_t k = s->hdrlen - (size_t)s->pos;

		if (k > len)
			k = len;
		memcpy(buf, s->hdr + s->pos, k);
		s->pos += k;
		return (ssize_t)k;
	}
	off = s->pos - s->hdrlen;
	if (off >= s->m->body_size)
		return 0;
	if (len > s->m->body_size - off)
		len = (size_t)(s->m->body_size - off);
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	do
		n = pread(s->m->fd, buf, len, (off_t)off);
	while (n == -1 && errno == EINTR);
	if (n == 0) {
		errno = EIO;	/* the file shrank under us */
		return -1;
	}
	if (n > 0)
		s->pos += (uint64_t)n;
	return n;
}

static int
msrc_rewind(void *ctx)
{
	((struct msrc *)ctx)->pos = 0;
	return 0;
}

/* Scan the body's first octets is not needed: flags were kept on read. */
static void
msrc_init(struct message *m, struct msrc *s, int whole, struct source *src)
{
	memset(src, 0, sizeof(*src));
	s->m = m;
	s->whole = whole;
	s->pos = 0;
	src->read = msrc_read;
	src->rewind = msrc_rewind;
	src->ctx = s;
	src->size = s->hdrlen + m->body_size;
	src->eightbit = m->body8;
	src->longlines = m->bodylong;
}

int
message_body_source(struct message *m, struct source *src)
{
	free(m->src_body.hdr);
	m->src_body.hdr = NULL;
	m->src_body.hdrlen = 0;
	msrc_init(m, &m->src_body, 0, src);
	return 0;
}

int
message_source(struct message *m, struct source *src)
{
	struct msrc *s = &m->src_whole;
	size_t o = 0;
	char *h;

	if ((h = malloc(m->h.bytes + 2)) == NULL)
		return -1;
	for (size_t i = 0; i < m->h.n; i++) {
		size_t l = strlen(m->h.f[i].raw);

		memcpy(h + o, m->h.f[i].raw, l);
		memcpy(h + o + l, "\r\n", 2);
		o += l + 2;
	}
	memcpy(h + o, "\r\n", 2);
	o += 2;
	free(s->hdr);
	s->hdr = h;
	s->hdrlen = o;
	msrc_init(m, s, 1, src);
	/* the header lines count too */
	for (size_t i = 0, col = 0; i < o; i++) {
		if (h[i] & 0x80)
			src->eightbit = 1;
		if (h[i] == '\r') {
			if (col > LINE_MAX_SMTP)
				src->longlines = 1;
			col = 0;
			i++;
		} else
			col++;
	}
	return 0;
}

void
message_print_headers(const struct message *m, FILE *fp)
{
	/* folds shown as LF; other control octets escaped, so a header
	 * cannot drive the terminal it is printed on */
	for (size_t i = 0; i < m->h.n; i++) {
		for (const char *p = m->h.f[i].raw; *p != '\0'; p++) {
			unsigned char c = (unsigned char)*p;

			if (c == '\r' && p[1] == '\n')
				continue;
			if ((c < 32 && c != '\t' && c != '\n') || c == 127)
				fprintf(fp, "\\x%02x", c);
			else
				putc(c, fp);
		}
		putc('\n', fp);
	}
}

void
message_free(struct message *m)
{
	if (m == NULL)
		return;
	if (m->fd != -1)
		close(m->fd);
	header_list_free(&m->h);
	free(m->src_whole.hdr);
	free(m->src_body.hdr);
	free(m);
}
