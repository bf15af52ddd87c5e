/* SPDX-License-Identifier: MIT */
/*
 * log: diagnostics on stderr, the -v transcript, and one log line per
 * message (syslog LOG_MAIL, or a file).  Nothing secret is ever passed
 * here: callers redact AUTH payloads with log_transcript_redacted().
 */
#ifndef POSTIE_LOG_H
#define POSTIE_LOG_H

#include <stddef.h>

/* progname: argv[0]'s basename.  verbose: number of -v flags. */
void	 log_init(const char *progname, int verbose);
/* Where the per-message line goes: NULL or "syslog" (LOG_MAIL),
 * "syslog:FACILITY", or an absolute file path.  Returns 0 or -1. */
int	 log_open(const char *target);
int	 log_verbose(void);

/* "postie: <message>" on stderr. */
void	 log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed only with -v. */
void	 log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

enum log_dir { LOG_SENT, LOG_RECV };
/* One line of the SMTP conversation (without CRLF), printed with -v as
 * "<<< line" or ">>> line"; control characters escaped. */
void	 log_transcript(enum log_dir, const char *line, size_t len);

/* The per-message record: "key=value" pairs, one line. */
void	 log_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
