/* SPDX-License-Identifier: MIT */
/*
 * io: buffered line reading and batched writing over the relay's socket,
 * in the clear or through TLS, with deadlines.
 *
 * A deadline is an absolute time on the monotonic clock (net_now()), set
 * per phase, and always capped by the session's overall deadline: it is
 * measured across reads, so a relay that trickles one byte at a time
 * cannot hold postie longer than the phase allows.
 * Writes are collected in one buffer and go out in large writes when it
 * fills or on io_flush(): a whole pipelined command group, or the DATA
 * stream, is a few large TLS records, never one record per line.
 */
#ifndef POSTIE_IO_H
#define POSTIE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "tls.h"

enum io_err {
	IO_OK = 0,
	IO_TIMEOUT,	/* the phase deadline passed */
	IO_TIMEOUT_ALL,	/* the overall deadline passed */
	IO_EOF,		/* the relay closed the connection */
	IO_LONG,	/* a line longer than the cap */
	IO_ERROR	/* a system or TLS error; io_errstr() says which */
};

struct io;

/* Take ownership of the connected non-blocking socket fd (closed by
 * io_free).  overall: the session's deadline.  NULL when out of memory. */
struct io *io_new(int fd, int64_t overall);
void	 io_free(struct io *);
int	 io_fd(const struct io *);
/* From now on, read and write through t (borrowed). */
void	 io_set_tls(struct io *, struct tls *);
/* Set the phase deadline to now + seconds (capped by the overall one). */
void	 io_deadline(struct io *, int seconds);
/* Same, in milliseconds (used for the short wait on QUIT's reply). */
void	 io_deadline_ms(struct io *, int64_t ms);
/* The effective deadline now in force. */
int64_t	 io_get_deadline(const struct io *);

/*
 * Read one line; *line points into the buffer, valid until the next call,
 * without its LF and without a CR before it.  A line may be at most max
 * bytes.  Returns 0, or -1 with io_err() set.
 */
int	 io_read_line(struct io *, size_t max, const char **line,
	    size_t *len);
/* Bytes received and not yet consumed (must be 0 right after the 220
 * to STARTTLS: anything else was injected before the handshake). */
size_t	 io_buffered(const struct io *);

/* Queue bytes; they are sent when the buffer fills or on io_flush.
 * Returns 0, or -1 with io_err() set. */
int	 io_write(struct io *, const void *, size_t);
int	 io_flush(struct io *);

enum io_err io_err(const struct io *);
const char *io_errstr(const struct io *);
/* How many times a read had to wait for the relay after we had sent
 * something: the round trips of the session. */
unsigned io_waits(const struct io *);
unsigned io_flushes(const struct io *);

#endif
