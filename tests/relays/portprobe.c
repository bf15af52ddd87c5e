/* SPDX-License-Identifier: MIT */
/*
 * portprobe: loopback port helper for the real-relay tests.
 *
 *   portprobe free N             print N TCP ports that are free on
 *                                127.0.0.1 and, when it exists, on ::1
 *   portprobe has6               exit 0 when ::1 can be bound
 *   portprobe wait HOST PORT SEC connect to HOST:PORT until it answers,
 *                                at most SEC seconds; exit 0 when it did
 *
 * The kernel picks the ports (bind to port 0); the sockets are closed
 * before the numbers are printed, so a server started right after can
 * bind them.  Every loop is bounded.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXPORTS	16
#define ATTEMPTS	200

static int
num(const char *s, long lo, long hi, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Bind a TCP socket to loopback PORT (0: any) of family AF; return the
   socket (caller closes) and the bound port in *got, or -1. */
static int
bind_loopback(int af, int port, int *got)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 s;

	memset(&ss, 0, sizeof(ss));
	if (af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)port);
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	if ((s = socket(af, SOCK_STREAM, 0)) == -1)
		return -1;
	if (bind(s, (struct sockaddr *)&ss, len) == -1 ||
	    getsockname(s, (struct sockaddr *)&ss, &len) == -1) {
		close(s);
		return -1;
	}
	*got = ntohs(af == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return s;
}

static int
has6(void)
{
	int	 s, port;

	if ((s = bind_loopback(AF_INET6, 0, &port)) == -1)
		return 0;
	close(s);
	return 1;
}

static int
cmd_free(long n)
{
	int	 held[MAXPORTS], ports[MAXPORTS];
	int	 v6, got = 0, tries, i, s4, s6, port;

	v6 = has6();
	for (tries = 0; got < n && tries < ATTEMPTS; tries++) {
		if ((s4 = bind_loopback(AF_INET, 0, &port)) == -1)
			break;
		s6 = -1;
		if (v6 && (s6 = bind_loopback(AF_INET6, port, &port)) == -1) {
			close(s4);
			continue;	/* taken on ::1: ask again */
		}
		/* Keep them bound until all are chosen: no duplicates. */
		held[got] = s4;
		ports[got++] = port;
		if (s6 != -1)
			close(s6);
	}
	for (i = 0; i < got; i++)
		close(held[i]);
	if (got < n) {
		fprintf(stderr, "portprobe: no free loopback port\n");
		return 1;
	}
	for (i = 0; i < got; i++)
		printf("%d\n", ports[i]);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
try_connect(const char *host, const char *port)
{
	struct addrinfo	 hints, *res, *ai;
	int		 s, ok = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL && !ok; ai = ai->ai_next) {
		if ((s = socket(ai->ai_family, ai->ai_socktype, 0)) == -1)
			continue;
		if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0)
			ok = 1;
		close(s);
	}
	freeaddrinfo(res);
	return ok;
}

static int
cmd_wait(const char *host, const char *port, long secs)
{
	struct timespec	 nap = { 0, 20 * 1000 * 1000 };
	long		 i;
	int		 r;

	for (i = 0; i <= secs * 50; i++) {
		if ((r = try_connect(host, port)) == 1)
			return 0;
		if (r == -1) {
			fprintf(stderr, "portprobe: bad address %s\n", host);
			return 2;
		}
		nanosleep(&nap, NULL);
	}
	fprintf(stderr, "portprobe: %s port %s not answering after %lds\n",
	    host, port, secs);
	return 1;
}

int
main(int argc, char *argv[])
{
	long	 n;

	if (argc == 3 && strcmp(argv[1], "free") == 0 &&
	    num(argv[2], 1, MAXPORTS, &n) == 0)
		return cmd_free(n);
	if (argc == 2 && strcmp(argv[1], "has6") == 0)
		return has6() ? 0 : 1;
	if (argc == 5 && strcmp(argv[1], "wait") == 0 &&
	    num(argv[3], 1, 65535, &n) == 0 && num(argv[4], 1, 600, &n) == 0)
		return cmd_wait(argv[2], argv[3], n);
	fprintf(stderr, "usage: portprobe free N | has6 | "
	    "wait HOST PORT SECONDS\n");
	return 2;
}
