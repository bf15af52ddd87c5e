/* SPDX-License-Identifier: MIT */
/*
 * net: the monotonic clock that every deadline is measured on, waiting on
 * a descriptor until a deadline, and resolving + connecting to the relay
 * under one connect deadline.
 */
#ifndef POSTIE_NET_H
#define POSTIE_NET_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Milliseconds on CLOCK_MONOTONIC (never jumps with the wall clock). */
int64_t	 net_now(void);
/* now + seconds, in the same unit; seconds <= 0 means "no deadline"
 * and gives INT64_MAX. */
int64_t	 net_deadline(int seconds);

/*
 * Wait until fd is ready for events (POLLIN / POLLOUT) or the deadline
 * (an absolute net_now() value) passes.  Returns 1 when ready, 0 on
 * timeout, -1 on error (errno set).  EINTR is retried.
 */
int	 net_wait(int fd, short events, int64_t deadline);

/*
 * Resolve host (a name or an IP literal) and connect to port, trying every
 * address in turn, IPv6 and IPv4, all within one deadline.  Returns a
 * connected non-blocking socket with TCP_NODELAY set, and writes
 * "host[address]:port" to relay; or -1 with the failure recorded:
 * a name that does not exist is EX_NOHOST (permanent), a temporary DNS
 * failure, a refused or timed-out connection EX_TEMPFAIL.
 */
int	 net_connect(const char *host, int port, int64_t deadline,
	    char *relay, size_t relaylen, struct failure *);

/* 1 when host is an IPv4 or IPv6 literal (no SNI for those, RFC 6066). */
int	 net_is_ip_literal(const char *host);

#endif
