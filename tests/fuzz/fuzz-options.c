/* SPDX-License-Identifier: MIT */
/*
 * fuzz-options: the sendmail command line.  The input is argv, words
 * separated by NUL (argv[0] "sendmail", or "mailq" when the input starts
 * with 'q').  Invariants: options_parse fails only with EX_USAGE or
 * EX_DATAERR; what it accepts holds no CR or LF in the sender, the full
 * name, the account or a recipient (they reach SMTP commands and header
 * fields); the failure message holds no CR or LF either.
 */
#include "config.h"

#include "fuzz.h"
#include "options.h"

#define FUZZ_ARGS	64

static void
no_crlf(const char *s)
{
	if (s != NULL)
		fuzz_assert(strpbrk(s, "\r\n") == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char name_sendmail[] = "sendmail", name_mailq[] = "mailq";
	char *copy, *argv[FUZZ_ARGS + 2], *p, *end;
	struct options o;
	struct failure f;
	size_t i;
	int argc = 1;

	if (size > 4096)
		return 0;
	copy = fuzz_strdup(data, size);
	argv[0] = size > 0 && data[0] == 'q' ? name_mailq :
	    name_sendmail;
	for (p = copy, end = copy + size; p <= end && argc <= FUZZ_ARGS;
	    p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	failure_clear(&f);
	if (options_parse(&o, argc, argv, &f) == -1) {
		fuzz_assert(f.code == EX_USAGE || f.code == EX_DATAERR);
		no_crlf(f.msg);
		free(copy);
		return 0;
	}
	no_crlf(o.sender);
	no_crlf(o.from_name);
	no_crlf(o.account);
	no_crlf(o.dsn_envid);
	for (i = 0; i < o.nrcpts; i++)
		no_crlf(o.rcpts[i]);
	for (i = 0; i < o.nattach; i++) {
		no_crlf(o.attach[i].type);
		no_crlf(o.attach[i].name);
	}
	fuzz_assert(o.nattach <= OPTIONS_MAX_ATTACH);
	free(copy);
	return 0;
}
