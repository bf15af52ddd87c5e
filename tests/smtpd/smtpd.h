/* SPDX-License-Identifier: MIT */
/*
 * tests/smtpd/smtpd.h: the scripted SMTP test server's shared types.
 * The server is a test tool, not part of postie; see tests/smtpd/README
 * for its options and the script format.
 */
#ifndef SMTPD_H
#define SMTPD_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gsasl.h>

#define SMTPD_LINE_MAX	(64 * 1024)	/* longest command line kept */
#define SMTPD_BUF	(16 * 1024)	/* input buffer */

enum smtpd_tls { TLS_NONE, TLS_STARTTLS, TLS_IMPLICIT };

/* Phases a script rule can name (tests/smtpd/README). */
enum phase {
	PH_GREETING, PH_EHLO, PH_HELO, PH_STARTTLS, PH_AUTH, PH_AUTH_END,
	PH_MAIL, PH_RCPT, PH_DATA, PH_DATA_END, PH_BDAT, PH_RSET, PH_NOOP,
	PH_QUIT, PH_OTHER, PH_ANY, PH_COUNT
};

enum action {
	ACT_REPLY, ACT_RAW, ACT_DROP, ACT_STALL, ACT_ENDLESS, ACT_INJECT,
	ACT_OVERSIZED, ACT_MANYLINES
};

struct rule {
	enum phase	 phase;
	unsigned	 nth;		/* 0: every occurrence */
	enum action	 act;
	char		*arg;		/* reply text or raw bytes (owned) */
	size_t		 arglen;
	double		 num;		/* stall seconds, oversized length... */
	int		 code;		/* oversized/many-lines reply code */
	struct rule	*next;
};

struct cap {
	char		*line;		/* EHLO keyword line (owned) */
	struct cap	*next;
};

struct user {
	char		*name, *pass;	/* owned */
	struct user	*next;
};

/* Settings from argv and the script; read-only while serving. */
struct config {
	const char	*portfile, *logfile, *msgdir, *script;
	const char	*cert, *key, *client_ca, *priority;
	enum smtpd_tls	 tls;
	int		 ipv6, verbose, require_auth, require_tls;
	int		 pipelining_reject;
	unsigned	 conns, timeout, trickle_ms, rcpt_limit;
	char		*mechs;		/* space-separated AUTH list (owned) */
	struct rule	*rules;
	struct cap	*caps;		/* NULL: the default set */
	int		 caps_set;
	char		*nocaps[32];
	unsigned	 nnocaps;
	struct user	*users;
	unsigned long	 size_limit;	/* from a SIZE capability; 0 none */
};

/* One client connection. */
struct conn {
	int			 fd;
	gnutls_session_t	 tls;	/* NULL while in plaintext */
	unsigned char		 buf[SMTPD_BUF];
	size_t			 off, len;
	int			 wrote;	/* wrote since the last socket read */
	struct timespec		 wtime;	/* when that first write began */
	unsigned		 waits;	/* times we blocked for the client */
	int			 eof, dead;
	const struct config	*cf;
};

extern FILE		*smtpd_log;	/* transcript, or NULL */
extern int		 smtpd_verbose;
extern unsigned		 smtpd_count[PH_COUNT];

/* io.c */
ssize_t	conn_pull(void *, void *, size_t);	/* gnutls transport */
ssize_t	conn_push(void *, const void *, size_t);
int	conn_pull_timeout(void *, unsigned int);
int	conn_write(struct conn *, const void *, size_t);
int	conn_reply(struct conn *, const char *, size_t);
int	conn_fill(struct conn *);
int	conn_getline(struct conn *, char *, size_t, size_t *);
int	conn_read_exact(struct conn *, FILE *, size_t);
int	conn_buffered(struct conn *);
void	conn_discard(struct conn *);
int	conn_stall(struct conn *, double);
void	trace(const char *, ...) __attribute__((format(printf, 1, 2)));
void	event(const char *, ...) __attribute__((format(printf, 1, 2)));
void	logline(const char *, size_t);

/* tls.c */
int	tls_setup(const struct config *);
int	tls_start(struct conn *);
void	tls_close(struct conn *, int);
int	tls_cb(struct conn *, int, char **);

/* auth.c */
int	auth_setup(struct config *);
int	auth_mech_ok(const struct config *, const struct conn *, const char *);
void	auth_mechlist(const struct config *, const struct conn *, char *,
	    size_t);
int	auth_run(struct conn *, const char *, const char *, char **);

/* script.c */
int	script_load(struct config *, const char *);
const struct rule *script_match(const struct config *, enum phase);
const char *phase_name(enum phase);
size_t	unescape(const char *, char *, size_t);

/* data.c */
FILE	*msg_open(const char *, char *, size_t);
unsigned msg_close(const char *, FILE *, const char *, int, const char *,
	    size_t);
int	data_read(struct conn *, FILE *, unsigned long long *);

/* session.c */
void	session(struct conn *);
int	send_reply(struct conn *, enum phase, const char *);
int	rule_apply(struct conn *, const struct rule *, const char *);

#endif
