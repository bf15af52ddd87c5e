/* SPDX-License-Identifier: MIT */
/*
 * sasl: SMTP AUTH mechanisms (RFC 4954), and the only user of libgsasl.
 *
 * postie picks the mechanism itself (never gsasl_client_suggest_mechanism,
 * which picks -PLUS without channel binding, or GSSAPI without a ticket):
 * SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS (only with channel-binding data),
 * SCRAM-SHA-256, SCRAM-SHA-1, PLAIN, LOGIN.  Anything else (CRAM-MD5,
 * XOAUTH2, OAUTHBEARER, ...) only when the account names it; the account's
 * list, when given, is also the order.  XOAUTH2 and OAUTHBEARER (RFC 7628)
 * are done here by hand (libgsasl has neither), and so are PLAIN and LOGIN
 * (so that libgsasl is not even loaded for them).
 * The SMTP exchange itself is the caller's: this module turns challenges
 * into responses, all base64 text.
 */
#ifndef POSTIE_SASL_H
#define POSTIE_SASL_H

#include <stddef.h>

#include "account.h"
#include "status.h"

struct sasl;

/*
 * Choose a mechanism from the relay's space-separated AUTH list (matched
 * case-insensitively).  wanted: the account's NULL-terminated list, or
 * NULL for postie's order.  have_cb: channel-binding data is available.
 * Returns a static name, or NULL when nothing fits.
 */
const char *sasl_choose(const char *offered, char *const *wanted,
	    int have_cb);

/*
 * The secret for the account: its password, or the first line printed by
 * its password_command (run without a shell, stdin /dev/null, no other
 * inherited descriptors, killed after timeout seconds, exit status
 * checked, output capped).  *secret is malloc'd: wipe with sasl_wipe().
 * Returns 0, or -1 with the failure recorded (EX_TEMPFAIL: the command
 * may work next time; EX_CONFIG for no secret at all).
 */
int	 sasl_secret(const struct account *, int timeout, char **secret,
	    struct failure *);
/* explicit_bzero and free a string; NULL is allowed. */
void	 sasl_wipe(char *);

/*
 * Start mech for user with secret (both borrowed for the exchange).  host:
 * the relay's name (DIGEST-MD5, OAUTHBEARER).  For -PLUS mechanisms,
 * cbtype ("tls-exporter" or "tls-unique") and cb (raw bytes) are
 * required; they are given to libgsasl for -PLUS only (libgsasl 2.2 fails
 * plain SCRAM when it has them).  NULL with the failure recorded.
 */
struct sasl *sasl_start(const char *mech, const char *user,
	    const char *secret, const char *host, int port,
	    const char *cbtype, const unsigned char *cb, size_t cblen,
	    struct failure *);
/*
 * The initial response (RFC 4954 section 4), base64, "=" for an empty
 * one; *out NULL when the mechanism has none (LOGIN, CRAM-MD5).  *out is
 * malloc'd; wipe it with sasl_wipe().  Returns 0, or -1 (failure set).
 */
int	 sasl_first(struct sasl *, char **out, struct failure *);
/* The response to one 334 challenge (base64, maybe empty).  Returns 0,
 * or -1 (failure set; the caller cancels with "*"). */
int	 sasl_step(struct sasl *, const char *challenge, char **out,
	    struct failure *);
/* 1 when the client side is satisfied: a 235 is only believed then (for
 * SCRAM it proves the relay knew the password). */
int	 sasl_complete(const struct sasl *);
/* Free, wiping the mechanism's state.  NULL is allowed. */
void	 sasl_free(struct sasl *);

#endif
