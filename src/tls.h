/* SPDX-License-Identifier: MIT */
/*
 * tls: the TLS client, and the only user of GnuTLS.
 *
 * The socket stays non-blocking; every call here either makes progress or
 * says which way it is waiting (TLS_AGAIN + tls_want_write()), so that the
 * caller's poll() deadlines, measured on the monotonic clock, are the only
 * timeouts.  Verification is on unless the account says tls_verify = 0.
 */
#ifndef POSTIE_TLS_H
#define POSTIE_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "account.h"
#include "status.h"

#define TLS_AGAIN (-2)

struct tls;

/*
 * Handshake on the connected socket fd (borrowed: tls_close() does not
 * close it) with the account's trust settings, verifying the certificate
 * against host (a trailing dot is ignored; SNI is not sent for IP
 * literals), before deadline (net_now() milliseconds).  Returns the
 * session, or NULL with the failure recorded: a rejected certificate or
 * pin is EX_UNAVAILABLE (permanent), a bad setting EX_CONFIG, a timeout
 * or a lost connection EX_TEMPFAIL.
 */
struct tls *tls_open(int fd, const struct account *, const char *host,
	    int64_t deadline, struct failure *);
/* Returns bytes read, 0 at the relay's end of stream, TLS_AGAIN, or -1
 * with tls_error() set. */
ssize_t	 tls_recv(struct tls *, void *, size_t);
/* Returns bytes written (maybe fewer than len), TLS_AGAIN, or -1. */
ssize_t	 tls_send(struct tls *, const void *, size_t);
/* After TLS_AGAIN: 1 when GnuTLS waits to write, 0 to read. */
int	 tls_want_write(struct tls *);
/* What the last failing call said, for a failure message. */
const char *tls_error(const struct tls *);
/* "TLS1.3 AES-256-GCM", for the log line. */
const char *tls_describe(const struct tls *);
/*
 * Channel-binding data for SCRAM-*-PLUS: tls-exporter (RFC 9266) on TLS
 * 1.3, tls-unique (RFC 5929) on TLS 1.2.  On success *type is a static
 * name and *data a malloc'd buffer the caller frees.  Returns 0, or -1
 * when none is available.
 */
int	 tls_channel_binding(struct tls *, const char **type,
	    unsigned char **data, size_t *len);
/* close_notify (best effort, not waiting for the relay's) and free. */
void	 tls_close(struct tls *);

#endif
