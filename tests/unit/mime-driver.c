/* SPDX-License-Identifier: MIT */
/*
 * mime-driver: build a message with attachments, for tests/t0600-mime.sh.
 *   mime-driver [-8] [-t] [-c CHUNK] [-w] {[-T TYPE] [-N NAME] -a FILE}...
 *       < message > built
 * The message goes through message intake (message_read, and
 * message_prepare with -t as given, domain example.org) and then
 * mime_build(), exactly as postie does.  -8: the relay takes 8BITMIME;
 * -c: read the result CHUNK octets at a time (0: random sizes); -w: read
 * part of it, rewind, then read it all; -T and -N apply to the next -a.
 * Prints "size N eightbit E longlines L" on stderr; exits with the
 * failure's code (and its message) when building fails, 70 when the output
 * length differs from the announced size.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envelope.h"
#include "message.h"
#include "mime.h"

int
main(int argc, char **argv)
{
	struct intake_opts io = { .dot_ends = 0 };
	struct prepare_opts po = { .add_from = 1, .domain = "example.org" };
	const char *type = NULL, *name = NULL;
	struct failure fail = { 0, FAIL_NONE, "" };
	struct envelope env;
	struct message *msg = NULL;
	struct source out;
	struct mime *m;
	size_t i, chunk = 65536;
	uint64_t total = 0;
	int c, eightbit = 0, rewind_test = 0, rc = 0;
	char *buf;
	ssize_t r;

	envelope_init(&env);
	if ((m = mime_new()) == NULL)
		return 71;
	while ((c = getopt(argc, argv, "8a:c:tT:wN:")) != -1) {
		switch (c) {
		case '8':
			eightbit = 1;
			break;
		case 'a':
			if (mime_add(m, optarg, type, name, &fail) != 0)
				goto fail;
			type = name = NULL;
			break;
		case 'c':
			chunk = strtoul(optarg, NULL, 10);
			break;
		case 't':
			po.extract_rcpts = 1;
			break;
		case 'w':
			rewind_test = 1;
			break;
		case 'T':
			type = optarg;
			break;
		case 'N':
			name = optarg;
			break;
		default:
			return 64;
		}
	}
	if (envelope_set_sender(&env, "sender@example.org") == -1 ||
	    (!po.extract_rcpts &&
	    envelope_add_rcpt(&env, "rcpt@example.org") == -1))
		return 71;
	if ((msg = message_read(0, &io, &fail)) == NULL ||
	    message_prepare(msg, &env, &po, &fail) == -1 ||
	    mime_build(m, msg, eightbit, &out, &fail) == -1)
		goto fail;
	fprintf(stderr, "size %llu eightbit %d longlines %d\n",
	    (unsigned long long)out.size, out.eightbit, out.longlines);
	for (i = 0; i < env.nrcpt; i++)
		fprintf(stderr, "rcpt <%s>\n", env.rcpt[i].addr);
	if ((buf = malloc(1 << 20)) == NULL)
		return 71;
	if (rewind_test) {
		for (i = 0; i < 3; i++)
			if (source_read(&out, buf, 333) < 0)
				return 74;
		if (source_rewind(&out) != 0)
			return 74;
	}
	srand(1);
	for (;;) {
		size_t n = chunk ? chunk : 1 + (size_t)rand() % 100000;

		if (n > 1 << 20)
			n = 1 << 20;
		if ((r = source_read(&out, buf, n)) < 0) {
			fprintf(stderr, "mime-driver: read: %s\n",
			    mime_error(m));
			rc = 74;
			break;
		}
		if (r == 0)
			break;
		if (fwrite(buf, 1, (size_t)r, stdout) != (size_t)r) {
			rc = 74;
			break;
		}
		total += (uint64_t)r;
	}
	free(buf);
	if (rc == 0 && total != out.size) {
		fprintf(stderr, "mime-driver: %llu octets, announced %llu\n",
		    (unsigned long long)total,
		    (unsigned long long)out.size);
		rc = 70;
	}
	mime_free(m);
	message_free(msg);
	envelope_free(&env);
	if (rc == 0 && fflush(stdout) != 0)
		rc = 74;
	return rc;
fail:
	fprintf(stderr, "mime-driver: %s\n", fail.msg);
	mime_free(m);
	message_free(msg);
	envelope_free(&env);
	return fail.code;
}
