/* SPDX-License-Identifier: MIT */
/*
 * oauth-device: RFC 8628.  Section 3.1 the device authorization request,
 * 3.2 its response (device_code, user_code, verification_uri, expires_in,
 * interval), 3.4 the polling token request with grant_type
 * urn:ietf:params:oauth:grant-type:device_code, 3.5 the answers while
 * waiting: authorization_pending, slow_down (+5 s), access_denied,
 * expired_token.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "oauth-device.h"
#include "oauth-http.h"
#include "oauth.h"

#define FORM_MAX	4096
#define MAX_WAIT	900	/* seconds: the longest code lifetime */

int
oauth_device_url(const struct account *a, char *buf, size_t len)
{
	size_t n;

	if (a->oauth.token_endpoint == NULL ||
	    strcmp(a->oauth.token_endpoint, "google") == 0 ||
	    oauth_endpoint_url(a, buf, len) == -1)
		return -1;
	/* Microsoft: .../oauth2/v2.0/token -> .../oauth2/v2.0/devicecode */
	n = strlen(buf);
	if (n < 6 || strcmp(buf + n - 6, "/token") != 0 || n + 5 >= len)
		return -1;
	snprintf(buf + n - 5, len - n + 5, "devicecode");
	return 0;
}

static void
wipe_all(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		oauth_wipe(v[i]);
		v[i] = NULL;
	}
}

/* Printable ASCII only, for what the endpoint wants shown. */
static int
showable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

enum { D_DEVICE, D_USER, D_URI, D_URL, D_EXPIRES, D_INTERVAL, D_ERROR,
	D_DESC, D_N };

/* 3.1/3.2: the codes.  v[] receives them. */
static int
authorize(const struct account *a, const char *url, char **v,
    struct failure *f)
{
	static const char *const keys[D_N] = { "device_code", "user_code",
	    "verification_uri", "verification_url", "expires_in", "interval",
	    "error", "error_description" };
	const char *scope = oauth_scope(a);
	char form[FORM_MAX] = "";
	int status = 0;

	if (http_form_add(form, sizeof(form), "client_id",
	    a->oauth.client_id) == -1 || (scope != NULL && http_form_add(form,
	    sizeof(form), "scope", scope) == -1)) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "OAuth2 settings too long");
		return -1;
	}
	if (oauth_exchange(a, url, form, keys, v, D_N, &status, f) == -1)
		return -1;
	if (status != 200 || v[D_DEVICE] == NULL || v[D_USER] == NULL ||
	    (v[D_URI] == NULL && v[D_URL] == NULL) ||
	    !showable(v[D_USER]) || !showable(v[D_URI] ? v[D_URI] : v[D_URL])) {
		failure_set(f, status >= 500 ? EX_TEMPFAIL : EX_NOPERM,
		    FAIL_PERM, "device authorization at %s refused (HTTP %d):"
		    " %s%s%s", url, status, v[D_ERROR] && showable(v[D_ERROR])
		    ? v[D_ERROR] : "no code", v[D_DESC] && showable(v[D_DESC])
		    ? ": " : "", v[D_DESC] && showable(v[D_DESC]) ?
		    v[D_DESC] : "");
		return -1;
	}
	return 0;
}

static void
pause_s(int secs)
{
	struct timespec ts = { secs, 0 };

	while (nanosleep(&ts, &ts) == -1)
		;
}

/* 3.4/3.5: poll until a token, a refusal, or the deadline. */
static int
poll_token(const struct account *a, const char *url, const char *device,
    int interval, int lifetime, char **v, struct failure *f)
{
	char form[FORM_MAX] = "";
	time_t end = time(NULL) + lifetime;
	int status, n;
	const char *e;

	if (http_form_add(form, sizeof(form), "grant_type",
	    "urn:ietf:params:oauth:grant-type:device_code") == -1 ||
	    http_form_add(form, sizeof(form), "client_id",
	    a->oauth.client_id) == -1 || (a->oauth.client_secret != NULL &&
	    http_form_add(form, sizeof(form), "client_secret",
	    a->oauth.client_secret) == -1) || http_form_add(form,
	    sizeof(form), "device_code", device) == -1) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "OAuth2 settings too long");
		return -1;
	}
	/* bounded: one request per interval until the code's lifetime */
	for (n = 0; n < MAX_WAIT && time(NULL) < end; n++) {
		pause_s(interval);
		status = 0;
		if (oauth_exchange(a, url, form, oauth_keys, v, OAUTH_NKEYS,
		    &status, f) == -1)
			break;
		e = v[OAUTH_ERROR];
		if (e != NULL && strcmp(e, "authorization_pending") == 0) {
			wipe_all(v, OAUTH_NKEYS);
			continue;
		}
		if (e != NULL && strcmp(e, "slow_down") == 0) {
			interval += 5;
			wipe_all(v, OAUTH_NKEYS);
			continue;
		}
		if (oauth_judge(url, status, v, f) == -1)
			break;
		explicit_bzero(form, sizeof(form));
		return 0;
	}
	explicit_bzero(form, sizeof(form));
	wipe_all(v, OAUTH_NKEYS);
	failure_set(f, EX_NOPERM, FAIL_PERM, "device login: the code expired "
	    "before it was entered");
	return -1;
}

int
oauth_device_login(const struct account *a, FILE *out, FILE *msg,
    struct failure *f)
{
	char durl[1100], turl[1100], *d[D_N], *v[OAUTH_NKEYS];
	long interval, life;
	int rc = -1;

	if (a->oauth.client_id == NULL || oauth_endpoint_url(a, turl,
	    sizeof(turl)) == -1 || oauth_device_url(a, durl, sizeof(durl))) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "account %s: device login "
		    "needs oauth_client_id and a Microsoft (or compatible) "
		    "oauth_token_endpoint; for Google see sendmail.conf(5), "
		    "OAUTH2", a->name ? a->name : "default");
		return -1;
	}
	if (authorize(a, durl, d, f) == -1) {
		wipe_all(d, D_N);
		return -1;
	}
	interval = d[D_INTERVAL] ? strtol(d[D_INTERVAL], NULL, 10) : 5;
	life = d[D_EXPIRES] ? strtol(d[D_EXPIRES], NULL, 10) : MAX_WAIT;
	interval = interval < 1 ? 1 : interval > 60 ? 60 : interval;
	life = life < 1 || life > MAX_WAIT ? MAX_WAIT : life;
	fprintf(msg, "postie: to let postie send as %s, open\n\n    %s\n\n"
	    "on any device and enter the code\n\n    %s\n\n"
	    "Waiting (up to %ld minutes)...\n", a->user ? a->user :
	    "this account", d[D_URI] ? d[D_URI] : d[D_URL], d[D_USER],
	    (life + 59) / 60);
	fflush(msg);
	if (poll_token(a, turl, d[D_DEVICE], (int)interval, (int)life, v, f)
	    == 0) {
		if (v[OAUTH_REFRESH] == NULL ||
		    strpbrk(v[OAUTH_REFRESH], "\"\\\r\n") != NULL)
			failure_set(f, EX_PROTOCOL, FAIL_PERM, "device login: "
			    "%s gave no usable refresh token (is offline_access "
			    "in oauth_scope?)", turl);
		else {
			oauth_cache_put(a, v[OAUTH_TOKEN], oauth_expires(v));
			fprintf(out, "oauth_refresh_token = \"%s\"\n",
			    v[OAUTH_REFRESH]);
			fflush(out);
			fprintf(msg, "postie: signed in; put the line above in "
			    "account \"%s\" of a file only you can read\n",
			    a->name ? a->name : "default");
			rc = 0;
		}
		wipe_all(v, OAUTH_NKEYS);
	}
	wipe_all(d, D_N);
	return rc;
}
