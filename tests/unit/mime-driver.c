/* SPDX-License-Identifier: MIT */
/*
 * mime-driver: build a message with attachments, for tests/t0600-mime.sh.
 *   mime-driver [-8] [-c CHUNK] [-w] {[-T TYPE] [-N NAME] -a FILE}...
 *       < message > built
 * -8: the relay takes 8BITMIME; -c: read the result CHUNK octets at a time
 * (0: random sizes); -w: read part of it, rewind, then read it all; -T and
 * -N apply to the next -a.  The message is read with line endings made
 * CRLF, split into header fields and body (a minimal stand-in for message
 * intake).  Prints "size N eightbit E longlines L" on stderr; exits with
 * the failure's code (and its message) when building fails, 70 when the
 * output length differs from the announced size.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mime.h"

struct body {
	int		 fd;
	off_t		 start, end, pos;
};

static ssize_t
body_read(void *ctx, char *buf, size_t len)
{
	struct body *b = ctx;
	ssize_t r;

	if ((off_t)len > b->end - b->pos)
		len = (size_t)(b->end - b->pos);
	if (len == 0)
		return 0;
	r = pread(b->fd, buf, len, b->pos);
	if (r > 0)
		b->pos += r;
	return r;
}

static int
body_rewind(void *ctx)
{
	struct body *b = ctx;

	b->pos = b->start;
	return 0;
}

/* stdin -> temporary file with CRLF line endings */
static FILE *
spool(void)
{
	FILE *fp = tmpfile();
	int c, prev = 0;

	if (fp == NULL)
		return NULL;
	while ((c = getchar()) != EOF) {
		if (c == '\n' && prev != '\r')
			putc('\r', fp);
		putc(c, fp);
		prev = c;
	}
	if (fflush(fp) != 0)
		return NULL;
	return fp;
}

#define MAX_FIELDS 200

int
main(int argc, char **argv)
{
	static struct mime_field f[MAX_FIELDS];
	static char head[1 << 20];
	const char *type = NULL, *name = NULL;
	struct failure fail = { 0, FAIL_NONE, "" };
	struct source out;
	struct body body;
	struct mime *m;
	size_t hlen, nf = 0, i, chunk = 65536;
	uint64_t total = 0;
	int c, eightbit = 0, rewind_test = 0;
	char *buf, *p, *end;
	FILE *fp;
	ssize_t r;

	if ((m = mime_new()) == NULL)
		return 71;
	while ((c = getopt(argc, argv, "8a:c:wT:N:")) != -1) {
		switch (c) {
		case '8':
			eightbit = 1;
			break;
		case 'a':
			if (mime_add(m, optarg, type, name, &fail) != 0) {
				fprintf(stderr, "mime-driver: %s\n", fail.msg);
				mime_free(m);
				return fail.code;
			}
			type = name = NULL;
			break;
		case 'c':
			chunk = strtoul(optarg, NULL, 10);
			break;
		case 'w':
			rewind_test = 1;
			break;
		case 'T':
			type = optarg;
			break;
		case 'N':
			name = optarg;
			break;
		default:
			return 64;
		}
	}
	if ((fp = spool()) == NULL)
		return 74;
	/* the header block: up to the first empty line */
	hlen = pread(fileno(fp), head, sizeof(head) - 1, 0) > 0 ?
	    (size_t)pread(fileno(fp), head, sizeof(head) - 1, 0) : 0;
	head[hlen] = '\0';
	body.fd = fileno(fp);
	body.end = lseek(body.fd, 0, SEEK_END);
	p = head;
	body.start = 0;
	while (p < head + hlen) {
		if (p[0] == '\r' && p[1] == '\n') {	/* the empty line */
			body.start = p + 2 - head;
			break;
		}
		/* the field ends at a CRLF not followed by WSP */
		for (end = p; (end = strstr(end, "\r\n")) != NULL &&
		    (end[2] == ' ' || end[2] == '\t'); end += 2)
			;
		if (end == NULL || nf == MAX_FIELDS ||
		    (f[nf].value = memchr(p, ':', (size_t)(end - p))) == NULL)
			return 65;
		*(char *)f[nf].value = '\0';
		f[nf].value++;
		f[nf].name = p;
		*end = '\0';
		nf++;
		p = end + 2;
	}
	if (body.start == 0)	/* no empty line: all header, no body */
		body.start = body.end;
	body.pos = body.start;
	if (mime_build_from(m, f, nf, &(struct source){ body_read,
	    body_rewind, &body, (uint64_t)(body.end - body.start), 0, 0 },
	    eightbit, &out, &fail) != 0) {
		fprintf(stderr, "mime-driver: %s\n", fail.msg);
		mime_free(m);
		return fail.code;
	}
	fprintf(stderr, "size %llu eightbit %d longlines %d\n",
	    (unsigned long long)out.size, out.eightbit, out.longlines);
	if ((buf = malloc(1 << 20)) == NULL)
		return 71;
	if (rewind_test) {
		for (i = 0; i < 3; i++)
			if (source_read(&out, buf, 333) < 0)
				return 74;
		if (source_rewind(&out) != 0)
			return 74;
	}
	srand(1);
	for (;;) {
		size_t n = chunk ? chunk : 1 + (size_t)rand() % 100000;

		if (n > 1 << 20)
			n = 1 << 20;
		if ((r = source_read(&out, buf, n)) < 0) {
			fprintf(stderr, "mime-driver: read: %s\n",
			    mime_error(m));
			return 74;
		}
		if (r == 0)
			break;
		if (fwrite(buf, 1, (size_t)r, stdout) != (size_t)r)
			return 74;
		total += (uint64_t)r;
	}
	free(buf);
	mime_free(m);
	fclose(fp);
	if (total != out.size) {
		fprintf(stderr, "mime-driver: %llu octets, announced %llu\n",
		    (unsigned long long)total,
		    (unsigned long long)out.size);
		return 70;
	}
	return fflush(stdout) == 0 ? 0 : 74;
}
