/* SPDX-License-Identifier: MIT */
/*
 * tests/smtpd/reply.c: sending replies, with the script's faults applied
 * in place of (or around) the normal reply.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpd.h"

static int
code_of(const char *s, size_t n)
{
	if (n < 3 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] < '0' || s[2] > '9')
		return 0;
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* Reply lines forever (bounded by count, and by -T). */
static int
endless(struct conn *c, int code)
{
	char line[128];
	unsigned long i;
	int n;

	for (i = 0; i < 100000000UL; i++) {
		n = snprintf(line, sizeof(line),
		    "%03d-endless reply line %lu xxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n",
		    code, i);
		if (conn_reply(c, line, (size_t)n) < 0)
			return -1;
	}
	return -1;
}

static int
oversized(struct conn *c, int code, size_t len)
{
	char *buf;
	int r;

	if (len < 6)
		len = 6;
	if ((buf = malloc(len)) == NULL)
		return -1;
	memset(buf, 'x', len);
	snprintf(buf, 5, "%03d ", code);
	buf[4] = 'x';
	buf[len - 2] = '\r';
	buf[len - 1] = '\n';
	r = conn_reply(c, buf, len);
	free(buf);
	return r < 0 ? -1 : code;
}

static int
many_lines(struct conn *c, int code, unsigned long nlines)
{
	char *buf;
	size_t k = 0, cap;
	unsigned long i;
	int r;

	if (nlines == 0)
		nlines = 1;
	cap = nlines * 32 + 32;
	if ((buf = malloc(cap)) == NULL)
		return -1;
	for (i = 1; i <= nlines; i++)
		k += (size_t)snprintf(buf + k, cap - k, "%03d%cline %lu\r\n",
		    code, i < nlines ? '-' : ' ', i);
	r = conn_reply(c, buf, k);
	free(buf);
	return r < 0 ? -1 : code;
}

/*
 * Apply rule (from the script) where the normal reply would be sent.
 * Returns the reply code the client was given (0 when it was not a
 * number), or -1 when the connection is over.
 */
int
rule_apply(struct conn *c, const struct rule *r, const char *normal)
{
	size_t nl = strlen(normal);
	char *buf;
	int code;

	switch (r->act) {
	case ACT_REPLY:
	case ACT_RAW:
		if (conn_reply(c, r->arg, r->arglen) < 0)
			return -1;
		return code_of(r->arg, r->arglen);
	case ACT_DROP:
		trace("smtpd: dropping the connection");
		c->dead = 1;
		return -1;
	case ACT_STALL:
		if (conn_stall(c, r->num) < 0)
			return -1;
		return conn_reply(c, normal, nl) < 0 ? -1 :
		    code_of(normal, nl);
	case ACT_ENDLESS:
		return endless(c, code_of(normal, nl));
	case ACT_INJECT:
		/* one write: the reply and the injected bytes together */
		if ((buf = malloc(nl + r->arglen)) == NULL)
			return -1;
		memcpy(buf, normal, nl);
		memcpy(buf + nl, r->arg, r->arglen);
		code = conn_reply(c, buf, nl + r->arglen) < 0 ? -1 :
		    code_of(normal, nl);
		free(buf);
		return code;
	case ACT_OVERSIZED:
		return oversized(c, r->code, (size_t)r->num);
	case ACT_MANYLINES:
		return many_lines(c, r->code, (unsigned long)r->num);
	}
	return -1;
}

/* Send the normal reply for phase p, unless the script says otherwise. */
int
send_reply(struct conn *c, enum phase p, const char *normal)
{
	const struct rule *r = script_match(c->cf, p);
	size_t n = strlen(normal);

	if (r != NULL)
		return rule_apply(c, r, normal);
	if (conn_reply(c, normal, n) < 0)
		return -1;
	return code_of(normal, n);
}
