/* SPDX-License-Identifier: MIT */
/*
 * main: wires the stages together: options, config, message, envelope,
 * SMTP session, exit code.  No logic of its own; only main() exits.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "account.h"
#include "conf.h"
#include "envelope.h"
#include "log.h"
#include "message.h"
#include "mime.h"
#include "oauth.h"
#include "oauth-device.h"
#include "options.h"
#include "provider.h"
#include "queue.h"
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
	if (provider_uses_oauth(&a)) {
		char cache[4200];

		oauth_cache_describe(&a, cache, sizeof(cache));
		printf("oauth_cache = %s\n", cache);
	}
	account_free(&a);
	return EX_OK;
}

/* --oauth-device-login: the first refresh token (oauth-device.c). */
static int
oauth_login(const struct options *o)
{
	struct failure f;
	struct account a;
	struct conf_info info;
	int rc = EX_OK;

	failure_clear(&f);
	if (conf_load(o, o->sender, &a, &info, &f) == -1)
		return report(&f);
	if (oauth_device_login(&a, stdout, stderr, &f) == -1)
		rc = report(&f);
	account_free(&a);
	return rc;
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

/* Set when the relay itself refused the credentials (not a token
 * endpoint): then the provider's hint is worth printing. */
static int relay_refused_auth;

/*
 * smtp_open, with the OAuth2 access token as the secret when the account
 * gets one itself (oauth.c).  A cached token that the relay refuses is
 * refreshed and tried once more; a fresh one is not retried (no loop).
 */
static struct smtp_session *
open_session(struct account *a, struct failure *f)
{
	struct smtp_session *s = NULL;
	char *tok = NULL;
	int fresh = 0, tries;

	if (!provider_uses_oauth(a)) {
		s = smtp_open(a, f);
		goto out;
	}
	for (tries = 0; tries < 2 && s == NULL; tries++) {
		if (tries > 0) {
			if (f->code != EX_NOPERM || fresh)
				break;
			log_debug("oauth: the relay refused the cached token; "
			    "getting a new one");
			failure_clear(f);
		}
		if (oauth_token(a, tries > 0, &tok, &fresh, f) == -1)
			return NULL;
		a->password = tok;	/* sasl_secret() copies it */
		s = smtp_open(a, f);
		oauth_wipe(a->password);
		a->password = NULL;
	}
out:
	/* 535 5.7.8, or e.g. Microsoft's "AUTH LOGIN refused by relay: 550
	 * 5.7.30 Basic authentication is not supported" */
	relay_refused_auth = s == NULL && (f->code == EX_NOPERM ||
	    strncmp(f->msg, "AUTH ", 5) == 0 ||
	    strstr(f->msg, "authentication mechanism") != NULL);
	return s;
}

/* Keep the owed recipients in the outbox (queue.h); the exit code. */
static int
keep_for_later(const struct account *a, struct source *src,
    const struct envelope *e, const struct failure *why)
{
	const char *reason = why->msg[0] ? why->msg :
	    "recipients deferred by the relay";
	char id[QUEUE_ID_MAX];
	struct failure qf;

	if (!a->queue) {
		log_error("%s; not queued (queue = false)", reason);
		/* the cause's own code: a local failure stays 71, a relay
		 * that broke the protocol 76 (postie(8) EXIT STATUS) */
		return why->code != EX_OK ? why->code : EX_TEMPFAIL;
	}
	failure_clear(&qf);
	if (queue_enqueue(a, e, src, reason, id, &qf) == -1)
		return report(&qf);
	/* Accepted: exit 0.  Said where a person may be watching. */
	if (log_verbose() || isatty(STDERR_FILENO))
		log_error("%s; queued as %s", reason, id);
	return EX_OK;
}

/* Deliver over SMTP; the exit code from the envelope and the failure.
 * What is owed for a temporary reason is queued; what is refused for good
 * is kept in failed/ and, when others got it, bounced to the sender;
 * after a delivery, what the queue holds for this account goes over the
 * same session. */
static int
deliver(struct account *a, struct message *m, struct mime *mm,
    struct envelope *e, struct failure *f)
{
	struct smtp_session *s;
	struct source src;
	size_t accepted, refused, owed;
	int rc = -1, whole, code = EX_OK;

	/* the whole message, its exact size known, before connecting;
	 * with attachments built 7-bit-safe (8BITMIME is not known yet) */
	if (mm != NULL ? mime_build(mm, m, 0, &src, f) == -1 :
	    message_source(m, &src) == -1) {
		failure_set(f, EX_IOERR, FAIL_TEMP, "cannot read the message");
		return report(f);
	}
	if ((s = open_session(a, f)) != NULL)
		rc = smtp_transaction(s, e, &src, f);
	whole = rc == -1 && envelope_count(e, RCPT_ACCEPTED) == 0 &&
	    f->cls != FAIL_TEMP && f->cls != FAIL_UNKNOWN;
	/* What is refused for good: a dead letter, the error line(s) saying
	 * where, a bounce when others got it (queue.h). */
	queue_refused(s, a, e, &src, whole ? f : NULL);
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
	if (whole) {
		code = f->code != EX_OK ? f->code : EX_SOFTWARE;
		/* what this provider's users most often get wrong */
		if (relay_refused_auth && provider_uses_oauth(a))
			log_error("hint: %s", provider_oauth_hint(a->provider));
		else if (relay_refused_auth && provider_auth_hint(a->provider))
			log_error("hint: %s", provider_auth_hint(a->provider));
	} else if (refused > 0)
		code = EX_NOUSER;
	if (owed > 0) {
		smtp_close(s);
		rc = keep_for_later(a, &src, e, f);
		return code != EX_OK ? code : rc;
	}
	if (!whole && smtp_usable(s)) {
		struct failure qf;

		failure_clear(&qf);
		(void)queue_run_session(s, a, NULL, &qf);
	}
	smtp_close(s);
	return code;
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

/* Accounts of queued messages, loaded by name while the queue runs. */
struct known {
	const struct options	*o;
	struct account		 acct[8];
	size_t			 n;
};

static const struct account *
load_account(void *ctx, const char *name)
{
	struct known *k = ctx;
	struct options o;
	struct failure f;
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->acct[i].name, name) == 0)
			return &k->acct[i];
	if (k->n == sizeof(k->acct) / sizeof(k->acct[0]))
		return NULL;
	o = *k->o;
	o.account = name;
	failure_clear(&f);
	if (conf_load(&o, NULL, &k->acct[k->n], NULL, &f) == -1)
		return NULL;
	return &k->acct[k->n++];
}

/* The queue run's session opener: the accounts are main's own (k->acct),
 * so the token may be set in them for the length of smtp_open. */
static struct smtp_session *
open_queued(void *ctx, const struct account *a, struct failure *f)
{
	struct known *k = ctx;
	size_t i;

	for (i = 0; i < k->n; i++)
		if (&k->acct[i] == a)
			return open_session(&k->acct[i], f);
	return smtp_open(a, f);
}

/* -bp / mailq, and -q with its selectors. */
static int
queue_mode(const struct options *o)
{
	static struct known k;
	const struct account *list[1];
	struct queue_select sel;
	struct queue_stats st;
	struct failure f;
	unsigned moved = 0;
	size_t i;
	int rc = EX_OK;

	failure_clear(&f);
	k.o = o;
	if (conf_load(o, o->sender, &k.acct[0], NULL, &f) == -1)
		return report(&f);
	k.n = 1;
	list[0] = &k.acct[0];
	if (o->mode == OPTMODE_LIST_QUEUE) {
		if ((o->queue_failed ? queue_list_failed(stdout, list, 1, &f) :
		    queue_list(stdout, list, 1, &f)) == -1)
			rc = report(&f);
	} else {
		if (log_open(k.acct[0].log) == -1)
			log_error("log %s: cannot open; using stderr only",
			    k.acct[0].log);
		memset(&sel, 0, sizeof(sel));
		sel.id = o->queue_id;
		sel.rcpt = o->queue_rcpt;
		sel.sender = o->queue_sender;
		sel.force = sel.id != NULL || sel.rcpt != NULL ||
		    sel.sender != NULL;
		sel.lookup = load_account;
		sel.lookup_ctx = &k;
		sel.open = open_queued;
		memset(&st, 0, sizeof(st));
		/* -qQ: the chosen dead letters go back, then are sent */
		if (o->queue_failed &&
		    queue_requeue_failed(list, 1, &sel, &moved, &f) == -1)
			rc = report(&f);
		if (o->queue_failed)
			log_debug("requeued %u failed message%s", moved,
			    moved == 1 ? "" : "s");
		failure_clear(&f);
		if (queue_run(list, 1, &sel, &st, &f) == -1)
			rc = report(&f);
		log_debug("queue run: %u delivered, %u deferred, %u failed, "
		    "%u bounced, %u in flight elsewhere", st.delivered,
		    st.deferred, st.failed, st.bounced, st.busy);
	}
	for (i = 0; i < k.n; i++)
		account_free(&k.acct[i]);
	return rc;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct failure f;

	failure_clear(&f);
	no_core_dumps();
	/* Past a file-size limit a write must fail (EFBIG, reported, nothing
	 * claimed) rather than kill postie before it can say so. */
	(void)signal(SIGXFSZ, SIG_IGN);
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
		return queue_mode(&o);
	case OPTMODE_CHECK_CONFIG:
		return check_config(&o);
	case OPTMODE_OAUTH_LOGIN:
		return oauth_login(&o);
	case OPTMODE_SEND:
		break;
	}
	return send_message(&o);
}
