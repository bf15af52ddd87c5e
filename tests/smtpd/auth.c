/* SPDX-License-Identifier: MIT */
/*
 * tests/smtpd/auth.c: SMTP AUTH (RFC 4954) on the server side.  Every
 * SASL mechanism libgsasl knows is verified by libgsasl for real against
 * the user list; XOAUTH2 and OAUTHBEARER (RFC 7628), which libgsasl
 * lacks, are checked by hand: the bearer token must equal the user's
 * password.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtpd.h"

static Gsasl *ctx;
static const struct config *acf;

static const char *
password_of(const char *name)
{
	const struct user *u;

	if (name == NULL)
		return NULL;
	for (u = acf->users; u != NULL; u = u->next)
		if (strcmp(u->name, name) == 0)
			return u->pass;
	return NULL;
}

static int
callback(Gsasl *g, Gsasl_session *s, Gsasl_property prop)
{
	struct conn *c = gsasl_session_hook_get(s);
	const char *pw;
	char *b64;
	int r;

	(void)g;
	switch (prop) {
	case GSASL_PASSWORD:
		pw = password_of(gsasl_property_fast(s, GSASL_AUTHID));
		if (pw == NULL)
			return GSASL_AUTHENTICATION_ERROR;
		return gsasl_property_set(s, prop, pw);
	case GSASL_CB_TLS_EXPORTER:
	case GSASL_CB_TLS_UNIQUE:
		if (tls_cb(c, prop == GSASL_CB_TLS_EXPORTER ?
		    GNUTLS_CB_TLS_EXPORTER : GNUTLS_CB_TLS_UNIQUE, &b64) < 0)
			return GSASL_NO_CALLBACK;
		r = gsasl_property_set(s, prop, b64);
		free(b64);
		return r;
	case GSASL_SERVICE:
		return gsasl_property_set(s, prop, "smtp");
	case GSASL_HOSTNAME:
		return gsasl_property_set(s, prop, "localhost");
	default:
		/* VALIDATE_SIMPLE falls back to PASSWORD; SCRAM's salt and
		 * iteration count take libgsasl's defaults. */
		return GSASL_NO_CALLBACK;
	}
}

int
auth_setup(struct config *cf)
{
	acf = cf;
	if (cf->mechs == NULL)
		cf->mechs = strdup("SCRAM-SHA-256-PLUS SCRAM-SHA-256 "
		    "SCRAM-SHA-1-PLUS SCRAM-SHA-1 CRAM-MD5 PLAIN LOGIN "
		    "XOAUTH2 OAUTHBEARER");
	if (cf->mechs == NULL || gsasl_init(&ctx) != GSASL_OK)
		return -1;
	gsasl_callback_set(ctx, callback);
	return 0;
}

static int
is_plus(const char *m, size_t n)
{
	return n > 5 && strncasecmp(m + n - 5, "-PLUS", 5) == 0;
}

/* The AUTH list to advertise now: -PLUS only under TLS. */
void
auth_mechlist(const struct config *cf, const struct conn *c, char *out,
    size_t cap)
{
	const char *p = cf->mechs, *e;
	size_t n, k = 0;

	out[0] = '\0';
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		for (e = p; *e != '\0' && *e != ' ' && *e != ','; e++)
			;
		n = (size_t)(e - p);
		if (n > 0 && (c->tls != NULL || !is_plus(p, n)) &&
		    k + n + 2 < cap) {
			if (k > 0)
				out[k++] = ' ';
			memcpy(out + k, p, n);
			k += n;
			out[k] = '\0';
		}
		p = e;
	}
}

int
auth_mech_ok(const struct config *cf, const struct conn *c, const char *m)
{
	char list[1024];
	const char *p;
	size_t n = strlen(m);

	auth_mechlist(cf, c, list, sizeof(list));
	for (p = list; (p = strcasestr(p, m)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ' '))
			return 1;
	return 0;
}

static int
say(struct conn *c, const char *s)
{
	return conn_reply(c, s, strlen(s));
}

/* Read the client's next SASL line (logged); -1 on EOF, 1 on "*". */
static int
client_line(struct conn *c, char *buf, size_t cap)
{
	size_t n;

	if (!conn_getline(c, buf, cap, &n))
		return -1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	logline(buf, n);
	if (strcmp(buf, "*") == 0) {
		say(c, "501 5.7.0 Authentication cancelled\r\n");
		return 1;
	}
	return 0;
}

static int
challenge(struct conn *c, const char *b64)
{
	char line[8192];
	size_t n;

	n = (size_t)snprintf(line, sizeof(line), "334 %s\r\n", b64);
	if (n >= sizeof(line))
		return -1;
	return conn_reply(c, line, n);
}

static int
run_gsasl(struct conn *c, const char *mech, const char *ir, char **user)
{
	Gsasl_session *s;
	char *buf, *out = NULL;
	const char *in = ir;
	int rc, r = 0;

	if (gsasl_server_start(ctx, mech, &s) != GSASL_OK) {
		say(c, "504 5.5.4 Unrecognized authentication type\r\n");
		return 0;
	}
	gsasl_session_hook_set(s, c);
	if ((buf = malloc(SMTPD_LINE_MAX)) == NULL) {
		gsasl_finish(s);
		return -1;
	}
	if (in != NULL && strcmp(in, "=") == 0)
		in = "";
	for (;;) {
		rc = gsasl_step64(s, in, &out);
		if (rc != GSASL_NEEDS_MORE && !(rc == GSASL_OK && out && *out))
			break;
		/* RFC 4954 §4: a challenge, even when the mechanism's
		 * final server message arrives with GSASL_OK. */
		if (challenge(c, out != NULL ? out : "") < 0 ||
		    (r = client_line(c, buf, SMTPD_LINE_MAX)) != 0)
			goto done;
		gsasl_free(out);
		out = NULL;
		in = buf;
		if (rc == GSASL_OK)
			break;
	}
	if (rc == GSASL_OK) {
		*user = strdup(gsasl_property_fast(s, GSASL_AUTHID) ?
		    gsasl_property_fast(s, GSASL_AUTHID) : "");
		r = 2;
	} else {
		event("auth-fail %s %s", mech, gsasl_strerror_name(rc));
		say(c, "535 5.7.8 Authentication credentials invalid\r\n");
	}
done:
	gsasl_free(out);
	free(buf);
	gsasl_finish(s);
	return r < 0 ? -1 : r == 2 ? 1 : 0;
}

/* Find "key=" in the ^A-separated list of an OAuth message. */
static const char *
kv(const char *msg, size_t n, const char *key, size_t *vlen)
{
	const char *p = msg, *end = msg + n, *e;
	size_t kl = strlen(key);

	while (p < end) {
		e = memchr(p, '\x01', (size_t)(end - p));
		if (e == NULL)
			e = end;
		if ((size_t)(e - p) >= kl && memcmp(p, key, kl) == 0) {
			*vlen = (size_t)(e - p) - kl;
			return p + kl;
		}
		p = e + 1;
	}
	return NULL;
}

static int
run_oauth(struct conn *c, const char *mech, const char *ir, char **user)
{
	int bearer = strcasecmp(mech, "OAUTHBEARER") == 0;
	char *buf, *msg = NULL, name[256] = "";
	const char *u, *tok, *pw;
	size_t mlen = 0, ul = 0, tl = 0;
	int r = 0;

	if ((buf = malloc(SMTPD_LINE_MAX)) == NULL)
		return -1;
	if (ir == NULL) {
		if (challenge(c, "") < 0 ||
		    (r = client_line(c, buf, SMTPD_LINE_MAX)) != 0) {
			free(buf);
			return r < 0 ? -1 : 0;
		}
		ir = buf;
	}
	if (gsasl_base64_from(ir, strlen(ir), &msg, &mlen) != GSASL_OK)
		msg = NULL;
	u = tok = NULL;
	if (msg != NULL && !bearer)
		u = kv(msg, mlen, "user=", &ul);
	else if (msg != NULL && mlen > 5 && memcmp(msg, "n,a=", 4) == 0) {
		/* RFC 7628 §3.1: gs2-header "n,a=USER," then ^A kvpairs */
		u = msg + 4;
		for (ul = 0; u + ul < msg + mlen && u[ul] != ','; ul++)
			;
	}
	if (msg != NULL)
		tok = kv(msg, mlen, "auth=Bearer ", &tl);
	if (u != NULL && ul < sizeof(name)) {
		memcpy(name, u, ul);
		name[ul] = '\0';
	}
	pw = password_of(name);
	if (tok != NULL && pw != NULL && strlen(pw) == tl &&
	    memcmp(pw, tok, tl) == 0) {
		*user = strdup(name);
		r = 1;
	} else {
		/* RFC 7628 §3.2.2 error; Google's XOAUTH2 does the same. */
		char *json;
		const char *e = bearer ?
		    "{\"status\":\"invalid_token\",\"scope\":\"mail\"}" :
		    "{\"status\":\"400\",\"schemes\":\"Bearer\",\"scope\":\"mail\"}";
		event("auth-fail %s token", mech);
		r = 0;
		if (gsasl_base64_to(e, strlen(e), &json, NULL) != GSASL_OK)
			r = -1;
		else if (challenge(c, json) < 0) {
			free(json);
			r = -1;
		} else {
			free(json);
			r = client_line(c, buf, SMTPD_LINE_MAX);
			if (r == 0)
				say(c, "535 5.7.8 Authentication credentials "
				    "invalid\r\n");
			r = r < 0 ? -1 : 0;
		}
	}
	free(msg);
	free(buf);
	return r;
}

/*
 * Run one AUTH exchange.  Returns 1 on success (*user set, owned by the
 * caller; the 235 is the caller's to send), 0 when refused (the reply was
 * sent), -1 when the connection is gone.
 */
int
auth_run(struct conn *c, const char *mech, const char *ir, char **user)
{
	if (strcasecmp(mech, "XOAUTH2") == 0 ||
	    strcasecmp(mech, "OAUTHBEARER") == 0)
		return run_oauth(c, mech, ir, user);
	return run_gsasl(c, mech, ir, user);
}
