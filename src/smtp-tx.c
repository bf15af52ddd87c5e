/* SPDX-License-Identifier: MIT */
/*
 * smtp-tx: one mail transaction (RFC 5321 3.3): MAIL, RCPT..., then DATA
 * (RFC 5321 4.1.1.4) or BDAT (RFC 3030).  With PIPELINING (RFC 2920) the
 * whole command group goes out in one write and the replies are matched
 * in order; otherwise lock-step.
 *
 * Decisions (documented in postie(8)):
 *  - SIZE: a message larger than the relay's announced limit is refused
 *    here, before MAIL FROM, with EX_UNAVAILABLE (nothing is uploaded).
 *  - 8-bit body and no 8BITMIME: sent as it is, without BODY=, and left
 *    to the relay (virtually every relay is 8-bit clean; refusing would
 *    lose mail that would have been delivered).  -v says so.
 *  - SMTPUTF8 needed and not offered: refused (RFC 6531 3.4).
 *  - DSN asked for and not offered: the parameters are left out, as
 *    sendmail does.
 *  - Once the final dot (or BDAT LAST) has left, a lost connection or a
 *    timeout means "status unknown" (RFC 1047): retried, may duplicate.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dotstuff.h"
#include "log.h"
#include "smtp-int.h"

#define CHUNK		65536	/* source bytes per read / per BDAT */
#define EARLY_BDAT_MAX	65536	/* up to this size, BDAT joins the group */

struct tx {
	struct smtp_session	*s;
	struct envelope		*env;
	struct source		*src;
	size_t			*idx;		/* recipients tried */
	int			*rcode;		/* their RCPT reply codes */
	size_t			 n, accepted;
	int			 mail_ok, final_sent;
	struct failure		 mailf, permf, tempf;
	char			*in, *out;
};

/* RFC 3461 4: xtext for ENVID */
static void
xtext(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	for (; *in != '\0' && o + 4 < cap; in++) {
		unsigned char c = (unsigned char)*in;

		if (c < 33 || c > 126 || c == '+' || c == '=')
			o += (size_t)snprintf(out + o, cap - o, "+%02X", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static int
send_mail(struct tx *t, struct failure *f)
{
	struct smtp_session *s = t->s;
	struct envelope *e = t->env;
	char par[400], id[200];
	size_t o = 0;

	par[0] = '\0';
	if (s->caps & CAP_SIZE)
		o += (size_t)snprintf(par + o, sizeof(par) - o, " SIZE=%llu",
		    (unsigned long long)t->src->size);
	if ((t->src->eightbit || e->body == BODY_8BITMIME) &&
	    (s->caps & CAP_8BITMIME))
		o += (size_t)snprintf(par + o, sizeof(par) - o,
		    " BODY=8BITMIME");
	else if (t->src->eightbit)
		log_debug("8-bit message and %s does not offer 8BITMIME: "
		    "sent as it is", s->info.relay);
	if (e->smtputf8)
		o += (size_t)snprintf(par + o, sizeof(par) - o, " SMTPUTF8");
	if (s->caps & CAP_DSN) {
		if (e->dsn_ret != NULL)
			o += (size_t)snprintf(par + o, sizeof(par) - o,
			    " RET=%s", e->dsn_ret);
		if (e->dsn_envid != NULL) {
			xtext(e->dsn_envid, id, sizeof(id));
			o += (size_t)snprintf(par + o, sizeof(par) - o,
			    " ENVID=%s", id);
		}
	} else if (e->dsn_notify || e->dsn_ret || e->dsn_envid)
		log_debug("%s does not offer DSN: -N/-R/-V ignored",
		    s->info.relay);
	(void)o;
	return smtp_send(s, NULL, f, "MAIL FROM:<%s>%s", e->sender, par);
}

static int
send_rcpt(struct tx *t, size_t i, struct failure *f)
{
	const char *notify = t->env->dsn_notify;

	if (notify != NULL && (t->s->caps & CAP_DSN))
		return smtp_send(t->s, NULL, f, "RCPT TO:<%s> NOTIFY=%s",
		    t->env->rcpt[t->idx[i]].addr, notify);
	return smtp_send(t->s, NULL, f, "RCPT TO:<%s>",
	    t->env->rcpt[t->idx[i]].addr);
}

static int
read_mail(struct tx *t, struct failure *f)
{
	char what[300];
	int code;

	snprintf(what, sizeof(what), "MAIL FROM:<%s>", t->env->sender);
	code = smtp_reply(t->s, smtp_tmo(t->s->a->timeouts.command, 300),
	    what, 0, f);
	if (code == -1)
		return -1;
	t->mail_ok = code / 100 == 2;
	if (!t->mail_ok)
		smtp_refused(t->s, what, &t->mailf);
	return 0;
}

static int
read_rcpt(struct tx *t, size_t i, struct failure *f)
{
	struct recipient *r = &t->env->rcpt[t->idx[i]];
	char what[300];
	int code;

	snprintf(what, sizeof(what), "RCPT TO:<%s>", r->addr);
	code = smtp_reply(t->s, smtp_tmo(t->s->a->timeouts.command, 300),
	    what, 0, f);
	if (code == -1)
		return -1;
	t->rcode[i] = code;
	r->code = code;
	reply_summary(&t->s->rep, r->reply, sizeof(r->reply));
	if (code / 100 == 2) {
		t->accepted++;
		return 0;
	}
	/* 452 "too many recipients" included: owed, a later transaction
	 * (RFC 5321 4.5.3.1.10) */
	if (code / 100 == 4) {
		r->state = RCPT_TEMPFAIL;
		smtp_refused(t->s, what, &t->tempf);
	} else {
		r->state = RCPT_PERMFAIL;
		smtp_refused(t->s, what, &t->permf);
	}
	return 0;
}

/*
 * Without PIPELINING, each BDAT chunk but the last waits for its reply
 * (RFC 3030 4.2); a refusal stops the upload (recorded in df).  Returns
 * 0, or -1 with the failure recorded.
 */
static int
chunk_reply(struct tx *t, struct failure *df, struct failure *f)
{
	int code = smtp_reply(t->s, smtp_tmo(t->s->a->timeouts.data_block,
	    180), "BDAT", 0, f);

	if (code == -1)
		return -1;
	if (code / 100 != 2)
		smtp_refused(t->s, "the message data (BDAT)", df);
	return 0;
}

/* Write the message through the DATA writer, in large writes.  BDAT:
 * returns the number of chunks whose replies are still to be read. */
static int
send_data(struct tx *t, int bdat, struct failure *df, struct failure *f)
{
	int lockstep = bdat && !(t->s->caps & CAP_PIPELINING);

	struct smtp_session *s = t->s;
	struct dotstuff d;
	size_t o, pend = 0;
	ssize_t n;
	unsigned chunks = 0;

	dotstuff_init(&d, !bdat);
	if (source_rewind(t->src) == -1)
		goto readerr;
	for (;;) {
		n = source_read(t->src, t->in, CHUNK);
		if (n < 0)
			goto readerr;
		io_deadline(s->io, smtp_tmo(s->a->timeouts.data_block, 180));
		if (!bdat) {
			o = n > 0 ? dotstuff_feed(&d, t->in, (size_t)n, t->out) :
			    dotstuff_finish(&d, t->out);
			if (io_write(s->io, t->out, o) == -1)
				goto writeerr;
			if (n == 0)
				break;
			continue;
		}
		/* BDAT: the converted bytes of the previous read are sent
		 * once we know whether they are the last */
		if (n == 0)
			pend += dotstuff_finish(&d, t->out + pend);
		if (n == 0 || pend > 0) {
			char cmd[64];
			int l = snprintf(cmd, sizeof(cmd), "BDAT %zu%s", pend,
			    n == 0 ? " LAST" : "");

			log_transcript(LOG_SENT, cmd, (size_t)l);
			memcpy(cmd + l, "\r\n", 2);
			if (io_write(s->io, cmd, (size_t)l + 2) == -1 ||
			    io_write(s->io, t->out, pend) == -1)
				goto writeerr;
			chunks++;
			pend = 0;
			if (lockstep && n > 0) {
				chunks = 0;
				if (chunk_reply(t, df, f) == -1)
					return -1;
				if (df->cls != FAIL_NONE)
					return 0;	/* RSET follows */
			}
		}
		if (n == 0)
			break;
		pend = dotstuff_feed(&d, t->in, (size_t)n, t->out);
	}
	if (!bdat)
		log_transcript(LOG_SENT, "(message data, dot-stuffed) .",
		    strlen("(message data, dot-stuffed) ."));
	if (io_flush(s->io) == -1) {
		/* the end may have left: from here on the outcome is not
		 * known for sure */
		s->usable = 0;
		failure_set(f, EX_TEMPFAIL, FAIL_UNKNOWN, "status unknown, "
		    "the message may have been delivered: sending the end of "
		    "the message to %s failed: %s", s->info.relay,
		    io_errstr(s->io));
		return -1;
	}
	t->final_sent = 1;
	return (int)chunks;
readerr:
	s->usable = 0;
	failure_set(f, EX_IOERR, FAIL_TEMP, "reading the message to send "
	    "failed");
	return -1;
writeerr:
	s->usable = 0;
	failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "sending the message to %s: "
	    "%s", s->info.relay, io_errstr(s->io));
	return -1;
}

/* The reply to the end of the data.  A lost connection or a timeout here
 * leaves the outcome unknown (RFC 1047). */
static int
read_final(struct tx *t, int timeout, const char *what, struct failure *f)
{
	struct failure lf;
	int code;

	memset(&lf, 0, sizeof(lf));
	code = smtp_reply(t->s, timeout, what, 0, &lf);
	if (code == -1) {
		failure_set(f, lf.code == EX_PROTOCOL ? EX_PROTOCOL :
		    EX_TEMPFAIL, FAIL_UNKNOWN, "status unknown, the message "
		    "may have been delivered: %s", lf.msg);
		return -1;
	}
	return code;
}

/* truncating copy */
static void
copy_text(char *to, size_t size, const char *from)
{
	size_t n = strlen(from);

	if (n >= size)
		n = size - 1;
	memcpy(to, from, n);
	to[n] = '\0';
}

static void
copy_failure(struct failure *to, const struct failure *from)
{
	failure_set(to, from->code, from->cls, "%s", from->msg);
}

/* A read failed after the whole message may have left (early BDAT). */
static int
lost(struct tx *t, const struct failure *lf, struct failure *f)
{
	/* a malformed reply stays a protocol error (76), but the outcome
	 * is unknown all the same */
	if (t->final_sent)
		failure_set(f, lf->code == EX_PROTOCOL ? EX_PROTOCOL :
		    EX_TEMPFAIL, FAIL_UNKNOWN, "status unknown, the message "
		    "may have been delivered: %s", lf->msg);
	else
		copy_failure(f, lf);
	return -1;
}

/* The recipients accepted at RCPT share the fate of the data. */
static void
settle(struct tx *t, const struct failure *df)
{
	enum rcpt_state st = df == NULL ? RCPT_ACCEPTED :
	    df->cls == FAIL_PERM ? RCPT_PERMFAIL : RCPT_TEMPFAIL;

	for (size_t i = 0; i < t->n; i++) {
		struct recipient *r = &t->env->rcpt[t->idx[i]];

		if (t->rcode[i] / 100 != 2)
			continue;
		r->state = st;
		if (df != NULL)
			copy_text(r->reply, sizeof(r->reply), df->msg);
	}
}

/* Nothing accepted: the MAIL refusal, else a temporary refusal (owed),
 * else the first permanent one. */
static int
nobody(struct tx *t, struct failure *f)
{
	const struct failure *why = !t->mail_ok ? &t->mailf :
	    t->tempf.cls != FAIL_NONE ? &t->tempf : &t->permf;

	if (!t->mail_ok)
		for (size_t i = 0; i < t->n; i++) {
			struct recipient *r = &t->env->rcpt[t->idx[i]];

			/* in a pipelined group the RCPTs got "503 need
			 * MAIL": what counts is the MAIL refusal */
			r->state = why->cls == FAIL_PERM ? RCPT_PERMFAIL :
			    RCPT_TEMPFAIL;
			copy_text(r->reply, sizeof(r->reply), why->msg);
		}
	copy_failure(f, why);
	t->s->need_rset = t->s->usable;
	return -1;
}

/* Read the replies to count BDAT chunks; the last one ends the data. */
static int
read_chunks(struct tx *t, int chunks, struct failure *df, struct failure *f)
{
	const struct timeouts *to = &t->s->a->timeouts;
	int code;

	for (int k = 0; k < chunks; k++) {
		if (k + 1 == chunks)
			code = read_final(t, smtp_tmo(to->data_end, 600),
			    "BDAT LAST", f);
		else
			code = smtp_reply(t->s, smtp_tmo(to->data_block, 180),
			    "BDAT", 0, f);
		if (code == -1)
			return -1;
		if (code / 100 != 2 && df->cls == FAIL_NONE)
			smtp_refused(t->s, "the message data (BDAT)", df);
		else if (k + 1 == chunks)
			reply_summary(&t->s->rep, t->s->info.data_reply,
			    sizeof(t->s->info.data_reply));
	}
	return 0;
}

static int
prechecks(struct tx *t, struct failure *f)
{
	struct smtp_session *s = t->s;

	if ((s->caps & CAP_SIZE) && s->size_max > 0 &&
	    t->src->size > s->size_max) {
		failure_set(f, EX_UNAVAILABLE, FAIL_PERM, "the message (%llu "
		    "bytes) is larger than %s accepts (SIZE %llu); nothing "
		    "was sent", (unsigned long long)t->src->size,
		    s->info.relay, (unsigned long long)s->size_max);
		return -1;
	}
	if (t->env->smtputf8 && !(s->caps & CAP_SMTPUTF8)) {
		failure_set(f, EX_UNAVAILABLE, FAIL_PERM, "an address needs "
		    "SMTPUTF8 (RFC 6531) and %s does not offer it",
		    s->info.relay);
		return -1;
	}
	return 0;
}

static int
run(struct tx *t, struct failure *f)
{
	struct smtp_session *s = t->s;
	const struct timeouts *to = &s->a->timeouts;
	int pipe = (s->caps & CAP_PIPELINING) != 0;
	int bdat = (s->caps & CAP_CHUNKING) != 0;
	int early = pipe && bdat && t->src->size <= EARLY_BDAT_MAX;
	int rset = s->need_rset, code, chunks = 0;
	struct failure lf, df;

	memset(&lf, 0, sizeof(lf));
	memset(&df, 0, sizeof(df));
	s->need_rset = 0;
	if (rset && smtp_send(s, NULL, f, "RSET") == -1)
		return -1;
	if (rset && !pipe) {
		if ((code = smtp_reply(s, smtp_tmo(to->command, 300), "RSET",
		    0, f)) == -1)
			return -1;
		if (code != 250)
			return smtp_refused(s, "RSET", f);
	}
	if (send_mail(t, f) == -1)
		return -1;
	if (!pipe) {
		if (read_mail(t, f) == -1)
			return -1;
		if (!t->mail_ok)
			return nobody(t, f);
	}
	for (size_t i = 0; i < t->n; i++) {
		if (send_rcpt(t, i, f) == -1)
			return -1;
		if (!pipe && read_rcpt(t, i, f) == -1)
			return -1;
	}
	if (pipe && !bdat && smtp_send(s, NULL, f, "DATA") == -1)
		return -1;
	/* a small message joins the group: MAIL, RCPT..., BDAT LAST */
	if (early && (chunks = send_data(t, 1, &df, f)) == -1)
		return -1;
	if (pipe) {
		if (rset && smtp_reply(s, smtp_tmo(to->command, 300), "RSET",
		    0, &lf) == -1)
			return lost(t, &lf, f);
		if (read_mail(t, &lf) == -1)
			return lost(t, &lf, f);
		for (size_t i = 0; i < t->n; i++)
			if (read_rcpt(t, i, &lf) == -1)
				return lost(t, &lf, f);
	}
	if (early) {
		if (read_chunks(t, chunks, &df, f) == -1)
			return -1;
		if (!t->mail_ok || t->accepted == 0)
			return nobody(t, f);
		goto end;
	}
	if (!pipe && t->accepted == 0)
		return nobody(t, f);
	if (!bdat) {
		if (!pipe && smtp_send(s, NULL, f, "DATA") == -1)
			return -1;
		code = smtp_reply(s, smtp_tmo(to->command, 300), "DATA", 0, f);
		if (code == -1)
			return -1;
		if (code == 354 && (!t->mail_ok || t->accepted == 0)) {
			/* RFC 2920 3.1: 354 with nobody to deliver to; end
			 * the empty data and forget the transaction */
			if (smtp_send(s, NULL, f, ".") == -1 ||
			    smtp_reply(s, smtp_tmo(to->command, 300), ".", 0,
			    f) == -1)
				return -1;
		}
		if (!t->mail_ok || t->accepted == 0)
			return nobody(t, f);
		if (code != 354) {
			smtp_refused(s, "DATA", &df);
			goto end;
		}
		if (send_data(t, 0, &df, f) == -1)
			return -1;
		code = read_final(t, smtp_tmo(to->data_end, 600),
		    "the message data (after the final dot)", f);
		if (code == -1)
			return -1;
		if (code / 100 != 2)
			smtp_refused(s, "the message data", &df);
		else
			reply_summary(&s->rep, s->info.data_reply,
			    sizeof(s->info.data_reply));
		goto end;
	}
	if (t->accepted == 0 || !t->mail_ok)
		return nobody(t, f);
	if ((chunks = send_data(t, 1, &df, f)) == -1)
		return -1;
	if (read_chunks(t, chunks, &df, f) == -1)
		return -1;
end:
	if (df.cls != FAIL_NONE) {
		settle(t, &df);
		copy_failure(f, &df);
		s->need_rset = s->usable;
		return -1;
	}
	settle(t, NULL);
	return 0;
}

int
smtp_transaction(struct smtp_session *s, struct envelope *env,
    struct source *src, struct failure *f)
{
	struct tx t;
	int r;

	if (s == NULL || !s->usable) {
		failure_set(f, EX_SOFTWARE, FAIL_TEMP, "SMTP session not "
		    "usable");
		return -1;
	}
	memset(&t, 0, sizeof(t));
	t.s = s;
	t.env = env;
	t.src = src;
	t.idx = calloc(env->nrcpt + 1, sizeof(*t.idx));
	t.rcode = calloc(env->nrcpt + 1, sizeof(*t.rcode));
	t.in = malloc(CHUNK);
	t.out = malloc(DOTSTUFF_OUT_MAX(CHUNK) + DOTSTUFF_FINISH_MAX);
	if (t.idx == NULL || t.rcode == NULL || t.in == NULL ||
	    t.out == NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		r = -1;
		goto out;
	}
	for (size_t i = 0; i < env->nrcpt; i++)
		if (env->rcpt[i].state == RCPT_PENDING ||
		    env->rcpt[i].state == RCPT_TEMPFAIL)
			t.idx[t.n++] = i;
	if (t.n == 0) {
		failure_set(f, EX_SOFTWARE, FAIL_PERM, "no recipients left "
		    "to send to");
		r = -1;
		goto out;
	}
	r = prechecks(&t, f);
	if (r == 0)
		r = run(&t, f);
out:
	free(t.idx);
	free(t.rcode);
	free(t.in);
	free(t.out);
	return r;
}
