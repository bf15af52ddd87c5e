/* SPDX-License-Identifier: MIT */
/*
 * tls-cache: the session ticket file.  Layout: a fixed binary header
 * then the GnuTLS session data:
 *
 *   "postie-tls-session 1\n"   magic and version (21 bytes)
 *   key[32]                     SHA-256 of the settings it was made for
 *   expires, 8 bytes big-endian seconds since the epoch
 *   length, 4 bytes big-endian
 *   data[length]
 *
 * The expiry is at most seven days after storing (RFC 8446 4.6.1: no
 * ticket lives longer); GnuTLS also honours the relay's own lifetime.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "log.h"
#include "statedir.h"
#include "tls-cache.h"

#define MAGIC		"postie-tls-session 1\n"
#define MAGICLEN	(sizeof(MAGIC) - 1)
#define HDRLEN		(MAGICLEN + TLS_CACHE_KEYLEN + 8 + 4)
#define LIFETIME	(7 * 86400)

int
tls_cache_path(const struct account *a, char *buf, size_t len)
{
	return statedir_path(a->name, "tls", "session", buf, len);
}

static uint64_t
get_be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

static void
put_be(unsigned char *p, uint64_t v, int n)
{
	while (n-- > 0) {
		p[n] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

/* read(2) until len bytes or end of file */
static ssize_t
read_full(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		r = read(fd, buf + got, len - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

unsigned char *
tls_cache_load(const char *path, const unsigned char key[TLS_CACHE_KEYLEN],
    size_t *len)
{
	unsigned char *buf = NULL, *data = NULL;
	const char *why = NULL;
	uint64_t exp, n = 0;
	struct stat st;
	size_t size = 0;
	ssize_t got;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK);
	if (fd == -1) {
		if (errno != ENOENT)
			why = strerror(errno);
		goto out;
	}
	/* a ticket others can read or plant is not trusted, nor kept */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		why = "not a private file of this user";
		goto out;
	}
	if (st.st_size < (off_t)HDRLEN ||
	    st.st_size > (off_t)(HDRLEN + TLS_CACHE_MAX)) {
		why = "bad size";
		goto out;
	}
	size = (size_t)st.st_size;
	if ((buf = malloc(size)) == NULL)
		goto out;
	got = read_full(fd, buf, size);
	if (got != (ssize_t)size ||
	    memcmp(buf, MAGIC, MAGICLEN) != 0) {
		why = "damaged";
		goto out;
	}
	exp = get_be(buf + MAGICLEN + TLS_CACHE_KEYLEN, 8);
	n = get_be(buf + MAGICLEN + TLS_CACHE_KEYLEN + 8, 4);
	if (n == 0 || n != (uint64_t)(size - HDRLEN)) {
		why = "damaged";
		goto out;
	}
	if (memcmp(buf + MAGICLEN, key, TLS_CACHE_KEYLEN) != 0) {
		why = "made for other TLS settings";
		goto out;
	}
	if (exp <= (uint64_t)time(NULL) ||
	    exp > (uint64_t)time(NULL) + LIFETIME) {
		why = "expired";
		goto out;
	}
	if ((data = malloc(n)) == NULL)
		goto out;
	memcpy(data, buf + HDRLEN, n);
	*len = n;
out:
	if (fd != -1)
		close(fd);
	if (buf != NULL) {
		explicit_bzero(buf, size);	/* whatever was read */
		free(buf);
	}
	if (why != NULL) {
		log_debug("TLS session cache %s: %s; removed", path, why);
		(void)unlink(path);
	}
	return data;
}

/* mkdir -p the parents of path, each 0700 when created. */
static int
mkparents(char *path)
{
	char *s;
	int e;

	for (s = strchr(path + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		e = mkdir(path, 0700) == -1 && errno != EEXIST ? -1 : 0;
		*s = '/';
		if (e == -1)
			return -1;
	}
	return 0;
}

void
tls_cache_store(const char *path, const unsigned char key[TLS_CACHE_KEYLEN],
    const unsigned char *data, size_t len)
{
	unsigned char hdr[HDRLEN];
	char tmp[4200], dir[4200];
	int fd, ok;

	if (len == 0 || len > TLS_CACHE_MAX)
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	if (snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >=
	    (int)sizeof(tmp) || mkparents(dir) == -1)
		goto fail;
	memcpy(hdr, MAGIC, MAGICLEN);
	memcpy(hdr + MAGICLEN, key, TLS_CACHE_KEYLEN);
	put_be(hdr + MAGICLEN + TLS_CACHE_KEYLEN,
	    (uint64_t)time(NULL) + LIFETIME, 8);
	put_be(hdr + MAGICLEN + TLS_CACHE_KEYLEN + 8, len, 4);
	(void)unlink(tmp);	/* a stale one from a crashed run, same pid */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		goto fail;
	/*
	 * No fsync: a file lost or cut short in a crash is a damaged cache,
	 * removed at the next run, which then makes a full handshake.
	 */
	ok = fdio_write_all(fd, hdr, sizeof(hdr)) == 0 &&
	    fdio_write_all(fd, data, len) == 0;
	ok = close(fd) == 0 && ok;
	if (ok && rename(tmp, path) == 0)
		return;
	(void)unlink(tmp);
fail:
	log_debug("TLS session cache %s: cannot write: %s", path,
	    strerror(errno));
}
