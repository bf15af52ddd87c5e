/* SPDX-License-Identifier: MIT */
/*
 * queue-driver: calls the queue API the way main.c does, for the shell
 * tests (tests/t07*-queue*.sh).  Linked with smtp-fake.c, or with the real
 * src/smtp.c when built as queue-driver-real.
 *
 *   queue-driver [account options] enqueue [-f sender] [-e error] [-S usec]
 *                [-N notify]
 *                rcpt... < message
 *   queue-driver [account options] send [-f sender] rcpt... < message
 *       try now; on a temporary failure queue (exit 0, "queued as ID" on
 *       stderr), on success drain the account over the same session
 *   queue-driver [account options] run [-I id] [-R rcpt] [-S sender] [-F]
 *       [-l]  (-l: accounts named cfg-* are found through the lookup)
 *   queue-driver [account options] list
 * Account options: -d queue_dir -a name -h host -p port -L lifetime
 *   -m retry_min -M retry_max -Q (queue disabled) -D domain -T (plain TCP,
 *   no auth: for the real relay tests) -A name (a second account, same
 *   settings otherwise) -c trust_file -u user -w password (STARTTLS + AUTH)
 * The message on stdin gets CRLF line endings.  Exit codes are postie's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "queue.h"

struct mem {
	char		*p;
	size_t		 len, off;
	long		 delay_us;	/* slow source, for the SIGKILL test */
};

static ssize_t
mem_read(void *ctx, char *buf, size_t len)
{
	struct mem *m = ctx;

	if (m->delay_us > 0) {
		struct timespec ts = { 0, m->delay_us * 1000L };

		nanosleep(&ts, NULL);
		if (len > 512)
			len = 512;
	}
	if (len > m->len - m->off)
		len = m->len - m->off;
	memcpy(buf, m->p + m->off, len);
	m->off += len;
	return (ssize_t)len;
}

static int
mem_rewind(void *ctx)
{
	((struct mem *)ctx)->off = 0;
	return 0;
}

/* stdin, LF made CRLF. */
static int
slurp(struct mem *m, struct source *src)
{
	size_t cap = 65536;
	int c, prev = 0;

	memset(src, 0, sizeof(*src));
	if ((m->p = malloc(cap)) == NULL)
		return -1;
	while ((c = getchar()) != EOF) {
		if (m->len + 2 >= cap) {
			char *n = realloc(m->p, cap *= 2);

			if (n == NULL)
				return -1;
			m->p = n;
		}
		if (c == '\n' && prev != '\r')
			m->p[m->len++] = '\r';
		if ((unsigned char)c >= 0x80)
			src->eightbit = 1;
		m->p[m->len++] = (char)c;
		prev = c;
	}
	src->read = mem_read;
	src->rewind = mem_rewind;
	src->ctx = m;
	src->size = m->len;
	return 0;
}

static long
num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0') {
		fprintf(stderr, "queue-driver: bad number %s\n", s);
		exit(EX_USAGE);
	}
	return v;
}

/* -l: accounts found by name, as main.c would load them from the
 * configuration: any name starting with "cfg-" exists. */
static const struct account *
lookup(void *ctx, const char *name)
{
	static struct account found;
	static char nm[64];

	if (strncmp(name, "cfg-", 4) != 0)
		return NULL;
	found = *(const struct account *)ctx;
	snprintf(nm, sizeof(nm), "%s", name);
	found.name = nm;
	return &found;
}

static int
report(struct failure *f)
{
	if (f->code != EX_OK)
		log_error("%s", f->msg);
	return f->code == EX_OK ? EX_SOFTWARE : f->code;
}

static int
envelope_from(struct envelope *e, int argc, char **argv, const char *from)
{
	envelope_init(e);
	if (envelope_set_sender(e, from) == -1)
		return -1;
	for (int i = 0; i < argc; i++)
		if (envelope_add_rcpt(e, argv[i]) == -1)
			return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct account a, b;
	const struct account *accts[2] = { &a, &b };
	size_t nacct = 1;
	struct envelope e;
	struct failure f;
	struct source src;
	struct mem m;
	struct queue_select sel;
	struct queue_stats st;
	char id[QUEUE_ID_MAX];
	const char *from = "sender@example.org", *err = NULL, *cmd;
	const char *notify = NULL;
	int c, rc = EX_OK;
	static char defname[] = "default", defhost[] = "127.0.0.1";

	log_init("postie", getenv("QD_VERBOSE") != NULL);
	memset(&a, 0, sizeof(a));
	memset(&m, 0, sizeof(m));
	memset(&sel, 0, sizeof(sel));
	memset(&st, 0, sizeof(st));
	failure_clear(&f);
	a.name = defname;
	a.host = defhost;
	a.queue = 1;
	a.queue_lifetime = 5 * 86400;
	a.retry_min = 300;
	a.retry_max = 3600;
	a.tls = TLSMODE_STARTTLS;
	a.tls_verify = 1;
	a.timeouts = (struct timeouts){ 10, 10, 10, 10, 10, 10, 60 };
	while ((c = getopt(argc, argv, "+d:a:h:p:L:m:M:QD:TA:c:u:w:")) != -1) {
		switch (c) {
		case 'd': a.queue_dir = optarg; break;
		case 'a': a.name = optarg; break;
		case 'h': a.host = optarg; break;
		case 'p': a.port = (int)num(optarg); break;
		case 'L': a.queue_lifetime = (int)num(optarg); break;
		case 'm': a.retry_min = (int)num(optarg); break;
		case 'M': a.retry_max = (int)num(optarg); break;
		case 'Q': a.queue = 0; break;
		case 'D': a.domain = optarg; break;
		case 'T': a.tls = TLSMODE_OFF; a.auth = AUTHMODE_OFF; break;
		case 'A': b = a; b.name = optarg; nacct = 2; break;
		case 'c': a.tls_trust_file = optarg; break;
		case 'u': a.user = optarg; break;
		case 'w': a.password = optarg; break;
		default: return EX_USAGE;
		}
	}
	if (nacct == 2) {	/* -A takes the settings given before it */
		char *keep = b.name;

		b = a;
		b.name = keep;
	}
	if (optind >= argc)
		return EX_USAGE;
	cmd = argv[optind];
	optind++;
	if (strcmp(cmd, "list") == 0) {
		if (queue_list(stdout, accts, nacct, &f) == -1)
			return report(&f);
		return EX_OK;
	}
	if (strcmp(cmd, "run") == 0) {
		while ((c = getopt(argc, argv, "I:R:S:Fl")) != -1) {
			switch (c) {
			case 'I': sel.id = optarg; sel.force = 1; break;
			case 'R': sel.rcpt = optarg; sel.force = 1; break;
			case 'S': sel.sender = optarg; sel.force = 1; break;
			case 'l': sel.lookup = lookup; sel.lookup_ctx = &a;
				break;
			case 'F': sel.force = 1; break;
			default: return EX_USAGE;
			}
		}
		if (queue_run(accts, nacct, &sel, &st, &f) == -1)
			return report(&f);
		printf("delivered=%u deferred=%u failed=%u bounced=%u busy=%u "
		    "corrupt=%u unknown=%u\n", st.delivered, st.deferred,
		    st.failed, st.bounced, st.busy, st.corrupt, st.unknown);
		return EX_OK;
	}
	while ((c = getopt(argc, argv, "f:e:S:N:")) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 'N': notify = optarg; break;
		case 'e': err = optarg; break;
		case 'S': m.delay_us = num(optarg); break;
		default: return EX_USAGE;
		}
	}
	if (envelope_from(&e, argc - optind, argv + optind, from) == -1 ||
	    slurp(&m, &src) == -1 ||
	    (notify != NULL && (e.dsn_notify = strdup(notify)) == NULL))
		return EX_OSERR;
	if (strcmp(cmd, "enqueue") == 0) {
		if (queue_enqueue(&a, &e, &src, err, id, &f) == -1)
			rc = report(&f);
		else {
			printf("%s\n", id);
			log_error("queued as %s", id);
		}
	} else if (strcmp(cmd, "send") == 0) {
		/* What main.c does with a message (see the lead's notes). */
		struct smtp_session *s = smtp_open(&a, &f);

		if (s != NULL && smtp_transaction(s, &e, &src, &f) == 0) {
			if (envelope_count(&e, RCPT_PERMFAIL) > 0)
				rc = EX_NOUSER;
			/* Owed recipients (452 etc.) are queued below. */
			if (envelope_count(&e, RCPT_PENDING) +
			    envelope_count(&e, RCPT_TEMPFAIL) == 0) {
				struct failure qf;

				failure_clear(&qf);
				queue_run_session(s, &a, &st, &qf);
				smtp_close(s);
				goto out;
			}
		}
		smtp_close(s);
		if (f.cls == FAIL_PERM) {
			rc = report(&f);
		} else if (!a.queue) {
			log_error("%s", f.msg[0] ? f.msg : "deferred");
			rc = EX_TEMPFAIL;
		} else {
			struct failure qf;

			failure_clear(&qf);
			if (queue_enqueue(&a, &e, &src, f.msg[0] ? f.msg :
			    "recipients deferred", id, &qf) == -1)
				rc = report(&qf);
			else
				log_error("%s; queued as %s", f.msg[0] ?
				    f.msg : "recipients deferred", id);
		}
	} else
		rc = EX_USAGE;
out:
	envelope_free(&e);
	free(m.p);
	return rc;
}
