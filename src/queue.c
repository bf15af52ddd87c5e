/* SPDX-License-Identifier: MIT */
/*
 * queue: enqueue and list.  The delivery run is in queuerun.c, the disk
 * layout in spool.c, the record format in spoolfmt.c.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "queue.h"
#include "spool.h"

static int
dup_opt(char **dst, const char *src)
{
	if (src == NULL)
		return 0;
	return (*dst = strdup(src)) == NULL ? -1 : 0;
}

/*
 * Fill a spool record from the envelope: the account, the sender, the DSN
 * parameters, the body flags, and the recipients in the wanted states
 * (owed ones for the queue, refused ones for failed/).  Returns 0, 1 when
 * no recipient is in those states, or -1 when out of memory.
 */
static int
meta_fill(struct spool_meta *m, const struct account *a,
    const struct envelope *e, const struct source *src, int refused)
{
	if (dup_opt(&m->account, a->name != NULL ? a->name : "default") ||
	    envelope_set_sender(&m->env, e->sender != NULL ? e->sender : "") ||
	    dup_opt(&m->env.dsn_notify, e->dsn_notify) ||
	    dup_opt(&m->env.dsn_ret, e->dsn_ret) ||
	    dup_opt(&m->env.dsn_envid, e->dsn_envid))
		return -1;
	for (size_t i = 0; i < e->nrcpt; i++) {
		enum rcpt_state st = e->rcpt[i].state;
		int want = refused ? st == RCPT_PERMFAIL :
		    st == RCPT_PENDING || st == RCPT_TEMPFAIL;

		if (want && envelope_add_rcpt(&m->env, e->rcpt[i].addr) == -1)
			return -1;
	}
	m->env.body = e->body;
	m->env.smtputf8 = e->smtputf8;
	m->eightbit = src->eightbit;
	m->longlines = src->longlines;
	return m->env.nrcpt == 0 ? 1 : 0;
}

int
queue_enqueue(const struct account *a, const struct envelope *e,
    struct source *src, const char *last_error, char id_out[QUEUE_ID_MAX],
    struct failure *f)
{
	char path[SPOOL_PATH_MAX];
	struct spool_meta m;
	time_t now = time(NULL);
	int dfd, rc = -1;

	id_out[0] = '\0';
	spoolfmt_init(&m);
	switch (meta_fill(&m, a, e, src, 0)) {
	case -1:
		goto oom;
	case 1:
		failure_set(f, EX_SOFTWARE, FAIL_PERM, "nothing to queue: no "
		    "recipient is owed");
		goto out;
	}
	m.first = now;
	if (last_error != NULL) {
		m.attempts = 1;
		m.last = now;
		snprintf(m.error, sizeof(m.error), "%s", last_error);
	}
	m.next = spool_next_due(a, m.attempts, now);

	if (spool_path(a, path, sizeof(path), f) == -1)
		goto out;
	if ((dfd = spool_open(path, 1, f)) == -1)
		goto out;
	rc = spool_write(dfd, &m, src, id_out, f);
	close(dfd);
	if (rc == 0)
		log_message("queue-id=%s account=%s from=<%s> nrcpt=%zu "
		    "size=%llu status=queued", id_out, m.account,
		    m.env.sender, m.env.nrcpt, (unsigned long long)m.size);
	goto out;
oom:
	failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
out:
	spoolfmt_free(&m);
	return rc;
}

/*
 * A dead letter: the same entry as queue_enqueue() writes (df then qf,
 * each fsynced, the directory fsynced), but written straight into the
 * failed/ subdirectory, which is itself a spool directory (spool.h).  The
 * envelope keeps the recipients refused for good; -qQ puts it back.
 */
int
queue_keep_failed(const struct account *a, const struct envelope *e,
    struct source *src, const char *reason, char id[QUEUE_ID_MAX],
    char *where, size_t wherelen, struct failure *f)
{
	char path[SPOOL_PATH_MAX];
	struct spool_meta m;
	time_t now = time(NULL);
	int dfd, rc = -1;

	id[0] = '\0';
	if (wherelen > 0)
		where[0] = '\0';
	spoolfmt_init(&m);
	switch (meta_fill(&m, a, e, src, 1)) {
	case -1:
		goto oom;
	case 1:
		failure_set(f, EX_SOFTWARE, FAIL_PERM, "nothing to keep: no "
		    "recipient was refused");
		goto out;
	}
	m.first = m.last = m.next = now;
	m.attempts = 1;
	snprintf(m.error, sizeof(m.error), "%s", reason != NULL ? reason :
	    "refused");
	if (spool_path(a, path, sizeof(path), f) == -1)
		goto out;
	if (strlen(path) + sizeof("/failed") > sizeof(path)) {
		failure_set(f, EX_CANTCREAT, FAIL_TEMP, "queue directory name "
		    "too long");
		goto out;
	}
	memcpy(path + strlen(path), "/failed", sizeof("/failed"));
	if ((dfd = spool_open(path, 1, f)) == -1)
		goto out;
	rc = spool_write(dfd, &m, src, id, f);
	close(dfd);
	if (rc == 0) {
		snprintf(where, wherelen, "%s/df%s", path, id);
		log_message("queue-id=%s account=%s from=<%s> nrcpt=%zu "
		    "size=%llu status=failed kept=%s error=\"%s\"", id,
		    m.account, m.env.sender, m.env.nrcpt,
		    (unsigned long long)m.size, where, m.error);
	}
	goto out;
oom:
	failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
out:
	spoolfmt_free(&m);
	return rc;
}

/* ---------------------------------------------------------------- list */

/* Relay text and addresses come from outside: print them tame. */
static void
put_tame(FILE *out, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
	}
	if (s[i] != '\0')
		fputs("...", out);
}

static void
span(char *buf, size_t len, long long secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(buf, len, "%llds", secs);
	else if (secs < 3600)
		snprintf(buf, len, "%lldm", secs / 60);
	else if (secs < 86400)
		snprintf(buf, len, "%lldh%02lldm", secs / 3600,
		    secs / 60 % 60);
	else
		snprintf(buf, len, "%lldd%02lldh", secs / 86400,
		    secs / 3600 % 24);
}

static void
list_one(FILE *out, int dfd, const char *id, const struct spool_meta *m,
    time_t now)
{
	char when[32], age[48], next[48];
	time_t first = (time_t)m->first;
	struct tm tm;
	long long size = spool_size(dfd, id);

	if (localtime_r(&first, &tm) == NULL ||
	    strftime(when, sizeof(when), "%a %b %d %H:%M", &tm) == 0)
		snprintf(when, sizeof(when), "?");
	span(age, sizeof(age), (long long)(now - first));
	span(next, sizeof(next), (long long)(m->next - now));
	fprintf(out, "%-17s%c%8lld %-16s <", id,
	    spool_locked(dfd, id) ? '*' : ' ', size, when);
	put_tame(out, m->env.sender, 200);
	fprintf(out, ">\n      (account %s, age %s, %u attempt%s",
	    m->account, age, m->attempts, m->attempts == 1 ? "" : "s");
	if (m->next > now)
		fprintf(out, ", next in %s", next);
	if (m->error[0] != '\0') {
		fputs(": ", out);
		put_tame(out, m->error, 160);
	}
	fputs(")\n", out);
	for (size_t i = 0; i < m->env.nrcpt; i++) {
		fprintf(out, "%44s<", "");
		put_tame(out, m->env.rcpt[i].addr, 300);
		fputs(">\n", out);
	}
}

/* The entries of each spool directory's subdirectory sub ("" for the
 * queue itself); returns how many, or -1 when one cannot be read. */
static int
list_dirs(FILE *out, const struct account *const *accts, size_t nacct,
    const char *sub, int print, struct failure *f)
{
	static char paths[SPOOL_PATHS_MAX][SPOOL_PATH_MAX];
	size_t np = spool_paths(accts, nacct, paths, SPOOL_PATHS_MAX, f);
	unsigned total = 0;
	time_t now = time(NULL);
	int rc = 0;

	for (size_t p = 0; p < np; p++) {
		char **ids, why[128], dir[SPOOL_PATH_MAX + 16];
		size_t n, shown = 0;
		int dfd;

		snprintf(dir, sizeof(dir), "%s%s%s", paths[p], sub[0] ? "/" :
		    "", sub);
		if ((dfd = spool_open(dir, 0, f)) == -1) {
			if (errno != ENOENT)
				rc = -1;
			continue;
		}
		if (spool_scan(dfd, &ids, &n) == -1) {
			failure_set(f, EX_IOERR, FAIL_TEMP, "cannot read %s: %s",
			    dir, strerror(errno));
			close(dfd);
			rc = -1;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			struct spool_meta m;
			int r = spool_load(dfd, ids[i], &m, why, sizeof(why));

			if (r == -2)
				continue;	/* delivered meanwhile */
			if (shown++ == 0 && print)
				fprintf(out, "%16s%s\n------Q-ID-------  --Size--"
				    " -----Q-Time----- ------------Sender/"
				    "Recipient-----------\n", "", dir);
			if (r == -1) {
				if (print)
					fprintf(out, "%-17s  (corrupt: %s%s)\n",
					    ids[i], why, sub[0] ? "" :
					    "; set aside by the next run");
				continue;
			}
			if (print)
				list_one(out, dfd, ids[i], &m, now);
			spoolfmt_free(&m);
		}
		if (shown > 0 && print)
			fprintf(out, "%16sTotal requests: %zu\n", "", shown);
		total += (unsigned)shown;
		spool_ids_free(ids, n);
		close(dfd);
	}
	return rc == -1 ? -1 : (int)total;
}

int
queue_list(FILE *out, const struct account *const *accts, size_t nacct,
    struct failure *f)
{
	struct failure ign;
	int n = list_dirs(out, accts, nacct, "", 1, f), nf;

	if (n == 0)
		fputs("Mail queue is empty\n", out);
	/* Dead letters are not in the queue, but a person must learn of
	 * them (sendmail's quarantine works the same way: mailq -qQ). */
	failure_clear(&ign);
	if ((nf = list_dirs(out, accts, nacct, "failed", 0, &ign)) > 0)
		fprintf(out, "%16s(%d failed message%s kept: mailq -qQ lists "
		    "them)\n", "", nf, nf == 1 ? "" : "s");
	return n == -1 ? -1 : 0;
}

int
queue_list_failed(FILE *out, const struct account *const *accts,
    size_t nacct, struct failure *f)
{
	int n = list_dirs(out, accts, nacct, "failed", 1, f);

	if (n == 0)
		fputs("No failed messages\n", out);
	return n == -1 ? -1 : 0;
}
