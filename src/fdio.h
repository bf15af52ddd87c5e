/* SPDX-License-Identifier: MIT */
/*
 * fdio: writing a whole buffer to a local file descriptor (spool and
 * cache files; the network has its own I/O in io.c).
 */
#ifndef POSTIE_FDIO_H
#define POSTIE_FDIO_H

#include <stddef.h>

/* Write all len bytes, retrying short writes and EINTR.  Returns 0, or -1
 * with errno set (EIO when write(2) made no progress). */
int	 fdio_write_all(int fd, const void *buf, size_t len);

#endif
