/* SPDX-License-Identifier: MIT */
/*
 * smtp-driver: drives one SMTP session for the integration tests, without
 * the rest of postie.  The account comes from the environment:
 *   SMTP_HOST SMTP_PORT SMTP_TLS (starttls|implicit|off) SMTP_TRUST
 *   SMTP_FINGERPRINT SMTP_VERIFY (0|1) SMTP_MIN_TLS SMTP_PRIORITIES
 *   SMTP_CERT SMTP_KEY SMTP_USER SMTP_PASSWORD SMTP_PASSWORD_COMMAND
 *   SMTP_MECHS (space-separated) SMTP_AUTH (on|off|auto) SMTP_DOMAIN
 *   SMTP_TIMEOUT (every phase, seconds) SMTP_TOTAL SMTP_DSN_NOTIFY
 *   SMTP_DSN_RET SMTP_DSN_ENVID SMTP_UTF8 (1)
 * Usage: smtp-driver [-v] [-n COUNT] FROM FILE RCPT...
 * The message is FILE's bytes as they are.  Prints one line per
 * recipient ("rcpt ADDR STATE CODE REPLY") and the info on stdout, the
 * failure on stderr; exits with the failure's code, 67 when some
 * recipient was refused for good, 75 when some are owed, else 0.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "envelope.h"
#include "log.h"
#include "smtp.h"
#include "source.h"
#include "status.h"

struct mem {
	char	*buf;
	size_t	 len, pos;
};

static ssize_t
mem_read(void *ctx, char *buf, size_t len)
{
	struct mem *m = ctx;
	size_t n = m->len - m->pos;

	if (n > len)
		n = len;
	/* small reads on purpose now and then: boundaries get exercised */
	if (n > 7 && (m->pos / 7) % 3 == 1)
		n = 7;
	memcpy(buf, m->buf + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static int
mem_rewind(void *ctx)
{
	((struct mem *)ctx)->pos = 0;
	return 0;
}

static char *
env(const char *name)
{
	char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static char **
split(char *s)
{
	static char *v[16];
	size_t n = 0;
	char *save = NULL;

	for (char *p = strtok_r(s, " ", &save); p != NULL && n < 15;
	    p = strtok_r(NULL, " ", &save))
		v[n++] = p;
	v[n] = NULL;
	return v;
}

static const char *
state_name(enum rcpt_state s)
{
	static const char *const n[] = { "pending", "accepted", "tempfail",
	    "permfail" };

	return n[s];
}

int
main(int argc, char **argv)
{
	struct account a;
	struct envelope e;
	struct failure f;
	struct source src;
	struct mem m = { NULL, 0, 0 };
	struct smtp_session *s;
	const struct smtp_info *info;
	int verbose = 0, count = 1, c, t, rc;
	FILE *fp;
	char *v;

	while ((c = getopt(argc, argv, "vn:")) != -1) {
		if (c == 'v')
			verbose++;
		else if (c == 'n')
			count = (int)strtol(optarg, NULL, 10);
		else
			return EX_USAGE;
	}
	argc -= optind;
	argv += optind;
	if (argc < 3)
		return EX_USAGE;
	log_init("smtp-driver", verbose);
	memset(&a, 0, sizeof(a));
	memset(&f, 0, sizeof(f));
	a.name = (char *)"test";
	a.host = env("SMTP_HOST") ? env("SMTP_HOST") : (char *)"127.0.0.1";
	a.port = env("SMTP_PORT") ? (int)strtol(env("SMTP_PORT"), NULL, 10) : 0;
	v = env("SMTP_TLS");
	a.tls = v == NULL || strcmp(v, "starttls") == 0 ? TLSMODE_STARTTLS :
	    strcmp(v, "implicit") == 0 ? TLSMODE_IMPLICIT : TLSMODE_OFF;
	a.tls_trust_file = env("SMTP_TRUST");
	a.tls_fingerprint = env("SMTP_FINGERPRINT");
	a.tls_cert_file = env("SMTP_CERT");
	a.tls_key_file = env("SMTP_KEY");
	a.tls_min_version = env("SMTP_MIN_TLS");
	a.tls_priorities = env("SMTP_PRIORITIES");
	a.tls_verify = env("SMTP_VERIFY") ? *env("SMTP_VERIFY") != '0' : 1;
	v = env("SMTP_AUTH");
	a.auth = v == NULL ? AUTHMODE_AUTO : strcmp(v, "on") == 0 ?
	    AUTHMODE_ON : strcmp(v, "off") == 0 ? AUTHMODE_OFF : AUTHMODE_AUTO;
	a.auth_mechs = env("SMTP_MECHS") ? split(env("SMTP_MECHS")) : NULL;
	a.user = env("SMTP_USER");
	a.password = env("SMTP_PASSWORD");
	a.password_command = env("SMTP_PASSWORD_COMMAND");
	a.domain = env("SMTP_DOMAIN") ? env("SMTP_DOMAIN") :
	    (char *)"client.test";
	t = env("SMTP_TIMEOUT") ? (int)strtol(env("SMTP_TIMEOUT"), NULL, 10) :
	    0;
	a.timeouts.connect = a.timeouts.greeting = a.timeouts.tls = t;
	a.timeouts.command = a.timeouts.data_block = a.timeouts.data_end = t;
	a.timeouts.total = env("SMTP_TOTAL") ?
	    (int)strtol(env("SMTP_TOTAL"), NULL, 10) : 0;

	envelope_init(&e);
	if (envelope_set_sender(&e, argv[0]) == -1)
		return EX_OSERR;
	for (int i = 2; i < argc; i++)
		if (envelope_add_rcpt(&e, argv[i]) == -1)
			return EX_OSERR;
	if (env("SMTP_DSN_NOTIFY"))
		e.dsn_notify = strdup(env("SMTP_DSN_NOTIFY"));
	if (env("SMTP_DSN_RET"))
		e.dsn_ret = strdup(env("SMTP_DSN_RET"));
	if (env("SMTP_DSN_ENVID"))
		e.dsn_envid = strdup(env("SMTP_DSN_ENVID"));
	e.smtputf8 = env("SMTP_UTF8") != NULL;

	if ((fp = fopen(argv[1], "rb")) == NULL)
		return EX_NOINPUT;
	m.buf = malloc(64 << 20);
	if (m.buf == NULL)
		return EX_OSERR;
	m.len = fread(m.buf, 1, 64 << 20, fp);
	fclose(fp);
	memset(&src, 0, sizeof(src));
	src.read = mem_read;
	src.rewind = mem_rewind;
	src.ctx = &m;
	src.size = m.len;
	for (size_t i = 0; i < m.len; i++)
		if ((unsigned char)m.buf[i] >= 0x80)
			src.eightbit = 1;

	s = smtp_open(&a, &f);
	rc = s == NULL ? -1 : 0;
	for (int i = 0; rc == 0 && i < count; i++) {
		/* again: the owed recipients, or else everyone */
		for (size_t k = 0; i > 0 && k < e.nrcpt &&
		    envelope_count(&e, RCPT_TEMPFAIL) == 0; k++)
			e.rcpt[k].state = RCPT_PENDING;
		rc = smtp_transaction(s, &e, &src, &f);
	}
	if (s != NULL) {
		info = smtp_get_info(s);
		printf("relay=%s tls=%s mech=%s waits=%u flushes=%u\n",
		    info->relay, info->tls, info->mech, info->waits,
		    info->flushes);
		printf("data=%s\n", info->data_reply);
	}
	smtp_close(s);
	for (size_t k = 0; k < e.nrcpt; k++)
		printf("rcpt %s %s %d %s\n", e.rcpt[k].addr,
		    state_name(e.rcpt[k].state), e.rcpt[k].code,
		    e.rcpt[k].reply);
	free(m.buf);
	if (rc == -1) {
		fprintf(stderr, "smtp-driver: %s (%s, %s)\n", f.msg,
		    status_name(f.code), f.cls == FAIL_UNKNOWN ? "unknown" :
		    f.cls == FAIL_TEMP ? "temporary" : "permanent");
		envelope_free(&e);
		return f.code;
	}
	rc = envelope_count(&e, RCPT_PERMFAIL) ? EX_NOUSER :
	    envelope_count(&e, RCPT_TEMPFAIL) ? EX_TEMPFAIL : 0;
	for (size_t k = 0; k < e.nrcpt; k++)
		if (e.rcpt[k].state == RCPT_PERMFAIL)
			fprintf(stderr, "smtp-driver: RCPT TO:<%s> refused: "
			    "%s\n", e.rcpt[k].addr, e.rcpt[k].reply);
	envelope_free(&e);
	return rc;
}
