/* SPDX-License-Identifier: MIT */
/*
 * spoolfmt: encode and decode the metadata record of a queued message.
 * Pure: no I/O besides memory streams.  See spoolfmt.h for the format.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoolfmt.h"

#define MAGIC		"postie-spool 1\n"
#define KEY_MAX		15

void
spoolfmt_init(struct spool_meta *m)
{
	memset(m, 0, sizeof(*m));
	envelope_init(&m->env);
}

void
spoolfmt_free(struct spool_meta *m)
{
	free(m->account);
	envelope_free(&m->env);
	spoolfmt_init(m);
}

/* An address or name: no C0 control octet, no DEL (RFC 5321 section 4.1.2
 * has no place for them, and CR/LF would end an SMTP command line). */
static int
clean(const char *s, size_t len)
{
	if (len > SPOOLFMT_VALUE_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static void
put(FILE *f, const char *key, const char *val, size_t len)
{
	fprintf(f, "%s %zu:", key, len);
	fwrite(val, 1, len, f);
	fputc('\n', f);
}

static void
put_str(FILE *f, const char *key, const char *val)
{
	put(f, key, val, strlen(val));
}

static void
put_num(FILE *f, const char *key, uint64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%" PRIu64, v);

	put(f, key, b, (size_t)n);
}

int
spoolfmt_encode(const struct spool_meta *m, char **out, size_t *outlen)
{
	const struct envelope *e = &m->env;
	const char *strs[] = { m->account, e->sender, e->dsn_notify,
	    e->dsn_ret, e->dsn_envid };
	char err[FAILURE_MSG_MAX];
	size_t elen;
	FILE *f;

	if (m->account == NULL || e->sender == NULL)
		return errno = EINVAL, -1;
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i] != NULL && !clean(strs[i], strlen(strs[i])))
			return errno = EINVAL, -1;
	for (size_t i = 0; i < e->nrcpt; i++)
		if (!clean(e->rcpt[i].addr, strlen(e->rcpt[i].addr)) ||
		    e->rcpt[i].addr[0] == '\0')
			return errno = EINVAL, -1;
	/* The error is relay text: keep it, but printable. */
	elen = strnlen(m->error, sizeof(m->error) - 1);
	for (size_t i = 0; i < elen; i++) {
		unsigned char c = (unsigned char)m->error[i];
		err[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	err[elen] = '\0';

	if ((f = open_memstream(out, outlen)) == NULL)
		return -1;
	fputs(MAGIC, f);
	put_str(f, "account", m->account);
	put_str(f, "sender", e->sender);
	for (size_t i = 0; i < e->nrcpt; i++)
		put_str(f, "rcpt", e->rcpt[i].addr);
	if (e->dsn_notify != NULL)
		put_str(f, "notify", e->dsn_notify);
	if (e->dsn_ret != NULL)
		put_str(f, "ret", e->dsn_ret);
	if (e->dsn_envid != NULL)
		put_str(f, "envid", e->dsn_envid);
	put_num(f, "body", (uint64_t)e->body);
	put_num(f, "smtputf8", e->smtputf8 != 0);
	put_num(f, "size", m->size);
	put_num(f, "eightbit", m->eightbit != 0);
	put_num(f, "longlines", m->longlines != 0);
	put_num(f, "attempts", m->attempts);
	put_num(f, "first", (uint64_t)(m->first < 0 ? 0 : m->first));
	put_num(f, "last", (uint64_t)(m->last < 0 ? 0 : m->last));
	put_num(f, "next", (uint64_t)(m->next < 0 ? 0 : m->next));
	put(f, "error", err, elen);
	fputs("end 0:\n", f);
	if (ferror(f)) {
		fclose(f);
		free(*out);
		*out = NULL;
		return errno = ENOMEM, -1;
	}
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- decode */

struct cursor {
	const char	*p;
	const char	*end;
	const char	*why;
};

/* Read "key SP len ':' value LF".  Returns 1 with the parts set, 0 when
 * corrupt (c->why set). */
static int
field(struct cursor *c, char key[KEY_MAX + 1], const char **val,
    size_t *len)
{
	size_t k = 0, n = 0, digits = 0;

	while (c->p < c->end && k < KEY_MAX && ((*c->p >= 'a' &&
	    *c->p <= 'z') || (k > 0 && *c->p >= '0' && *c->p <= '9')))
		key[k++] = *c->p++;
	key[k] = '\0';
	if (k == 0 || c->p >= c->end || *c->p++ != ' ')
		return c->why = "bad field name", 0;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		if (digits++ > 0 && n == 0)
			return c->why = "leading zero in length", 0;
		n = n * 10 + (size_t)(*c->p++ - '0');
		if (n > SPOOLFMT_VALUE_MAX)
			return c->why = "value too long", 0;
	}
	if (digits == 0 || c->p >= c->end || *c->p++ != ':')
		return c->why = "bad length", 0;
	if ((size_t)(c->end - c->p) < n + 1)
		return c->why = "truncated", 0;
	*val = c->p;
	*len = n;
	c->p += n;
	if (*c->p++ != '\n')
		return c->why = "field not terminated", 0;
	return 1;
}

static int
number(const char *v, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;

	if (len == 0 || len > 20 || (len > 1 && v[0] == '0'))
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		if (n > (max - (uint64_t)(v[i] - '0')) / 10)
			return 0;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	*out = n;
	return 1;
}

static char *
dupn(const char *v, size_t len)
{
	char *s = malloc(len + 1);

	if (s != NULL) {
		memcpy(s, v, len);
		s[len] = '\0';
	}
	return s;
}

/* Store one string field; 1 done, 0 corrupt, -1 out of memory. */
static int
set_str(char **dst, const char *v, size_t len)
{
	if (*dst != NULL || !clean(v, len))
		return 0;
	return (*dst = dupn(v, len)) != NULL ? 1 : -1;
}

enum { F_ACCOUNT = 1, F_SENDER = 2, F_SIZE = 4, F_FIRST = 8 };

static int
one(struct spool_meta *m, const char *key, const char *v, size_t len,
    unsigned *seen, struct cursor *c)
{
	struct envelope *e = &m->env;
	uint64_t n;
	char *s;

	if (strcmp(key, "account") == 0) {
		*seen |= F_ACCOUNT;
		return set_str(&m->account, v, len);
	}
	if (strcmp(key, "sender") == 0) {
		*seen |= F_SENDER;
		return set_str(&e->sender, v, len);
	}
	if (strcmp(key, "rcpt") == 0) {
		if (len == 0 || !clean(v, len))
			return 0;
		if ((s = dupn(v, len)) == NULL)
			return -1;
		n = envelope_add_rcpt(e, s) == 0 ? 1 : 0;
		free(s);
		return n ? 1 : -1;
	}
	if (strcmp(key, "notify") == 0)
		return set_str(&e->dsn_notify, v, len);
	if (strcmp(key, "ret") == 0)
		return set_str(&e->dsn_ret, v, len);
	if (strcmp(key, "envid") == 0)
		return set_str(&e->dsn_envid, v, len);
	if (strcmp(key, "error") == 0) {
		if (len >= sizeof(m->error) || memchr(v, '\0', len) != NULL)
			return 0;
		/* shown by mailq: printable whatever the file holds, as the
		 * encoder writes it */
		for (size_t i = 0; i < len; i++)
			m->error[i] = ((unsigned char)v[i] < 0x20 ||
			    v[i] == 0x7f) ? '?' : v[i];
		m->error[len] = '\0';
		return 1;
	}
	if (!number(v, len, INT64_MAX, &n))
		return c->why = "bad number", 0;
	if (strcmp(key, "body") == 0) {
		if (n > BODY_8BITMIME)
			return 0;
		e->body = (enum body_type)n;
	} else if (strcmp(key, "smtputf8") == 0)
		e->smtputf8 = n != 0;
	else if (strcmp(key, "size") == 0) {
		m->size = n;
		*seen |= F_SIZE;
	} else if (strcmp(key, "eightbit") == 0)
		m->eightbit = n != 0;
	else if (strcmp(key, "longlines") == 0)
		m->longlines = n != 0;
	else if (strcmp(key, "attempts") == 0) {
		if (n > 1000000)
			return 0;
		m->attempts = (unsigned)n;
	} else if (strcmp(key, "first") == 0) {
		m->first = (int64_t)n;
		*seen |= F_FIRST;
	} else if (strcmp(key, "last") == 0)
		m->last = (int64_t)n;
	else if (strcmp(key, "next") == 0)
		m->next = (int64_t)n;
	/* An unknown numeric field from a later minor revision is ignored. */
	return 1;
}

int
spoolfmt_decode(const char *buf, size_t len, struct spool_meta *m,
    char *why, size_t whylen)
{
	struct cursor c = { buf, buf + len, NULL };
	char key[KEY_MAX + 1];
	const char *v;
	size_t vlen;
	unsigned seen = 0;
	int r, ended = 0;

	spoolfmt_init(m);
	if (len > SPOOLFMT_MAX)
		c.why = "record too large";
	else if (len < strlen(MAGIC) || memcmp(buf, MAGIC, strlen(MAGIC)) != 0)
		c.why = "not a postie spool record (or another version)";
	else
		c.p += strlen(MAGIC);
	while (c.why == NULL && c.p < c.end) {
		if (!field(&c, key, &v, &vlen))
			break;
		if (strcmp(key, "end") == 0) {
			if (vlen != 0 || c.p != c.end)
				c.why = "data after the end marker";
			ended = 1;
			break;
		}
		r = one(m, key, v, vlen, &seen, &c);
		if (r < 0)
			c.why = "out of memory";
		else if (r == 0 && c.why == NULL)
			c.why = "bad value";
	}
	if (c.why == NULL && !ended)
		c.why = "truncated (no end marker)";
	if (c.why == NULL && seen != (F_ACCOUNT | F_SENDER | F_SIZE | F_FIRST))
		c.why = "a required field is missing";
	if (c.why == NULL && m->env.nrcpt == 0)
		c.why = "no recipient";
	if (c.why != NULL) {
		if (why != NULL)
			snprintf(why, whylen, "%s", c.why);
		spoolfmt_free(m);
		return -1;
	}
	return 0;
}
