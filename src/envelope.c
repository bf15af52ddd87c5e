/* SPDX-License-Identifier: MIT */
/*
 * envelope: sender and recipients with a state each.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "envelope.h"

void
envelope_init(struct envelope *e)
{
	memset(e, 0, sizeof(*e));
}

void
envelope_free(struct envelope *e)
{
	for (size_t i = 0; i < e->nrcpt; i++)
		free(e->rcpt[i].addr);
	free(e->rcpt);
	free(e->sender);
	free(e->dsn_notify);
	free(e->dsn_ret);
	free(e->dsn_envid);
	memset(e, 0, sizeof(*e));
}

int
envelope_set_sender(struct envelope *e, const char *addr)
{
	char *s = strdup(addr);

	if (s == NULL)
		return -1;
	free(e->sender);
	e->sender = s;
	return 0;
}

int
envelope_add_rcpt(struct envelope *e, const char *addr)
{
	for (size_t i = 0; i < e->nrcpt; i++)
		if (strcmp(e->rcpt[i].addr, addr) == 0)
			return 0;
	if (e->nrcpt == e->rcpt_cap) {
		size_t ncap = e->rcpt_cap ? e->rcpt_cap * 2 : 8;
		struct recipient *n = realloc(e->rcpt, ncap * sizeof(*n));

		if (n == NULL)
			return -1;
		e->rcpt = n;
		e->rcpt_cap = ncap;
	}
	memset(&e->rcpt[e->nrcpt], 0, sizeof(e->rcpt[0]));
	if ((e->rcpt[e->nrcpt].addr = strdup(addr)) == NULL)
		return -1;
	e->nrcpt++;
	return 0;
}

size_t
envelope_count(const struct envelope *e, enum rcpt_state st)
{
	size_t n = 0;

	for (size_t i = 0; i < e->nrcpt; i++)
		if (e->rcpt[i].state == st)
			n++;
	return n;
}
