/* SPDX-License-Identifier: MIT */
/*
 * provider: the preset table and the rules across options that presets
 * and OAuth2 bring.  The facts in the table come from each service's own
 * SMTP documentation: host names, which ports speak STARTTLS (RFC 3207)
 * and which speak TLS from the first byte (RFC 8314 section 3.3), and
 * which user name convention the relay expects.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"

#define MAXPORTS 6

struct portmode {
	int		 port;
	enum tls_mode	 tls;
};

struct provider {
	const char	*name;
	const char	*host;		/* "%s": the region (ses) */
	/* the first port of each mode is that mode's default; the first
	 * entry is the preset when the file sets neither port nor tls */
	struct portmode	 ports[MAXPORTS];
	const char	*mechs;		/* preset auth list, or NULL */
	const char	*oauth_mechs;	/* the list when OAuth2 is on */
	const char	*user;		/* preset user, or NULL */
	const char	*endpoint;	/* OAuth2 token endpoint preset */
	const char	*hint;
};

#define S TLSMODE_STARTTLS
#define I TLSMODE_IMPLICIT
static const struct provider table[] = {
	{ "gmail", "smtp.gmail.com", { { 587, S }, { 465, I } },
	    NULL, "XOAUTH2 OAUTHBEARER", NULL, "google",
	    "Gmail refuses the account password: use an app password "
	    "(Google account, Security, App passwords; needs 2-step "
	    "verification) or OAuth2 (oauth_refresh_token); Workspace "
	    "domains may allow OAuth2 only" },
	/* basic authentication is retired (outlook.com 2024, Exchange
	 * Online 2026: 550 5.7.30), so the preset offers XOAUTH2 only */
	{ "outlook", "smtp-mail.outlook.com", { { 587, S } },
	    "XOAUTH2", "XOAUTH2", NULL, "microsoft",
	    "Outlook.com accepts OAuth2 only (XOAUTH2): set "
	    "oauth_client_id and oauth_refresh_token, or a password_command "
	    "that prints an access token; user is the full address" },
	{ "office365", "smtp.office365.com", { { 587, S } },
	    "XOAUTH2", "XOAUTH2", NULL, "microsoft",
	    "Microsoft 365: SMTP AUTH must be enabled for the mailbox "
	    "(Authenticated SMTP), basic authentication is retired (550 "
	    "5.7.30): use OAuth2 with a token for the scope "
	    "https://outlook.office.com/SMTP.Send, and user = the mailbox" },
	{ "sendgrid", "smtp.sendgrid.net",
	    { { 587, S }, { 465, I }, { 2525, S }, { 25, S } },
	    NULL, NULL, "apikey", NULL,
	    "SendGrid: user must be literally \"apikey\" and the password "
	    "an API key with the Mail Send permission" },
	{ "ses", "email-smtp.%s.amazonaws.com",
	    { { 587, S }, { 465, I }, { 2587, S }, { 2465, I }, { 25, S } },
	    NULL, NULL, NULL, NULL,
	    "Amazon SES: use the SMTP credentials created in the SES "
	    "console (not an IAM access key and secret), for the same "
	    "region as the host; the sender must be a verified identity" },
	{ "mailjet", "in-v3.mailjet.com", { { 587, S }, { 465, I } },
	    NULL, NULL, NULL, NULL,
	    "Mailjet: user is the API key and password the secret key "
	    "(Account settings, REST API keys)" },
	{ "brevo", "smtp-relay.brevo.com",
	    { { 587, S }, { 465, I }, { 2525, S } },
	    NULL, NULL, NULL, NULL,
	    "Brevo: use the SMTP key (SMTP & API, SMTP tab), not the API "
	    "key (xkeysib-...); user is the SMTP login shown there" },
	{ "duocircle", "outbound.mailhop.org",
	    { { 2525, S }, { 465, I }, { 25, S }, { 10025, S }, { 10465, I } },
	    NULL, NULL, NULL, NULL,
	    "DuoCircle: use the outbound relay user name and password from "
	    "the DuoCircle dashboard, not your mailbox password" },
};
#undef S
#undef I
#define NPROV (sizeof(table) / sizeof(table[0]))

static const struct provider *
find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NPROV; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

int
provider_known(const char *name)
{
	return find(name) != NULL;
}

const char *
provider_names(void)
{
	return "gmail outlook office365 sendgrid ses mailjet brevo duocircle";
}

int
provider_region_ok(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '-'))
			return 0;
	return n >= 4 && n <= 32 && strchr(s, '-') != NULL;
}

int
provider_grant_ok(const char *s)
{
	return strcmp(s, "refresh_token") == 0 ||
	    strcmp(s, "client_credentials") == 0;
}

int
provider_endpoint_ok(const char *s)
{
	return strcmp(s, "google") == 0 || strcmp(s, "microsoft") == 0 ||
	    (strncmp(s, "https://", 8) == 0 && s[8] != '\0' &&
	    s[8] != '/' && strlen(s) < 1024);
}

int
provider_uses_oauth(const struct account *a)
{
	return a->oauth.refresh_token != NULL ||
	    a->oauth.refresh_token_command != NULL ||
	    (a->oauth.grant != NULL &&
	    strcmp(a->oauth.grant, "client_credentials") == 0);
}

const char *
provider_auth_hint(const char *provider)
{
	const struct provider *p = find(provider);

	return p != NULL ? p->hint : NULL;
}

const char *
provider_oauth_hint(const char *provider)
{
	if (provider != NULL && strcmp(provider, "gmail") == 0)
		return "Gmail refused the OAuth2 token: user must be the "
		    "address the refresh token was issued for, with the scope "
		    "https://mail.google.com/";
	if (provider != NULL && (strcmp(provider, "outlook") == 0 ||
	    strcmp(provider, "office365") == 0))
		return "Microsoft refused the OAuth2 token: user must be the "
		    "mailbox, the token must carry SMTP.Send (or SMTP.SendAsApp "
		    "for client credentials, with the application registered "
		    "in Exchange Online), and SMTP AUTH must be enabled for the "
		    "mailbox";
	return "the relay refused the OAuth2 token: is user the mailbox the "
	    "token was issued for, and does oauth_scope allow SMTP?";
}

static const char *const tlsname[] = { "starttls", "implicit", "off" };

/* The mode a provider's port speaks, or -1 when the table lacks it. */
static int
port_mode(const struct provider *p, int port)
{
	size_t i;

	for (i = 0; i < MAXPORTS && p->ports[i].port != 0; i++)
		if (p->ports[i].port == port)
			return (int)p->ports[i].tls;
	return -1;
}

static int
mode_port(const struct provider *p, enum tls_mode m)
{
	size_t i;

	for (i = 0; i < MAXPORTS && p->ports[i].port != 0; i++)
		if (p->ports[i].tls == m)
			return p->ports[i].port;
	return 0;
}

/*
 * Port and TLS mode: whichever the file set decides the other; both set
 * must agree, since STARTTLS on a TLS port (or the reverse) only ends in a
 * timeout that tells the user nothing.
 */
static int
apply_ports(const struct provider *p, struct account *a, int tls_set,
    char *why, size_t len)
{
	int m;

	if (a->tls == TLSMODE_OFF) {
		snprintf(why, len, "provider %s: tls = off is refused: the "
		    "relay requires TLS for authentication", p->name);
		return 1;
	}
	if (a->port == 0 && !tls_set) {
		a->port = p->ports[0].port;
		a->tls = p->ports[0].tls;
	} else if (a->port == 0) {
		if ((a->port = mode_port(p, a->tls)) == 0) {
			snprintf(why, len, "provider %s has no %s TLS port; "
			    "use tls = %s", p->name, a->tls == TLSMODE_IMPLICIT
			    ? "implicit" : "STARTTLS", tlsname[p->ports[0].tls]);
			return 1;
		}
	} else if ((m = port_mode(p, a->port)) != -1 && !tls_set)
		a->tls = (enum tls_mode)m;
	else if (m != -1 && m != (int)a->tls) {
		char alt[64] = "";

		if (mode_port(p, a->tls) != 0)
			snprintf(alt, sizeof(alt), " (or use port %d with tls "
			    "= %s)", mode_port(p, a->tls), tlsname[a->tls]);
		snprintf(why, len, "provider %s: port %d uses %s TLS; set tls "
		    "= %s%s", p->name, a->port, m == TLSMODE_IMPLICIT ?
		    "implicit" : "STARTTLS", tlsname[m], alt);
		return 1;
	}
	return 0;
}

/* A space-separated list (at most 3 words) into a NULL-terminated array. */
static int
set_mechs(struct account *a, const char *list)
{
	const char *w = list, *e;
	size_t n = 0;

	if ((a->auth_mechs = calloc(4, sizeof(char *))) == NULL)
		return -1;
	while (*w != '\0' && n < 3) {
		if ((e = strchr(w, ' ')) == NULL)
			e = w + strlen(w);
		if ((a->auth_mechs[n++] = strndup(w, (size_t)(e - w))) == NULL)
			return -1;
		w = *e == ' ' ? e + 1 : e;
	}
	return 0;
}

/* Set *field to v unless the file set it; "%s" in v becomes arg. */
static int
set_str(char **field, const char *v, const char *arg)
{
	const char *pct;
	char buf[256];
	int n;

	if (*field != NULL)
		return 0;
	if ((pct = strstr(v, "%s")) != NULL && arg != NULL)
		n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(pct - v), v,
		    arg, pct + 2);
	else
		n = snprintf(buf, sizeof(buf), "%s", v);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	return (*field = strdup(buf)) != NULL ? 0 : -1;
}

/* The rules of the OAuth2 settings among themselves. */
static const char *
check_oauth(const struct account *a)
{
	const struct account_oauth *o = &a->oauth;
	int cc = o->grant != NULL && strcmp(o->grant, "client_credentials") == 0;

	/* shared oauth_ settings at the top level are fine without a
	 * refresh token: the accounts add theirs */
	if (!provider_uses_oauth(a))
		return NULL;
	if (a->password != NULL || a->password_command != NULL)
		return "password (or password_command) and OAuth2 both set: "
		    "with oauth_refresh_token postie gets the access token "
		    "itself; remove one";
	if (o->refresh_token != NULL && o->refresh_token_command != NULL)
		return "oauth_refresh_token and oauth_refresh_token_command "
		    "both set";
	if (o->client_secret != NULL && o->client_secret_command != NULL)
		return "oauth_client_secret and oauth_client_secret_command "
		    "both set";
	if (o->client_id == NULL)
		return "OAuth2 needs oauth_client_id";
	if (o->token_endpoint == NULL)
		return "OAuth2 needs oauth_token_endpoint (google, microsoft, "
		    "or an https:// URL), or a provider that presets it";
	if (a->user == NULL)
		return "OAuth2 needs user (the mailbox address the token is "
		    "for)";
	if (cc && (o->refresh_token != NULL || o->refresh_token_command))
		return "oauth_grant = client_credentials takes no refresh "
		    "token";
	if (cc && o->client_secret == NULL && o->client_secret_command == NULL)
		return "oauth_grant = client_credentials needs "
		    "oauth_client_secret (or oauth_client_secret_command)";
	if (cc && strcmp(o->token_endpoint, "microsoft") == 0 &&
	    (o->tenant == NULL || strcmp(o->tenant, "common") == 0 ||
	    strcmp(o->tenant, "organizations") == 0 ||
	    strcmp(o->tenant, "consumers") == 0))
		return "oauth_grant = client_credentials needs oauth_tenant: "
		    "your directory (tenant) ID or domain, not common";
	if (o->tenant != NULL && strcmp(o->token_endpoint, "microsoft") != 0)
		return "oauth_tenant is only used with oauth_token_endpoint = "
		    "microsoft";
	return NULL;
}

int
provider_apply(struct account *a, int tls_set, char *why, size_t len)
{
	const struct provider *p = find(a->provider);
	const char *err;
	int oauth = provider_uses_oauth(a), r;

	why[0] = '\0';
	if (a->provider != NULL && p == NULL) {
		snprintf(why, len, "unknown provider \"%s\" (known: %s)",
		    a->provider, provider_names());
		return 1;
	}
	if (a->region != NULL && (p == NULL || strcmp(p->name, "ses") != 0)) {
		snprintf(why, len, "region is only used with provider = ses");
		return 1;
	}
	if (p != NULL) {
		if (strchr(p->host, '%') != NULL && a->host == NULL &&
		    a->region == NULL) {
			snprintf(why, len, "provider %s needs region (e.g. "
			    "region = eu-west-1), or host", p->name);
			return 1;
		}
		if ((r = apply_ports(p, a, tls_set, why, len)) != 0)
			return r;
		if (set_str(&a->host, p->host, a->region) == -1 ||
		    (p->user != NULL && set_str(&a->user, p->user, NULL) == -1) ||
		    ((oauth || a->oauth.client_id != NULL) &&
		    p->endpoint != NULL &&
		    set_str(&a->oauth.token_endpoint, p->endpoint, NULL) == -1))
			return -1;
	}
	/* the mechanisms: only when the file named none (auth = auto) */
	if (a->auth_mechs == NULL && a->auth == AUTHMODE_AUTO) {
		const char *m = NULL;

		if (oauth)
			m = p != NULL && p->oauth_mechs ? p->oauth_mechs :
			    "OAUTHBEARER XOAUTH2";
		else if (p != NULL)
			m = p->mechs;
		if (m != NULL && set_mechs(a, m) == -1)
			return -1;
	}
	if ((err = check_oauth(a)) != NULL) {
		snprintf(why, len, "%s", err);
		return 1;
	}
	return 0;
}

static void
line(FILE *fp, const char *name, const char *v, int secret)
{
	if (v != NULL)
		fprintf(fp, "%s = %s\n", name, secret ? "********" : v);
}

void
provider_print(const struct account *a, FILE *fp)
{
	const struct account_oauth *o = &a->oauth;

	line(fp, "provider", a->provider, 0);
	line(fp, "region", a->region, 0);
	line(fp, "oauth_client_id", o->client_id, 0);
	line(fp, "oauth_client_secret", o->client_secret, 1);
	line(fp, "oauth_client_secret_command", o->client_secret_command, 1);
	line(fp, "oauth_refresh_token", o->refresh_token, 1);
	line(fp, "oauth_refresh_token_command", o->refresh_token_command, 1);
	line(fp, "oauth_token_endpoint", o->token_endpoint, 0);
	line(fp, "oauth_tenant", o->tenant, 0);
	if (provider_uses_oauth(a))
		line(fp, "oauth_grant", o->grant ? o->grant : "refresh_token",
		    0);
	line(fp, "oauth_scope", o->scope, 0);
}
