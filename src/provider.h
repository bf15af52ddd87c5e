/* SPDX-License-Identifier: MIT */
/*
 * provider: presets for the hosted relays people actually use (provider =
 * NAME in sendmail.conf): host, port, TLS mode, the mechanisms to offer,
 * a preset user name, the OAuth2 token endpoint, and a hint to print when
 * the relay refuses the credentials.  Pure: no I/O, no libconfuse.
 *
 * Every preset only fills what the file left unset; an explicit option
 * always wins.  The checks across options that OAuth2 brings (a refresh
 * token and a password both set, a grant without its secret, ...) are
 * here too, because they depend on the preset.
 */
#ifndef POSTIE_PROVIDER_H
#define POSTIE_PROVIDER_H

#include <stddef.h>
#include <stdio.h>

#include "account.h"

/* 1 when name is a known provider ("gmail", "ses", ...). */
int	 provider_known(const char *name);
/* The known names, space separated, for error messages. */
const char *provider_names(void);
/* An AWS region name: lower-case letters, digits and '-', e.g. eu-west-1. */
int	 provider_region_ok(const char *);
/* "refresh_token" or "client_credentials". */
int	 provider_grant_ok(const char *);
/* "google", "microsoft", or an https:// URL. */
int	 provider_endpoint_ok(const char *);

/*
 * Fill the account's unset fields from its provider's preset, and check
 * the rules across options that providers and OAuth2 bring.  tls_set: the
 * file set tls explicitly (a->tls alone cannot say: starttls is the
 * default); a->port must still be 0 when the file did not set it.
 * Returns 0; 1 with a one-line reason in why (a config error: "port 465
 * uses implicit TLS; set tls = implicit"); -1 when out of memory.
 * Without provider and OAuth2 settings it changes nothing.
 */
int	 provider_apply(struct account *, int tls_set, char *why,
	    size_t whylen);

/* 1 when the account gets its access token through OAuth2 (a refresh
 * token, its command, or the client-credentials grant). */
int	 provider_uses_oauth(const struct account *);

/*
 * What users of this provider most often get wrong when the relay refuses
 * their credentials, as one line to print after the error, or NULL for an
 * unknown provider (or NULL).  Static storage.
 */
const char *provider_auth_hint(const char *provider);

/* The same when the refused secret was an OAuth2 access token postie got
 * itself: what the token or the mailbox is missing.  Never NULL. */
const char *provider_oauth_hint(const char *provider);

/* "provider = ...", "region = ...", "oauth_... = ..." lines for
 * --check-config (secrets as ********); nothing when unset. */
void	 provider_print(const struct account *, FILE *);

#endif
