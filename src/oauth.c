/* SPDX-License-Identifier: MIT */
/*
 * oauth: get an access token (RFC 6749), keep it on disk until it is about
 * to expire.  The request is a form POST (section 4.4.2 / 6); a success
 * is 200 with access_token, token_type Bearer and expires_in (5.1); a
 * refusal is 400/401 with error and error_description (5.2).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "statedir.h"
#include "oauth.h"
#include "oauth-http.h"
#include "oauth-json.h"
#include "sasl.h"

#define GOOGLE_URL	"https://oauth2.googleapis.com/token"
#define CACHE_MAX	(32 * 1024)
#define FORM_MAX	(80 * 1024)

void
oauth_wipe(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

int
oauth_endpoint_url(const struct account *a, char *buf, size_t len)
{
	const char *e = a->oauth.token_endpoint, *tenant;
	int n;

	if (e == NULL)
		return -1;
	if (strcmp(e, "google") == 0)
		n = snprintf(buf, len, "%s", GOOGLE_URL);
	else if (strcmp(e, "microsoft") == 0) {
		tenant = a->oauth.tenant ? a->oauth.tenant : "common";
		if (strpbrk(tenant, "/?#@ ") != NULL)
			return -1;
		n = snprintf(buf, len, "https://login.microsoftonline.com/%s"
		    "/oauth2/v2.0/token", tenant);
	} else
		n = snprintf(buf, len, "%s", e);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

static int
client_credentials(const struct account *a)
{
	return a->oauth.grant != NULL &&
	    strcmp(a->oauth.grant, "client_credentials") == 0;
}

const char *
oauth_scope(const struct account *a)
{
	if (a->oauth.scope != NULL)
		return a->oauth.scope;
	if (a->oauth.token_endpoint == NULL ||
	    strcmp(a->oauth.token_endpoint, "microsoft") != 0)
		return NULL;
	/* Microsoft identity platform: SMTP AUTH scopes */
	return client_credentials(a) ? "https://outlook.office365.com/.default"
	    : "https://outlook.office.com/SMTP.Send offline_access";
}

int
oauth_cache_path(const struct account *a, char *buf, size_t len)
{
	return statedir_path(a->name, "oauth", "token", buf, len);
}

/* What the cached token was issued for (not a secret: no token in it),
 * so that a changed client, user, endpoint or scope is not served an old
 * token.  FNV-1a, 64 bits: a change detector, not a MAC. */
static uint64_t
cache_key(const struct account *a, const char *url)
{
	const char *parts[5];
	uint64_t h = 14695981039346656037ULL;
	size_t i;
	const char *p;

	parts[0] = url;
	parts[1] = a->oauth.client_id;
	parts[2] = a->user;
	parts[3] = a->oauth.grant ? a->oauth.grant : "refresh_token";
	parts[4] = oauth_scope(a);
	for (i = 0; i < 5; i++) {
		for (p = parts[i] ? parts[i] : ""; ; p++) {
			h ^= (unsigned char)*p;
			h *= 1099511628211ULL;
			if (*p == '\0')
				break;
		}
	}
	return h;
}

/* The cached token, when it is ours, private, for this key and has more
 * than OAUTH_MARGIN seconds left; else NULL. */
static char *
cache_read(const char *path, uint64_t key, long *left)
{
	char buf[CACHE_MAX + 1], *tok = NULL, *p;
	unsigned long long k = 0;
	long long exp = 0;
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0 ||
	    st.st_size > CACHE_MAX ||
	    (n = read(fd, buf, CACHE_MAX)) <= 0) {
		close(fd);
		log_debug("oauth: cache %s unusable; ignored", path);
		return NULL;
	}
	close(fd);
	buf[n] = '\0';
	if (sscanf(buf, "postie-oauth-cache 1\nkey %16llx\nexpires %lld\n",
	    &k, &exp) == 2 && k == key && exp > 0 && exp < (1LL << 40) &&
	    (p = strstr(buf, "\ntoken ")) &&
	    (*left = (long)(exp - (long long)time(NULL))) > OAUTH_MARGIN) {
		p += 7;
		p[strcspn(p, "\n")] = '\0';
		if (*p != '\0')
			tok = strdup(p);
	}
	explicit_bzero(buf, sizeof(buf));
	return tok;
}

/* mkdir -p the parents of path, each 0700 when created. */
static int
mkparents(char *path)
{
	char *s;
	int e;

	for (s = strchr(path + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		e = mkdir(path, 0700) == -1 && errno != EEXIST ? -1 : 0;
		*s = '/';
		if (e == -1)
			return -1;
	}
	return 0;
}

/* Write the cache atomically: a private temporary file, then rename. */
static void
cache_write(const char *path, uint64_t key, time_t expires, const char *tok)
{
	char tmp[4200], dir[4200];
	FILE *fp;
	int fd, ok;

	snprintf(dir, sizeof(dir), "%s", path);
	if (snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >=
	    (int)sizeof(tmp) || mkparents(dir) == -1)
		goto fail;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1 || (fp = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		goto fail;
	}
	fprintf(fp, "postie-oauth-cache 1\nkey %016" PRIx64 "\nexpires %lld\n"
	    "token %s\n", key, (long long)expires, tok);
	ok = fflush(fp) == 0 && fsync(fileno(fp)) == 0;
	ok = fclose(fp) == 0 && ok;
	if (ok && rename(tmp, path) == 0)
		return;
	unlink(tmp);
fail:
	log_debug("oauth: cannot write the token cache %s: %s", path,
	    strerror(errno));
}

/* A secret from its option or its command (run like password_command). */
static int
secret(const struct account *a, const char *value, const char *command,
    const char *what, char **out, struct failure *f)
{
	struct account run;
	struct failure why;
	const char *m;

	*out = NULL;
	if (value != NULL || command == NULL) {
		if (value != NULL && (*out = strdup(value)) == NULL) {
			failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
			return -1;
		}
		return 0;
	}
	memset(&run, 0, sizeof(run));
	run.name = a->name;
	run.password_command = (char *)(uintptr_t)command;
	failure_clear(&why);
	if (sasl_secret(&run, 60, out, &why) == 0)
		return 0;
	/* its messages say password_command: name the option instead */
	m = strncmp(why.msg, "password_command", 16) == 0 ? why.msg + 16 :
	    why.msg;
	failure_set(f, why.code, why.cls, "%s_command%s%s", what,
	    m == why.msg ? ": " : "", m);
	return -1;
}

/* Printable ASCII only, at most 200 bytes: endpoint text shown to users. */
static void
tame(char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			s[i] = ' ';
	if (i > 200)
		s[200] = '\0';
}

const char *const oauth_keys[OAUTH_NKEYS] = { "access_token",
	"token_type", "expires_in", "error", "error_description",
	"refresh_token" };

int
oauth_judge(const char *url, int status, char **v, struct failure *f)
{
	char *e = v[OAUTH_ERROR];
	int code;

	if (status == 200 && v[OAUTH_TOKEN] != NULL && v[OAUTH_TOKEN][0] != '\0') {
		if (v[OAUTH_TYPE] != NULL && strcasecmp(v[OAUTH_TYPE], "Bearer") != 0) {
			failure_set(f, EX_PROTOCOL, FAIL_TEMP, "token endpoint "
			    "%s: token_type is not Bearer", url);
			return -1;
		}
		if (strspn(v[OAUTH_TOKEN], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
		    "nopqrstuvwxyz0123456789-._~+/=") != strlen(v[OAUTH_TOKEN])) {
			failure_set(f, EX_PROTOCOL, FAIL_TEMP, "token endpoint "
			    "%s: the access token has characters a bearer "
			    "token cannot have (RFC 6750 2.1)", url);
			return -1;
		}
		return 0;
	}
	if (v[OAUTH_DESC] != NULL)
		tame(v[OAUTH_DESC]);
	if (e != NULL)
		tame(e);
	if (status >= 500 || status == 429 || status == 408 ||
	    (e && strcmp(e, "temporarily_unavailable") == 0))
		code = EX_TEMPFAIL;
	else if (e && (strcmp(e, "invalid_grant") == 0 ||
	    strcmp(e, "invalid_client") == 0 ||
	    strcmp(e, "unauthorized_client") == 0 ||
	    strcmp(e, "access_denied") == 0 ||
	    strcmp(e, "expired_token") == 0))
		code = EX_NOPERM;
	else if (e != NULL)
		code = EX_CONFIG;
	else {
		failure_set(f, status >= 400 ? EX_TEMPFAIL : EX_PROTOCOL,
		    FAIL_TEMP, "token endpoint %s: HTTP %d without a token",
		    url, status);
		return -1;
	}
	failure_set(f, code, code == EX_TEMPFAIL ? FAIL_TEMP : FAIL_PERM,
	    "token endpoint %s refused (HTTP %d): %s%s%s%s", url, status,
	    e ? e : "error", v[OAUTH_DESC] ? ": " : "", v[OAUTH_DESC] ? v[OAUTH_DESC] : "",
	    e && strcmp(e, "invalid_grant") == 0 ? " (the refresh token is "
	    "expired or revoked: get a new one, see sendmail.conf(5), "
	    "OAUTH2)" : "");
	return -1;
}

/* The form of the token request.  Returns 0, or -1 with the failure. */
static int
build_form(const struct account *a, char *form, struct failure *f)
{
	char *cs = NULL, *rt = NULL;
	const char *scope = oauth_scope(a);
	int cc = client_credentials(a), r;

	form[0] = '\0';
	if (secret(a, a->oauth.client_secret, a->oauth.client_secret_command,
	    "oauth_client_secret", &cs, f) == -1 || (!cc &&
	    secret(a, a->oauth.refresh_token, a->oauth.refresh_token_command,
	    "oauth_refresh_token", &rt, f) == -1)) {
		oauth_wipe(cs);
		return -1;
	}
	r = http_form_add(form, FORM_MAX, "grant_type", cc ?
	    "client_credentials" : "refresh_token");
	if (r == 0)
		r = http_form_add(form, FORM_MAX, "client_id",
		    a->oauth.client_id);
	if (r == 0 && cs != NULL)
		r = http_form_add(form, FORM_MAX, "client_secret", cs);
	if (r == 0 && rt != NULL)
		r = http_form_add(form, FORM_MAX, "refresh_token", rt);
	if (r == 0 && scope != NULL)
		r = http_form_add(form, FORM_MAX, "scope", scope);
	oauth_wipe(cs);
	oauth_wipe(rt);
	if (r != 0) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "OAuth2 settings too long");
		return -1;
	}
	return 0;
}

int
oauth_exchange(const struct account *a, const char *url, const char *form,
    const char *const *keys, char **vals, size_t n, int *status,
    struct failure *f)
{
	char *body = NULL, why[128];
	size_t blen = 0;
	int tmo, rc = -1;

	tmo = a->timeouts.command > 0 && a->timeouts.command < 60 ?
	    a->timeouts.command : 60;
	if (http_post(a, url, form, tmo, status, &body, &blen, f) == -1)
		return -1;
	if (oauth_json_pick(body, blen, keys, vals, n, why, sizeof(why)) == -1)
		failure_set(f, *status >= 500 ? EX_TEMPFAIL : EX_PROTOCOL,
		    FAIL_TEMP, "token endpoint %s: HTTP %d, reply is not JSON "
		    "(%s)", url, *status, why);
	else
		rc = 0;
	explicit_bzero(body, blen);
	free(body);
	return rc;
}

/* Ask the endpoint.  On success *token (malloc'd) and *expires_in. */
static int
request(const struct account *a, const char *url, char **token,
    long *expires_in, struct failure *f)
{
	char *form, *v[OAUTH_NKEYS];
	size_t i;
	int status = 0, rc = -1;

	if ((form = malloc(FORM_MAX)) == NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		return -1;
	}
	log_debug("oauth: asking %s for an access token", url);
	if (build_form(a, form, f) == 0 && oauth_exchange(a, url, form,
	    oauth_keys, v, OAUTH_NKEYS, &status, f) == 0) {
		if (oauth_judge(url, status, v, f) == 0) {
			*expires_in = oauth_expires(v);
			*token = v[OAUTH_TOKEN];
			v[OAUTH_TOKEN] = NULL;
			rc = 0;
		}
		for (i = 0; i < OAUTH_NKEYS; i++)
			oauth_wipe(v[i]);
	}
	explicit_bzero(form, FORM_MAX);
	free(form);
	return rc;
}

long
oauth_expires(char *const *v)
{
	long e;

	/* RFC 6749 5.1: optional; without it, assume little.  Capped at a
	 * day, so that no reply can overflow the expiry time. */
	if (v[OAUTH_EXPIRES] == NULL)
		return 600;
	e = strtol(v[OAUTH_EXPIRES], NULL, 10);
	return e < 0 ? 0 : e > 86400 ? 86400 : e;
}

void
oauth_cache_put(const struct account *a, const char *token, long expires_in)
{
	char url[1100], path[4096];

	if (expires_in > 0 && oauth_endpoint_url(a, url, sizeof(url)) == 0 &&
	    oauth_cache_path(a, path, sizeof(path)) == 0)
		cache_write(path, cache_key(a, url), time(NULL) + expires_in,
		    token);
}

void
oauth_cache_describe(const struct account *a, char *buf, size_t len)
{
	char url[1100], path[4096], *tok = NULL;
	long left = 0;

	if (oauth_cache_path(a, path, sizeof(path)) == -1) {
		snprintf(buf, len, "(no state directory)");
		return;
	}
	if (access(path, F_OK) == -1)
		snprintf(buf, len, "%s (none)", path);
	else if (oauth_endpoint_url(a, url, sizeof(url)) == 0 &&
	    (tok = cache_read(path, cache_key(a, url), &left)) != NULL)
		snprintf(buf, len, "%s (%ld s left)", path, left);
	else
		snprintf(buf, len, "%s (expired or unusable)", path);
	oauth_wipe(tok);
}

int
oauth_token(const struct account *a, int force, char **token, int *fresh,
    struct failure *f)
{
	char url[1100], path[4096];
	long left = 0, expires_in = 0;
	int have_path;
	uint64_t key;

	*token = NULL;
	*fresh = 0;
	if (oauth_endpoint_url(a, url, sizeof(url)) == -1) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "account %s: no usable "
		    "oauth_token_endpoint", a->name ? a->name : "default");
		return -1;
	}
	key = cache_key(a, url);
	have_path = oauth_cache_path(a, path, sizeof(path)) == 0;
	if (!force && have_path &&
	    (*token = cache_read(path, key, &left)) != NULL) {
		log_debug("oauth: cached access token, %ld s left", left);
		return 0;
	}
	if (request(a, url, token, &expires_in, f) == -1)
		return -1;
	*fresh = 1;
	if (expires_in > 0 && have_path)
		cache_write(path, key, time(NULL) + expires_in, *token);
	log_debug("oauth: new access token, expires in %ld s", expires_in);
	return 0;
}
