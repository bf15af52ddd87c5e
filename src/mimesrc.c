/* SPDX-License-Identifier: MIT */
/*
 * mimesrc: reading the message mime.c built, segment by segment, through
 * fixed buffers: a file is read with pread() in 57 KiB steps and encoded
 * as it goes, so memory stays flat whatever its size.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
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

