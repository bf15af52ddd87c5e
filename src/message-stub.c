/* SPDX-License-Identifier: MIT */
/*
 * TEMPORARY stub of message.h so that branch cli links before branch
 * intake lands.  Every entry point fails; nothing is ever sent.
 * DELETE at merge (with its line in Makefile.am, sources:foundation).
 */
#include "config.h"

#include "message.h"

struct message *
message_read(int fd, const struct intake_opts *io, struct failure *f)
{
	failure_set(f, EX_SOFTWARE, FAIL_PERM,
	    "message intake is not built yet (stub)");
	return NULL;
}

int
message_prepare(struct message *m, struct envelope *e,
    const struct prepare_opts *po, struct failure *f)
{
	failure_set(f, EX_SOFTWARE, FAIL_PERM,
	    "message intake is not built yet (stub)");
	return -1;
}

int
message_source(struct message *m, struct source *s)
{
	return -1;
}

void
message_print_headers(const struct message *m, FILE *fp)
{
}

void
message_free(struct message *m)
{
}
