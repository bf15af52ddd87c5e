/* SPDX-License-Identifier: MIT */
/*
 * tests/smtpd/session.c: one SMTP session (RFC 5321), with STARTTLS
 * (RFC 3207), AUTH (RFC 4954), PIPELINING (RFC 2920), SIZE (RFC 1870)
 * and CHUNKING (RFC 3030).  Strict where a client bug should show.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtpd.h"

struct sess {
	struct conn	*c;
	const struct config *cf;
	int		 greeted, esmtp, badgreet;
	int		 pipelining, chunking, enh;
	unsigned long long size_limit;
	char		*user;
	int		 mail, bdat, bdat_failed;
	unsigned long long bsize;	/* BDAT octets so far */
	unsigned	 nrcpt;
	char		*env;		/* envelope lines (memstream) */
	size_t		 envlen;
	FILE		*envfp, *msg;
	char		 tmp[4096];
	char		 line[SMTPD_LINE_MAX];
};

static const char *const default_caps[] = {
	"PIPELINING", "SIZE 10485760", "8BITMIME", "SMTPUTF8", "DSN",
	"ENHANCEDSTATUSCODES", "CHUNKING", NULL
};

/* Reply "code enh text"; the enhanced code only once advertised. */
static int
rep(struct sess *s, enum phase p, int code, const char *enh, const char *text)
{
	char buf[512];

	if (s->enh && enh != NULL)
		snprintf(buf, sizeof(buf), "%03d %s %s\r\n", code, enh, text);
	else
		snprintf(buf, sizeof(buf), "%03d %s\r\n", code, text);
	return send_reply(s->c, p, buf);
}

static void
reset(struct sess *s)
{
	if (s->msg != NULL)
		msg_close(s->cf->msgdir, s->msg, s->tmp, 0, NULL, 0);
	s->msg = NULL;
	if (s->envfp != NULL)
		fclose(s->envfp);
	s->envfp = NULL;
	free(s->env);
	s->env = NULL;
	s->mail = s->bdat = s->bdat_failed = 0;
	s->bsize = 0;
	s->nrcpt = 0;
}

static int
cap_hidden(const struct config *cf, const char *line)
{
	size_t k = strcspn(line, " =");
	unsigned i;

	for (i = 0; i < cf->nnocaps; i++)
		if (strlen(cf->nocaps[i]) == k &&
		    strncasecmp(cf->nocaps[i], line, k) == 0)
			return 1;
	return 0;
}

static void
add_line(char *buf, size_t cap, size_t *k, const char *line)
{
	int n = snprintf(buf + *k, cap - *k, "250-%s\r\n", line);

	if (n > 0 && (size_t)n < cap - *k)
		*k += (size_t)n;
}

static void
note_cap(struct sess *s, const char *line)
{
	if (strncasecmp(line, "PIPELINING", 10) == 0)
		s->pipelining = 1;
	else if (strncasecmp(line, "CHUNKING", 8) == 0)
		s->chunking = 1;
	else if (strncasecmp(line, "ENHANCEDSTATUSCODES", 19) == 0)
		s->enh = 1;
	else if (strncasecmp(line, "SIZE ", 5) == 0)
		s->size_limit = strtoull(line + 5, NULL, 10);
}

static int
ehlo(struct sess *s)
{
	const struct config *cf = s->cf;
	const struct cap *cp;
	char buf[8192], mechs[1024], auth[1100];
	size_t k = 0;
	int i, code;

	s->pipelining = s->chunking = s->enh = 0;
	s->size_limit = 0;
	add_line(buf, sizeof(buf), &k, "localhost greets you");
	if (cf->caps_set) {
		for (cp = cf->caps; cp != NULL; cp = cp->next)
			if (!cap_hidden(cf, cp->line)) {
				add_line(buf, sizeof(buf), &k, cp->line);
				note_cap(s, cp->line);
			}
	} else
		for (i = 0; default_caps[i] != NULL; i++)
			if (!cap_hidden(cf, default_caps[i])) {
				add_line(buf, sizeof(buf), &k, default_caps[i]);
				note_cap(s, default_caps[i]);
			}
	if (cf->tls == TLS_STARTTLS && s->c->tls == NULL &&
	    !cap_hidden(cf, "STARTTLS"))
		add_line(buf, sizeof(buf), &k, "STARTTLS");
	auth_mechlist(cf, s->c, mechs, sizeof(mechs));
	if (mechs[0] != '\0' && (s->c->tls != NULL || cf->tls == TLS_NONE) &&
	    !cap_hidden(cf, "AUTH")) {
		snprintf(auth, sizeof(auth), "AUTH %s", mechs);
		add_line(buf, sizeof(buf), &k, auth);
	}
	/* the last line takes a space: "250-x" becomes "250 x" */
	for (i = (int)k - 3; i > 0 && buf[i - 1] != '\n'; i--)
		;
	buf[i + 3] = ' ';
	code = send_reply(s->c, PH_EHLO, buf);
	if (code / 100 == 2) {
		s->greeted = s->esmtp = 1;
		reset(s);
	} else
		s->pipelining = s->chunking = s->enh = 0;
	return code;
}

static void
env_add(struct sess *s, const char *line)
{
	if (s->envfp == NULL)
		s->envfp = open_memstream(&s->env, &s->envlen);
	if (s->envfp != NULL) {
		fputs(line, s->envfp);
		fputc('\n', s->envfp);
		fflush(s->envfp);
	}
}

/*
 * RFC 5321 §4.1.2: a path is "<" ... ">" right after the colon.  Strict
 * on purpose: a client that sends anything else has a bug to show.
 */
static int
bad_path(const char *p)
{
	const char *close;

	if (*p != '<' || (close = strchr(p, '>')) == NULL)
		return 1;
	return close[1] != '\0' && close[1] != ' ';
}

static int
mail(struct sess *s, const char *arg)
{
	const struct config *cf = s->cf;
	const char *p;
	int code;

	if (strncasecmp(arg, "FROM:", 5) != 0)
		return rep(s, PH_MAIL, 501, "5.5.4", "Syntax: MAIL FROM:<address>");
	if (bad_path(arg + 5))
		return rep(s, PH_MAIL, 501, "5.1.7", "Bad sender address syntax");
	if (!s->greeted)
		return rep(s, PH_MAIL, 503, "5.5.1", "Error: send HELO/EHLO first");
	if (cf->require_tls && s->c->tls == NULL)
		return rep(s, PH_MAIL, 530, "5.7.0",
		    "Must issue a STARTTLS command first");
	if (cf->require_auth && s->user == NULL)
		return rep(s, PH_MAIL, 530, "5.7.0", "Authentication required");
	if (s->mail)
		return rep(s, PH_MAIL, 503, "5.5.1", "Error: nested MAIL command");
	p = strcasestr(arg, " SIZE=");
	if (p != NULL && s->size_limit > 0 &&
	    strtoull(p + 6, NULL, 10) > s->size_limit)
		return rep(s, PH_MAIL, 552, "5.3.4",
		    "Message size exceeds fixed limit");
	code = rep(s, PH_MAIL, 250, "2.1.0", "Ok");
	if (code / 100 == 2) {
		s->mail = 1;
		env_add(s, s->line);
	}
	return code;
}

static int
rcpt(struct sess *s, const char *arg)
{
	int code;

	if (strncasecmp(arg, "TO:", 3) != 0)
		return rep(s, PH_RCPT, 501, "5.5.4", "Syntax: RCPT TO:<address>");
	if (bad_path(arg + 3))
		return rep(s, PH_RCPT, 501, "5.1.3",
		    "Bad recipient address syntax");
	if (!s->mail)
		return rep(s, PH_RCPT, 503, "5.5.1", "Error: need MAIL command");
	if (s->cf->rcpt_limit > 0 && s->nrcpt >= s->cf->rcpt_limit)
		return rep(s, PH_RCPT, 452, "4.5.3", "Error: too many recipients");
	code = rep(s, PH_RCPT, 250, "2.1.5", "Ok");
	if (code / 100 == 2) {
		s->nrcpt++;
		env_add(s, s->line);
	}
	return code;
}

/* The reply after the whole message arrived; stores it.  */
static int
data_end(struct sess *s, unsigned long long size)
{
	char text[128];
	int code;

	if (s->size_limit > 0 && size > s->size_limit)
		code = rep(s, PH_DATA_END, 552, "5.3.4",
		    "Message size exceeds fixed limit");
	else {
		snprintf(text, sizeof(text), "Ok: %llu bytes queued", size);
		code = rep(s, PH_DATA_END, 250, "2.0.0", text);
	}
	msg_close(s->cf->msgdir, s->msg, s->tmp, code / 100 == 2,
	    s->env, s->envlen);
	s->msg = NULL;
	reset(s);
	return code;
}

static int
data(struct sess *s)
{
	unsigned long long size = 0;
	int code;

	if (!s->mail || s->bdat)
		return rep(s, PH_DATA, 503, "5.5.1", "Error: need MAIL command");
	if (s->nrcpt == 0)
		return rep(s, PH_DATA, 554, "5.5.1", "Error: no valid recipients");
	code = send_reply(s->c, PH_DATA, "354 End data with <CR><LF>.<CR><LF>\r\n");
	if (code != 354)
		return code;
	s->msg = msg_open(s->cf->msgdir, s->tmp, sizeof(s->tmp));
	if (data_read(s->c, s->msg, &size) < 0) {
		event("eof in DATA after %llu bytes", size);
		return -1;
	}
	if (!s->pipelining && conn_buffered(s->c))
		event("pipelining-violation after DATA-END");
	return data_end(s, size);
}

static int
bdat(struct sess *s, const char *arg)
{
	unsigned long long n;
	char *end, text[128];
	int last, code;

	errno = 0;
	n = strtoull(arg, &end, 10);
	if (errno != 0 || end == arg || n > (1ULL << 30)) {
		rep(s, PH_BDAT, 501, "5.5.4", "Syntax: BDAT size [LAST]");
		return -1;	/* cannot find the next command: hang up */
	}
	while (*end == ' ')
		end++;
	last = strcasecmp(end, "LAST") == 0;
	if (s->mail && s->nrcpt > 0 && !s->bdat_failed && s->msg == NULL) {
		s->msg = msg_open(s->cf->msgdir, s->tmp, sizeof(s->tmp));
		s->bdat = 1;
	}
	if (conn_read_exact(s->c, s->bdat ? s->msg : NULL, (size_t)n) < 0) {
		event("eof in BDAT");
		return -1;
	}
	if (!s->pipelining && conn_buffered(s->c))
		event("pipelining-violation after BDAT");
	if (!s->chunking)
		return rep(s, PH_BDAT, 502, "5.5.1", "Error: command not implemented");
	if (!s->mail || s->nrcpt == 0 || s->bdat_failed) {
		code = rep(s, last ? PH_DATA_END : PH_BDAT, 503, "5.5.1",
		    "Error: no transaction");
		if (last)
			reset(s);
		return code;
	}
	s->bsize += n;
	if (last)
		return data_end(s, s->bsize);
	snprintf(text, sizeof(text), "Ok: %llu octets received", n);
	code = rep(s, PH_BDAT, 250, "2.0.0", text);
	if (code / 100 != 2)
		s->bdat_failed = 1;
	return code;
}

static int
starttls(struct sess *s)
{
	int code;

	if (s->cf->tls != TLS_STARTTLS || s->c->tls != NULL)
		return rep(s, PH_STARTTLS, 502, "5.5.1",
		    "Error: command not implemented");
	code = rep(s, PH_STARTTLS, 220, "2.0.0", "Ready to start TLS");
	if (code != 220)
		return code;
	/* RFC 3207 §4.2 (and CVE-2011-0411): nothing the client sent
	 * before the handshake may count as a command afterwards. */
	if (s->c->len > s->c->off)
		event("discarded %zu bytes after STARTTLS",
		    s->c->len - s->c->off);
	conn_discard(s->c);
	if (tls_start(s->c) < 0)
		return -1;
	s->greeted = s->esmtp = 0;
	s->pipelining = s->chunking = s->enh = 0;
	free(s->user);
	s->user = NULL;
	reset(s);
	return code;
}

static int
auth(struct sess *s, char *arg)
{
	const struct rule *r;
	char *mech = arg, *ir, *user = NULL;
	int code;

	ir = strchr(arg, ' ');
	if (ir != NULL) {
		*ir++ = '\0';
		while (*ir == ' ')
			ir++;
		if (*ir == '\0')
			ir = NULL;
	}
	/* Script rules for AUTH replace the whole exchange (stall delays
	 * it), so they are looked at before anything else. */
	r = script_match(s->cf, PH_AUTH);
	if (r != NULL && r->act != ACT_STALL)
		return rule_apply(s->c, r,
		    "535 5.7.8 Authentication credentials invalid\r\n");
	if (r != NULL && conn_stall(s->c, r->num) < 0)
		return -1;
	if (!s->esmtp)
		return rep(s, PH_OTHER, 503, "5.5.1", "Error: send EHLO first");
	if (s->user != NULL)
		return rep(s, PH_OTHER, 503, "5.5.1",
		    "Error: already authenticated");
	if (s->mail)
		return rep(s, PH_OTHER, 503, "5.5.1",
		    "Error: MAIL transaction in progress");
	if (*mech == '\0' || !auth_mech_ok(s->cf, s->c, mech) ||
	    (s->c->tls == NULL && s->cf->tls != TLS_NONE))
		return rep(s, PH_OTHER, 504, "5.5.4",
		    "Unrecognized authentication type");
	code = auth_run(s->c, mech, ir, &user);
	if (code <= 0)
		return code < 0 ? -1 : 535;
	code = rep(s, PH_AUTH_END, 235, "2.7.0", "Authentication successful");
	if (code / 100 == 2) {
		event("auth-ok %s %s", user, mech);
		s->user = user;
	} else
		free(user);
	return code;
}

/* Commands that must end a pipelined group (RFC 2920 §3.1). */
static int
ends_group(const char *verb)
{
	static const char *const v[] = { "EHLO", "HELO", "DATA", "NOOP",
	    "VRFY", "EXPN", "STARTTLS", NULL };
	int i;

	for (i = 0; v[i] != NULL; i++)
		if (strcasecmp(verb, v[i]) == 0)
			return 1;
	return 0;
}

/* 0: go on; 1: the session is over. */
static int
command(struct sess *s, char *verb, char *arg)
{
	int code;

	if (strcasecmp(verb, "QUIT") == 0) {
		rep(s, PH_QUIT, 221, "2.0.0", "Bye");
		return 1;
	}
	if (s->badgreet)
		code = rep(s, PH_OTHER, 503, "5.5.1", "Error: bad sequence");
	else if ((strcasecmp(verb, "EHLO") == 0 ||
	    strcasecmp(verb, "HELO") == 0) && *arg == '\0')
		code = rep(s, PH_OTHER, 501, "5.5.4", "Syntax: EHLO hostname");
	else if (strcasecmp(verb, "EHLO") == 0)
		code = ehlo(s);
	else if (strcasecmp(verb, "HELO") == 0) {
		code = rep(s, PH_HELO, 250, NULL, "localhost");
		if (code / 100 == 2) {
			s->greeted = 1;
			s->esmtp = s->pipelining = s->chunking = s->enh = 0;
			reset(s);
		}
	} else if (strcasecmp(verb, "STARTTLS") == 0)
		code = starttls(s);
	else if (strcasecmp(verb, "AUTH") == 0)
		code = auth(s, arg);
	else if (strcasecmp(verb, "MAIL") == 0)
		code = mail(s, arg);
	else if (strcasecmp(verb, "RCPT") == 0)
		code = rcpt(s, arg);
	else if (strcasecmp(verb, "DATA") == 0)
		code = data(s);
	else if (strcasecmp(verb, "BDAT") == 0)
		code = bdat(s, arg);
	else if (strcasecmp(verb, "RSET") == 0) {
		reset(s);
		code = rep(s, PH_RSET, 250, "2.0.0", "Ok");
	} else if (strcasecmp(verb, "NOOP") == 0)
		code = rep(s, PH_NOOP, 250, "2.0.0", "Ok");
	else if (strcasecmp(verb, "VRFY") == 0)
		code = rep(s, PH_OTHER, 252, "2.0.0", "Send some mail, I'll try");
	else
		code = rep(s, PH_OTHER, 500, "5.5.2",
		    "Error: command not recognized");
	/* RFC 5321 §3.8: after 421 the server closes. */
	return code < 0 || code == 421 || s->c->dead;
}

void
session(struct conn *c)
{
	struct sess *s;
	char *verb, *arg;
	size_t n;
	int code;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return;
	s->c = c;
	s->cf = c->cf;
	/* RFC 5321 §3.1: a client waits for the greeting */
	if (conn_buffered(c))
		event("early-talker");
	code = send_reply(c, PH_GREETING,
	    "220 localhost ESMTP postie-test-smtpd\r\n");
	if (code < 0 || code == 421)
		goto out;
	s->badgreet = code / 100 != 2;
	while (!c->dead) {
		if (!conn_getline(c, s->line, sizeof(s->line), &n)) {
			if (!c->dead)
				event("eof");
			break;
		}
		if (n == sizeof(s->line) - 1 && s->line[n - 1] != '\n') {
			logline(s->line, 80);
			if (rep(s, PH_OTHER, 500, "5.5.2",
			    "Error: line too long") < 0)
				break;
			continue;
		}
		while (n > 0 && (s->line[n - 1] == '\n' || s->line[n - 1] == '\r'))
			s->line[--n] = '\0';
		logline(s->line, n);
		verb = s->line;
		arg = verb + strcspn(verb, " ");
		/* keep s->line whole for the envelope: split a copy */
		{
			char v[32];
			size_t vl = (size_t)(arg - verb);

			if (vl >= sizeof(v))
				vl = sizeof(v) - 1;
			memcpy(v, verb, vl);
			v[vl] = '\0';
			while (*arg == ' ')
				arg++;
			if (strcasecmp(v, "QUIT") != 0 &&
			    strcasecmp(v, "BDAT") != 0 && conn_buffered(c) &&
			    (!s->pipelining || ends_group(v))) {
				event("pipelining-violation %s", v);
				if (s->cf->pipelining_reject) {
					rep(s, PH_OTHER, 554, "5.5.0", "Error: "
					    "improper use of SMTP command pipelining");
					break;
				}
			}
			if (command(s, v, arg))
				break;
		}
	}
out:
	reset(s);
	free(s->user);
	free(s);
}
