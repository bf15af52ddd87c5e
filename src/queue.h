/* SPDX-License-Identifier: MIT */
/*
 * queue: the outbox.  What cannot be delivered now is kept, durably, and
 * delivered later by `postie -q` (notes/security.md section 7).
 *
 * Where: account->queue_dir, else for root LOCALSTATEDIR/spool/postie
 * (/var/spool/postie), else $XDG_STATE_HOME/postie/queue (default
 * ~/.local/state/postie/queue), created 0700 on first use.  One directory
 * may hold messages of several accounts; each message names its account.
 * The on-disk layout is private to spool.c.
 */
#ifndef POSTIE_QUEUE_H
#define POSTIE_QUEUE_H

#include <stddef.h>
#include <stdio.h>

#include "account.h"
#include "envelope.h"
#include "smtp.h"
#include "source.h"
#include "status.h"

#define QUEUE_ID_MAX	32	/* buffer for a queue id, NUL included */

/*
 * Keep the message for later.  Only the recipients still owed (state
 * RCPT_PENDING or RCPT_TEMPFAIL) are queued, with the sender, the DSN
 * parameters, the body type and SMTPUTF8.  last_error is the temporary
 * failure that sent the message here (counted as the first attempt), or
 * NULL when no attempt was made (then it is due at once).  The source is
 * rewound and read to its end.
 *
 * Returns 0 once the message is on disk for good (fsync of file and
 * directory), with its id in id_out.  Returns -1 with the failure
 * recorded and nothing queued: EX_CANTCREAT when the spool cannot be
 * created, EX_IOERR when writing or syncing it failed, EX_SOFTWARE when
 * no recipient is owed.  The caller checks account->queue first: when it
 * is 0 the message must not be queued (exit EX_TEMPFAIL).
 */
int	 queue_enqueue(const struct account *, const struct envelope *,
	    struct source *, const char *last_error,
	    char id_out[QUEUE_ID_MAX], struct failure *);

/*
 * A dead letter (submit time): keep the message in the failed/
 * subdirectory of the spool, written as queue_enqueue() writes, with the
 * recipients in state RCPT_PERMFAIL and reason as its last error.  It is
 * never retried by itself; queue_requeue_failed() (-qQ) puts it back.
 * Returns 0 once it is on disk for good, with its id in id and the path
 * of its message file (".../failed/df<id>") in where; -1 with the failure
 * recorded and nothing kept (EX_CANTCREAT, EX_IOERR, EX_SOFTWARE when no
 * recipient is refused).  The source is rewound and read to its end.
 */
int	 queue_keep_failed(const struct account *, const struct envelope *,
	    struct source *, const char *reason, char id[QUEUE_ID_MAX],
	    char *where, size_t wherelen, struct failure *);

/* Whether the sender of e is to hear of a failure: not the null sender
 * (never a bounce of a bounce), and NOTIFY absent or naming FAILURE. */
int	 queue_wants_bounce(const struct envelope *);

/*
 * The RFC 3464 report for the recipients of e in state RCPT_PERMFAIL,
 * sent to e's sender from <> over the open session s (borrowed; may be
 * NULL or unusable).  orig is the message (its header block is quoted);
 * id names the dead letter.  When the relay cannot take it now and the
 * account queues, the report is queued instead.  Returns 1 when the relay
 * took it, 0 when it was queued, -1 when it was not sent (failure
 * recorded).  The caller checks queue_wants_bounce() first.
 */
int	 queue_bounce_refused(struct smtp_session *, const struct account *,
	    const struct envelope *, struct source *orig, const char *id,
	    struct failure *);

/*
 * At submit time, after the transaction: whole is the failure when the
 * relay refused the message as a whole (its untried recipients are then
 * marked RCPT_PERMFAIL with that reply), else NULL.  For the recipients
 * refused for good: a dead letter (queue_keep_failed; not with
 * account->queue 0), the error line -- whole's message, or one line per
 * refused recipient -- ending "; message kept as PATH" or "; message NOT
 * kept: why"; and, when others were delivered and the sender wants it,
 * the bounce (queue_bounce_refused) over s.  Without whole, does
 * nothing when no recipient was refused.
 */
void	 queue_refused(struct smtp_session *, const struct account *,
	    struct envelope *, struct source *, const struct failure *whole);

/* Which messages a run takes (sendmail -qI / -qR / -qS), and how to
 * find the account of a message queued under an account not passed in. */
struct queue_select {
	const char	*id;	/* -qI: id prefix (case-insensitive), or NULL */
	const char	*rcpt;	/* -qR: substring of a recipient, or NULL */
	const char	*sender; /* -qS: substring of the sender, or NULL */
	int		 force;	/* ignore the retry backoff; sendmail does
				   so when -qI, -qR or -qS names messages */
	/* Optional: the account called name, or NULL when there is none;
	 * the result is borrowed until queue_run() returns. */
	const struct account *(*lookup)(void *ctx, const char *name);
	void		*lookup_ctx;
	/* Optional: how to open an account's session (main.c: with its
	 * OAuth2 access token, oauth.h), given lookup_ctx; NULL: smtp_open */
	struct smtp_session *(*open)(void *ctx, const struct account *,
	    struct failure *);
};

struct queue_stats {
	unsigned	 delivered;	/* gone: every recipient accepted, or
					   the refused ones bounced */
	unsigned	 deferred;	/* tried, kept for a later run */
	unsigned	 failed;	/* moved to failed/ (bounced when it
					   could be) */
	unsigned	 bounced;	/* bounces sent */
	unsigned	 busy;		/* in flight in another run: skipped */
	unsigned	 corrupt;	/* moved to corrupt/ */
	unsigned	 unknown;	/* for an account not configured: left */
};

/*
 * Deliver what is due (or selected) in the spool directories of the given
 * accounts.  A message is sent with the account it was queued under: one
 * of accts, else what sel->lookup returns; one whose account is no longer
 * configured stays and is counted in unknown.  sel may be NULL (what is
 * due, all accounts in accts).  Messages of one account go
 * over one SMTP session, one transaction each.  A message whose relay
 * refuses it for good, or that is older than queue_lifetime, is bounced to
 * its sender and moved to failed/.  Each message is locked while in
 * flight: parallel runs never send it twice, and a run killed with
 * SIGKILL leaves no stale lock.
 *
 * Returns 0 when the run went through (deferred messages are normal), or
 * -1 when a spool directory cannot be read (failure recorded).  stats may
 * be NULL.
 */
int	 queue_run(const struct account *const *accts, size_t nacct,
	    const struct queue_select *, struct queue_stats *,
	    struct failure *);

/*
 * After a successful send: deliver what is due for this account over the
 * session that is already open (borrowed: not closed here; it may be left
 * unusable, smtp_close() it as usual).  Returns as queue_run().
 */
int	 queue_run_session(struct smtp_session *, const struct account *,
	    struct queue_stats *, struct failure *);

/*
 * List the queue, sendmail style (for -bp and mailq): id, size, time
 * queued, sender; then age, attempts, next try and last error; then the
 * recipients; or "Mail queue is empty"; then, when failed/ holds dead
 * letters, one line that counts them.  Returns 0, or -1 when a spool
 * directory exists but cannot be read (failure recorded).
 */
int	 queue_list(FILE *, const struct account *const *accts, size_t nacct,
	    struct failure *);

/* The same for the dead letters in failed/ (mailq -qQ), or "No failed
 * messages". */
int	 queue_list_failed(FILE *, const struct account *const *accts,
	    size_t nacct, struct failure *);

/*
 * -qQ: move the dead letters of failed/ chosen by sel (NULL: all) back
 * into the queue, due at once, with their kept recipients; a queue run
 * then sends them.  *moved counts them.  Returns 0, or -1 when one could
 * not be moved (failure recorded; it stays in failed/).
 */
int	 queue_requeue_failed(const struct account *const *accts, size_t nacct,
	    const struct queue_select *, unsigned *moved, struct failure *);

#endif
