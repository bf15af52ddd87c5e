/* SPDX-License-Identifier: MIT */
/*
 * net: resolve and connect.
 *
 * getaddrinfo() has no timeout argument; it is bounded by resolv.conf
 * (glibc: 5 s x 2 attempts per nameserver), which we accept.  Connecting
 * is non-blocking so that the connect deadline holds across all
 * addresses: one black-holed address must not eat the time of the next,
 * so each attempt gets a fair share of what is left.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net.h"

int64_t
net_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
net_deadline(int seconds)
{
	if (seconds <= 0)
		return INT64_MAX;
	return net_now() + (int64_t)seconds * 1000;
}

int
net_wait(int fd, short events, int64_t deadline)
{
	struct pollfd pfd;
	int64_t left;
	int r;

	for (;;) {
		left = deadline == INT64_MAX ? -1 : deadline - net_now();
		if (left != -1 && left < 0)
			return 0;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, left > 600000 ? 600000 : (int)left);
		if (r > 0)
			return 1;	/* POLLHUP/POLLERR: the I/O call tells */
		if (r == 0) {
			if (left == -1 || left > 600000)
				continue;
			return 0;
		}
		if (errno != EINTR)
			return -1;
	}
}

int
net_is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

/* One attempt.  Returns the socket, or -1 with *err set to an errno. */
static int
try_one(const struct addrinfo *ai, int64_t deadline, int *err)
{
	int fd, r, one = 1;
	socklen_t len = sizeof(*err);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd == -1) {
		*err = errno;
		return -1;
	}
	r = connect(fd, ai->ai_addr, ai->ai_addrlen);
	if (r == -1 && errno != EINPROGRESS) {
		*err = errno;
		close(fd);
		return -1;
	}
	if (r == -1) {
		r = net_wait(fd, POLLOUT, deadline);
		if (r <= 0) {
			*err = r == 0 ? ETIMEDOUT : errno;
			close(fd);
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) == -1)
			*err = errno;
		if (*err != 0) {
			close(fd);
			return -1;
		}
	}
	/* Commands and their replies are small and we batch our writes
	 * ourselves: Nagle would only add delayed-ACK stalls. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int
net_connect(const char *host, int port, int64_t deadline, char *relay,
    size_t relaylen, struct failure *f)
{
	struct addrinfo hints, *res, *ai;
	char portstr[16], addr[INET6_ADDRSTRLEN];
	int r, fd = -1, err = 0;
	size_t n = 0, left;
	int64_t now, share;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	snprintf(portstr, sizeof(portstr), "%d", port);
	snprintf(relay, relaylen, "%s:%d", host, port);
	r = getaddrinfo(host, portstr, &hints, &res);
	if (r == EAI_NONAME
#ifdef EAI_NODATA
	    || r == EAI_NODATA
#endif
	    ) {
		failure_set(f, EX_NOHOST, FAIL_PERM,
		    "relay %s: no such host", host);
		return -1;
	}
	if (r != 0) {
		failure_set(f, EX_TEMPFAIL, FAIL_TEMP,
		    "relay %s: cannot resolve: %s", host,
		    r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		n++;
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next, n--) {
		now = net_now();
		if (now >= deadline) {
			err = ETIMEDOUT;
			break;
		}
		/* a fair share of the time left, at least 2 s (or all) */
		left = n;
		share = deadline == INT64_MAX ? INT64_MAX :
		    (deadline - now) / (int64_t)left;
		if (share < 2000 && deadline != INT64_MAX)
			share = deadline - now < 2000 ? deadline - now : 2000;
		fd = try_one(ai, ai->ai_next == NULL || share == INT64_MAX ?
		    deadline : now + share, &err);
		if (fd != -1 && getnameinfo(ai->ai_addr, ai->ai_addrlen,
		    addr, sizeof(addr), NULL, 0, NI_NUMERICHOST) == 0)
			snprintf(relay, relaylen, "%s[%s]:%d", host, addr,
			    port);
	}
	freeaddrinfo(res);
	/* out of descriptors or memory is our failure, not the relay's */
	if (fd == -1 && (err == EMFILE || err == ENFILE || err == ENOBUFS ||
	    err == ENOMEM)) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "cannot create a socket "
		    "for %s port %d: %s", host, port, strerror(err));
		return -1;
	}
	if (fd == -1) {
		failure_set(f, EX_TEMPFAIL, FAIL_TEMP,
		    "cannot connect to %s port %d: %s", host, port,
		    err == ETIMEDOUT ? "connection timed out" :
		    strerror(err));
		return -1;
	}
	return fd;
}
