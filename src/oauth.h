/* SPDX-License-Identifier: MIT */
/*
 * oauth: the access token for XOAUTH2 / OAUTHBEARER, obtained by postie
 * itself from a refresh token (RFC 6749 section 6) or by the
 * client-credentials grant (section 4.4), and cached with its expiry in
 * $XDG_STATE_HOME/postie/oauth/ACCOUNT.token (mode 0600, written
 * atomically).  Nothing here runs unless the account has OAuth2 settings
 * (provider_uses_oauth()).
 */
#ifndef POSTIE_OAUTH_H
#define POSTIE_OAUTH_H

#include <stddef.h>
#include <time.h>

#include "account.h"
#include "status.h"

/* A cached token is used only while it has more than this many seconds
 * left; a relay may take a while between EHLO and AUTH. */
#define OAUTH_MARGIN	60

/*
 * The access token for the account (borrowed).  force: skip the cache
 * (the relay refused the cached token).  On success *token is malloc'd
 * (wipe it with oauth_wipe) and *fresh is 1 when it came from the token
 * endpoint just now, 0 when from the cache.  Returns 0, or -1 with the
 * failure recorded: EX_NOPERM when the endpoint refuses the refresh token
 * or the client (with its error and description), EX_CONFIG for a request
 * it calls invalid, EX_TEMPFAIL for network trouble or a 5xx (the message
 * can be queued), EX_PROTOCOL for a reply that is not a token.
 */
int	 oauth_token(const struct account *, int force, char **token,
	    int *fresh, struct failure *);

/* The token endpoint URL ("google", "microsoft" expanded with the
 * tenant).  Returns 0, or -1 when it does not fit. */
int	 oauth_endpoint_url(const struct account *, char *buf, size_t len);

/* The scope to ask for: oauth_scope, else the endpoint's default for the
 * grant (Microsoft needs one; Google's refresh needs none: NULL). */
const char *oauth_scope(const struct account *);

/* The cache file of the account.  Returns 0, or -1 (no home, too long). */
int	 oauth_cache_path(const struct account *, char *buf, size_t len);

/* For --check-config: "PATH (N s left)", "PATH (expired or unusable)"
 * or "PATH (none)" into buf.  Reads the cache, asks nothing. */
void	 oauth_cache_describe(const struct account *, char *buf, size_t len);

/* explicit_bzero and free; NULL is allowed. */
void	 oauth_wipe(char *);

/* For oauth-device.c: the token request's pieces. */
enum oauth_key { OAUTH_TOKEN, OAUTH_TYPE, OAUTH_EXPIRES, OAUTH_ERROR,
	OAUTH_DESC, OAUTH_REFRESH, OAUTH_NKEYS };
extern const char *const oauth_keys[OAUTH_NKEYS];	/* JSON names */
/*
 * POST form to url (TLS as http_post) and pick keys[0..n) from the JSON
 * reply into vals (malloc'd or NULL; the caller wipes them).  Returns 0
 * with *status, or -1 with the failure recorded.
 */
int	 oauth_exchange(const struct account *, const char *url,
	    const char *form, const char *const *keys, char **vals, size_t n,
	    int *status, struct failure *);
/* 0 when vals (oauth_keys) hold a bearer token, else -1 with the
 * endpoint's refusal recorded (the mapping of oauth_token()). */
int	 oauth_judge(const char *url, int status, char **vals,
	    struct failure *);
/* expires_in of a token reply, 600 when absent. */
long	 oauth_expires(char *const *vals);
/* Put a token in the account's cache (best effort). */
void	 oauth_cache_put(const struct account *, const char *token,
	    long expires_in);

#endif
