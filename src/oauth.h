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

/* explicit_bzero and free; NULL is allowed. */
void	 oauth_wipe(char *);

#endif
