/* SPDX-License-Identifier: MIT */
/*
 * conf: find sendmail.conf (-C, POSTIE_CONFIG, per user, system), let
 * conf-parse.c read it, choose an account and merge it over the top-level
 * settings into a plain struct account.
 */
#include "config.h"

#include <fnmatch.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <confuse.h>

#include "conf.h"
#include "conf-parse.h"
#include "conf-values.h"
#include "provider.h"

/* Who we are, for %U, %H and the default domain. */
struct who {
	char	 user[256];
	char	 host[256];
};

/* The host's name, fully qualified when the resolver (normally
 * /etc/hosts) knows a canonical name with a dot in it. */
static void
who_init(struct who *w)
{
	struct addrinfo hints, *res = NULL;
	struct passwd *pw;
	const char *u;

	pw = getpwuid(getuid());
	u = pw != NULL ? pw->pw_name : getenv("LOGNAME");
	snprintf(w->user, sizeof(w->user), "%s", u != NULL ? u : "nobody");
	if (gethostname(w->host, sizeof(w->host)) == -1 || w->host[0] == '\0')
		snprintf(w->host, sizeof(w->host), "localhost");
	w->host[sizeof(w->host) - 1] = '\0';
	if (strchr(w->host, '.') != NULL)
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_CANONNAME;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(w->host, NULL, &hints, &res) == 0 && res != NULL &&
	    res->ai_canonname != NULL && strchr(res->ai_canonname, '.') &&
	    strlen(res->ai_canonname) < sizeof(w->host))
		snprintf(w->host, sizeof(w->host), "%s", res->ai_canonname);
	if (res != NULL)
		freeaddrinfo(res);
}

/* The section that sets this option: the account, else the top level. */
static cfg_t *
pick(cfg_t *acct, cfg_t *root, const char *name)
{
	if (acct != NULL && cfg_size(acct, name) > 0)
		return acct;
	if (cfg_size(root, name) > 0)
		return root;
	return NULL;
}

static const char *
get_str(cfg_t *acct, cfg_t *root, const char *name)
{
	cfg_t *s = pick(acct, root, name);

	return s != NULL ? cfg_getstr(s, name) : NULL;
}

static int
dup_str(cfg_t *acct, cfg_t *root, const char *name, char **out)
{
	const char *v = get_str(acct, root, name);

	if (v == NULL)
		return 0;
	return (*out = strdup(v)) != NULL ? 0 : -1;
}

static void
get_dur(cfg_t *acct, cfg_t *root, const char *name, int *out)
{
	const char *v = get_str(acct, root, name);

	if (v != NULL)
		(void)confv_duration(v, out);	/* validated while parsing */
}

static int
get_auth(cfg_t *acct, cfg_t *root, struct account *a)
{
	cfg_t *s = pick(acct, root, "auth");
	unsigned i, n;
	char *m;

	if (s == NULL)
		return 0;
	n = cfg_size(s, "auth");
	if (n == 1 && confv_auth_word(cfg_getnstr(s, "auth", 0), &a->auth) == 0)
		return 0;
	a->auth = AUTHMODE_ON;		/* a list of mechanisms: must */
	if ((a->auth_mechs = calloc(n + 1, sizeof(char *))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((a->auth_mechs[i] = strdup(cfg_getnstr(s, "auth", i))) == NULL)
			return -1;
		for (m = a->auth_mechs[i]; *m != '\0'; m++)
			if (*m >= 'a' && *m <= 'z')
				*m -= 'a' - 'A';
	}
	return 0;
}

static int
merge_strings(cfg_t *acct, cfg_t *root, struct account *a)
{
	static const struct { const char *name; size_t off; } s[] = {
#define F(n) { #n, offsetof(struct account, n) }
		F(host), F(tls_trust_file), F(tls_fingerprint), F(tls_cert_file),
		F(tls_key_file), F(tls_min_version), F(tls_priorities), F(user),
		F(password), F(password_command), F(domain), F(aliases), F(log),
		F(queue_dir)
#undef F
	};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (dup_str(acct, root, s[i].name,
		    (char **)(void *)((char *)a + s[i].off)) == -1)
			return -1;
	return 0;
}

/* The strings of providers and OAuth2 (provider.h). */
static int
merge_provider(cfg_t *acct, cfg_t *root, struct account *a)
{
	static const struct { const char *name; size_t off; } s[] = {
		{ "provider", offsetof(struct account, provider) },
		{ "region", offsetof(struct account, region) },
#define O(n) { "oauth_" #n, offsetof(struct account, oauth.n) }
		O(client_id), O(client_secret), O(client_secret_command),
		O(refresh_token), O(refresh_token_command), O(token_endpoint),
		O(tenant), O(grant), O(scope)
#undef O
	};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (dup_str(acct, root, s[i].name,
		    (char **)(void *)((char *)a + s[i].off)) == -1)
			return -1;
	return 0;
}

/*
 * Fill *a from the account section (NULL: the top level alone).  Returns
 * 0, -1 when out of memory, 1 with why set for a provider/OAuth2 rule.
 */
static int
merge(cfg_t *root, cfg_t *acct, const struct who *w, struct account *a,
    char *why, size_t whylen)
{
	const char *v;
	cfg_t *s;
	int r;

	confv_defaults(a);
	if ((a->name = strdup(acct ? cfg_title(acct) : "default")) == NULL ||
	    merge_strings(acct, root, a) == -1 || get_auth(acct, root, a) == -1)
		return -1;
	if (a->tls_min_version == NULL &&
	    (a->tls_min_version = strdup("1.2")) == NULL)
		return -1;
	if (a->domain == NULL && (a->domain = strdup(w->host)) == NULL)
		return -1;
	if ((v = get_str(acct, root, "from")) != NULL &&
	    (a->from = confv_expand_from(v, w->user, w->host)) == NULL)
		return -1;
	if ((v = get_str(acct, root, "port")) != NULL)
		(void)confv_port(v, &a->port);
	if ((v = get_str(acct, root, "tls")) != NULL)
		(void)confv_tls(v, &a->tls);
	/* provider presets fill what the file left unset (provider.c) */
	if (merge_provider(acct, root, a) == -1 || (r = provider_apply(a,
	    get_str(acct, root, "tls") != NULL, why, whylen)) == -1)
		return -1;
	if (r == 1)
		return 1;
	a->port = conf_port(a);		/* never leave 0 to the reader */
	if ((s = pick(acct, root, "tls_verify")) != NULL)
		a->tls_verify = cfg_getbool(s, "tls_verify") ? 1 : 0;
	if ((s = pick(acct, root, "tls_session_cache")) != NULL)
		a->tls_session_cache = cfg_getbool(s, "tls_session_cache") ?
		    1 : 0;
	if ((s = pick(acct, root, "queue")) != NULL)
		a->queue = cfg_getbool(s, "queue") ? 1 : 0;
	get_dur(acct, root, "queue_lifetime", &a->queue_lifetime);
	get_dur(acct, root, "retry_min", &a->retry_min);
	get_dur(acct, root, "retry_max", &a->retry_max);
	get_dur(acct, root, "timeout_connect", &a->timeouts.connect);
	get_dur(acct, root, "timeout_greeting", &a->timeouts.greeting);
	get_dur(acct, root, "timeout_tls", &a->timeouts.tls);
	get_dur(acct, root, "timeout_command", &a->timeouts.command);
	get_dur(acct, root, "timeout_data_block", &a->timeouts.data_block);
	get_dur(acct, root, "timeout_data_end", &a->timeouts.data_end);
	get_dur(acct, root, "timeout_total", &a->timeouts.total);
	return 0;
}

/* Rules across options (a single value was checked while parsing). */
static const char *
check_account(const struct account *a)
{
	if (a->tls == TLSMODE_OFF && (a->auth == AUTHMODE_ON ||
	    (a->auth == AUTHMODE_AUTO && a->user != NULL)))
		return "authentication without TLS is refused (tls = off)";
	if (a->auth == AUTHMODE_ON && a->user == NULL)
		return "auth is on but no user is set";
	if (a->password != NULL && a->password_command != NULL)
		return "password and password_command both set";
	if ((a->tls_cert_file == NULL) != (a->tls_key_file == NULL))
		return "tls_cert_file and tls_key_file go together";
	if (a->retry_min > a->retry_max)
		return "retry_min is greater than retry_max";
	return NULL;
}

/* The first account whose from matches the sender, or NULL. */
static cfg_t *
match_sender(cfg_t *root, const char *sender, const struct who *w)
{
	unsigned i, n = cfg_size(root, "account");
	cfg_t *sec;
	char *pat;
	int hit;

	for (i = 0; i < n; i++) {
		sec = cfg_getnsec(root, "account", i);
		if (cfg_size(sec, "from") == 0)
			continue;
		pat = confv_expand_from(cfg_getstr(sec, "from"), w->user,
		    w->host);
		hit = pat != NULL && fnmatch(pat, sender, FNM_CASEFOLD) == 0;
		free(pat);
		if (hit)
			return sec;
	}
	return NULL;
}

static int
locate_user(char *buf, size_t len)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	struct passwd *pw;
	int n;

	if (x != NULL && x[0] == '/')
		n = snprintf(buf, len, "%s/postie/sendmail.conf", x);
	else {
		if (h == NULL || h[0] != '/') {
			pw = getpwuid(getuid());
			h = pw != NULL ? pw->pw_dir : NULL;
		}
		if (h == NULL)
			return -1;
		n = snprintf(buf, len, "%s/.config/postie/sendmail.conf", h);
	}
	return n > 0 && (size_t)n < len ? 0 : -1;
}

static const char *
system_path(void)
{
	const char *e = getenv("POSTIE_CONFIG");

	return e != NULL && *e != '\0' ? e : SYSCONFDIR "/sendmail.conf";
}

/*
 * -C is honoured for root, or for a file under a directory that the
 * system config lists in allowed_config_dirs (notes/security.md 1.6: a
 * web attacker who can append flags must not choose the config).
 */
static int
c_allowed(const char *file, struct failure *f)
{
	char rf[PATH_MAX], rd[PATH_MAX];
	unsigned i, n;
	size_t len;
	cfg_t *sys;
	int ok = 0;

	if (getuid() == 0)
		return 0;
	if (access(system_path(), F_OK) == 0) {
		if ((sys = confp_parse(system_path(), 1, f)) == NULL)
			return -1;
		n = cfg_size(sys, "allowed_config_dirs");
		for (i = 0; i < n && !ok; i++) {
			if (realpath(file, rf) == NULL || realpath(
			    cfg_getnstr(sys, "allowed_config_dirs", i), rd) == NULL)
				continue;
			len = strlen(rd);
			ok = strncmp(rf, rd, len) == 0 &&
			    (rf[len] == '/' || (len == 1 && rd[0] == '/'));
		}
		cfg_free(sys);
	}
	if (!ok) {
		failure_set(f, EX_USAGE, FAIL_PERM, "-C %s: refused: only root "
		    "may name a config file outside allowed_config_dirs",
		    strpbrk(file, "\r\n") ? "..." : file);
		return -1;
	}
	return 0;
}

static int
locate(const struct options *o, struct conf_info *info, struct failure *f)
{
	const char *e = getenv("POSTIE_CONFIG");
	const char *p = NULL;
	char user[PATH_MAX];

	info->named = 1;
	if (o != NULL && o->config_file != NULL) {
		if (c_allowed(o->config_file, f) == -1)
			return -1;
		p = o->config_file;
	} else if (e != NULL && *e != '\0')
		p = e;
	else {
		info->named = 0;
		if (locate_user(user, sizeof(user)) == 0 &&
		    access(user, F_OK) == 0)
			p = user;
		else if (access(SYSCONFDIR "/sendmail.conf", F_OK) == 0)
			p = SYSCONFDIR "/sendmail.conf";
	}
	if (p != NULL && strlen(p) >= sizeof(info->path)) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "config path too long");
		return -1;
	}
	snprintf(info->path, sizeof(info->path), "%s", p != NULL ? p : "");
	return 0;
}

static int
fail_oom(struct failure *f)
{
	failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
	return -1;
}

/* Merge and check every account, so a mistake in any is reported. */
static int
check_all(cfg_t *root, const struct who *w, const char *path,
    struct failure *f)
{
	unsigned i, n = cfg_size(root, "account");
	struct account a;
	const char *why;
	char pwhy[256];
	cfg_t *sec;
	int r;

	for (i = 0; i <= n; i++) {
		sec = i < n ? cfg_getnsec(root, "account", i) : NULL;
		if ((r = merge(root, sec, w, &a, pwhy, sizeof(pwhy))) == -1) {
			account_free(&a);
			return fail_oom(f);
		}
		if ((why = r == 1 ? pwhy : check_account(&a)) != NULL)
			failure_set(f, EX_CONFIG, FAIL_PERM, "%s: %s%s%s%s",
			    path, sec ? "account \"" : "",
			    sec ? cfg_title(sec) : "", sec ? "\": " : "", why);
		account_free(&a);
		if (why != NULL)
			return -1;
	}
	return 0;
}

int
conf_load(const struct options *o, const char *sender, struct account *out,
    struct conf_info *info, struct failure *f)
{
	struct conf_info tmp;
	const char *want = o != NULL ? o->account : NULL, *dflt;
	char pwhy[256];
	cfg_t *root, *sec = NULL;
	struct who w;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (info == NULL)
		info = &tmp;
	memset(info, 0, sizeof(*info));
	if (locate(o, info, f) == -1)
		return -1;
	who_init(&w);
	if (info->path[0] != '\0')
		root = confp_parse(info->path, info->named, f);
	else if ((root = confp_new()) == NULL)
		return fail_oom(f);
	if (root == NULL)
		return -1;
	if (check_all(root, &w, info->path, f) == -1)
		goto out;
	dflt = cfg_getstr(root, "default_account");
	if (dflt != NULL && cfg_gettsec(root, "account", dflt) == NULL) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "%s: default_account "
		    "\"%s\" is not defined", info->path, dflt);
		goto out;
	}
	if (want != NULL) {
		sec = cfg_gettsec(root, "account", want);
		if (sec == NULL && strcmp(want, "default") != 0) {
			failure_set(f, EX_CONFIG, FAIL_PERM, "%s: no account "
			    "\"%s\"", info->path[0] ? info->path :
			    "(no config file)", strpbrk(want, "\r\n") ? "..." :
			    want);
			goto out;
		}
	} else {
		if (sender != NULL && *sender != '\0')
			sec = match_sender(root, sender, &w);
		if (sec == NULL && dflt != NULL)
			sec = cfg_gettsec(root, "account", dflt);
	}
	if (merge(root, sec, &w, out, pwhy, sizeof(pwhy)) != 0) {
		account_free(out);	/* 1 cannot happen: check_all passed */
		fail_oom(f);
		goto out;
	}
	rc = 0;
out:
	cfg_free(root);
	return rc;
}

int
conf_check_send(const struct account *a, const struct conf_info *info,
    struct failure *f)
{
	if (a->host == NULL) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "%s: no relay host for "
		    "account \"%s\" (set host)", info && info->path[0] ?
		    info->path : "no config file", a->name ? a->name :
		    "default");
		return -1;
	}
	return 0;
}

int
conf_sender(const struct account *a, const char *opt_sender, char *buf,
    size_t len)
{
	struct who w;
	const char *s = opt_sender;
	int n;

	if (s == NULL && a->from != NULL && strpbrk(a->from, "*?[") == NULL)
		s = a->from;
	if (s == NULL) {
		who_init(&w);
		s = w.user;
	}
	n = snprintf(buf, len, "%s", s);
	return n >= 0 && (size_t)n < len ? 0 : -1;
}
