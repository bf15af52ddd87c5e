/* SPDX-License-Identifier: MIT */
/*
 * fuzz-spool: the queue's metadata record (spoolfmt), as a tampered or
 * torn spool file presents it.  The input is a record; spoolfmt_decode
 * must refuse it or accept it whole.  Invariants: an accepted record holds
 * no control octet in the account, the sender or a recipient (they become
 * SMTP commands), every recipient is pending; encoding what was decoded
 * and decoding that again gives the same meta, and encoding is stable
 * (the second encoding equals the first).
 */
#include "config.h"

#include "fuzz.h"
#include "spoolfmt.h"

static void
no_ctl(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		fuzz_assert((unsigned char)*s >= 32 && *s != 127);
}

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
same_meta(const struct spool_meta *a, const struct spool_meta *b)
{
	size_t i;

	fuzz_assert(same_str(a->account, b->account));
	fuzz_assert(same_str(a->env.sender, b->env.sender));
	fuzz_assert(a->env.nrcpt == b->env.nrcpt);
	for (i = 0; i < a->env.nrcpt; i++)
		fuzz_assert(same_str(a->env.rcpt[i].addr, b->env.rcpt[i].addr));
	fuzz_assert(same_str(a->env.dsn_notify, b->env.dsn_notify));
	fuzz_assert(same_str(a->env.dsn_ret, b->env.dsn_ret));
	fuzz_assert(same_str(a->env.dsn_envid, b->env.dsn_envid));
	fuzz_assert(a->env.body == b->env.body);
	fuzz_assert(a->env.smtputf8 == b->env.smtputf8);
	fuzz_assert(a->size == b->size && a->eightbit == b->eightbit &&
	    a->longlines == b->longlines && a->attempts == b->attempts);
	fuzz_assert(a->first == b->first && a->last == b->last &&
	    a->next == b->next);
	fuzz_assert(strcmp(a->error, b->error) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spool_meta m, m2, m3;
	char why[128], *e1 = NULL, *e2 = NULL;
	size_t l1, l2, i;

	if (size > SPOOLFMT_MAX)
		return 0;
	spoolfmt_init(&m);
	if (spoolfmt_decode((const char *)data, size, &m, why,
	    sizeof(why)) != 0) {
		fuzz_assert(strlen(why) > 0 && strlen(why) < sizeof(why));
		fuzz_assert(m.env.nrcpt == 0 && m.account == NULL);
		spoolfmt_free(&m);
		return 0;
	}
	no_ctl(m.account);
	no_ctl(m.env.sender);
	for (i = 0; i < m.env.nrcpt; i++) {
		no_ctl(m.env.rcpt[i].addr);
		fuzz_assert(m.env.rcpt[i].state == RCPT_PENDING);
	}
	fuzz_assert(strlen(m.error) < sizeof(m.error));
	if (spoolfmt_encode(&m, &e1, &l1) != 0)
		fuzz_fail("a decoded record cannot be encoded again");
	spoolfmt_init(&m2);
	if (spoolfmt_decode(e1, l1, &m2, why, sizeof(why)) != 0)
		fuzz_fail("our own encoding does not decode: %s", why);
	same_meta(&m, &m2);
	fuzz_assert(spoolfmt_encode(&m2, &e2, &l2) == 0);
	fuzz_assert(l1 == l2 && memcmp(e1, e2, l1) == 0);
	spoolfmt_init(&m3);
	spoolfmt_free(&m3);
	free(e1);
	free(e2);
	spoolfmt_free(&m2);
	spoolfmt_free(&m);
	return 0;
}
