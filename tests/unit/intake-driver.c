/* SPDX-License-Identifier: MIT */
/*
 * intake-driver: stdin through message_read() and message_prepare(), the
 * result (message_source) on stdout; for tests/t0300-intake.sh and
 * tests/bench/intake-memory.sh until postie --pretend exists.
 *
 *   intake-driver [-itPBH] [-f sender] [-F name] [-d domain] [-A aliases]
 *       [-e envfile] [-S] [recipient ...]
 *   -i  no lone-dot end     -t  recipients from the header
 *   -P  skip message_prepare (intake only)
 *   -B  print the body source instead of the whole message
 *   -H  print message_print_headers() instead of the message
 *   -S  read the source but print only its size and flags
 *   -n  do not add From       -e  write the envelope and stats to envfile
 * Exits with the sysexits code of the failure, its message on stderr.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envelope.h"
#include "message.h"

static int
write_source(struct source *src, int summary)
{
	static char buf[65536];
	uint64_t total = 0;
	ssize_t n;

	while ((n = source_read(src, buf, sizeof(buf))) > 0) {
		total += (uint64_t)n;
		if (!summary && fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return -1;
	}
	if (n == -1 || total != src->size) {
		fprintf(stderr, "intake-driver: read %llu of %llu octets\n",
		    (unsigned long long)total, (unsigned long long)src->size);
		return -1;
	}
	if (summary)
		printf("size %llu eightbit %d longlines %d\n",
		    (unsigned long long)src->size, src->eightbit,
		    src->longlines);
	return 0;
}

static void
write_env(const char *path, const struct message *m,
    const struct envelope *e)
{
	struct message_stats st;
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return;
	message_stats(m, &st);
	fprintf(fp, "sender <%s>\n", e->sender ? e->sender : "(null)");
	for (size_t i = 0; i < e->nrcpt; i++)
		fprintf(fp, "rcpt <%s>\n", e->rcpt[i].addr);
	fprintf(fp, "body %s\nsmtputf8 %d\nnul %llu\n",
	    e->body == BODY_8BITMIME ? "8bitmime" :
	    e->body == BODY_7BIT ? "7bit" : "unset", e->smtputf8,
	    (unsigned long long)st.nul);
	fclose(fp);
}

int
main(int argc, char **argv)
{
	struct intake_opts io = { .dot_ends = 1 };
	struct prepare_opts po = { .add_from = 1 };
	struct failure fail = { 0 };
	struct envelope env;
	struct message *m;
	struct source src;
	const char *envfile = NULL;
	int c, prep = 1, body = 0, headers = 0, summary = 0, rc = 0;

	envelope_init(&env);
	while ((c = getopt(argc, argv, "itPBHSnf:F:d:A:e:")) != -1) {
		switch (c) {
		case 'i': io.dot_ends = 0; break;
		case 't': po.extract_rcpts = 1; break;
		case 'P': prep = 0; break;
		case 'B': body = 1; break;
		case 'H': headers = 1; break;
		case 'S': summary = 1; break;
		case 'n': po.add_from = 0; break;
		case 'f': envelope_set_sender(&env, optarg); break;
		case 'F': po.from_name = optarg; break;
		case 'd': po.domain = optarg; break;
		case 'A': po.aliases = optarg; break;
		case 'e': envfile = optarg; break;
		default:
			return EX_USAGE;
		}
	}
	for (int i = optind; i < argc; i++)
		envelope_add_rcpt(&env, argv[i]);
	if ((m = message_read(0, &io, &fail)) == NULL ||
	    (prep && message_prepare(m, &env, &po, &fail) == -1)) {
		fprintf(stderr, "intake-driver: %s\n", fail.msg);
		rc = fail.code;
		goto out;
	}
	if (envfile != NULL)
		write_env(envfile, m, &env);
	if (headers)
		message_print_headers(m, stdout);
	else if ((body ? message_body_source(m, &src) :
	    message_source(m, &src)) == -1 || write_source(&src, summary) ||
	    (source_rewind(&src) == -1))
		rc = EX_IOERR;
out:
	message_free(m);
	envelope_free(&env);
	if (fflush(stdout) == EOF)
		rc = EX_IOERR;
	return rc;
}
