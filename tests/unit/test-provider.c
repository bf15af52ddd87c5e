/* SPDX-License-Identifier: MIT */
/* Unit tests of the provider table and its rules (src/provider.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf-values.h"
#include "provider.h"
#include "tap.h"

static char why[256];

/* A fresh account with the defaults, provider p, and optionally a port,
 * a TLS mode set explicitly (-1: not set) and a region. */
static int
apply(struct account *a, const char *p, int port, int tls, const char *region)
{
	confv_defaults(a);
	a->provider = p ? strdup(p) : NULL;
	a->region = region ? strdup(region) : NULL;
	a->port = port;
	if (tls != -1)
		a->tls = (enum tls_mode)tls;
	return provider_apply(a, tls != -1, why, sizeof(why));
}

static const char *
mechs(const struct account *a)
{
	static char buf[128];
	size_t i;

	buf[0] = '\0';
	if (a->auth_mechs == NULL)
		return "(default)";
	for (i = 0; a->auth_mechs[i] != NULL; i++) {
		if (i)
			strncat(buf, " ", sizeof(buf) - strlen(buf) - 1);
		strncat(buf, a->auth_mechs[i], sizeof(buf) - strlen(buf) - 1);
	}
	return buf;
}

static const struct {
	const char *name, *host;
	int port, tls;
	const char *mechs, *user;
} presets[] = {
	{ "gmail", "smtp.gmail.com", 587, TLSMODE_STARTTLS, "(default)", NULL },
	{ "outlook", "smtp-mail.outlook.com", 587, TLSMODE_STARTTLS, "XOAUTH2",
	    NULL },
	{ "office365", "smtp.office365.com", 587, TLSMODE_STARTTLS, "XOAUTH2",
	    NULL },
	{ "sendgrid", "smtp.sendgrid.net", 587, TLSMODE_STARTTLS, "(default)",
	    "apikey" },
	{ "mailjet", "in-v3.mailjet.com", 587, TLSMODE_STARTTLS, "(default)",
	    NULL },
	{ "brevo", "smtp-relay.brevo.com", 587, TLSMODE_STARTTLS, "(default)",
	    NULL },
	{ "duocircle", "outbound.mailhop.org", 2525, TLSMODE_STARTTLS,
	    "(default)", NULL },
};

/* port set, tls not: the mode follows the port; tls set, port not: the
 * port follows the mode. */
static const struct {
	const char *name;
	int port, tls_set, want_port, want_tls;
} ports[] = {
	{ "gmail", 465, -1, 465, TLSMODE_IMPLICIT },
	{ "gmail", 0, TLSMODE_IMPLICIT, 465, TLSMODE_IMPLICIT },
	{ "sendgrid", 2525, -1, 2525, TLSMODE_STARTTLS },
	{ "sendgrid", 465, -1, 465, TLSMODE_IMPLICIT },
	{ "ses", 2587, -1, 2587, TLSMODE_STARTTLS },
	{ "ses", 2465, -1, 2465, TLSMODE_IMPLICIT },
	{ "ses", 0, TLSMODE_IMPLICIT, 465, TLSMODE_IMPLICIT },
	{ "mailjet", 465, -1, 465, TLSMODE_IMPLICIT },
	{ "brevo", 2525, -1, 2525, TLSMODE_STARTTLS },
	{ "brevo", 465, -1, 465, TLSMODE_IMPLICIT },
	{ "duocircle", 10025, -1, 10025, TLSMODE_STARTTLS },
	{ "duocircle", 10465, -1, 10465, TLSMODE_IMPLICIT },
	{ "duocircle", 25, -1, 25, TLSMODE_STARTTLS },
	{ "duocircle", 0, TLSMODE_IMPLICIT, 465, TLSMODE_IMPLICIT },
	{ "gmail", 2525, -1, 2525, TLSMODE_STARTTLS },	/* unknown port */
};

int
main(void)
{
	struct account a;
	size_t i;
	int r;

	plan(7 * 5 + 15 * 3 + 40);
	for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		r = apply(&a, presets[i].name, 0, -1, NULL);
		is_int(r, 0, "%s: applies (%s)", presets[i].name, why);
		is_str(a.host, presets[i].host, "%s: host", presets[i].name);
		is_int(a.port, presets[i].port, "%s: port", presets[i].name);
		is_int(a.tls, presets[i].tls, "%s: tls", presets[i].name);
		if (presets[i].user != NULL)
			is_str(a.user, presets[i].user, "%s: user",
			    presets[i].name);
		else
			is_str(mechs(&a), presets[i].mechs, "%s: mechs",
			    presets[i].name);
		account_free(&a);
	}
	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		r = apply(&a, ports[i].name, ports[i].port, ports[i].tls_set,
		    strcmp(ports[i].name, "ses") == 0 ? "eu-west-1" : NULL);
		is_int(r, 0, "%s port %d tls %d: applies (%s)", ports[i].name,
		    ports[i].port, ports[i].tls_set, why);
		is_int(a.port, ports[i].want_port, "%s: port %d", ports[i].name,
		    ports[i].want_port);
		is_int(a.tls, ports[i].want_tls, "%s: port %d tls",
		    ports[i].name, ports[i].want_port);
		account_free(&a);
	}

	/* ses: the region makes the host; without either, an error */
	r = apply(&a, "ses", 0, -1, "eu-west-1");
	is_int(r, 0, "ses with region");
	is_str(a.host, "email-smtp.eu-west-1.amazonaws.com", "ses: host");
	account_free(&a);
	r = apply(&a, "ses", 0, -1, NULL);
	is_int(r, 1, "ses without region: error");
	ok(strstr(why, "region = ") != NULL, "ses: says how (%s)", why);
	account_free(&a);
	r = apply(&a, "gmail", 0, -1, "eu-west-1");
	is_int(r, 1, "region without ses: error");
	account_free(&a);

	/* port and tls both set and contradicting each other */
	r = apply(&a, "gmail", 465, TLSMODE_STARTTLS, NULL);
	is_int(r, 1, "gmail 465 + starttls: error");
	ok(strstr(why, "port 465 uses implicit TLS; set tls = implicit") !=
	    NULL, "names the fix (%s)", why);
	ok(strstr(why, "port 587 with tls = starttls") != NULL,
	    "and the other way (%s)", why);
	account_free(&a);
	r = apply(&a, "brevo", 587, TLSMODE_IMPLICIT, NULL);
	is_int(r, 1, "brevo 587 + implicit: error");
	ok(strstr(why, "port 587 uses STARTTLS TLS; set tls = starttls") !=
	    NULL, "names the fix (%s)", why);
	account_free(&a);
	r = apply(&a, "outlook", 0, TLSMODE_IMPLICIT, NULL);
	is_int(r, 1, "outlook + implicit: no such port");
	account_free(&a);
	r = apply(&a, "sendgrid", 0, TLSMODE_OFF, NULL);
	is_int(r, 1, "tls = off with a provider: error");
	account_free(&a);
	r = apply(&a, "gmial", 0, -1, NULL);
	is_int(r, 1, "unknown provider: error");
	ok(strstr(why, "gmail outlook") != NULL, "lists the known (%s)", why);
	account_free(&a);

	/* explicit values win */
	confv_defaults(&a);
	a.provider = strdup("sendgrid");
	a.host = strdup("127.0.0.1");
	a.user = strdup("someone");
	a.auth = AUTHMODE_ON;
	is_int(provider_apply(&a, 0, why, sizeof(why)), 0, "overrides apply");
	is_str(a.host, "127.0.0.1", "explicit host kept");
	is_str(a.user, "someone", "explicit user kept");
	ok(a.auth_mechs == NULL, "explicit auth kept");
	account_free(&a);

	/* OAuth2 */
	confv_defaults(&a);
	a.provider = strdup("gmail");
	a.user = strdup("me@gmail.com");
	a.oauth.client_id = strdup("id");
	a.oauth.refresh_token = strdup("1//rt");
	is_int(provider_apply(&a, 0, why, sizeof(why)), 0, "gmail oauth (%s)",
	    why);
	is_str(a.oauth.token_endpoint, "google", "gmail: google endpoint");
	is_str(mechs(&a), "XOAUTH2 OAUTHBEARER", "gmail oauth: mechs");
	ok(provider_uses_oauth(&a), "uses oauth");
	account_free(&a);
	confv_defaults(&a);
	a.provider = strdup("office365");
	a.user = strdup("svc@example.org");
	a.oauth.client_id = strdup("id");
	a.oauth.client_secret = strdup("s");
	a.oauth.grant = strdup("client_credentials");
	is_int(provider_apply(&a, 0, why, sizeof(why)), 1,
	    "client_credentials without tenant: error");
	ok(strstr(why, "oauth_tenant") != NULL, "says oauth_tenant (%s)", why);
	account_free(&a);
	confv_defaults(&a);
	a.provider = strdup("office365");
	a.user = strdup("svc@example.org");
	a.oauth.client_id = strdup("id");
	a.oauth.client_secret = strdup("s");
	a.oauth.grant = strdup("client_credentials");
	a.oauth.tenant = strdup("contoso.onmicrosoft.com");
	is_int(provider_apply(&a, 0, why, sizeof(why)), 0,
	    "client_credentials with tenant (%s)", why);
	is_str(a.oauth.token_endpoint, "microsoft", "microsoft endpoint");
	account_free(&a);
	confv_defaults(&a);
	a.user = strdup("me@example.org");
	a.password = strdup("pw");
	a.oauth.client_id = strdup("id");
	a.oauth.refresh_token = strdup("rt");
	a.oauth.token_endpoint = strdup("https://auth.example.org/token");
	is_int(provider_apply(&a, 0, why, sizeof(why)), 1,
	    "password and refresh token: error");
	free(a.password);
	a.password = NULL;
	is_int(provider_apply(&a, 0, why, sizeof(why)), 0,
	    "generic endpoint (%s)", why);
	is_str(mechs(&a), "OAUTHBEARER XOAUTH2", "generic oauth: mechs");
	account_free(&a);
	confv_defaults(&a);
	a.user = strdup("me@example.org");
	a.oauth.client_id = strdup("id");
	a.oauth.refresh_token = strdup("rt");
	is_int(provider_apply(&a, 0, why, sizeof(why)), 1,
	    "no endpoint, no provider: error");
	account_free(&a);

	/* value checks */
	ok(provider_region_ok("us-east-1"), "region us-east-1");
	ok(!provider_region_ok("US-EAST-1"), "region upper case refused");
	ok(!provider_region_ok("eu/west"), "region with / refused");
	ok(provider_endpoint_ok("https://login.example/t"), "https endpoint");
	ok(!provider_endpoint_ok("http://login.example/t"), "http refused");
	ok(!provider_endpoint_ok("https:///t"), "empty host refused");

	/* hints */
	ok(strstr(provider_auth_hint("brevo"), "SMTP key") != NULL,
	    "brevo hint: SMTP key");
	ok(strstr(provider_auth_hint("sendgrid"), "\"apikey\"") != NULL,
	    "sendgrid hint: apikey");
	ok(strstr(provider_auth_hint("gmail"), "app password") != NULL &&
	    strstr(provider_auth_hint("gmail"), "OAuth2") != NULL,
	    "gmail hint: app password or OAuth2");
	ok(provider_auth_hint("nope") == NULL && provider_auth_hint(NULL) ==
	    NULL, "no hint for unknown");
	return done();
}
