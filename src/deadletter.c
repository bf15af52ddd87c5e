/* SPDX-License-Identifier: MIT */
/*
 * deadletter: what happens to a message refused for good at submit time
 * (queue.h): kept in failed/ with the error line saying where; the bounce
 * for recipients refused while others were delivered, sent over the
 * session that is still open; and -qQ, which puts dead letters kept in
 * failed/ back into the queue.
 */
#include "config.h"

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bounce.h"
#include "log.h"
#include "queue.h"
#include "spool.h"

#define BOUNCE_RCPT_MAX	64

static int
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return n == 0;
}

int
queue_wants_bounce(const struct envelope *e)
{
	if (e->sender == NULL || e->sender[0] == '\0')
		return 0;	/* never a bounce of a bounce */
	return e->dsn_notify == NULL || contains_ci(e->dsn_notify, "FAILURE");
}

/* The header block of the message, read from the start of src. */
static size_t
read_headers(struct source *src, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	if (source_rewind(src) == -1)
		return 0;
	while (n < cap && (r = source_read(src, buf + n, cap - n)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r < 0)
			return 0;
		n += (size_t)r;
		if (bounce_header_len(buf, n) < n)
			break;	/* the empty line is in */
	}
	return bounce_header_len(buf, n);
}

static void
mta_names(const struct account *a, char *host, size_t hlen, char *from,
    size_t flen)
{
	if (a->domain != NULL)
		snprintf(host, hlen, "%s", a->domain);
	else if (gethostname(host, hlen) == -1)
		snprintf(host, hlen, "localhost");
	host[hlen - 1] = '\0';
	if (a->from != NULL && strchr(a->from, '@') != NULL)
		snprintf(from, flen, "%s", a->from);
	else
		snprintf(from, flen, "MAILER-DAEMON@%s", host);
}

int
queue_bounce_refused(struct smtp_session *s, const struct account *a,
    const struct envelope *e, struct source *orig, const char *id,
    struct failure *f)
{
	static char hdr[BOUNCE_HEADERS_MAX];
	struct bounce_rcpt br[BOUNCE_RCPT_MAX];
	char st[BOUNCE_RCPT_MAX][16], from[320], host[256];
	char qid[QUEUE_ID_MAX];
	struct bounce_in in;
	struct envelope be;
	struct source src;
	struct source_mem mem;
	struct failure qf;
	char *msg = NULL;
	size_t len = 0;
	int rc = -1;

	memset(&in, 0, sizeof(in));
	mta_names(a, host, sizeof(host), from, sizeof(from));
	for (size_t i = 0; i < e->nrcpt && in.nrcpt < BOUNCE_RCPT_MAX; i++) {
		const struct recipient *r = &e->rcpt[i];

		if (r->state != RCPT_PERMFAIL)
			continue;
		bounce_status(r->code, r->reply, st[in.nrcpt]);
		br[in.nrcpt].addr = r->addr;
		br[in.nrcpt].status = st[in.nrcpt];
		br[in.nrcpt].diag = r->reply[0] != '\0' ? r->reply : NULL;
		in.nrcpt++;
	}
	in.headers = hdr;
	in.hlen = read_headers(orig, hdr, sizeof(hdr));
	in.to = e->sender;
	in.from = from;
	in.mta = host;
	in.queue_id = id;
	in.envid = e->dsn_envid;
	in.reason = "The relay refused them permanently; the other "
	    "recipients got the message.";
	in.arrival = in.now = (int64_t)time(NULL);
	in.rcpt = br;
	if (bounce_build(&in, &msg, &len) == -1) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		return -1;
	}
	source_from_memory(&src, &mem, msg, len);
	envelope_init(&be);
	be.body = src.eightbit ? BODY_8BITMIME : BODY_7BIT;
	for (const char *p = e->sender; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			be.smtputf8 = 1;	/* the bounce's only address */
	/* From <> (RFC 5321 4.5.5), asking for no DSN (RFC 3461 4.1). */
	if (envelope_set_sender(&be, "") == -1 ||
	    envelope_add_rcpt(&be, e->sender) == -1 ||
	    (be.dsn_notify = strdup("NEVER")) == NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		goto out;
	}
	if (s != NULL && smtp_usable(s) &&
	    smtp_transaction(s, &be, &src, f) == 0 &&
	    be.rcpt[0].state == RCPT_ACCEPTED) {
		rc = 1;
		goto out;
	}
	if (s == NULL || !smtp_usable(s))
		failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "the session with the "
		    "relay was lost");
	/* Not refused for good: the bounce waits in the queue (its null
	 * sender means it is never bounced itself). */
	if (be.rcpt[0].state != RCPT_PERMFAIL && f->cls != FAIL_PERM &&
	    a->queue) {
		failure_clear(&qf);
		be.rcpt[0].state = RCPT_PENDING;
		if (queue_enqueue(a, &be, &src, f->msg, qid, &qf) == 0) {
			log_debug("the bounce to <%s> is queued as %s",
			    e->sender, qid);
			rc = 0;
		}
	}
out:
	envelope_free(&be);
	free(msg);
	return rc;
}

/* ------------------------------------------------------ submit time */

/* The refused recipients' dead letter; in kept, what the error lines
 * add: where it is, or that it could not be kept. */
static void
keep_refused(const struct account *a, const struct envelope *e,
    struct source *src, const char *reason, char id[QUEUE_ID_MAX],
    char *kept, size_t len)
{
	static char where[SPOOL_PATH_MAX + 64];
	struct failure kf;

	kept[0] = id[0] = '\0';
	/* queue = false: nothing is kept on disk, dead letters included;
	 * the line is the refusal alone, as before the queue existed */
	if (!a->queue)
		return;
	failure_clear(&kf);
	if (queue_keep_failed(a, e, src, reason, id, where, sizeof(where),
	    &kf) == -1)
		snprintf(kept, len, "; message NOT kept: %s", kf.msg);
	else
		snprintf(kept, len, "; message kept as %s", where);
}

void
queue_refused(struct smtp_session *s, const struct account *a,
    struct envelope *e, struct source *src, const struct failure *whole)
{
	static char kept[SPOOL_PATH_MAX + FAILURE_MSG_MAX + 64];
	char id[QUEUE_ID_MAX], first[ENVELOPE_REPLY_MAX + 320];
	struct failure bf;
	size_t i, refused;

	first[0] = '\0';
	for (i = 0; i < e->nrcpt; i++) {
		struct recipient *r = &e->rcpt[i];

		/* refused as a whole: the untried recipients share it */
		if (whole != NULL && r->state == RCPT_PENDING) {
			r->state = RCPT_PERMFAIL;
			snprintf(r->reply, sizeof(r->reply), "%.*s",
			    (int)sizeof(r->reply) - 1, whole->msg);
		}
		if (r->state == RCPT_PERMFAIL && first[0] == '\0')
			snprintf(first, sizeof(first), "<%s>: %s", r->addr,
			    r->reply);
	}
	kept[0] = id[0] = '\0';
	if ((refused = envelope_count(e, RCPT_PERMFAIL)) > 0)
		keep_refused(a, e, src, whole != NULL ? whole->msg : first, id,
		    kept, sizeof(kept));
	if (whole != NULL) {
		log_error("%s%s", whole->msg[0] ? whole->msg : "failed", kept);
		return;
	}
	for (i = 0; i < e->nrcpt; i++)
		if (e->rcpt[i].state == RCPT_PERMFAIL)
			log_error("<%s>: refused: %s%s", e->rcpt[i].addr,
			    e->rcpt[i].reply[0] ? e->rcpt[i].reply : "5xx",
			    kept);
	/* Refused while others got it: the sender hears of it (RFC 3464),
	 * over this session, as sendmail's refusals reach the sender. */
	if (refused == 0 || envelope_count(e, RCPT_ACCEPTED) == 0 ||
	    !queue_wants_bounce(e))
		return;
	failure_clear(&bf);
	if (queue_bounce_refused(s, a, e, src, id[0] ? id : NULL, &bf) == -1)
		log_error("the bounce to <%s> failed: %s", e->sender,
		    bf.msg[0] ? bf.msg : "refused");
}

/* ------------------------------------------------------------ -qQ */

static int
picked(const struct queue_select *sel, const char *id,
    const struct spool_meta *m)
{
	int any = 0;

	if (sel == NULL)
		return 1;
	if (sel->id != NULL && strncasecmp(id, sel->id, strlen(sel->id)) != 0)
		return 0;
	if (sel->sender != NULL && !contains_ci(m->env.sender, sel->sender))
		return 0;
	if (sel->rcpt == NULL)
		return 1;
	for (size_t i = 0; i < m->env.nrcpt && !any; i++)
		any = contains_ci(m->env.rcpt[i].addr, sel->rcpt);
	return any;
}

/* Move one dead letter back: record reset (due now, no attempts), then
 * df and qf renamed into the queue, both directories synced.  The df lock
 * is held throughout, so spool_scan() never takes the df, briefly without
 * its qf, for a killed writer's leftover. */
static int
requeue_one(int dfd, int ffd, const char *id, struct spool_meta *m,
    struct failure *f)
{
	char df[SPOOL_ID_MAX + 2], qf[SPOOL_ID_MAX + 2];
	int fd, rc = -1;

	if ((fd = spool_lock(ffd, id)) == -1)
		return 0;	/* gone, or being requeued elsewhere */
	snprintf(df, sizeof(df), "df%s", id);
	snprintf(qf, sizeof(qf), "qf%s", id);
	if (faccessat(dfd, qf, F_OK, 0) == 0 ||
	    faccessat(dfd, df, F_OK, 0) == 0) {
		failure_set(f, EX_CANTCREAT, FAIL_TEMP, "requeue %s: an entry "
		    "of that name is already queued", id);
		goto out;
	}
	m->attempts = 0;
	m->next = (int64_t)time(NULL);
	if (spool_update(ffd, id, m, f) == -1)
		goto out;
	if (renameat(ffd, df, dfd, df) == -1 ||
	    renameat(ffd, qf, dfd, qf) == -1) {
		failure_set(f, EX_IOERR, FAIL_TEMP, "requeue %s: %s", id,
		    strerror(errno));
		goto out;
	}
	if (fsync(dfd) == -1 || fsync(ffd) == -1) {
		failure_set(f, EX_IOERR, FAIL_TEMP, "requeue %s: sync: %s", id,
		    strerror(errno));
		goto out;
	}
	rc = 1;
out:
	close(fd);
	return rc;
}

int
queue_requeue_failed(const struct account *const *accts, size_t nacct,
    const struct queue_select *sel, unsigned *moved, struct failure *f)
{
	static char paths[SPOOL_PATHS_MAX][SPOOL_PATH_MAX];
	size_t np = spool_paths(accts, nacct, paths, SPOOL_PATHS_MAX, f);
	int rc = 0;

	*moved = 0;
	for (size_t p = 0; p < np; p++) {
		char **ids, why[128];
		size_t n;
		int dfd, ffd;

		if ((dfd = spool_open(paths[p], 0, f)) == -1) {
			if (errno != ENOENT)
				rc = -1;
			continue;
		}
		if ((ffd = openat(dfd, "failed", O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) == -1) {
			close(dfd);
			continue;
		}
		if (spool_scan(ffd, &ids, &n) == -1) {
			failure_set(f, EX_IOERR, FAIL_TEMP, "cannot read %s/"
			    "failed: %s", paths[p], strerror(errno));
			rc = -1;
			n = 0;
			ids = NULL;
		}
		for (size_t i = 0; i < n; i++) {
			struct spool_meta m;
			int r;

			if (spool_load(ffd, ids[i], &m, why, sizeof(why)) != 0)
				continue;
			if (picked(sel, ids[i], &m)) {
				if ((r = requeue_one(dfd, ffd, ids[i], &m, f))
				    == -1)
					rc = -1;
				*moved += r == 1;
			}
			spoolfmt_free(&m);
		}
		spool_ids_free(ids, n);
		close(ffd);
		close(dfd);
	}
	return rc;
}
