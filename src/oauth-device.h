/* SPDX-License-Identifier: MIT */
/*
 * oauth-device: the first refresh token without a browser on this
 * machine, by the device authorization grant (RFC 8628): postie asks for
 * a code, the user enters it on any device with a browser, postie polls
 * the token endpoint until the user has agreed.  (postie
 * --oauth-device-login --account NAME.)
 */
#ifndef POSTIE_OAUTH_DEVICE_H
#define POSTIE_OAUTH_DEVICE_H

#include <stdio.h>

#include "account.h"
#include "status.h"

/* The device authorization endpoint of the account's token endpoint:
 * Microsoft's .../devicecode beside .../token.  Returns 0, or -1 when
 * there is none (Google does not allow mail scopes in this flow). */
int	 oauth_device_url(const struct account *, char *buf, size_t len);

/*
 * Run the flow for the account (which needs oauth_client_id and an
 * endpoint).  Instructions for the user go to msg (stderr); on success
 * the line 'oauth_refresh_token = "..."' goes to out, and the access
 * token to the cache.  Polls at the endpoint's interval, for at most the
 * code's lifetime (capped at 15 minutes).  Returns 0, or -1 with the
 * failure recorded: EX_NOPERM when the user declines or the code
 * expires, EX_CONFIG when the account cannot use the flow.
 */
int	 oauth_device_login(const struct account *, FILE *out, FILE *msg,
	    struct failure *);

#endif
