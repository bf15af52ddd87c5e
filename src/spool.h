/* SPDX-License-Identifier: MIT */
/*
 * spool: the queue directory on disk, used by queue.c only.
 *
 * One message is two files named by its id:
 *	df<id>	the message, CRLF, no dot-stuffing (source.h), written first
 *		and fsynced; the per-message lock (flock) is taken on it
 *	qf<id>	the metadata record (spoolfmt.h); it is written as tf<id>,
 *		fsynced, renamed into place and the directory fsynced.  Its
 *		presence is what makes the message exist: -q and -bp look only
 *		at qf files, so a message is never visible half-written.
 * Subdirectories failed/ and corrupt/ hold what was set aside.  A df
 * without its qf, or a tf, that nobody holds locked is the leftover of a
 * killed writer and is removed by spool_scan().
 */
#ifndef POSTIE_SPOOL_H
#define POSTIE_SPOOL_H

#include <stddef.h>
#include <time.h>

#include "account.h"
#include "source.h"
#include "spoolfmt.h"
#include "status.h"

#define SPOOL_ID_MAX	32	/* buffer size for an id, NUL included */
#define SPOOL_PATH_MAX	4096

/* The spool directory of an account: queue_dir, else (root)
 * LOCALSTATEDIR/spool/postie, else $XDG_STATE_HOME/postie/queue (default
 * ~/.local/state/postie/queue).  Returns 0, or -1 with EX_CONFIG recorded
 * when no directory can be named. */
int	 spool_path(const struct account *, char *buf, size_t len,
	    struct failure *);

/* The distinct spool paths of the accounts, in order (the user's default
 * when nacct is 0), at most max; returns how many. */
#define SPOOL_PATHS_MAX	16
size_t	 spool_paths(const struct account *const *accts, size_t nacct,
	    char (*paths)[SPOOL_PATH_MAX], size_t max, struct failure *);

/*
 * Open the directory.  With create, missing components are made 0700.
 * Refuses (EX_CANTCREAT) a directory owned by another user or writable by
 * group or others.  Returns a directory fd (O_CLOEXEC), or -1: with
 * !create and no directory, errno is ENOENT and nothing is recorded.
 */
int	 spool_open(const char *path, int create, struct failure *);

/* Write the message from src and its metadata m (m->size is set here) as
 * a new entry; id receives its id.  Durable when it returns 0.  On -1 the
 * failure is recorded (EX_CANTCREAT: could not create; EX_IOERR: a read,
 * write or fsync failed) and nothing is left visible. */
int	 spool_write(int dfd, struct spool_meta *m, struct source *src,
	    char id[SPOOL_ID_MAX], struct failure *);

/* The ids of visible entries, oldest first (*ids owned by the caller:
 * spool_ids_free).  Also removes leftovers of killed writers.  Returns 0
 * or -1 (errno). */
int	 spool_scan(int dfd, char ***ids, size_t *n);
void	 spool_ids_free(char **ids, size_t n);

/* Lock an entry for delivery.  Returns the df fd, holding an exclusive
 * lock, or -1 when the entry is gone (ENOENT) or in flight elsewhere
 * (EWOULDBLOCK). */
int	 spool_lock(int dfd, const char *id);
/* Whether qf<id> exists without its df<id> (left by a lost unlink). */
int	 spool_orphan_record(int dfd, const char *id);
/* Whether some process holds the entry locked (for listing). */
int	 spool_locked(int dfd, const char *id);

/* Read qf<id>.  Returns 0; -1 when it is corrupt (why set); -2 when gone
 * or unreadable (errno). */
int	 spool_load(int dfd, const char *id, struct spool_meta *,
	    char *why, size_t whylen);
/* Replace qf<id> atomically.  Returns 0 or -1 (failure recorded). */
int	 spool_update(int dfd, const char *id, const struct spool_meta *,
	    struct failure *);
/* Delete the entry (qf first, then df); with sync, fsync the directory.
 * Without, the caller syncs later: until then a power loss can bring a
 * delivered message back, to be sent again (never lost).  Returns 0 or
 * -1 (errno). */
int	 spool_remove(int dfd, const char *id, int sync);
/* Move the entry into subdirectory sub ("failed", "corrupt").  Returns 0
 * or -1 (errno). */
int	 spool_move(int dfd, const char *id, const char *sub);

/* A source reading the locked df fd (borrowed; queuerun.c). */
struct spool_source {
	int	 fd;
	off_t	 off;
};

/* When a message that has failed `attempts` times is next due: retry_min
 * doubling per attempt, capped at retry_max, less up to a quarter at
 * random so that messages queued together spread out. */
time_t	 spool_next_due(const struct account *, unsigned attempts, time_t now);

/* Octets of df<id>, or -1. */
long long spool_size(int dfd, const char *id);

#endif
