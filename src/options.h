/* SPDX-License-Identifier: MIT */
/*
 * options: the sendmail command line.  Every flag postie knows is one row
 * of a table in options.c that says whether it takes a value, whether it is
 * honoured, accepted and ignored, or refused, and what it means; the same
 * table drives the parser and --help, and man/postie.8 mirrors it.
 */
#ifndef POSTIE_OPTIONS_H
#define POSTIE_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "envelope.h"
#include "status.h"

enum opt_mode {
	OPTMODE_SEND = 0,	/* -bm, the default: read a message, send it */
	OPTMODE_LIST_QUEUE,	/* -bp, or invoked as mailq */
	OPTMODE_SMTP_STDIO,	/* -bs: parsed, refused by main() */
	OPTMODE_RUN_QUEUE,	/* -q, -q<time>, -qI<id>, -qR<rcpt>, -qS<sender> */
	OPTMODE_CHECK_CONFIG,	/* --check-config */
	OPTMODE_HELP,		/* --help */
	OPTMODE_VERSION,	/* --version, -d0.1 */
	OPTMODE_OAUTH_LOGIN	/* --oauth-device-login (oauth-device.h) */
};

/* One file to attach (-a/--attach); strings borrowed from argv. */
struct attachment {
	const char	*path;
	const char	*type;		/* --attach-type, or NULL: guess */
	const char	*name;		/* --attach-name, or NULL: basename */
};

#define OPTIONS_MAX_ATTACH	64

/*
 * Strings are borrowed from argv unless said otherwise; argv must outlive
 * the struct.
 */
struct options {
	enum opt_mode	 mode;
	int		 pretend;	/* --pretend: print, do not connect */
	int		 verbose;	/* number of -v */
	int		 extract_rcpts;	/* -t */
	int		 dot_ends;	/* 1 unless -i or -oi */
	const char	*sender;	/* -f/-r, angle brackets removed;
					   "" is the null reverse path;
					   NULL when not given */
	const char	*from_name;	/* -F */
	const char	*account;	/* --account */
	const char	*config_file;	/* -C (main checks it is allowed) */
	/* DSN, RFC 3461; NULL when not asked for */
	const char	*dsn_notify;	/* "NEVER" or e.g. "SUCCESS,FAILURE" */
	const char	*dsn_ret;	/* "FULL" or "HDRS" */
	const char	*dsn_envid;	/* -V */
	enum body_type	 body;		/* -B */
	/* queue run selectors (OPTMODE_RUN_QUEUE); NULL when absent */
	const char	*queue_interval; /* -q1h: accepted, run once */
	const char	*queue_id;	/* -qI */
	const char	*queue_rcpt;	/* -qR */
	const char	*queue_sender;	/* -qS */
	int		 queue_failed;	/* -qQ: the dead letters in failed/
					   (list with -bp, else requeue) */
	struct attachment attach[OPTIONS_MAX_ATTACH];
	size_t		 nattach;
	char		**rcpts;	/* the operands: recipients */
	size_t		 nrcpts;
	/* private */
	char		 sender_buf[1024];
	char		 notify_buf[32];
	const char	*pending_type;	/* --attach-type for the next file */
	const char	*pending_name;
};

/*
 * Parse argv (argv[0] decides mailq mode).  Returns 0, or -1 with the
 * failure recorded: EX_USAGE for an unknown, refused or malformed flag,
 * EX_DATAERR for CR or LF in -f, -F or a recipient.
 */
int	 options_parse(struct options *, int argc, char **argv,
	    struct failure *);

/* The --help text, generated from the table. */
void	 options_help(FILE *);

/* "postie 0.1.0" and the build's paths, for --version. */
void	 options_version(FILE *);

#endif
