/* SPDX-License-Identifier: MIT */
/*
 * tests/smtpd/main.c: postie-test-smtpd, a scripted SMTP server for
 * postie's tests.  Options and the script format: tests/smtpd/README.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "smtpd.h"

static int logfd = -1;

static void
usage(void)
{
	fputs("usage: postie-test-smtpd -p PORTFILE [-6iv] [-n CONNS] "
	    "[-T SECS]\n"
	    "\t[-t none|starttls|implicit] [-C CERT] [-K KEY] [-V CLIENT-CA]\n"
	    "\t[-P PRIORITY] [-l TRANSCRIPT] [-d MSGDIR] [-s SCRIPT]\n"
	    "\t[-u USER:PASS]... [-U USERFILE] [-m MECHS]\n", stderr);
	exit(2);
}

/* -T: the whole run is bounded, so a test can never hang on us. */
static void
on_alarm(int sig)
{
	static const char msg[] = "! timeout\n";

	(void)sig;
	if (logfd >= 0)
		(void)!write(logfd, msg, sizeof(msg) - 1);
	(void)!write(2, "smtpd: timeout\n", 15);
	_exit(3);
}

static int
add_user(struct config *cf, const char *spec)
{
	const char *colon = strchr(spec, ':');
	struct user *u;

	if (colon == NULL || (u = calloc(1, sizeof(*u))) == NULL)
		return -1;
	u->name = strndup(spec, (size_t)(colon - spec));
	u->pass = strdup(colon + 1);
	if (u->name == NULL || u->pass == NULL)
		return -1;
	u->next = cf->users;
	cf->users = u;
	return 0;
}

static int
load_users(struct config *cf, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	size_t n;

	if (fp == NULL) {
		fprintf(stderr, "smtpd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		n = strlen(line);
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (add_user(cf, line) < 0) {
			fprintf(stderr, "smtpd: %s: want USER:PASSWORD\n", path);
			fclose(fp);
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

static unsigned
num(const char *s, unsigned max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v > max)
		usage();
	return (unsigned)v;
}

static int
listen_on(const struct config *cf, unsigned *port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (cf->ipv6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		perror("smtpd: listen");
		return -1;
	}
	*port = ntohs(cf->ipv6 ? sin6->sin6_port : sin->sin_port);
	return fd;
}

/* The port file appears complete or not at all (written, then renamed). */
static int
write_port(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(fp, "%u\n", port);
	if (fclose(fp) != 0 || rename(tmp, path) < 0)
		return -1;
	return 0;
}

static void
serve(const struct config *cf, int fd)
{
	struct conn *c;
	int one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->cf = cf;
	/* replies go out at once, as a real server's would */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* arrival times, to tell waits from pipelining (io.c) */
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (cf->tls != TLS_IMPLICIT || tls_start(c) == 0)
		session(c);
	tls_close(c, !c->dead);
	close(fd);
	if (smtpd_log != NULL) {
		fprintf(smtpd_log, "waits %u\n", c->waits);
		fflush(smtpd_log);
	}
	trace("smtpd: connection closed, waits %u", c->waits);
	free(c);
}

int
main(int argc, char **argv)
{
	static struct config cf;
	struct itimerval it;
	unsigned port, i;
	int ch, lfd, fd;

	cf.conns = 1;
	cf.timeout = 60;
	cf.tls = TLS_STARTTLS;
	while ((ch = getopt(argc, argv, "6C:d:iK:l:m:n:p:P:s:t:T:u:U:vV:")) != -1) {
		switch (ch) {
		case '6': cf.ipv6 = 1; break;
		case 'C': cf.cert = optarg; break;
		case 'd': cf.msgdir = optarg; break;
		case 'i': cf.tls = TLS_IMPLICIT; break;
		case 'K': cf.key = optarg; break;
		case 'l': cf.logfile = optarg; break;
		case 'm':
			free(cf.mechs);
			cf.mechs = strdup(strcmp(optarg, "none") == 0 ? "" :
			    optarg);
			break;
		case 'n': cf.conns = num(optarg, 100000); break;
		case 'p': cf.portfile = optarg; break;
		case 'P': cf.priority = optarg; break;
		case 's': cf.script = optarg; break;
		case 't':
			if (strcmp(optarg, "none") == 0)
				cf.tls = TLS_NONE;
			else if (strcmp(optarg, "starttls") == 0)
				cf.tls = TLS_STARTTLS;
			else if (strcmp(optarg, "implicit") == 0)
				cf.tls = TLS_IMPLICIT;
			else
				usage();
			break;
		case 'T': cf.timeout = num(optarg, 86400); break;
		case 'u':
			if (add_user(&cf, optarg) < 0)
				usage();
			break;
		case 'U':
			if (load_users(&cf, optarg) < 0)
				return 2;
			break;
		case 'v': cf.verbose = smtpd_verbose = 1; break;
		case 'V': cf.client_ca = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || cf.portfile == NULL)
		usage();
	if (cf.cert == NULL && cf.tls != TLS_NONE) {
		fputs("smtpd: TLS needs -C CERT (or -t none)\n", stderr);
		return 2;
	}
	if (cf.users == NULL)
		add_user(&cf, "alice:secret");
	if (cf.script != NULL && script_load(&cf, cf.script) < 0)
		return 2;
	if (tls_setup(&cf) < 0 || auth_setup(&cf) < 0)
		return 2;
	if (cf.logfile != NULL) {
		if ((smtpd_log = fopen(cf.logfile, "a")) == NULL) {
			perror(cf.logfile);
			return 2;
		}
		logfd = fileno(smtpd_log);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = cf.timeout;
	setitimer(ITIMER_REAL, &it, NULL);

	if ((lfd = listen_on(&cf, &port)) < 0)
		return 2;
	if (write_port(cf.portfile, port) < 0) {
		perror(cf.portfile);
		return 2;
	}
	trace("smtpd: listening on port %u", port);
	for (i = 0; i < cf.conns; i++) {
		do
			fd = accept(lfd, NULL, NULL);
		while (fd < 0 && errno == EINTR);
		if (fd < 0) {
			perror("smtpd: accept");
			return 2;
		}
		serve(&cf, fd);
	}
	close(lfd);
	if (smtpd_log != NULL)
		fclose(smtpd_log);
	return 0;
}
