/* SPDX-License-Identifier: MIT */
/*
 * tls-cache: TLS 1.3 session tickets kept between runs of postie, one
 * file per account: $XDG_STATE_HOME/postie/tls/<account>.session (else
 * ~/.local/state/...), mode 0600 in 0700 directories, beside the OAuth
 * token cache.  The data resumes a session: it is secret-equivalent.
 * Only tls.c uses this; it does no GnuTLS calls itself.
 */
#ifndef POSTIE_TLS_CACHE_H
#define POSTIE_TLS_CACHE_H

#include <stddef.h>

#include "account.h"

#define TLS_CACHE_KEYLEN 32	/* SHA-256 of the settings (tls.c) */
#define TLS_CACHE_MAX	(64 * 1024)	/* bigger data is not kept */

/* The account's cache file name into buf; -1 when there is no state
 * directory (no XDG_STATE_HOME nor HOME) or it does not fit. */
int	 tls_cache_path(const struct account *, char *buf, size_t len);
/*
 * The cached session data for key, in a malloc'd buffer the caller
 * wipes (explicit_bzero) and frees, or NULL.  A file that is not a
 * private regular file of ours, is damaged, expired or made for other
 * settings is removed (and NULL returned).
 */
unsigned char *tls_cache_load(const char *path,
	    const unsigned char key[TLS_CACHE_KEYLEN], size_t *len);
/* Replace the file atomically with data (borrowed); failures are only
 * noted with -v: the cache is an optimisation. */
void	 tls_cache_store(const char *path,
	    const unsigned char key[TLS_CACHE_KEYLEN],
	    const unsigned char *data, size_t len);

#endif
