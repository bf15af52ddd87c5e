/* SPDX-License-Identifier: MIT */
/*
 * smtp-fake: a scripted stand-in for src/smtp.c, linked into the queue
 * driver so the queue can be tested without a network or a relay.  It
 * implements src/smtp.h; the objects of this file come before
 * libpostie.a on the link line, so the real smtp.o is not pulled in.
 *
 * Environment:
 *   FAKE_SMTP_DIR     each accepted message is written to DIR/sent.N
 *                     ("from <s>", "to <r>" lines, an empty line, the
 *                     data); DIR/log gets one line per session and
 *                     transaction
 *   FAKE_SMTP_SCRIPT  faults, one per line, consumed in order, each when
 *                     the session reaches its point:
 *                       open|mail|rcpt|data|dot  CODE [text]   (a reply)
 *                       open|mail|rcpt|data|dot  drop          (lost)
 *                       dot  drop-after   (lost after the final dot: the
 *                                          relay kept the message)
 *   FAKE_SMTP_RCPTMAX at most this many RCPT per transaction (452 after)
 *   FAKE_SMTP_DELAY_MS sleep this long in each transaction
 */
#include "config.h"

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "smtp.h"

struct smtp_session {
	int		 usable;
	struct smtp_info info;
};

static void
flog(const char *what, const char *arg)
{
	const char *dir = getenv("FAKE_SMTP_DIR");
	char path[4096];
	FILE *f;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/log", dir);
	if ((f = fopen(path, "a")) != NULL) {
		fprintf(f, "%s%s\n", what, arg);
		fclose(f);
	}
}

/* The first script line, when it is for this point: consumed, and its
 * action copied out.  Locked: parallel runs share the script. */
static int
take(const char *point, char *act, size_t len)
{
	const char *path = getenv("FAKE_SMTP_SCRIPT");
	char buf[8192], *nl;
	size_t n, pl = strlen(point);
	ssize_t r;
	int fd, hit = 0;

	if (path == NULL || (fd = open(path, O_RDWR)) == -1)
		return 0;
	flock(fd, LOCK_EX);
	r = read(fd, buf, sizeof(buf) - 1);
	n = r > 0 ? (size_t)r : 0;
	buf[n] = '\0';
	if (strncmp(buf, point, pl) == 0 && buf[pl] == ' ') {
		nl = strchr(buf, '\n');
		if (nl == NULL)
			nl = buf + n;
		snprintf(act, len, "%.*s", (int)(nl - buf - (ptrdiff_t)pl - 1),
		    buf + pl + 1);
		if (*nl == '\n')
			nl++;
		ftruncate(fd, 0);
		pwrite(fd, nl, n - (size_t)(nl - buf), 0);
		hit = 1;
	}
	close(fd);
	return hit;
}

/* Apply an action: 0 go on; -1 failed (recorded; *code set). */
static int
act(struct smtp_session *s, const char *point, struct failure *f,
    int *code, char *text, size_t tlen)
{
	char a[256];

	*code = 0;
	if (!take(point, a, sizeof(a)))
		return 0;
	if (strcmp(a, "drop") == 0) {
		s->usable = 0;
		failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "connection lost at %s",
		    point);
		return -1;
	}
	*code = (int)strtol(a, NULL, 10);
	snprintf(text, tlen, "%s", a);
	if (*code >= 200 && *code < 400)
		return 0;
	failure_set(f, *code >= 500 ? EX_UNAVAILABLE : EX_TEMPFAIL,
	    *code >= 500 ? FAIL_PERM : FAIL_TEMP, "relay said at %s: %s",
	    point, a);
	return -1;
}

struct smtp_session *
smtp_open(const struct account *a, struct failure *f)
{
	struct smtp_session *s = calloc(1, sizeof(*s));
	char text[256];
	int code;

	if (s == NULL)
		return NULL;
	s->usable = 1;
	snprintf(s->info.relay, sizeof(s->info.relay), "fake[%s]",
	    a->host != NULL ? a->host : "");
	if (act(s, "open", f, &code, text, sizeof(text)) == -1) {
		flog("open failed", "");
		free(s);
		return NULL;
	}
	flog("open ", a->name);
	return s;
}

static int
record(const struct envelope *e, struct source *src, int *accepted)
{
	const char *dir = getenv("FAKE_SMTP_DIR");
	char path[4096], buf[65536];
	ssize_t r;
	uint64_t total = 0;
	FILE *f = NULL;

	for (int i = 1; dir != NULL && f == NULL && i < 100000; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/sent.%d", dir, i);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0)
			f = fdopen(fd, "w");
	}
	if (f == NULL)
		return -1;
	fprintf(f, "from <%s>\n", e->sender);
	for (size_t i = 0; i < e->nrcpt; i++)
		if (accepted[i])
			fprintf(f, "to <%s>\n", e->rcpt[i].addr);
	fputc('\n', f);
	source_rewind(src);
	while ((r = source_read(src, buf, sizeof(buf))) > 0) {
		fwrite(buf, 1, (size_t)r, f);
		total += (uint64_t)r;
	}
	fclose(f);
	return r == 0 && total == src->size ? 0 : -1;
}

int
smtp_transaction(struct smtp_session *s, struct envelope *e,
    struct source *src, struct failure *f)
{
	const char *max = getenv("FAKE_SMTP_RCPTMAX"), *d;
	int code, nacc = 0, ntemp = 0, rc = -1;
	int *acc = calloc(e->nrcpt + 1, sizeof(int));
	long maxr = max != NULL ? strtol(max, NULL, 10) : 0, tried = 0;
	char text[256];

	if (acc == NULL || !s->usable)
		goto out;
	if ((d = getenv("FAKE_SMTP_DELAY_MS")) != NULL) {
		long ms = strtol(d, NULL, 10);
		struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

		nanosleep(&ts, NULL);
	}
	flog("mail from ", e->sender);
	if (act(s, "mail", f, &code, text, sizeof(text)) == -1)
		goto out;
	for (size_t i = 0; i < e->nrcpt; i++) {
		struct recipient *r = &e->rcpt[i];

		if (r->state != RCPT_PENDING && r->state != RCPT_TEMPFAIL)
			continue;
		if (maxr > 0 && tried++ >= maxr) {
			r->state = RCPT_TEMPFAIL;
			r->code = 452;
			snprintf(r->reply, sizeof(r->reply),
			    "452 4.5.3 too many recipients");
			ntemp++;
			continue;
		}
		if (act(s, "rcpt", f, &code, text, sizeof(text)) == -1) {
			if (!s->usable)
				goto out;
			r->state = code >= 500 ? RCPT_PERMFAIL : RCPT_TEMPFAIL;
			r->code = code;
			snprintf(r->reply, sizeof(r->reply), "%s", text);
			ntemp += code < 500;
			continue;
		}
		acc[i] = 1;
		nacc++;
	}
	failure_clear(f);
	if (nacc == 0) {
		failure_set(f, ntemp ? EX_TEMPFAIL : EX_NOUSER,
		    ntemp ? FAIL_TEMP : FAIL_PERM, "no recipient accepted");
		goto out;
	}
	if (act(s, "data", f, &code, text, sizeof(text)) == -1)
		goto out;
	if (take("dot", text, sizeof(text))) {
		if (strcmp(text, "drop-after") == 0) {
			record(e, src, acc);
			s->usable = 0;
			failure_set(f, EX_TEMPFAIL, FAIL_UNKNOWN, "connection "
			    "lost after the final dot: status unknown");
			goto out;
		}
		if (strcmp(text, "drop") == 0) {
			s->usable = 0;
			failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "connection "
			    "lost before the final dot");
			goto out;
		}
		code = (int)strtol(text, NULL, 10);
		if (code >= 200 && code < 300)
			goto accepted;
		failure_set(f, code >= 500 ? EX_UNAVAILABLE : EX_TEMPFAIL,
		    code >= 500 ? FAIL_PERM : FAIL_TEMP, "relay said at dot: "
		    "%s", text);
		goto out;
	}
accepted:
	if (record(e, src, acc) == -1) {
		failure_set(f, EX_IOERR, FAIL_TEMP, "fake relay cannot store");
		goto out;
	}
	for (size_t i = 0; i < e->nrcpt; i++)
		if (acc[i])
			e->rcpt[i].state = RCPT_ACCEPTED;
	rc = 0;
out:
	free(acc);
	return rc;
}

int
smtp_usable(const struct smtp_session *s)
{
	return s != NULL && s->usable;
}

const struct smtp_info *
smtp_get_info(const struct smtp_session *s)
{
	return &s->info;
}

void
smtp_close(struct smtp_session *s)
{
	if (s != NULL)
		flog("close", "");
	free(s);
}
