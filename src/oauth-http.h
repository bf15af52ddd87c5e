/* SPDX-License-Identifier: MIT */
/*
 * oauth-http: the smallest HTTP/1.1 client that a token request needs
 * (RFC 9112): one POST of a form over TLS, one reply read with hard caps,
 * Content-Length or chunked bodies.  The TLS session is tls.c's, so the
 * endpoint's certificate is checked like the relay's.
 */
#ifndef POSTIE_OAUTH_HTTP_H
#define POSTIE_OAUTH_HTTP_H

#include <stddef.h>

#include "account.h"
#include "status.h"

#define HTTP_REPLY_MAX	(96 * 1024)	/* headers and body together */

/* An https URL split up; path includes the query, "/" when empty. */
struct http_url {
	char	 host[256];
	int	 port;
	char	 path[1024];
};

/* Split an https:// URL.  Returns 0, or -1 (not https, no host, bad
 * port, user info, or too long). */
int	 http_url_parse(const char *url, struct http_url *);

/*
 * Parse a reply held in buf (len bytes read so far).  Returns 1 when it is
 * complete: *status set, the body decoded (chunks joined) into body (at
 * most cap bytes; *blen its length); 0 when more bytes are needed (eof:
 * none will come, which completes a body without length); -1 when
 * malformed or over a cap, with a reason in why.  Pure.
 */
int	 http_reply_parse(const char *buf, size_t len, int eof, int *status,
	    char *body, size_t cap, size_t *blen, char *why, size_t whylen);

/* Append key=value, percent-encoded (application/x-www-form-urlencoded),
 * to out (NUL-terminated, cap bytes).  Returns 0, or -1 when it does not
 * fit. */
int	 http_form_add(char *out, size_t cap, const char *key,
	    const char *value);

/*
 * POST form to url and read the reply, within timeout seconds.  TLS is
 * verified with the account's trust settings (tls_trust_file, tls_verify,
 * tls_min_version, tls_priorities) but not its tls_fingerprint or client
 * certificate, which belong to the relay.  On success *status is the HTTP
 * status and *body a malloc'd NUL-terminated body of *blen bytes (it may
 * hold a token: wipe it).  Returns 0, or -1 with the failure recorded:
 * EX_TEMPFAIL for network trouble and timeouts, EX_UNAVAILABLE for a
 * rejected certificate, EX_PROTOCOL for a malformed reply.
 */
int	 http_post(const struct account *, const char *url, const char *form,
	    int timeout, int *status, char **body, size_t *blen,
	    struct failure *);

#endif
