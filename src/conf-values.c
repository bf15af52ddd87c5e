/* SPDX-License-Identifier: MIT */
/*
 * conf-values: the value syntax of sendmail.conf (ports, durations, TLS
 * and auth modes, log targets) and the struct account those values end up
 * in.  Pure functions: no libconfuse, no files.  conf.c calls them from its
 * validators, so a bad value is reported with its file and line.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf-values.h"
#include "provider.h"

int
confv_port(const char *s, int *port)
{
	long v = 0;
	const char *p;

	/* libconfuse would read 0587 as octal 391: refuse leading zeros */
	if (s[0] < '1' || s[0] > '9' || strlen(s) > 5)
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* "300", "5m", "1h30m", "5d": seconds, at most a year. */
int
confv_duration(const char *s, int *secs)
{
	long long total = 0, n;
	int unit;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return -1;
		for (n = 0; *s >= '0' && *s <= '9'; s++) {
			n = n * 10 + (*s - '0');
			if (n > 366LL * 86400)
				return -1;
		}
		switch (*s) {
		case 's': unit = 1; s++; break;
		case 'm': unit = 60; s++; break;
		case 'h': unit = 3600; s++; break;
		case 'd': unit = 86400; s++; break;
		case '\0': unit = 1; break;
		default: return -1;
		}
		total += n * unit;
		if (total > 366LL * 86400)
			return -1;
	}
	if (total <= 0)
		return -1;
	*secs = (int)total;
	return 0;
}

int
confv_tls(const char *s, enum tls_mode *m)
{
	if (strcmp(s, "starttls") == 0)
		*m = TLSMODE_STARTTLS;
	else if (strcmp(s, "implicit") == 0)
		*m = TLSMODE_IMPLICIT;
	else if (strcmp(s, "off") == 0)
		*m = TLSMODE_OFF;
	else
		return -1;
	return 0;
}

int
confv_min_version(const char *s)
{
	return strcmp(s, "1.2") == 0 || strcmp(s, "1.3") == 0 ? 0 : -1;
}

/* SHA-256 as 32 hex pairs, with or without colons. */
int
confv_fingerprint(const char *s)
{
	size_t n = 0;

	while (*s != '\0') {
		if (!isxdigit((unsigned char)s[0]) ||
		    !isxdigit((unsigned char)s[1]))
			return -1;
		s += 2;
		n++;
		if (*s == ':' && s[1] != '\0')
			s++;
	}
	return n == 32 ? 0 : -1;
}

/* A SASL mechanism name (RFC 4422 section 3.1): A-Z 0-9 - _, 1 to 20. */
int
confv_mech(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '-' &&
		    s[n] != '_')
			return -1;
	return n >= 1 && n <= 20 ? 0 : -1;
}

int
confv_auth_word(const char *s, enum auth_mode *m)
{
	if (strcmp(s, "on") == 0)
		*m = AUTHMODE_ON;
	else if (strcmp(s, "off") == 0)
		*m = AUTHMODE_OFF;
	else if (strcmp(s, "auto") == 0)
		*m = AUTHMODE_AUTO;
	else
		return -1;
	return 0;
}

/*
 * The domain sent in EHLO (RFC 5321 4.1.1.1): letters, digits, '-', '_'
 * and dots, at most 255 octets (4.5.3.1.2), or an address literal in
 * brackets (4.1.3).  Anything else would go out as a malformed EHLO, or
 * fail only once connected, as an internal error.
 */
int
confv_domain(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 255)
		return -1;
	if (s[0] == '[')
		return n > 2 && s[n - 1] == ']' &&
		    strspn(s + 1, "0123456789abcdefABCDEF:.Iv") == n - 2 ? 0 : -1;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return -1;
	return 0;
}

int
confv_log(const char *s)
{
	static const char *const fac[] = { "mail", "user", "daemon",
	    "local0", "local1", "local2", "local3", "local4", "local5",
	    "local6", "local7" };
	size_t i;

	if (strcmp(s, "syslog") == 0 || strcmp(s, "none") == 0 || s[0] == '/')
		return 0;
	if (strncmp(s, "syslog:", 7) == 0)
		for (i = 0; i < sizeof(fac) / sizeof(fac[0]); i++)
			if (strcasecmp(s + 7, fac[i]) == 0)
				return 0;
	return -1;
}

/*
 * Expand %U (login name), %H (host name) and %% in a from address.
 * Returns a new string, or NULL (out of memory, or over the cap).
 */
char *
confv_expand_from(const char *pat, const char *user, const char *host)
{
	char buf[1024];
	size_t n = 0, add;
	const char *ins;
	char pct[2] = "%";

	while (*pat != '\0') {
		if (pat[0] == '%' && (pat[1] == 'U' || pat[1] == 'H' ||
		    pat[1] == '%')) {
			ins = pat[1] == 'U' ? user : pat[1] == 'H' ? host : pct;
			pat += 2;
		} else {
			if (n + 1 >= sizeof(buf))
				return NULL;
			buf[n++] = *pat++;
			continue;
		}
		add = strlen(ins);
		if (n + add >= sizeof(buf))
			return NULL;
		memcpy(buf + n, ins, add);
		n += add;
	}
	buf[n] = '\0';
	return strdup(buf);
}

static void
wipe(char *s)
{
	if (s == NULL)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(s, strlen(s));
#else
	{
		volatile char *v = s;

		while (*v != '\0')
			*v++ = '\0';
	}
#endif
}

void
account_free(struct account *a)
{
	size_t i;

	if (a == NULL)
		return;
	wipe(a->password);
	wipe(a->password_command);
	free(a->name);
	free(a->host);
	free(a->tls_trust_file);
	free(a->tls_fingerprint);
	free(a->tls_cert_file);
	free(a->tls_key_file);
	free(a->tls_min_version);
	free(a->tls_priorities);
	if (a->auth_mechs != NULL)
		for (i = 0; a->auth_mechs[i] != NULL; i++)
			free(a->auth_mechs[i]);
	free(a->auth_mechs);
	free(a->user);
	free(a->password);
	free(a->password_command);
	free(a->from);
	free(a->domain);
	free(a->aliases);
	free(a->log);
	free(a->queue_dir);
	/* providers and OAuth2 */
	wipe(a->oauth.client_secret);
	wipe(a->oauth.client_secret_command);
	wipe(a->oauth.refresh_token);
	wipe(a->oauth.refresh_token_command);
	free(a->provider);
	free(a->region);
	free(a->oauth.client_id);
	free(a->oauth.client_secret);
	free(a->oauth.client_secret_command);
	free(a->oauth.refresh_token);
	free(a->oauth.refresh_token_command);
	free(a->oauth.token_endpoint);
	free(a->oauth.tenant);
	free(a->oauth.grant);
	free(a->oauth.scope);
	memset(a, 0, sizeof(*a));
}

void
confv_defaults(struct account *a)
{
	memset(a, 0, sizeof(*a));
	a->tls = TLSMODE_STARTTLS;
	a->tls_verify = 1;
	a->tls_session_cache = 1;
	a->auth = AUTHMODE_AUTO;
	a->queue = 1;
	a->queue_lifetime = 5 * 86400;
	a->retry_min = 300;
	a->retry_max = 3600;
	/* RFC 5321 section 4.5.3.2; connect and TLS are ours */
	a->timeouts.connect = 30;
	a->timeouts.greeting = 300;
	a->timeouts.tls = 60;
	a->timeouts.command = 300;
	a->timeouts.data_block = 180;
	a->timeouts.data_end = 600;
	a->timeouts.total = 1800;
}

int
conf_port(const struct account *a)
{
	if (a->port != 0)
		return a->port;
	return a->tls == TLSMODE_IMPLICIT ? 465 : 587;
}

static const char *
or_none(const char *s, const char *none)
{
	return s != NULL ? s : none;
}

void
conf_print(const struct account *a, FILE *fp)
{
	static const char *const tls[] = { "starttls", "implicit", "off" };
	static const char *const auth[] = { "auto", "on", "off" };
	size_t i;

	fprintf(fp, "account = %s\n", or_none(a->name, "default"));
	fprintf(fp, "host = %s\n", or_none(a->host, "(none)"));
	fprintf(fp, "port = %d\n", conf_port(a));
	fprintf(fp, "tls = %s\n", tls[a->tls]);
	fprintf(fp, "tls_trust_file = %s\n",
	    or_none(a->tls_trust_file, "(system)"));
	fprintf(fp, "tls_fingerprint = %s\n",
	    or_none(a->tls_fingerprint, "(none)"));
	fprintf(fp, "tls_cert_file = %s\n", or_none(a->tls_cert_file, "(none)"));
	fprintf(fp, "tls_key_file = %s\n", or_none(a->tls_key_file, "(none)"));
	fprintf(fp, "tls_min_version = %s\n",
	    or_none(a->tls_min_version, "1.2"));
	fprintf(fp, "tls_priorities = %s\n",
	    or_none(a->tls_priorities, "(default)"));
	fprintf(fp, "tls_verify = %s\n", a->tls_verify ? "true" : "false");
	fprintf(fp, "tls_session_cache = %s\n",
	    a->tls_session_cache ? "true" : "false");
	if (a->auth_mechs != NULL) {
		fprintf(fp, "auth = {");
		for (i = 0; a->auth_mechs[i] != NULL; i++)
			fprintf(fp, "%s%s", i ? ", " : " ", a->auth_mechs[i]);
		fprintf(fp, " }\n");
	} else
		fprintf(fp, "auth = %s\n", auth[a->auth]);
	fprintf(fp, "user = %s\n", or_none(a->user, "(none)"));
	fprintf(fp, "password = %s\n", a->password ? "********" : "(none)");
	fprintf(fp, "password_command = %s\n",
	    a->password_command ? "********" : "(none)");
	fprintf(fp, "from = %s\n", or_none(a->from, "(user@domain)"));
	fprintf(fp, "domain = %s\n", or_none(a->domain, "(none)"));
	fprintf(fp, "aliases = %s\n", or_none(a->aliases, "(none)"));
	fprintf(fp, "log = %s\n", or_none(a->log, "syslog"));
	fprintf(fp, "queue = %s\n", a->queue ? "true" : "false");
	fprintf(fp, "queue_dir = %s\n", or_none(a->queue_dir, "(default)"));
	fprintf(fp, "queue_lifetime = %d\n", a->queue_lifetime);
	fprintf(fp, "retry_min = %d\n", a->retry_min);
	fprintf(fp, "retry_max = %d\n", a->retry_max);
	fprintf(fp, "timeout_connect = %d\n", a->timeouts.connect);
	fprintf(fp, "timeout_greeting = %d\n", a->timeouts.greeting);
	fprintf(fp, "timeout_tls = %d\n", a->timeouts.tls);
	fprintf(fp, "timeout_command = %d\n", a->timeouts.command);
	fprintf(fp, "timeout_data_block = %d\n", a->timeouts.data_block);
	fprintf(fp, "timeout_data_end = %d\n", a->timeouts.data_end);
	fprintf(fp, "timeout_total = %d\n", a->timeouts.total);
	provider_print(a, fp);
}
