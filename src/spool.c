/* SPDX-License-Identifier: MIT */
/*
 * spool: the queue directory on disk.  The write path follows the order
 * that makes a crash at any point harmless (notes/security.md section 7.2):
 * exclusive create, every write checked, fsync, rename into place, fsync
 * of the directory, and only then success.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif

#include "fdio.h"
#include "spool.h"

#define OPEN_NEW	(O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC)
#define LEFTOVER_AGE	60	/* seconds before an unlocked leftover goes */

int
spool_path(const struct account *a, char *buf, size_t len,
    struct failure *f)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (a != NULL && a->queue_dir != NULL && a->queue_dir[0] != '\0')
		n = snprintf(buf, len, "%s", a->queue_dir);
	else if (geteuid() == 0)
		n = snprintf(buf, len, "%s/spool/postie", LOCALSTATEDIR);
	else if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, len, "%s/postie/queue", xdg);
	else if (home != NULL && home[0] == '/')
		n = snprintf(buf, len, "%s/.local/state/postie/queue", home);
	else {
		failure_set(f, EX_CONFIG, FAIL_PERM, "no queue directory: "
		    "set queue_dir, XDG_STATE_HOME or HOME");
		return -1;
	}
	if (n < 0 || (size_t)n >= len) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "queue directory name "
		    "too long");
		return -1;
	}
	return 0;
}

/* mkdir -p, each new component 0700 (XDG base directory spec). */
static int
mkdirs(const char *path)
{
	char p[SPOOL_PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(p))
		return errno = ENAMETOOLONG, -1;
	memcpy(p, path, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			return -1;
		p[i] = i == len ? '\0' : '/';
	}
	return 0;
}

int
spool_open(const char *path, int create, struct failure *f)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT && create) {
		if (mkdirs(path) == -1) {
			failure_set(f, EX_CANTCREAT, FAIL_TEMP, "cannot create "
			    "queue directory %s: %s", path, strerror(errno));
			return -1;
		}
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd == -1) {
		if (errno == ENOENT && !create)
			return -1;
		failure_set(f, EX_CANTCREAT, FAIL_TEMP, "queue directory %s: %s",
		    path, strerror(errno));
		return -1;
	}
	/* Checked on the fd, so what is checked is what is used. */
	if (fstat(fd, &st) == -1 || st.st_uid != geteuid() ||
	    (st.st_mode & 022) != 0) {
		failure_set(f, EX_CANTCREAT, FAIL_TEMP, "queue directory %s "
		    "is not owned by this user or is writable by others",
		    path);
		close(fd);
		return -1;
	}
	return fd;
}

static void
make_id(char id[SPOOL_ID_MAX])
{
	unsigned int r = 0;
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
#ifdef HAVE_GETRANDOM
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
#endif
		r = (unsigned int)getpid();
	/* Time first, so that names sort oldest first. */
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(id, SPOOL_ID_MAX, "%09llX%05lX%03X",
	    (unsigned long long)now.tv_sec, (long)(now.tv_nsec / 1000),
	    r & 0xfffu);
}

static int
name(char *buf, size_t len, const char *pfx, const char *id)
{
	int n = snprintf(buf, len, "%s%s", pfx, id);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Write the record as tf<id>, fsync, rename to qf<id>, fsync the dir. */
static int
put_meta(int dfd, const char *id, const struct spool_meta *m,
    struct failure *f)
{
	char tf[SPOOL_ID_MAX + 2], qf[SPOOL_ID_MAX + 2], *buf = NULL;
	size_t len = 0;
	int fd, e;

	if (name(tf, sizeof(tf), "tf", id) || name(qf, sizeof(qf), "qf", id))
		return failure_set(f, EX_SOFTWARE, FAIL_TEMP, "bad id"), -1;
	if (spoolfmt_encode(m, &buf, &len) == -1) {
		failure_set(f, errno == EINVAL ? EX_DATAERR : EX_OSERR,
		    FAIL_TEMP, "cannot encode the queue record: %s",
		    strerror(errno));
		return -1;
	}
	unlinkat(dfd, tf, 0);	/* a leftover of a killed run of ours */
	if ((fd = openat(dfd, tf, OPEN_NEW, 0600)) == -1) {
		failure_set(f, EX_CANTCREAT, FAIL_TEMP, "cannot create queue "
		    "file %s: %s", tf, strerror(errno));
		free(buf);
		return -1;
	}
	if (fdio_write_all(fd, buf, len) == -1 || fsync(fd) == -1) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) == -1) {
		e = errno;
		goto fail;
	}
	if (renameat(dfd, tf, dfd, qf) == -1) {
		e = errno;
		goto fail;
	}
	free(buf);
	if (fsync(dfd) == -1) {
		failure_set(f, EX_IOERR, FAIL_TEMP, "cannot sync the queue "
		    "directory: %s", strerror(errno));
		return -1;
	}
	return 0;
fail:
	free(buf);
	unlinkat(dfd, tf, 0);
	failure_set(f, EX_IOERR, FAIL_TEMP, "cannot write queue file %s: %s",
	    tf, strerror(e));
	return -1;
}

static int
copy_source(int fd, struct source *src, uint64_t *total, struct failure *f)
{
	static char buf[65536];
	ssize_t r;

	*total = 0;
	if (source_rewind(src) == -1) {
		failure_set(f, EX_IOERR, FAIL_TEMP, "cannot rewind the "
		    "message: %s", strerror(errno));
		return -1;
	}
	while ((r = source_read(src, buf, sizeof(buf))) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r < 0) {
			failure_set(f, EX_IOERR, FAIL_TEMP, "cannot read the "
			    "message: %s", strerror(errno));
			return -1;
		}
		if (fdio_write_all(fd, buf, (size_t)r) == -1) {
			failure_set(f, EX_IOERR, FAIL_TEMP, "cannot write to "
			    "the queue: %s", strerror(errno));
			return -1;
		}
		*total += (uint64_t)r;
	}
	if (*total != src->size) {
		failure_set(f, EX_IOERR, FAIL_TEMP, "the message changed size "
		    "while being queued");
		return -1;
	}
	if (fsync(fd) == -1) {
		failure_set(f, EX_IOERR, FAIL_TEMP, "cannot sync the queue "
		    "file: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
spool_write(int dfd, struct spool_meta *m, struct source *src,
    char id[SPOOL_ID_MAX], struct failure *f)
{
	char df[SPOOL_ID_MAX + 2];
	struct sigaction ign, old;
	int fd = -1, tries, rc = -1;

	/* Past a file-size limit, write() must fail with EFBIG rather than
	 * the process die of SIGXFSZ before it can say so. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGXFSZ, &ign, &old);
	for (tries = 0; tries < 16 && fd == -1; tries++) {
		make_id(id);
		if (name(df, sizeof(df), "df", id) == -1)
			break;
		fd = openat(dfd, df, OPEN_NEW, 0600);
		if (fd == -1 && errno != EEXIST)
			break;
	}
	if (fd == -1) {
		failure_set(f, EX_CANTCREAT, FAIL_TEMP, "cannot create a queue "
		    "file: %s", strerror(errno));
		goto out;
	}
	/* Held until qf exists: spool_scan() never takes us for a leftover. */
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		failure_set(f, EX_CANTCREAT, FAIL_TEMP, "cannot lock a queue "
		    "file: %s", strerror(errno));
		goto fail;
	}
	if (copy_source(fd, src, &m->size, f) == -1)
		goto fail;
	if (put_meta(dfd, id, m, f) == -1)
		goto fail;
	rc = 0;
	goto done;
fail:
	unlinkat(dfd, df, 0);
	fsync(dfd);
done:
	close(fd);	/* after fsync, a close error cannot lose data */
out:
	sigaction(SIGXFSZ, &old, NULL);
	if (rc == -1)
		id[0] = '\0';
	return rc;
}

static int
valid_id(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!((s[n] >= '0' && s[n] <= '9') ||
		    (s[n] >= 'A' && s[n] <= 'Z')))
			return 0;
	return n > 0 && n < SPOOL_ID_MAX;
}

static int
cmp_ids(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A tf, or a df without qf, left by a killed writer: nobody holds its
 * lock and it is not brand new.  The lock test is what makes this safe
 * against a writer that is still running. */
static void
leftover(int dfd, const char *ent, const char *id)
{
	char qf[SPOOL_ID_MAX + 2], failed[SPOOL_ID_MAX + 16];
	struct stat st;
	int fd;

	if (fstatat(dfd, ent, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(st.st_mode) || time(NULL) - st.st_mtime < LEFTOVER_AGE)
		return;
	if (ent[0] == 't') {
		unlinkat(dfd, ent, 0);
		return;
	}
	name(qf, sizeof(qf), "qf", id);
	if (faccessat(dfd, qf, F_OK, 0) == 0)
		return;		/* the usual case: a queued message */
	if ((fd = openat(dfd, ent, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0 &&
	    faccessat(dfd, qf, F_OK, 0) == -1 && errno == ENOENT) {
		/* Interrupted move into failed/: finish it. */
		snprintf(failed, sizeof(failed), "failed/qf%s", id);
		if (faccessat(dfd, failed, F_OK, 0) == 0) {
			snprintf(failed, sizeof(failed), "failed/df%s", id);
			renameat(dfd, ent, dfd, failed);
		} else
			unlinkat(dfd, ent, 0);
	}
	close(fd);
}

int
spool_scan(int dfd, char ***ids, size_t *n)
{
	DIR *d;
	struct dirent *de;
	size_t cap = 0;
	char **v = NULL;
	int fd2;

	*ids = NULL;
	*n = 0;
	if ((fd2 = dup(dfd)) == -1)
		return -1;
	if ((d = fdopendir(fd2)) == NULL) {
		close(fd2);
		return -1;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		const char *e = de->d_name;

		if (strlen(e) < 3 || e[1] != 'f' || !valid_id(e + 2))
			continue;
		if (e[0] == 't' || e[0] == 'd') {
			leftover(dfd, e, e + 2);
			continue;
		}
		if (e[0] != 'q')
			continue;
		if (*n == cap) {
			char **nv = realloc(v, (cap = cap ? cap * 2 : 64) *
			    sizeof(*v));

			if (nv == NULL)
				goto oom;
			v = nv;
		}
		if ((v[*n] = strdup(e + 2)) == NULL)
			goto oom;
		(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_ids);
	*ids = v;
	return 0;
oom:
	closedir(d);
	spool_ids_free(v, *n);
	*n = 0;
	return errno = ENOMEM, -1;
}

void
spool_ids_free(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

int
spool_lock(int dfd, const char *id)
{
	char df[SPOOL_ID_MAX + 2];
	struct stat st;
	int fd;

	if (name(df, sizeof(df), "df", id) == -1)
		return errno = ENOENT, -1;
	if ((fd = openat(dfd, df, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return errno = EWOULDBLOCK, -1;
	}
	/* Another run may have finished and unlinked it in between. */
	if (fstat(fd, &st) == -1 || st.st_nlink == 0) {
		close(fd);
		return errno = ENOENT, -1;
	}
	return fd;
}

int
spool_orphan_record(int dfd, const char *id)
{
	char qf[SPOOL_ID_MAX + 2], df[SPOOL_ID_MAX + 2];

	if (name(qf, sizeof(qf), "qf", id) || name(df, sizeof(df), "df", id))
		return 0;
	return faccessat(dfd, qf, F_OK, 0) == 0 &&
	    faccessat(dfd, df, F_OK, 0) == -1 && errno == ENOENT;
}

int
spool_locked(int dfd, const char *id)
{
	int fd = spool_lock(dfd, id);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == EWOULDBLOCK;
}

int
spool_load(int dfd, const char *id, struct spool_meta *m, char *why,
    size_t whylen)
{
	char qf[SPOOL_ID_MAX + 2], *buf;
	struct stat st;
	size_t len = 0;
	ssize_t r;
	int fd, rc;

	spoolfmt_init(m);
	if (name(qf, sizeof(qf), "qf", id) == -1)
		return errno = ENOENT, -2;
	if ((fd = openat(dfd, qf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -2;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > SPOOLFMT_MAX) {
		close(fd);
		snprintf(why, whylen, "not a regular file or too large");
		return -1;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return errno = ENOMEM, -2;
	}
	while (len <= (size_t)st.st_size &&
	    (r = read(fd, buf + len, (size_t)st.st_size + 1 - len)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			free(buf);
			close(fd);
			return -2;
		}
		len += (size_t)r;
	}
	close(fd);
	rc = spoolfmt_decode(buf, len, m, why, whylen);
	free(buf);
	return rc;
}

int
spool_update(int dfd, const char *id, const struct spool_meta *m,
    struct failure *f)
{
	return put_meta(dfd, id, m, f);
}

int
spool_remove(int dfd, const char *id, int sync)
{
	char qf[SPOOL_ID_MAX + 2], df[SPOOL_ID_MAX + 2];

	if (name(qf, sizeof(qf), "qf", id) || name(df, sizeof(df), "df", id))
		return errno = EINVAL, -1;
	/* qf first: from then on the message no longer exists. */
	if (unlinkat(dfd, qf, 0) == -1 && errno != ENOENT)
		return -1;
	if (unlinkat(dfd, df, 0) == -1 && errno != ENOENT)
		return -1;
	return sync ? fsync(dfd) : 0;
}

int
spool_move(int dfd, const char *id, const char *sub)
{
	char from[SPOOL_ID_MAX + 2], to[SPOOL_ID_MAX + 64];
	int sfd;

	if (mkdirat(dfd, sub, 0700) == -1 && errno != EEXIST)
		return -1;
	/* qf first, as in spool_remove; leftover() completes a torn move. */
	name(from, sizeof(from), "qf", id);
	snprintf(to, sizeof(to), "%s/qf%s", sub, id);
	if (renameat(dfd, from, dfd, to) == -1 && errno != ENOENT)
		return -1;
	name(from, sizeof(from), "df", id);
	snprintf(to, sizeof(to), "%s/df%s", sub, id);
	if (renameat(dfd, from, dfd, to) == -1 && errno != ENOENT)
		return -1;
	if ((sfd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(sfd);
		close(sfd);
	}
	return fsync(dfd);
}

long long
spool_size(int dfd, const char *id)
{
	char df[SPOOL_ID_MAX + 2];
	struct stat st;

	if (name(df, sizeof(df), "df", id) == -1 ||
	    fstatat(dfd, df, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	return (long long)st.st_size;
}

time_t
spool_next_due(const struct account *a, unsigned attempts, time_t now)
{
	long long lo = a->retry_min > 0 ? a->retry_min : 0;
	long long hi = a->retry_max > lo ? a->retry_max : lo;
	long long d = lo;
	unsigned int r = 0;

	if (attempts == 0)
		return now;
	for (unsigned i = 1; i < attempts && d < hi; i++)
		d *= 2;
	if (d > hi)
		d = hi;
#ifdef HAVE_GETRANDOM
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
#endif
		r = (unsigned int)now ^ (unsigned int)getpid();
	if (d >= 4)
		d -= (long long)(r % (unsigned int)(d / 4 + 1));
	return now + (time_t)d;
}

/* Distinct spool paths of the accounts, in order; returns the count. */
size_t
spool_paths(const struct account *const *accts, size_t nacct,
    char (*paths)[SPOOL_PATH_MAX], size_t max, struct failure *f)
{
	size_t n = 0;
	struct account none;

	if (nacct == 0) {	/* no configuration: the user's default */
		memset(&none, 0, sizeof(none));
		if (spool_path(&none, paths[0], SPOOL_PATH_MAX, f) == 0)
			n = 1;
		return n;
	}
	for (size_t i = 0; i < nacct && n < max; i++) {
		size_t j;

		if (spool_path(accts[i], paths[n], SPOOL_PATH_MAX, f) == -1)
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(paths[j], paths[n]) == 0)
				break;
		if (j == n)
			n++;
	}
	return n;
}

