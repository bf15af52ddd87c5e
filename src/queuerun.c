/* SPDX-License-Identifier: MIT */
/*
 * queuerun: deliver what the queue holds (postie -q, and the drain after a
 * successful send).
 *
 * Per account, one SMTP session carries many transactions (RSET between
 * them is the session's business).  Each message is locked (flock on its
 * data file) before its record is read again and sent; the kernel drops
 * the lock when the process dies, so a killed run leaves nothing stale.
 * The message is removed only after the relay's 250 to the final dot; a
 * crash between the two sends it twice at most (RFC 1047).  When the
 * outcome after the dot is unknown the message stays queued: a duplicate
 * is better than a loss (notes/security.md section 7.3).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bounce.h"
#include "log.h"
#include "queue.h"
#include "spool.h"

struct run {
	int			 dfd;
	const struct account	*acct;
	const char		*group;	/* account name in the spool */
	struct smtp_session	*sess;
	int			 own;	/* we open and close sessions */
	int			 down;	/* smtp_open failed in this run */
	struct failure		 down_f;
	const struct queue_select *sel;
	struct queue_stats	*st;
	time_t			 now;
	unsigned		 unsynced; /* removals not yet fsynced */
};

/* Removals are synced in batches: a directory fsync per delivered message
 * cost more than the SMTP transaction itself (6 ms against 3 ms here). A
 * power loss before the batch is synced can only resend, never lose. */
#define SYNC_BATCH	64

static void
sync_dir(struct run *r, int force)
{
	if (r->unsynced > 0 && (force || r->unsynced >= SYNC_BATCH)) {
		fsync(r->dfd);
		r->unsynced = 0;
	}
}

static int
has_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return n == 0;
}

static int
selected(const struct run *r, const char *id, const struct spool_meta *m)
{
	const struct queue_select *s = r->sel;
	int any = 0;

	if (s == NULL)
		return m->next <= (int64_t)r->now;
	if (s->id != NULL && strncasecmp(id, s->id, strlen(s->id)) != 0)
		return 0;
	if (s->sender != NULL && !has_ci(m->env.sender, s->sender))
		return 0;
	if (s->rcpt != NULL) {
		for (size_t i = 0; i < m->env.nrcpt && !any; i++)
			any = has_ci(m->env.rcpt[i].addr, s->rcpt);
		if (!any)
			return 0;
	}
	return s->force || m->next <= (int64_t)r->now;
}

/* The message file as a source (source.h), read with pread. */
static ssize_t
src_read(void *ctx, char *buf, size_t len)
{
	struct spool_source *s = ctx;
	ssize_t r;

	do
		r = pread(s->fd, buf, len, s->off);
	while (r == -1 && errno == EINTR);
	if (r > 0)
		s->off += r;
	return r;
}

static int
src_rewind(void *ctx)
{
	((struct spool_source *)ctx)->off = 0;
	return 0;
}

static int
spool_source(struct spool_source *s, int fd, struct source *src)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return -1;
	s->fd = fd;
	s->off = 0;
	memset(src, 0, sizeof(*src));
	src->read = src_read;
	src->rewind = src_rewind;
	src->ctx = s;
	src->size = (uint64_t)st.st_size;
	return 0;
}

/* ------------------------------------------------------------ bounces */

static int
session(struct run *r, struct failure *f)
{
	if (r->sess != NULL && smtp_usable(r->sess))
		return 0;
	if (!r->own || r->down) {
		failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "%s", r->down ?
		    r->down_f.msg : "the session is no longer usable");
		return -1;
	}
	smtp_close(r->sess);
	failure_clear(&r->down_f);
	r->sess = r->sel != NULL && r->sel->open != NULL ?
	    r->sel->open(r->sel->lookup_ctx, r->acct, &r->down_f) :
	    smtp_open(r->acct, &r->down_f);
	if (r->sess == NULL) {
		r->down = 1;
		failure_set(f, r->down_f.code, FAIL_TEMP, "%s", r->down_f.msg);
		return -1;
	}
	return 0;
}

/* The report (bounce.h) for the refused recipients, sent from <> to the
 * sender.  Returns 1 when the relay took it. */
static int
send_bounce(struct run *r, const char *id, int fd, struct spool_meta *m,
    const char *reason)
{
	struct bounce_rcpt br[64];
	struct bounce_in in;
	struct envelope be;
	struct source src;
	struct source_mem mem;
	struct failure f;
	char hdr[BOUNCE_HEADERS_MAX], st[64][16], from[320], host[256];
	char *msg = NULL;
	ssize_t hn;
	size_t len = 0;
	int ok = 0;

	memset(&in, 0, sizeof(in));
	failure_clear(&f);
	if (r->acct->domain != NULL)
		snprintf(host, sizeof(host), "%s", r->acct->domain);
	else if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	if (r->acct->from != NULL && strchr(r->acct->from, '@') != NULL)
		snprintf(from, sizeof(from), "%s", r->acct->from);
	else
		snprintf(from, sizeof(from), "MAILER-DAEMON@%s", host);
	for (size_t i = 0; i < m->env.nrcpt && in.nrcpt < 64; i++) {
		struct recipient *rc = &m->env.rcpt[i];

		if (rc->state != RCPT_PERMFAIL)
			continue;
		bounce_status(rc->code, rc->reply, st[in.nrcpt]);
		br[in.nrcpt].addr = rc->addr;
		br[in.nrcpt].status = st[in.nrcpt];
		br[in.nrcpt].diag = rc->reply[0] != '\0' ? rc->reply : NULL;
		in.nrcpt++;
	}
	hn = pread(fd, hdr, sizeof(hdr), 0);
	in.headers = hdr;
	in.hlen = hn > 0 ? bounce_header_len(hdr, (size_t)hn) : 0;
	in.to = m->env.sender;
	in.from = from;
	in.mta = host;
	in.queue_id = id;
	in.envid = m->env.dsn_envid;
	in.reason = reason;
	in.arrival = m->first;
	in.now = r->now;
	in.rcpt = br;
	if (bounce_build(&in, &msg, &len) == -1)
		return 0;

	envelope_init(&be);
	source_from_memory(&src, &mem, msg, len);
	be.body = src.eightbit ? BODY_8BITMIME : BODY_7BIT;
	for (const char *p = m->env.sender; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			be.smtputf8 = 1;
	/* RFC 3461 section 4.1: a bounce requests no further DSN. */
	if (envelope_set_sender(&be, "") == 0 &&
	    envelope_add_rcpt(&be, m->env.sender) == 0 &&
	    (be.dsn_notify = strdup("NEVER")) != NULL &&
	    session(r, &f) == 0 &&
	    smtp_transaction(r->sess, &be, &src, &f) == 0 &&
	    be.rcpt[0].state == RCPT_ACCEPTED)
		ok = 1;
	if (!ok)
		log_error("queue %s: the bounce to <%s> failed: %s", id,
		    m->env.sender, f.msg[0] ? f.msg : "refused");
	envelope_free(&be);
	free(msg);
	return ok;
}

/* Whether the sender wants to hear about failure (RFC 3461 NOTIFY). */
static int
wants_bounce(const struct spool_meta *m)
{
	if (m->env.sender[0] == '\0')	/* never a bounce of a bounce */
		return 0;
	return m->env.dsn_notify == NULL ||
	    has_ci(m->env.dsn_notify, "FAILURE");
}

/* ------------------------------------------------------------ one message */

/* Keep only the recipients in state st (queue.h: the owed ones). */
static void
keep(struct envelope *e, enum rcpt_state a, enum rcpt_state b)
{
	size_t n = 0;

	for (size_t i = 0; i < e->nrcpt; i++) {
		if (e->rcpt[i].state == a || e->rcpt[i].state == b)
			e->rcpt[n++] = e->rcpt[i];
		else
			free(e->rcpt[i].addr);
	}
	e->nrcpt = n;
}

static void
settle(struct run *r, const char *id, int fd, struct spool_meta *m,
    struct failure *f)
{
	size_t owed = 0, perm = 0, acc = 0;
	int expired = (int64_t)r->now - m->first >=
	    (int64_t)r->acct->queue_lifetime;
	int bounced = 0;
	struct failure uf;

	failure_clear(&uf);
	for (size_t i = 0; i < m->env.nrcpt; i++) {
		struct recipient *rc = &m->env.rcpt[i];

		if ((rc->state == RCPT_PENDING || rc->state == RCPT_TEMPFAIL) &&
		    expired) {
			rc->state = RCPT_PERMFAIL;
			snprintf(rc->reply, sizeof(rc->reply), "delivery time "
			    "expired (4.4.7); last error: %.180s",
			    f->msg[0] ? f->msg : m->error);
			rc->code = 0;
		}
		owed += rc->state == RCPT_PENDING || rc->state == RCPT_TEMPFAIL;
		perm += rc->state == RCPT_PERMFAIL;
		acc += rc->state == RCPT_ACCEPTED;
	}
	if (perm > 0 && wants_bounce(m)) {
		bounced = send_bounce(r, id, fd, m, expired ? "The message "
		    "stayed in the queue longer than allowed." : "The relay "
		    "refused it permanently.");
		r->st->bounced += (unsigned)bounced;
	}
	if (owed > 0) {
		snprintf(m->error, sizeof(m->error), "%s", f->msg[0] ? f->msg :
		    "some recipients were deferred");
		for (size_t i = 0; f->msg[0] == '\0' && i < m->env.nrcpt; i++)
			if (m->env.rcpt[i].state == RCPT_TEMPFAIL &&
			    m->env.rcpt[i].reply[0] != '\0') {
				snprintf(m->error, sizeof(m->error), "<%s>: %s",
				    m->env.rcpt[i].addr, m->env.rcpt[i].reply);
				break;
			}
		keep(&m->env, RCPT_PENDING, RCPT_TEMPFAIL);
		m->attempts++;
		m->last = (int64_t)r->now;
		m->next = (int64_t)spool_next_due(r->acct, m->attempts, r->now);
		if (spool_update(r->dfd, id, m, &uf) == -1)
			log_error("queue %s: %s", id, uf.msg);
		r->st->deferred++;
		log_message("queue-id=%s account=%s nrcpt=%zu attempts=%u "
		    "status=deferred error=\"%s\"", id, m->account,
		    m->env.nrcpt, m->attempts, m->error);
		return;
	}
	if (perm > 0 && (acc == 0 || !bounced)) {
		/* Set aside for a person to look at: never retried. */
		snprintf(m->error, sizeof(m->error), "%s", expired ?
		    "expired" : f->msg[0] ? f->msg : "refused");
		for (size_t i = 0; i < m->env.nrcpt; i++)
			if (m->env.rcpt[i].state == RCPT_PERMFAIL &&
			    m->env.rcpt[i].reply[0] != '\0') {
				snprintf(m->error, sizeof(m->error), "%s",
				    m->env.rcpt[i].reply);
				break;
			}
		keep(&m->env, RCPT_PERMFAIL, RCPT_PERMFAIL);
		spool_update(r->dfd, id, m, &uf);
		if (spool_move(r->dfd, id, "failed") == -1)
			log_error("queue %s: cannot move to failed/: %s", id,
			    strerror(errno));
		r->st->failed++;
		log_error("queue %s: undeliverable (%s)%s; kept in failed/", id,
		    m->error, bounced ? ", sender notified" : "");
		log_message("queue-id=%s account=%s status=failed bounced=%d "
		    "error=\"%s\"", id, m->account, bounced, m->error);
		return;
	}
	if (spool_remove(r->dfd, id, 0) == -1)
		log_error("queue %s: delivered, but cannot remove it: %s", id,
		    strerror(errno));
	r->unsynced++;
	sync_dir(r, 0);
	r->st->delivered++;
	log_message("queue-id=%s account=%s nrcpt=%zu status=sent", id,
	    m->account, acc);
}

/* Take the message if it is still there, still ours, due and not in
 * flight elsewhere; send it; settle the outcome. */
static void
one(struct run *r, const char *id)
{
	struct spool_meta m;
	struct spool_source ss;
	struct source src;
	struct failure f;
	char why[128];
	int fd, rc;

	failure_clear(&f);
	if ((fd = spool_lock(r->dfd, id)) == -1) {
		if (errno == EWOULDBLOCK)
			r->st->busy++;
		else if (errno == ENOENT && spool_orphan_record(r->dfd, id)) {
			/* Writers create df before qf, removers unlink qf
			 * first: only a lost unlink leaves this. */
			spool_move(r->dfd, id, "corrupt");
			log_error("queue %s: record without message; moved to "
			    "corrupt/", id);
			r->st->corrupt++;
		}
		return;
	}
	rc = spool_load(r->dfd, id, &m, why, sizeof(why));
	if (rc == -2)
		goto out;
	if (rc == 0 && (long long)m.size != spool_size(r->dfd, id)) {
		snprintf(why, sizeof(why), "message file size differs");
		spoolfmt_free(&m);
		rc = -1;
	}
	if (rc == -1) {
		spool_move(r->dfd, id, "corrupt");
		log_error("queue %s: corrupt queue file (%s); moved to corrupt/",
		    id, why);
		r->st->corrupt++;
		goto out;
	}
	if (strcmp(m.account, r->group) != 0 || !selected(r, id, &m))
		goto done;
	if (session(r, &f) == -1 && !r->own)
		goto done;	/* the caller's session is gone: not an attempt */
	if (r->sess != NULL && smtp_usable(r->sess)) {
		spool_source(&ss, fd, &src);
		src.eightbit = m.eightbit;
		src.longlines = m.longlines;
		if (smtp_transaction(r->sess, &m.env, &src, &f) == -1 &&
		    f.cls == FAIL_PERM) {
			/* The message as a whole was refused. */
			for (size_t i = 0; i < m.env.nrcpt; i++) {
				struct recipient *rc2 = &m.env.rcpt[i];

				if (rc2->state == RCPT_ACCEPTED ||
				    rc2->state == RCPT_PERMFAIL)
					continue;
				rc2->state = RCPT_PERMFAIL;
				snprintf(rc2->reply, sizeof(rc2->reply), "%.*s",
				    (int)sizeof(rc2->reply) - 1, f.msg);
			}
		}
	}
	settle(r, id, fd, &m, &f);
done:
	spoolfmt_free(&m);
out:
	close(fd);	/* releases the lock, after the record is settled */
}

/* The messages of account a among ids, one after another. */
static void
drain(struct run *r, char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ids[i] == NULL)
			continue;
		one(r, ids[i]);
		if (!r->own && (r->sess == NULL || !smtp_usable(r->sess)))
			break;
	}
}

/* Group the ids of one directory by account name, then drain each. */
static void
run_dir(struct run *r, const struct account *const *accts, size_t nacct,
    char **ids, size_t n)
{
	char **mine = calloc(n ? n : 1, sizeof(*mine)), why[128];
	char **names = calloc(n ? n : 1, sizeof(*names));

	if (mine == NULL || names == NULL)
		goto out;
	/* First pass without locks: which account, and is it wanted. */
	for (size_t i = 0; i < n; i++) {
		struct spool_meta m;
		int rc = spool_load(r->dfd, ids[i], &m, why, sizeof(why));

		if (rc == -1)	/* set aside under the lock, in one() */
			names[i] = strdup("");
		else if (rc == 0) {
			names[i] = m.account;
			m.account = NULL;
			spoolfmt_free(&m);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct account *a = NULL;
		size_t cnt = 0;

		if (names[i] == NULL)
			continue;
		for (size_t k = 0; k < nacct && a == NULL; k++)
			if (strcmp(accts[k]->name, names[i]) == 0)
				a = accts[k];
		if (a == NULL && names[i][0] != '\0' && r->sel != NULL &&
		    r->sel->lookup != NULL)
			a = r->sel->lookup(r->sel->lookup_ctx, names[i]);
		if (a == NULL && names[i][0] == '\0' && nacct > 0)
			a = accts[0];	/* corrupt: any account sets it aside */
		for (size_t j = i; j < n; j++)
			if (names[j] != NULL && strcmp(names[j], names[i]) == 0)
				mine[cnt++] = ids[j];
		if (a == NULL && !r->own) {
			/* Draining after a send: other accounts are not ours. */
		} else if (a == NULL) {
			/* Not on stderr: a cron job would mail it every run. */
			log_debug("queue: %zu message%s for account \"%s\", "
			    "which is not configured: left in the queue", cnt,
			    cnt == 1 ? "" : "s", names[i]);
			log_message("account=%s nmsg=%zu status=unknown-account",
			    names[i], cnt);
			r->st->unknown += (unsigned)cnt;
		} else {
			r->acct = a;
			r->group = names[i];
			r->down = 0;
			drain(r, mine, cnt);
			if (r->own) {
				smtp_close(r->sess);
				r->sess = NULL;
			}
		}
		for (size_t j = n; j-- > i;)
			if (names[j] != NULL && (j == i ||
			    strcmp(names[j], names[i]) == 0)) {
				free(names[j]);
				names[j] = NULL;
			}
	}
out:
	for (size_t i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
	free(mine);
}

static int
run_paths(struct run *r, const struct account *const *accts, size_t nacct,
    struct failure *f)
{
	static char paths[SPOOL_PATHS_MAX][SPOOL_PATH_MAX];
	size_t np = spool_paths(accts, nacct, paths, SPOOL_PATHS_MAX, f);
	int rc = 0;

	for (size_t p = 0; p < np; p++) {
		char **ids;
		size_t n;

		if ((r->dfd = spool_open(paths[p], 0, f)) == -1) {
			if (errno != ENOENT)
				rc = -1;
			continue;
		}
		if (spool_scan(r->dfd, &ids, &n) == -1) {
			failure_set(f, EX_IOERR, FAIL_TEMP, "cannot read %s: %s",
			    paths[p], strerror(errno));
			rc = -1;
		} else {
			run_dir(r, accts, nacct, ids, n);
			spool_ids_free(ids, n);
		}
		sync_dir(r, 1);
		close(r->dfd);
	}
	return rc;
}

int
queue_run(const struct account *const *accts, size_t nacct,
    const struct queue_select *sel, struct queue_stats *st,
    struct failure *f)
{
	struct queue_stats dummy;
	struct run r;

	memset(&r, 0, sizeof(r));
	memset(&dummy, 0, sizeof(dummy));
	r.own = 1;
	r.sel = sel;
	r.st = st != NULL ? st : &dummy;
	r.now = time(NULL);
	return run_paths(&r, accts, nacct, f);
}

int
queue_run_session(struct smtp_session *s, const struct account *a,
    struct queue_stats *st, struct failure *f)
{
	const struct account *one_acct[1] = { a };
	struct queue_stats dummy;
	struct run r;

	memset(&r, 0, sizeof(r));
	memset(&dummy, 0, sizeof(dummy));
	r.sess = s;
	r.st = st != NULL ? st : &dummy;
	r.now = time(NULL);
	return run_paths(&r, one_acct, 1, f);
}
