/* SPDX-License-Identifier: MIT */
/*
 * tests/smtpd/io.c: the test server's connection I/O.  Every byte from
 * the client, plaintext or TLS, passes through conn_pull(), which is
 * where the server counts the client's round trips ("waits").
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "smtpd.h"

FILE	*smtpd_log;
int	 smtpd_verbose;

void
trace(const char *fmt, ...)
{
	va_list ap;

	if (!smtpd_verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A server-side observation, "! ..." in the transcript. */
void
event(const char *fmt, ...)
{
	va_list ap;

	if (smtpd_verbose) {
		va_start(ap, fmt);
		fputs("smtpd: ! ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	if (smtpd_log == NULL)
		return;
	fputs("! ", smtpd_log);
	va_start(ap, fmt);
	vfprintf(smtpd_log, fmt, ap);
	va_end(ap);
	fputc('\n', smtpd_log);
	fflush(smtpd_log);
}

/* One line the client sent, without its line end, as it was. */
void
logline(const char *s, size_t n)
{
	if (smtpd_verbose)
		fprintf(stderr, "C: %.*s\n", (int)n, s);
	if (smtpd_log == NULL)
		return;
	fwrite(s, 1, n, smtpd_log);
	fputc('\n', smtpd_log);
	fflush(smtpd_log);
}

static int
readable_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/*
 * Round trips ("waits"): data the client sent after it received
 * something from us, i.e. that arrived (kernel receive timestamp,
 * SO_TIMESTAMPNS) after the first write we made since our previous read,
 * was a client wait: a reply or a TLS flight it had to see before going
 * on.  Pipelined commands arrive before our replies and do not count,
 * however many reads they take; Nagle-delayed segments that had to wait
 * for our ACK do count, as they cost a round trip all the same.  Without
 * timestamps, every read after a write counts.
 */
static int
after(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

ssize_t
conn_pull(void *p, void *data, size_t n)
{
	struct conn *c = p;
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = data, .iov_len = n };
	struct msghdr m;
	struct cmsghdr *h;
	struct timespec ts;
	int have_ts = 0;
	ssize_t r;

	do {
		memset(&m, 0, sizeof(m));
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = cm.buf;
		m.msg_controllen = sizeof(cm.buf);
		r = recvmsg(c->fd, &m, 0);
	} while (r < 0 && errno == EINTR);
	if (r <= 0 || !c->wrote)
		return r;
	for (h = CMSG_FIRSTHDR(&m); h != NULL; h = CMSG_NXTHDR(&m, h))
		if (h->cmsg_level == SOL_SOCKET &&
		    h->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&ts, CMSG_DATA(h), sizeof(ts));
			have_ts = 1;
		}
	if (!have_ts || after(&ts, &c->wtime)) {
		c->waits++;
		trace("smtpd: -- wait %u", c->waits);
	}
	c->wrote = 0;
	return r;
}

int
conn_pull_timeout(void *p, unsigned int ms)
{
	struct conn *c = p;
	struct pollfd pf = { .fd = c->fd, .events = POLLIN };
	int r;

	do
		r = poll(&pf, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);
	while (r < 0 && errno == EINTR);
	return r;
}

ssize_t
conn_push(void *p, const void *data, size_t n)
{
	struct conn *c = p;
	ssize_t r;

	if (!c->wrote)
		clock_gettime(CLOCK_REALTIME, &c->wtime);
	do
		r = send(c->fd, data, n, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		c->wrote = 1;
	return r;
}

int
conn_write(struct conn *c, const void *data, size_t n)
{
	const char *p = data;
	ssize_t r;

	if (c->dead)
		return -1;
	while (n > 0) {
		if (c->tls != NULL) {
			r = gnutls_record_send(c->tls, p, n);
			if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
				continue;
		} else
			r = conn_push(c, p, n);
		if (r <= 0) {
			c->dead = 1;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* A reply, trickled one byte at a time when the script says so. */
int
conn_reply(struct conn *c, const char *s, size_t n)
{
	struct timespec ts;
	size_t i;

	if (smtpd_verbose) {
		fprintf(stderr, "S: %.*s%s", (int)(n > 300 ? 300 : n), s,
		    n > 300 ? "...\n" : "");
	}
	if (c->cf->trickle_ms == 0)
		return conn_write(c, s, n);
	ts.tv_sec = c->cf->trickle_ms / 1000;
	ts.tv_nsec = (long)(c->cf->trickle_ms % 1000) * 1000000L;
	for (i = 0; i < n; i++) {
		if (conn_write(c, s + i, 1) < 0)
			return -1;
		if (i + 1 < n)
			nanosleep(&ts, NULL);
	}
	return 0;
}

int
conn_fill(struct conn *c)
{
	ssize_t r;

	if (c->eof || c->dead)
		return 0;
	c->off = c->len = 0;
	if (c->tls != NULL) {
		do
			r = gnutls_record_recv(c->tls, c->buf, sizeof(c->buf));
		while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
		if (r < 0)
			trace("smtpd: TLS read: %s", gnutls_strerror((int)r));
	} else
		r = conn_pull(c, c->buf, sizeof(c->buf));
	if (r <= 0) {
		c->eof = 1;
		return 0;
	}
	c->len = (size_t)r;
	return 1;
}

/*
 * Read one line up to and including LF into out (at most cap - 1 bytes
 * kept, the rest of an overlong line is consumed and dropped), NUL
 * terminated.  Returns 1 with *n set, 0 at end of input (a partial last
 * line is dropped).
 */
int
conn_getline(struct conn *c, char *out, size_t cap, size_t *n)
{
	size_t k = 0;
	unsigned char ch;

	for (;;) {
		if (c->off == c->len && !conn_fill(c))
			return 0;
		ch = c->buf[c->off++];
		if (k + 1 < cap)
			out[k++] = (char)ch;
		if (ch == '\n')
			break;
	}
	out[k] = '\0';
	*n = k;
	return 1;
}

/* BDAT: exactly n bytes to fp (NULL: discard).  0, or -1 at EOF. */
int
conn_read_exact(struct conn *c, FILE *fp, size_t n)
{
	size_t k;

	while (n > 0) {
		if (c->off == c->len && !conn_fill(c))
			return -1;
		k = c->len - c->off;
		if (k > n)
			k = n;
		if (fp != NULL)
			fwrite(c->buf + c->off, 1, k, fp);
		c->off += k;
		n -= k;
	}
	return 0;
}

/* Did the client send more than we have consumed (without waiting)? */
int
conn_buffered(struct conn *c)
{
	if (c->off < c->len)
		return 1;
	if (c->tls != NULL && gnutls_record_check_pending(c->tls) > 0)
		return 1;
	return readable_now(c->fd);
}

void
conn_discard(struct conn *c)
{
	c->off = c->len = 0;
}

/*
 * Hold the connection for secs seconds without reading, returning early
 * (-1) when the client hangs up, so a test whose client timed out ends
 * quickly.  POLLRDHUP reports the peer's FIN without consuming data.
 */
int
conn_stall(struct conn *c, double secs)
{
	struct timespec now, end;
	struct pollfd p;
	long ms;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)secs;
	end.tv_nsec += (long)((secs - (double)(time_t)secs) * 1e9);
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (long)(end.tv_sec - now.tv_sec) * 1000 +
		    (end.tv_nsec - now.tv_nsec) / 1000000L;
		if (ms <= 0)
			return 0;
		p.fd = c->fd;
#ifdef POLLRDHUP
		p.events = POLLRDHUP;
#else
		p.events = 0;
#endif
		p.revents = 0;
		r = poll(&p, 1, ms > 1000 ? 1000 : (int)ms);
		if (r > 0) {
			event("client hung up during stall");
			c->dead = 1;
			return -1;
		}
	}
}
