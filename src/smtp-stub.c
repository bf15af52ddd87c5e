/* SPDX-License-Identifier: MIT */
/*
 * TEMPORARY stub of smtp.h so that branch cli links before branch smtp
 * lands.  It never connects and never reports success.
 * DELETE at merge (with its line in Makefile.am, sources:foundation).
 */
#include "config.h"

#include "smtp.h"

struct smtp_session *
smtp_open(const struct account *a, struct failure *f)
{
	failure_set(f, EX_SOFTWARE, FAIL_PERM,
	    "the SMTP session is not built yet (stub)");
	return NULL;
}

int
smtp_transaction(struct smtp_session *s, struct envelope *e,
    struct source *src, struct failure *f)
{
	failure_set(f, EX_SOFTWARE, FAIL_PERM,
	    "the SMTP session is not built yet (stub)");
	return -1;
}

void
smtp_close(struct smtp_session *s)
{
}

const struct smtp_info *
smtp_get_info(const struct smtp_session *s)
{
	static const struct smtp_info none;

	return &none;
}
