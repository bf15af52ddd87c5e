/* SPDX-License-Identifier: MIT */
/*
 * mime-message: mime_build() on a struct message.  Kept apart from mime.c
 * so the builder can be linked (and tested) without message intake.
 */
#include "config.h"

#include <stdlib.h>

#include "message.h"
#include "mime.h"

int
mime_build(struct mime *m, struct message *msg, int eightbit_ok,
    struct source *src, struct failure *fail)
{
	struct mime_field *f;
	struct source body;
	size_t i, n = message_header_count(msg);
	int rc;

	if ((f = calloc(n ? n : 1, sizeof(*f))) == NULL) {
		failure_set(fail, EX_OSERR, FAIL_TEMP, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (message_header_get(msg, i, &f[i].name, &f[i].value) != 0) {
			free(f);
			failure_set(fail, EX_SOFTWARE, FAIL_PERM,
			    "mime: header field %zu missing", i);
			return -1;
		}
	if (message_body_source(msg, &body) != 0) {
		free(f);
		failure_set(fail, EX_IOERR, FAIL_TEMP,
		    "mime: cannot read the message body");
		return -1;
	}
	/* the fields are copied into the new header block here */
	rc = mime_build_from(m, f, n, &body, eightbit_ok, src, fail);
	free(f);
	return rc;
}
