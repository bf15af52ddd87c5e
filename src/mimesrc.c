/* SPDX-License-Identifier: MIT */
/*
 * mimesrc: reading the message mime.c built, segment by segment, through
 * fixed buffers: a file is read with pread() in 57 KiB steps and encoded
 * as it goes, so memory stays flat whatever its size.  And mime_print(),
 * what --pretend shows of it: only what mime_build() holds in memory (the
 * header text, each segment's length); no attachment is read.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "encode.h"
#include "mime.h"
#include "mime-int.h"

void
mime_read_reset(struct mime *m)
{
	m->cur = 0;
	m->off = m->produced = m->total = 0;
	m->flushed = 0;
	m->outpos = m->outlen = 0;
	b64_init(&m->b64);
	qp_init(&m->qp);
}

/* ---- reading ---- */

static ssize_t
read_fail(struct mime *m, const char *what, const char *why)
{
	snprintf(m->err, sizeof(m->err), "%s: %s", what, why);
	errno = EIO;
	return -1;
}

/* Refill m->out from the current encoded segment.  Returns 1 when there
 * is output, 0 when the segment is done, -1 on error. */
static int
fill(struct mime *m, struct seg *s)
{
	ssize_t r;

	m->outpos = m->outlen = 0;
	if (m->flushed)
		return 0;
	if (s->kind == SEG_BODY_QP) {
		do
			r = source_read(&m->body, m->in, QP_CHUNK);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return (int)read_fail(m, "message body",
			    strerror(errno));
		if (r > 0)
			m->outlen = qp_update(&m->qp, m->in, (size_t)r,
			    m->out);
		else {
			m->outlen = qp_final(&m->qp, m->out);
			m->flushed = 1;
		}
		return 1;
	}
	/* SEG_FILE: exactly the size fstat gave, then check it did not
	 * grow -- the size was announced before MAIL FROM */
	if (m->off == s->file->size) {
		char c;

		do
			r = pread(s->file->fd, &c, 1, (off_t)m->off);
		while (r < 0 && errno == EINTR);
		if (r != 0)
			return (int)read_fail(m, s->file->path, r > 0 ?
			    "changed size while being sent" :
			    strerror(errno));
		m->outlen = b64_final(&m->b64, m->out);
		m->flushed = 1;
		return 1;
	}
	do {
		uint64_t left = s->file->size - m->off;

		r = pread(s->file->fd, m->in, left < IN_CHUNK ?
		    (size_t)left : IN_CHUNK, (off_t)m->off);
	} while (r < 0 && errno == EINTR);
	if (r <= 0)
		return (int)read_fail(m, s->file->path, r == 0 ?
		    "changed size while being sent" : strerror(errno));
	m->off += (uint64_t)r;
	m->outlen = b64_update(&m->b64, m->in, (size_t)r, m->out);
	return 1;
}

static void
next_seg(struct mime *m)
{
	m->cur++;
	m->off = m->produced = 0;
	m->flushed = 0;
	m->outpos = m->outlen = 0;
}

ssize_t
mime_src_read(void *ctx, char *buf, size_t len)
{
	struct mime *m = ctx;
	size_t done = 0, k;
	ssize_t r;

	while (done < len && m->cur < m->nsegs) {
		struct seg *s = &m->segs[m->cur];

		if (m->outpos < m->outlen) {
			k = m->outlen - m->outpos;
			if (k > len - done)
				k = len - done;
			memcpy(buf + done, m->out + m->outpos, k);
			m->outpos += k;
			m->produced += k;
			done += k;
			continue;
		}
		switch (s->kind) {
		case SEG_TEXT:
			k = (size_t)(s->len - m->produced);
			if (k > len - done)
				k = len - done;
			memcpy(buf + done, s->text + m->produced, k);
			m->produced += k;
			done += k;
			if (m->produced < s->len)
				continue;
			break;
		case SEG_BODY:
			if (m->produced == s->len) {
				char c;

				/* the body must end where it did */
				r = source_read(&m->body, &c, 1);
				if (r != 0)
					return read_fail(m, "message body",
					    "changed while being sent");
				break;
			}
			k = len - done;
			if (k > s->len - m->produced)
				k = (size_t)(s->len - m->produced);
			r = source_read(&m->body, buf + done, k);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return read_fail(m, "message body", r ?
				    strerror(errno) : "shorter than before");
			m->produced += (size_t)r;
			done += (size_t)r;
			continue;
		default:
			r = fill(m, s);
			if (r < 0)
				return -1;
			if (r > 0)
				continue;
			break;
		}
		/* the segment is over: it must have been as long as said */
		if (m->produced != s->len)
			return read_fail(m, "mime", "segment size mismatch");
		m->total += s->len;
		next_seg(m);
	}
	if (m->cur == m->nsegs && m->total != m->size)
		return read_fail(m, "mime", "size mismatch");
	return (ssize_t)done;
}

int
mime_src_rewind(void *ctx)
{
	struct mime *m = ctx;

	mime_read_reset(m);
	m->err[0] = '\0';
	return source_rewind(&m->body);
}

/* ---- showing (--pretend) ---- */

#define SHOW_MAX	200	/* octets of a field value shown */

/* Folds shown as line breaks; other control octets escaped, so a header
 * or a file name cannot drive the terminal it is printed on. */
static void
put_escaped(FILE *fp, const char *p, size_t n, int unfold)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\r' && i + 1 < n && p[i + 1] == '\n')
			continue;
		if (c == '\n' && unfold)
			continue;
		if (c == '\t' && unfold)
			c = ' ';
		if ((c < 32 && c != '\t' && c != '\n') || c == 127)
			fprintf(fp, "\\x%02x", c);
		else
			putc(c, fp);
	}
}

/* The value of field name in the header block h[0..n), unfolded and
 * trimmed, into out (cut at cap); "" when absent. */
static void
field_value(const char *h, size_t n, const char *name, char *out,
    size_t cap)
{
	size_t nl = strlen(name), i = 0, o = 0;

	out[0] = '\0';
	while (i < n) {
		if (n - i > nl && strncasecmp(h + i, name, nl) == 0 &&
		    h[i + nl] == ':')
			break;
		while (i < n && h[i] != '\n')
			i++;
		i++;
	}
	if (i >= n)
		return;
	for (i += nl + 1; i < n && o + 1 < cap; i++) {
		if (h[i] == '\r' || (h[i] == '\n' && i + 1 < n &&
		    (h[i + 1] == ' ' || h[i + 1] == '\t')))
			continue;
		if (h[i] == '\n')
			break;
		if ((h[i] == ' ' || h[i] == '\t') &&
		    (o == 0 || out[o - 1] == ' '))
			continue;
		out[o++] = h[i] == '\t' ? ' ' : h[i];
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/* The message's own body as the first part: its fields are the ones just
 * before it, in the previous text segment, after the part's delimiter. */
static void
show_body(const struct mime *m, const struct seg *hdr, const struct seg *s,
    FILE *fp)
{
	char type[SHOW_MAX], cte[SHOW_MAX];
	const char *h = hdr->text, *end = h + hdr->len, *p;
	size_t n;

	/* the part's header block: from the last delimiter line on */
	for (p = h; p + 2 < end; p++)
		if (p[0] == '-' && p[1] == '-' && (p == h || p[-1] == '\n') &&
		    strncmp(p + 2, m->boundary, strlen(m->boundary)) == 0)
			h = p;
	n = (size_t)(end - h);
	field_value(h, n, "Content-Type", type, sizeof(type));
	field_value(h, n, "Content-Transfer-Encoding", cte, sizeof(cte));
	fputs("the message body, ", fp);
	/* RFC 2045 sections 5.2 and 6.1: the defaults */
	put_escaped(fp, type[0] ? type : "text/plain; charset=us-ascii",
	    strlen(type[0] ? type : "text/plain; charset=us-ascii"), 1);
	fputs(", ", fp);
	put_escaped(fp, cte[0] ? cte : "7bit", strlen(cte[0] ? cte : "7bit"),
	    1);
	if (m->nested && m->recoded)
		fputs(" (already MIME: transfer encoding set to fit)", fp);
	else if (m->nested)
		fputs(" (already MIME: sent as it is)", fp);
	if (m->could8)
		fputs(" (8bit when the relay offers 8BITMIME)", fp);
	fprintf(fp, ", %llu octets\n", (unsigned long long)s->len);
}

void
mime_print(const struct mime *m, FILE *fp)
{
	const struct seg *s;
	const char *top, *blank;
	size_t i, part = 0;

	if (m->nsegs == 0 || m->segs[0].kind != SEG_TEXT)
		return;
	top = m->segs[0].text;
	blank = strstr(top, "\r\n\r\n");
	put_escaped(fp, top, blank ? (size_t)(blank - top) + 2 :
	    m->segs[0].len, 0);
	putc('\n', fp);
	for (i = 0; i < m->nsegs; i++) {
		s = &m->segs[i];
		if (s->kind == SEG_TEXT)
			continue;
		fprintf(fp, "part %zu: ", ++part);
		if (s->kind != SEG_FILE) {
			show_body(m, &m->segs[i - 1], s, fp);
			continue;
		}
		put_escaped(fp, s->file->type, strlen(s->file->type), 1);
		fputs(", base64, file \"", fp);
		put_escaped(fp, s->file->name, strlen(s->file->name), 1);
		fprintf(fp, "\", %llu octets (%llu in the file)\n",
		    (unsigned long long)s->len,
		    (unsigned long long)s->file->size);
	}
	fprintf(fp, "message size: %llu octets\n",
	    (unsigned long long)m->size);
}
