/* SPDX-License-Identifier: MIT */
/*
 * tests/smtpd/data.c: receiving message content.  DATA content is
 * un-dot-stuffed exactly as RFC 5321 §4.5.2 says and nothing more: only
 * CRLF starts a line, only CRLF "." CRLF ends the data (a bare LF is not
 * a line end, §4.1.1.4), so the stored bytes show precisely what the
 * client sent.  Messages are stored as DIR/msg.N (accepted, with the
 * envelope in DIR/msg.N.env) or DIR/refused.N (not acknowledged).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpd.h"

static unsigned nmsg, nref, ntmp;

FILE *
msg_open(const char *dir, char *tmp, size_t cap)
{
	FILE *fp;

	if (dir == NULL)
		return NULL;
	snprintf(tmp, cap, "%s/tmp.%u", dir, ++ntmp);
	if ((fp = fopen(tmp, "w")) == NULL)
		fprintf(stderr, "smtpd: %s: %s\n", tmp, strerror(errno));
	return fp;
}

/*
 * Close fp (named tmp) and give it its final name; env (the envelope
 * lines) goes next to an accepted message.  Returns the message number.
 */
unsigned
msg_close(const char *dir, FILE *fp, const char *tmp, int accepted,
    const char *env, size_t envlen)
{
	char path[4096];
	unsigned n = accepted ? ++nmsg : ++nref;
	FILE *ep;

	if (dir == NULL || fp == NULL)
		return n;
	fclose(fp);
	if (accepted) {
		snprintf(path, sizeof(path), "%s/msg.%u.env", dir, n);
		if ((ep = fopen(path, "w")) != NULL) {
			fwrite(env, 1, envlen, ep);
			fclose(ep);
		}
		snprintf(path, sizeof(path), "%s/msg.%u", dir, n);
	} else
		snprintf(path, sizeof(path), "%s/refused.%u", dir, n);
	if (rename(tmp, path) < 0)
		fprintf(stderr, "smtpd: %s: %s\n", path, strerror(errno));
	return n;
}

/*
 * Read DATA content up to the terminating CRLF.CRLF, storing it
 * un-stuffed to fp (NULL: count only).  *size is the stored length.
 * Returns 0, or -1 when the connection ended first.
 */
int
data_read(struct conn *c, FILE *fp, unsigned long long *size)
{
	enum { NORMAL, CR, BOL, DOT, DOTCR } st = BOL;
	unsigned long long n = 0;
	int ch;

#define PUT(b) do { if (fp != NULL) putc((b), fp); n++; } while (0)
	for (;;) {
		if (c->off == c->len && !conn_fill(c))
			return -1;
		ch = c->buf[c->off++];
		switch (st) {
		case BOL:
			if (ch == '.') {
				st = DOT;	/* stuffed dot, or the end */
				continue;
			}
			break;
		case DOT:
			if (ch == '\r') {
				st = DOTCR;
				continue;
			}
			break;
		case DOTCR:
			if (ch == '\n') {
				*size = n;
				return 0;
			}
			PUT('\r');	/* ".\rX": the dot was stuffing */
			break;
		case CR:
			if (ch == '\n') {
				PUT('\n');
				st = BOL;
				continue;
			}
			break;
		case NORMAL:
			break;
		}
		PUT(ch);
		st = ch == '\r' ? CR : NORMAL;
	}
#undef PUT
}
