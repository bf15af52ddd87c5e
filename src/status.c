/* SPDX-License-Identifier: MIT */
/*
 * status: failures and the one table that turns them into exit codes.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "status.h"

void
failure_vset(struct failure *f, int code, enum fail_class cls,
    const char *fmt, va_list ap)
{
	if (f == NULL || f->cls != FAIL_NONE)
		return;
	f->code = code;
	f->cls = cls;
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	/* one line: a reply or a file name must not break the log format */
	for (char *p = f->msg; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
}

void
failure_set(struct failure *f, int code, enum fail_class cls,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	failure_vset(f, code, cls, fmt, ap);
	va_end(ap);
}

void
failure_clear(struct failure *f)
{
	memset(f, 0, sizeof(*f));
}

/*
 * Enhanced status codes (RFC 3463) say more than the basic code, so they
 * decide when present.  The subject digits follow sendmail's long-standing
 * mapping, which callers of /usr/sbin/sendmail already know; a 4xx is
 * always EX_TEMPFAIL so that callers retry (msmtp gives 69 here: wrong).
 */
int
status_from_reply(int code, const char *enh, enum fail_class *cls)
{
	int cl = code / 100, subj = -1, det = -1;

	if (enh != NULL && sscanf(enh, "%*d.%d.%d", &subj, &det) != 2)
		subj = det = -1;
	if (cl == 2) {
		*cls = FAIL_NONE;
		return EX_OK;
	}
	if (cl == 4) {
		*cls = FAIL_TEMP;
		return EX_TEMPFAIL;
	}
	if (cl != 5) {
		*cls = FAIL_PERM;
		return EX_PROTOCOL;
	}
	*cls = FAIL_PERM;
	switch (subj) {
	case 1:		/* addressing */
		switch (det) {
		case 1: case 6:
			return EX_NOUSER;
		case 2: case 8:
			return EX_NOHOST;
		case 3: case 7:
			return EX_DATAERR;
		default:
			return EX_UNAVAILABLE;
		}
	case 2:		/* mailbox */
		return det == 3 ? EX_DATAERR : EX_UNAVAILABLE;
	case 5:		/* protocol */
		return EX_PROTOCOL;
	case 7:		/* security: 5.7.8 is a refused credential, and
			   so is any 535 (RFC 4954 section 6): Exchange
			   says 535 5.7.3 and 535 5.7.139 */
		return det == 8 || code == 535 ? EX_NOPERM : EX_UNAVAILABLE;
	default:
		break;
	}
	/* An enhanced code that names no address, credential or protocol
	 * problem (x.0.x, x.3.x, x.4.x, x.6.x; RFC 3463 3) refuses the
	 * message: "550 5.6.0" is refused content, not an unknown user. */
	if (subj != -1)
		return EX_UNAVAILABLE;
	/* no usable enhanced code: the basic one */
	switch (code) {
	case 550: case 551: case 553:
		return EX_NOUSER;
	case 535:
		return EX_NOPERM;
	case 500: case 501: case 502: case 503: case 504:
		return EX_PROTOCOL;
	default:
		return EX_UNAVAILABLE;
	}
}

const char *
status_name(int code)
{
	static const struct {
		int		 code;
		const char	*name;
	} names[] = {
		{ EX_OK, "EX_OK" }, { EX_USAGE, "EX_USAGE" },
		{ EX_DATAERR, "EX_DATAERR" }, { EX_NOINPUT, "EX_NOINPUT" },
		{ EX_NOUSER, "EX_NOUSER" }, { EX_NOHOST, "EX_NOHOST" },
		{ EX_UNAVAILABLE, "EX_UNAVAILABLE" },
		{ EX_SOFTWARE, "EX_SOFTWARE" }, { EX_OSERR, "EX_OSERR" },
		{ EX_OSFILE, "EX_OSFILE" }, { EX_CANTCREAT, "EX_CANTCREAT" },
		{ EX_IOERR, "EX_IOERR" }, { EX_TEMPFAIL, "EX_TEMPFAIL" },
		{ EX_PROTOCOL, "EX_PROTOCOL" }, { EX_NOPERM, "EX_NOPERM" },
		{ EX_CONFIG, "EX_CONFIG" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	return "EX_UNKNOWN";
}
