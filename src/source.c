/* SPDX-License-Identifier: MIT */
/*
 * source: a message held in memory (a bounce, for one) as a struct source.
 */
#include "config.h"

#include <string.h>

#include "source.h"

static ssize_t
mem_read(void *ctx, char *buf, size_t len)
{
	struct source_mem *m = ctx;

	if (len > m->len - m->off)
		len = m->len - m->off;
	memcpy(buf, m->p + m->off, len);
	m->off += len;
	return (ssize_t)len;
}

static int
mem_rewind(void *ctx)
{
	((struct source_mem *)ctx)->off = 0;
	return 0;
}

void
source_from_memory(struct source *src, struct source_mem *m, const char *p,
    size_t len)
{
	size_t line = 0;

	m->p = p;
	m->len = len;
	m->off = 0;
	memset(src, 0, sizeof(*src));
	src->read = mem_read;
	src->rewind = mem_rewind;
	src->ctx = m;
	src->size = len;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)p[i] >= 0x80)
			src->eightbit = 1;
		if (p[i] == '\n')
			line = 0;
		else if (++line > 998)
			src->longlines = 1;
	}
}
