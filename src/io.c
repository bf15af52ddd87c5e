/* SPDX-License-Identifier: MIT */
/*
 * io: buffered I/O with deadlines.  The socket is non-blocking; every wait
 * is a poll() bounded by the deadline in force, so neither a silent nor a
 * trickling relay, nor one that stops reading, can hold us.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "net.h"

#define RBUF_SIZE	8192
#define WBUF_SIZE	65536

struct io {
	int		 fd;
	struct tls	*tls;
	int64_t		 overall, deadline;
	size_t		 rstart, rend;
	size_t		 wlen;
	enum io_err	 err;
	unsigned	 waits, flushes;
	int		 sent;		/* wrote since the last wait */
	char		 errstr[160];
	char		 rbuf[RBUF_SIZE];
	char		 wbuf[WBUF_SIZE];
};

struct io *
io_new(int fd, int64_t overall)
{
	struct io *io;

	if ((io = malloc(sizeof(*io))) == NULL)
		return NULL;
	io->fd = fd;
	io->tls = NULL;
	io->overall = overall;
	io->deadline = overall;
	io->rstart = io->rend = io->wlen = 0;
	io->err = IO_OK;
	io->waits = io->flushes = 0;
	io->sent = 1;		/* the greeting is the first wait */
	io->errstr[0] = '\0';
	return io;
}

void
io_free(struct io *io)
{
	if (io == NULL)
		return;
	if (io->fd != -1)
		close(io->fd);
	free(io);
}

int
io_fd(const struct io *io)
{
	return io->fd;
}

void
io_set_tls(struct io *io, struct tls *t)
{
	io->tls = t;
}

void
io_deadline_ms(struct io *io, int64_t ms)
{
	int64_t d = ms <= 0 ? INT64_MAX : net_now() + ms;

	io->deadline = d < io->overall ? d : io->overall;
}

void
io_deadline(struct io *io, int seconds)
{
	io_deadline_ms(io, seconds <= 0 ? 0 : (int64_t)seconds * 1000);
}

int64_t
io_get_deadline(const struct io *io)
{
	return io->deadline;
}

static int
set_err(struct io *io, enum io_err e, const char *what)
{
	io->err = e;
	snprintf(io->errstr, sizeof(io->errstr), "%s", what);
	return -1;
}

/* Wait for the socket; on timeout say which deadline it was. */
static int
wait_fd(struct io *io, short ev)
{
	int r = net_wait(io->fd, ev, io->deadline);

	if (r == 1)
		return 0;
	if (r == 0)
		return set_err(io, io->deadline >= io->overall &&
		    io->overall != INT64_MAX ? IO_TIMEOUT_ALL : IO_TIMEOUT,
		    "timed out");
	return set_err(io, IO_ERROR, strerror(errno));
}

/* Read more bytes into rbuf.  Returns 0, or -1. */
static int
fill(struct io *io)
{
	ssize_t n;
	short ev;

	if (io->sent) {
		io->waits++;
		io->sent = 0;
	}
	for (;;) {
		if (io->tls != NULL) {
			n = tls_recv(io->tls, io->rbuf + io->rend,
			    sizeof(io->rbuf) - io->rend);
			if (n == -1)
				return set_err(io, IO_ERROR,
				    tls_error(io->tls));
			ev = n == TLS_AGAIN && tls_want_write(io->tls) ?
			    POLLOUT : POLLIN;
		} else {
			n = read(io->fd, io->rbuf + io->rend,
			    sizeof(io->rbuf) - io->rend);
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				return set_err(io, IO_ERROR, strerror(errno));
			if (n == -1)
				n = TLS_AGAIN;
			ev = POLLIN;
		}
		if (n == 0)
			return set_err(io, IO_EOF, "connection closed by "
			    "the relay");
		if (n > 0) {
			io->rend += (size_t)n;
			return 0;
		}
		if (wait_fd(io, ev) == -1)
			return -1;
	}
}

int
io_read_line(struct io *io, size_t max, const char **line, size_t *len)
{
	char *nl;
	size_t n;

	if (max + 2 > sizeof(io->rbuf))
		max = sizeof(io->rbuf) - 2;
	for (;;) {
		n = io->rend - io->rstart;
		nl = memchr(io->rbuf + io->rstart, '\n', n);
		if (nl != NULL) {
			*line = io->rbuf + io->rstart;
			*len = (size_t)(nl - *line);
			io->rstart += *len + 1;
			if (*len > 0 && (*line)[*len - 1] == '\r')
				(*len)--;
			if (*len > max)
				return set_err(io, IO_LONG, "line too long");
			return 0;
		}
		if (n > max + 1)
			return set_err(io, IO_LONG, "line too long");
		if (io->rstart > 0) {
			memmove(io->rbuf, io->rbuf + io->rstart, n);
			io->rstart = 0;
			io->rend = n;
		}
		if (fill(io) == -1)
			return -1;
	}
}

size_t
io_buffered(const struct io *io)
{
	return io->rend - io->rstart;
}

/* Send len bytes from buf, waiting (within the deadline) when the socket
 * or GnuTLS cannot take more. */
static int
send_all(struct io *io, const char *buf, size_t len)
{
	ssize_t n;
	short ev;

	while (len > 0) {
		if (io->tls != NULL) {
			n = tls_send(io->tls, buf, len);
			if (n == -1)
				return set_err(io, IO_ERROR,
				    tls_error(io->tls));
			ev = n == TLS_AGAIN && !tls_want_write(io->tls) ?
			    POLLIN : POLLOUT;
		} else {
			n = send(io->fd, buf, len, MSG_NOSIGNAL);
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				return set_err(io, errno == EPIPE ||
				    errno == ECONNRESET ? IO_EOF : IO_ERROR,
				    strerror(errno));
			if (n == -1)
				n = TLS_AGAIN;
			ev = POLLOUT;
		}
		if (n > 0) {
			/* GnuTLS wants the same buffer again after AGAIN,
			 * which holds since we only advance on success */
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (wait_fd(io, ev) == -1)
			return -1;
	}
	io->sent = 1;
	return 0;
}

int
io_flush(struct io *io)
{
	int r;

	if (io->wlen == 0)
		return 0;
	io->flushes++;
	r = send_all(io, io->wbuf, io->wlen);
	/* AUTH lines pass through here: leave no credential behind */
	explicit_bzero(io->wbuf, io->wlen);
	io->wlen = 0;
	return r;
}

int
io_write(struct io *io, const void *buf, size_t len)
{
	size_t k;

	/* A short command before a large block (BDAT and its chunk): top
	 * the buffer up from the block so that the command does not travel
	 * alone in a TLS record and a TCP segment of its own. */
	if (io->wlen > 0 && io->wlen + len > sizeof(io->wbuf)) {
		k = sizeof(io->wbuf) - io->wlen;
		memcpy(io->wbuf + io->wlen, buf, k);
		io->wlen += k;
		buf = (const char *)buf + k;
		len -= k;
		if (io_flush(io) == -1)
			return -1;
	}
	if (len > sizeof(io->wbuf)) {
		io->flushes++;
		return send_all(io, buf, len);
	}
	memcpy(io->wbuf + io->wlen, buf, len);
	io->wlen += len;
	return 0;
}

enum io_err
io_err(const struct io *io)
{
	return io->err;
}

const char *
io_errstr(const struct io *io)
{
	return io->errstr;
}

unsigned
io_waits(const struct io *io)
{
	return io->waits;
}

unsigned
io_flushes(const struct io *io)
{
	return io->flushes;
}
