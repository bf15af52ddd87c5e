/* SPDX-License-Identifier: MIT */
/*
 * main: wires the stages together: options, config, message, envelope,
 * SMTP session, exit code.  No logic of its own; only main() exits.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "account.h"
#include "conf.h"
#include "envelope.h"
#include "log.h"
#include "message.h"
#include "mime.h"
#include "options.h"
#include "smtp.h"
#include "status.h"

/*
 * A password or token may sit in this process's memory from the moment the
 * config is read: never let it reach a core file.  PR_SET_DUMPABLE also
 * keeps other processes of the same user from ptrace-attaching.
 */
static void
no_core_dumps(void)
{
	struct rlimit rl = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &rl);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static int
report(const struct failure *f)
{
	log_error("%s", f->msg[0] ? f->msg : "failed");
	return f->code != EX_OK ? f->code : EX_SOFTWARE;
}

static int
check_config(const struct options *o)
{
	struct failure f;
	struct account a;
	struct conf_info info;

	failure_clear(&f);
	if (conf_load(o, o->sender, &a, &info, &f) == -1)
		return report(&f);
	if (conf_check_send(&a, &info, &f) == -1) {
		account_free(&a);
		return report(&f);
	}
	printf("config = %s\n", info.path[0] ? info.path : "(none)");
	conf_print(&a, stdout);
	account_free(&a);
	return EX_OK;
}

static void
print_pretend(const struct account *a, const struct envelope *e,
    const struct message *m)
{
	static const char *const tls[] = { "starttls", "implicit", "off" };
	static const char *const auth[] = { "auto", "on", "off" };
	size_t i;

	printf("account: %s\n", a->name);
	printf("relay: %s:%d\n", a->host, conf_port(a));
	printf("tls: %s\n", tls[a->tls]);
	printf("auth: %s%s%s\n", auth[a->auth], a->user ? " user " : "",
	    a->user ? a->user : "");
	printf("envelope sender: <%s>\n", e->sender);
	for (i = 0; i < e->nrcpt; i++)
		printf("recipient: <%s>\n", e->rcpt[i].addr);
	printf("\n");
	message_print_headers(m, stdout);
	fflush(stdout);
}

static int
fill_envelope(const struct options *o, const struct account *a,
    struct envelope *e, struct failure *f)
{
	char sender[1024];
	size_t i;

	if (conf_sender(a, o->sender, sender, sizeof(sender)) == -1) {
		failure_set(f, EX_DATAERR, FAIL_PERM, "sender too long");
		return -1;
	}
	if (envelope_set_sender(e, sender) == -1)
		goto oom;
	for (i = 0; i < o->nrcpts; i++)
		if (envelope_add_rcpt(e, o->rcpts[i]) == -1)
			goto oom;
	if ((o->dsn_notify && !(e->dsn_notify = strdup(o->dsn_notify))) ||
	    (o->dsn_ret && !(e->dsn_ret = strdup(o->dsn_ret))) ||
	    (o->dsn_envid && !(e->dsn_envid = strdup(o->dsn_envid))))
		goto oom;
	e->body = o->body;
	return 0;
oom:
	failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
	return -1;
}

/* Deliver over SMTP; the exit code from the envelope and the failure. */
static int
deliver(const struct account *a, struct message *m, struct mime *mm,
    struct envelope *e, struct failure *f)
{
	struct smtp_session *s;
	struct source src;
	size_t i, accepted, refused, owed;
	int rc = -1;

	/* the whole message, its exact size known, before connecting;
	 * with attachments built 7-bit-safe (8BITMIME is not known yet) */
	if (mm != NULL ? mime_build(mm, m, 0, &src, f) == -1 :
	    message_source(m, &src) == -1) {
		failure_set(f, EX_IOERR, FAIL_TEMP, "cannot read the message");
		return report(f);
	}
	if ((s = smtp_open(a, f)) != NULL)
		rc = smtp_transaction(s, e, &src, f);
	accepted = envelope_count(e, RCPT_ACCEPTED);
	refused = envelope_count(e, RCPT_PERMFAIL);
	owed = e->nrcpt - accepted - refused;
	log_message("account=%s from=<%s> nrcpt=%zu accepted=%zu refused=%zu "
	    "owed=%zu relay=%s%s%s%s%s%s", a->name, e->sender, e->nrcpt,
	    accepted, refused, owed, s ? smtp_get_info(s)->relay : a->host,
	    s && smtp_get_info(s)->tls[0] ? " tls=\"" : "",
	    s ? smtp_get_info(s)->tls : "",
	    s && smtp_get_info(s)->tls[0] ? "\"" : "",
	    f->code != EX_OK ? " error=" : "",
	    f->code != EX_OK ? status_name(f->code) : "");
	smtp_close(s);
	if (rc == -1 && accepted == 0)
		return report(f);
	/* Some were delivered: name the ones refused for good (exit 67). */
	for (i = 0; i < e->nrcpt; i++)
		if (e->rcpt[i].state == RCPT_PERMFAIL)
			log_error("<%s>: refused: %s", e->rcpt[i].addr,
			    e->rcpt[i].reply[0] ? e->rcpt[i].reply : "5xx");
	if (owed > 0) {
		/* TODO(queue): enqueue the owed recipients instead */
		log_error("%zu recipient(s) not delivered now and the queue "
		    "is not available yet", owed);
		return EX_TEMPFAIL;
	}
	return refused > 0 ? EX_NOUSER : EX_OK;
}

static int
send_message(const struct options *o)
{
	struct failure f;
	struct account a;
	struct conf_info info;
	struct envelope e;
	struct message *m = NULL;
	struct intake_opts io;
	struct prepare_opts po;
	struct mime *mm = NULL;
	size_t i;
	int rc;

	failure_clear(&f);
	envelope_init(&e);
	if (!o->extract_rcpts && o->nrcpts == 0) {
		log_error("no recipients: name them, or use -t");
		return EX_USAGE;
	}
	if (conf_load(o, o->sender, &a, &info, &f) == -1)
		return report(&f);
	if (conf_check_send(&a, &info, &f) == -1)
		goto fail;
	/* every attachment opened now: one that cannot be sent stops us
	 * before stdin is read or anything is sent (EX_NOINPUT) */
	if (o->nattach > 0 && (mm = mime_new()) == NULL) {
		failure_set(&f, EX_OSERR, FAIL_TEMP, "out of memory");
		goto fail;
	}
	for (i = 0; i < o->nattach; i++)
		if (mime_add(mm, o->attach[i].path, o->attach[i].type,
		    o->attach[i].name, &f) == -1)
			goto fail;
	memset(&io, 0, sizeof(io));
	io.dot_ends = o->dot_ends;
	if ((m = message_read(0, &io, &f)) == NULL ||
	    fill_envelope(o, &a, &e, &f) == -1)
		goto fail;
	memset(&po, 0, sizeof(po));
	po.extract_rcpts = o->extract_rcpts;
	po.from_name = o->from_name;
	po.domain = a.domain;
	po.aliases = a.aliases;
	po.add_from = 1;
	if (message_prepare(m, &e, &po, &f) == -1)
		goto fail;
	if (o->pretend) {
		print_pretend(&a, &e, m);
		rc = EX_OK;
	} else {
		if (log_open(a.log) == -1)
			log_error("log %s: cannot open; using stderr only",
			    a.log);
		rc = deliver(&a, m, mm, &e, &f);
	}
	mime_free(mm);
	message_free(m);
	envelope_free(&e);
	account_free(&a);
	return rc;
fail:
	mime_free(mm);
	message_free(m);
	envelope_free(&e);
	account_free(&a);
	return report(&f);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct failure f;

	failure_clear(&f);
	no_core_dumps();
	log_init(argc > 0 ? argv[0] : "postie", 0);
	if (options_parse(&o, argc, argv, &f) == -1)
		return report(&f);
	log_init(argc > 0 ? argv[0] : "postie", o.verbose);
	switch (o.mode) {
	case OPTMODE_HELP:
		options_help(stdout);
		return EX_OK;
	case OPTMODE_VERSION:
		options_version(stdout);
		return EX_OK;
	case OPTMODE_SMTP_STDIO:
		log_error("-bs (SMTP on standard input) is not supported; "
		    "pass the recipients, or use -t");
		return EX_USAGE;
	case OPTMODE_LIST_QUEUE:
	case OPTMODE_RUN_QUEUE:
		/* TODO(queue): list (-bp, mailq) and run (-q...) the queue */
		log_error("queue not available yet");
		return EX_USAGE;
	case OPTMODE_CHECK_CONFIG:
		return check_config(&o);
	case OPTMODE_SEND:
		break;
	}
	return send_message(&o);
}
