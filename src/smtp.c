/* SPDX-License-Identifier: MIT */
/*
 * smtp: the session, top to bottom like RFC 5321 section 3: connect,
 * greeting, EHLO, STARTTLS (RFC 3207) or implicit TLS (RFC 8314), EHLO
 * again, AUTH (RFC 4954); the transaction is in smtp-tx.c; QUIT.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "net.h"
#include "sasl.h"
#include "smtp-int.h"

int
smtp_tmo(int configured, int dflt)
{
	return configured > 0 ? configured : dflt;
}

int
smtp_send(struct smtp_session *s, const char *shown, struct failure *f,
    const char *fmt, ...)
{
	char line[SMTP_CMD_MAX + 2];
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 2) {
		failure_set(f, EX_SOFTWARE, FAIL_PERM, "SMTP command too long");
		return -1;
	}
	log_transcript(LOG_SENT, shown ? shown : line,
	    shown ? strlen(shown) : (size_t)n);
	line[n++] = '\r';
	line[n++] = '\n';
	r = io_write(s->io, line, (size_t)n);
	if (shown != NULL)	/* a redacted line may hold a credential */
		explicit_bzero(line, sizeof(line));
	if (r == -1) {
		s->usable = 0;
		failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "sending to %s: %s",
		    s->info.relay, io_errstr(s->io));
		return -1;
	}
	return 0;
}

static void
io_failed(struct smtp_session *s, int timeout, const char *what,
    struct failure *f)
{
	switch (io_err(s->io)) {
	case IO_TIMEOUT:
		failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "%s: no reply from %s "
		    "within %d s", what, s->info.relay, timeout);
		break;
	case IO_TIMEOUT_ALL:
		failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "%s: the session with "
		    "%s ran out of time (timeout_total)", what,
		    s->info.relay);
		break;
	case IO_EOF:
		failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "%s: connection to %s "
		    "lost", what, s->info.relay);
		break;
	case IO_LONG:
		failure_set(f, EX_PROTOCOL, FAIL_TEMP, "%s: %s sent a reply "
		    "line over %d bytes", what, s->info.relay,
		    REPLY_LINE_MAX);
		break;
	default:
		failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "%s: %s: %s", what,
		    s->info.relay, io_errstr(s->io));
	}
}

int
smtp_reply(struct smtp_session *s, int timeout, const char *what,
    int redact, struct failure *f)
{
	const char *line;
	size_t len;
	int r;

	io_deadline(s->io, timeout);
	if (io_flush(s->io) == -1) {
		s->usable = 0;
		io_failed(s, timeout, what, f);
		return -1;
	}
	reply_init(&s->rep);
	do {
		if (io_read_line(s->io, REPLY_LINE_MAX, &line, &len) == -1) {
			s->usable = 0;
			io_failed(s, timeout, what, f);
			return -1;
		}
		if (redact && len > 4 && memcmp(line, "334", 3) == 0)
			log_transcript(LOG_RECV, "334 ********", 12);
		else
			log_transcript(LOG_RECV, line, len);
		r = reply_feed(&s->rep, line, len);
	} while (r == 0);
	if (r == -1) {
		s->usable = 0;
		failure_set(f, EX_PROTOCOL, FAIL_TEMP, "%s: malformed reply "
		    "from %s: %s", what, s->info.relay, s->rep.err);
		return -1;
	}
	/* RFC 5321 3.8: 421 means the relay is closing the channel */
	if (s->rep.code == 421)
		s->usable = 0;
	s->info.waits = io_waits(s->io);
	s->info.flushes = io_flushes(s->io);
	return s->rep.code;
}

int
smtp_refused(struct smtp_session *s, const char *what, struct failure *f)
{
	enum fail_class cls;
	char sum[300];
	int code;

	code = status_from_reply(s->rep.code, reply_enh(&s->rep), &cls);
	if (cls == FAIL_NONE) {		/* a 2xx where it makes no sense */
		code = EX_PROTOCOL;
		cls = FAIL_TEMP;
	}
	failure_set(f, code, cls, "%s refused by relay: %s", what,
	    reply_summary(&s->rep, sum, sizeof(sum)));
	return -1;
}

/* RFC 5321 4.1.1.1 and the extensions' own RFCs.  Keywords are matched
 * case-insensitively; "AUTH=" is the pre-RFC 4954 form some relays send. */
static void
parse_ehlo(struct smtp_session *s)
{
	static const struct {
		const char	*kw;
		unsigned	 cap;
	} kws[] = {
		{ "STARTTLS", CAP_STARTTLS }, { "PIPELINING", CAP_PIPELINING },
		{ "SIZE", CAP_SIZE }, { "8BITMIME", CAP_8BITMIME },
		{ "SMTPUTF8", CAP_SMTPUTF8 }, { "DSN", CAP_DSN },
		{ "CHUNKING", CAP_CHUNKING }, { "AUTH", CAP_AUTH },
		{ "ENHANCEDSTATUSCODES", CAP_ENHANCED },
	};
	const char *l;
	size_t len, kl, o = 0;

	s->caps = 0;
	s->size_max = 0;
	s->auth[0] = '\0';
	for (size_t i = 1; (l = reply_line(&s->rep, i, &len)) != NULL; i++) {
		kl = 0;
		while (kl < len && l[kl] != ' ' && l[kl] != '=')
			kl++;
		for (size_t k = 0; k < sizeof(kws) / sizeof(kws[0]); k++) {
			if (strlen(kws[k].kw) != kl ||
			    strncasecmp(l, kws[k].kw, kl) != 0)
				continue;
			s->caps |= kws[k].cap;
			if (kws[k].cap == CAP_SIZE) {
				uint64_t v = 0;
				size_t j = kl + 1;

				/* RFC 1870: SIZE 0 or none: no limit */
				for (; j < len && l[j] >= '0' && l[j] <= '9' &&
				    v < UINT64_MAX / 10 - 10; j++)
					v = v * 10 + (uint64_t)(l[j] - '0');
				s->size_max = v;
			}
			if (kws[k].cap == CAP_AUTH && kl < len &&
			    o + (len - kl) + 1 < sizeof(s->auth)) {
				s->auth[o++] = ' ';
				memcpy(s->auth + o, l + kl + 1, len - kl - 1);
				o += len - kl - 1;
				s->auth[o] = '\0';
			}
		}
	}
}

static int
ehlo(struct smtp_session *s, struct failure *f)
{
	const struct timeouts *t = &s->a->timeouts;
	const char *dom = s->a->domain ? s->a->domain : "localhost";
	int code;

	if (smtp_send(s, NULL, f, "EHLO %s", dom) == -1)
		return -1;
	code = smtp_reply(s, smtp_tmo(t->command, 300), "EHLO", 0, f);
	if (code == -1)
		return -1;
	if (code == 250) {
		parse_ehlo(s);
		return 0;
	}
	if (code / 100 != 5)
		return smtp_refused(s, "EHLO", f);
	/* RFC 5321 3.2: a server that does not know EHLO; without ESMTP
	 * there is no STARTTLS and no AUTH, which the callers check */
	if (smtp_send(s, NULL, f, "HELO %s", dom) == -1)
		return -1;
	code = smtp_reply(s, smtp_tmo(t->command, 300), "HELO", 0, f);
	if (code == -1)
		return -1;
	if (code != 250)
		return smtp_refused(s, "HELO", f);
	s->caps = 0;
	s->size_max = 0;
	s->auth[0] = '\0';
	return 0;
}

static int64_t
tls_deadline(const struct smtp_session *s)
{
	int64_t d = net_deadline(smtp_tmo(s->a->timeouts.tls, 60));

	return d < s->overall ? d : s->overall;
}

static int
starttls(struct smtp_session *s, struct failure *f)
{
	const struct timeouts *t = &s->a->timeouts;
	int code;

	if (!(s->caps & CAP_STARTTLS)) {
		failure_set(f, EX_UNAVAILABLE, FAIL_PERM, "%s does not offer "
		    "STARTTLS, and this account requires TLS (tls = "
		    "starttls): nothing was sent in the clear",
		    s->info.relay);
		return -1;
	}
	/* RFC 2920 3.1: STARTTLS ends a command group; nothing follows it
	 * until the handshake is done */
	if (smtp_send(s, NULL, f, "STARTTLS") == -1)
		return -1;
	code = smtp_reply(s, smtp_tmo(t->command, 300), "STARTTLS", 0, f);
	if (code == -1)
		return -1;
	if (code != 220)
		return smtp_refused(s, "STARTTLS", f);
	/* Anything already received was sent before TLS and is either a
	 * server bug or an injection (CVE-2011-0411 class, the "buffering"
	 * attacks of the nostarttls paper): never read it as a reply. */
	if (io_buffered(s->io) != 0) {
		s->usable = 0;
		failure_set(f, EX_PROTOCOL, FAIL_TEMP, "%s sent %zu bytes "
		    "after its 220 to STARTTLS, before the TLS handshake "
		    "(injection?); connection dropped", s->info.relay,
		    io_buffered(s->io));
		return -1;
	}
	s->tls = tls_open(io_fd(s->io), s->a, s->a->host,
	    tls_deadline(s), f);
	if (s->tls == NULL) {
		s->usable = 0;
		return -1;
	}
	io_set_tls(s->io, s->tls);
	/* RFC 3207 4.2: forget everything learnt before TLS, EHLO again */
	s->caps = 0;
	s->size_max = 0;
	s->auth[0] = '\0';
	return ehlo(s, f);
}

/* One AUTH exchange (RFC 4954 4).  The credential only ever travels
 * inside TLS: smtp_open() checks that before calling. */
static int
auth_exchange(struct smtp_session *s, struct sasl *c, const char *mech,
    struct failure *f)
{
	int tmo = smtp_tmo(s->a->timeouts.command, 300), code, rounds = 0;
	char *ir = NULL, *out = NULL, shown[64];
	const char *chal;
	size_t len;

	if (sasl_first(c, &ir, f) == -1)
		return -1;
	snprintf(shown, sizeof(shown), "AUTH %s%s", mech, ir ? " ********" :
	    "");
	/* RFC 4954 4: no initial response when the line would pass the
	 * 512-octet command limit; it then answers the first 334 */
	if (ir != NULL && strlen(mech) + strlen(ir) + 8 <= 512) {
		if (smtp_send(s, shown, f, "AUTH %s %s", mech, ir) == -1)
			goto fail;
		sasl_wipe(ir);
		ir = NULL;
	} else if (smtp_send(s, shown, f, "AUTH %s", mech) == -1)
		goto fail;
	for (;;) {
		code = smtp_reply(s, tmo, "AUTH", 1, f);
		if (code == -1)
			goto fail;
		if (code != 334)
			break;
		if (++rounds > 10) {
			failure_set(f, EX_PROTOCOL, FAIL_TEMP, "AUTH %s: %s "
			    "keeps sending challenges", mech, s->info.relay);
			s->usable = 0;
			goto fail;
		}
		if (ir != NULL) {
			out = ir;
			ir = NULL;
		} else {
			chal = reply_line(&s->rep, 0, &len);
			if (sasl_step(c, chal ? chal : "", &out, f) == -1) {
				/* cancel (RFC 4954 4) and fail */
				if (smtp_send(s, NULL, f, "*") == 0)
					(void)smtp_reply(s, tmo, "AUTH", 0,
					    f);
				goto fail;
			}
		}
		/* a long client response is one line; io_write copes */
		log_transcript(LOG_SENT, "********", 8);
		if (io_write(s->io, out, strlen(out)) == -1 ||
		    io_write(s->io, "\r\n", 2) == -1) {
			s->usable = 0;
			failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "AUTH: sending "
			    "to %s: %s", s->info.relay, io_errstr(s->io));
			goto fail;
		}
		sasl_wipe(out);
		out = NULL;
	}
	if (code == 235) {
		if (sasl_complete(c))
			return 0;
		/* e.g. SCRAM without the server signature: the relay did not
		 * prove that it knows the password */
		s->usable = 0;
		failure_set(f, EX_PROTOCOL, FAIL_TEMP, "AUTH %s: %s said 235 "
		    "before the exchange was complete", mech, s->info.relay);
		return -1;
	}
	snprintf(shown, sizeof(shown), "AUTH %s", mech);
	smtp_refused(s, shown, f);
fail:
	sasl_wipe(ir);
	sasl_wipe(out);
	return -1;
}

static int
authenticate(struct smtp_session *s, struct failure *f)
{
	const struct account *a = s->a;
	const char *mech, *cbtype = NULL;
	unsigned char *cb = NULL;
	size_t cblen = 0;
	char *secret = NULL;
	struct sasl *c;
	int r;

	if (!(s->caps & CAP_AUTH)) {
		failure_set(f, EX_UNAVAILABLE, FAIL_PERM, "%s does not offer "
		    "AUTH; this account authenticates as %s",
		    s->info.relay, a->user ? a->user : "?");
		return -1;
	}
	/* channel-binding data only when a -PLUS mechanism would be chosen
	 * with it (computing it costs an exporter derivation) */
	mech = sasl_choose(s->auth, a->auth_mechs, s->tls != NULL);
	if (mech != NULL && strstr(mech, "-PLUS") != NULL &&
	    tls_channel_binding(s->tls, &cbtype, &cb, &cblen) == -1) {
		cb = NULL;
		mech = sasl_choose(s->auth, a->auth_mechs, 0);
	}
	if (mech == NULL) {
		failure_set(f, EX_UNAVAILABLE, FAIL_PERM, "no usable "
		    "authentication mechanism: %s offers%s", s->info.relay,
		    s->auth);
		free(cb);
		return -1;
	}
	if (sasl_secret(a, smtp_tmo(a->timeouts.command, 300) > 60 ? 60 :
	    smtp_tmo(a->timeouts.command, 300), &secret, f) == -1) {
		free(cb);
		return -1;
	}
	c = sasl_start(mech, a->user ? a->user : "", secret, a->host,
	    s->port, cbtype, cb, cblen, f);
	r = c == NULL ? -1 : auth_exchange(s, c, mech, f);
	sasl_free(c);
	sasl_wipe(secret);
	free(cb);
	if (r == 0)
		snprintf(s->info.mech, sizeof(s->info.mech), "%s", mech);
	return r;
}

struct smtp_session *
smtp_open(const struct account *a, struct failure *f)
{
	struct smtp_session *s;
	const struct timeouts *t = &a->timeouts;
	int64_t cd;
	int fd, code, auth;

	auth = a->auth == AUTHMODE_ON || (a->auth == AUTHMODE_AUTO &&
	    a->user != NULL);
	if (auth && a->tls == TLSMODE_OFF) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "account %s "
		    "authenticates but has tls = off: credentials are never "
		    "sent in the clear", a->name ? a->name : "default");
		return NULL;
	}
	if (a->host == NULL) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "no relay host");
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		return NULL;
	}
	s->a = a;
	s->port = a->port > 0 ? a->port : a->tls == TLSMODE_IMPLICIT ? 465 :
	    587;
	s->overall = net_deadline(smtp_tmo(t->total, 1800));
	cd = net_deadline(smtp_tmo(t->connect, 30));
	fd = net_connect(a->host, s->port, cd < s->overall ? cd : s->overall,
	    s->info.relay, sizeof(s->info.relay), f);
	if (fd == -1)
		goto fail;
	if ((s->io = io_new(fd, s->overall)) == NULL) {
		close(fd);
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		goto fail;
	}
	s->usable = 1;
	if (a->tls == TLSMODE_IMPLICIT) {
		s->tls = tls_open(fd, a, a->host, tls_deadline(s), f);
		if (s->tls == NULL)
			goto fail;
		io_set_tls(s->io, s->tls);
	}
	code = smtp_reply(s, smtp_tmo(t->greeting, 300), "greeting", 0, f);
	if (code == -1)
		goto fail;
	if (code != 220) {
		smtp_refused(s, "connection (greeting)", f);
		goto fail;
	}
	if (ehlo(s, f) == -1)
		goto fail;
	if (a->tls == TLSMODE_STARTTLS && starttls(s, f) == -1)
		goto fail;
	if (s->tls != NULL)
		snprintf(s->info.tls, sizeof(s->info.tls), "%s",
		    tls_describe(s->tls));
	if (auth && authenticate(s, f) == -1)
		goto fail;
	return s;
fail:
	smtp_close(s);
	return NULL;
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

int
smtp_has_ext(const struct smtp_session *s, enum smtp_ext x)
{
	static const unsigned cap[] = {
		[SMTP_EXT_8BITMIME] = CAP_8BITMIME,
		[SMTP_EXT_SMTPUTF8] = CAP_SMTPUTF8,
		[SMTP_EXT_SIZE] = CAP_SIZE,
		[SMTP_EXT_CHUNKING] = CAP_CHUNKING,
		[SMTP_EXT_DSN] = CAP_DSN,
		[SMTP_EXT_PIPELINING] = CAP_PIPELINING,
	};

	if (s == NULL || (size_t)x >= sizeof(cap) / sizeof(cap[0]))
		return 0;
	return (s->caps & cap[x]) != 0;
}

void
smtp_close(struct smtp_session *s)
{
	struct failure ignored;

	if (s == NULL)
		return;
	if (s->usable && s->io != NULL) {
		/* RFC 5321 4.1.1.10.  The 221 carries no information: wait
		 * only a moment for it (the mail is already accepted). */
		memset(&ignored, 0, sizeof(ignored));
		if (smtp_send(s, NULL, &ignored, "QUIT") == 0) {
			io_deadline_ms(s->io, 200);
			if (io_flush(s->io) == 0) {
				const char *l;
				size_t n;

				if (io_read_line(s->io, REPLY_LINE_MAX, &l,
				    &n) == 0)
					log_transcript(LOG_RECV, l, n);
			}
		}
	}
	tls_close(s->tls);
	io_free(s->io);
	free(s);
}
