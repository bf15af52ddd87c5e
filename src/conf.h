/* SPDX-License-Identifier: MIT */
/*
 * conf: sendmail.conf, the only module that knows libconfuse.  It finds
 * the file, checks who may read it, parses and validates it, picks one
 * account and returns it merged over the top-level defaults as a plain
 * struct account (account.h).  See sendmail.conf(5).
 *
 * (Named conf, not config: "config.h" is autoconf's header, and a
 * src/config.h would shadow it in every #include "config.h".)
 */
#ifndef POSTIE_CONF_H
#define POSTIE_CONF_H

#include <stdio.h>

#include "account.h"
#include "options.h"
#include "status.h"

/* Where the settings came from, for --check-config and error messages. */
struct conf_info {
	char	 path[4096];	/* the file parsed, or "" when none exists */
	int	 named;		/* given by -C or POSTIE_CONFIG */
};

/*
 * Find, check and parse the config file; choose the account: --account
 * (o->account), else the first account whose from matches sender (exact,
 * or a pattern like *@example.org, case-insensitive), else default_account,
 * else the top-level settings.  sender may be NULL.  Fills *out (free it
 * with account_free) and *info (may be NULL).
 *
 * The file: o->config_file (-C; honoured only when running as root or when
 * it lies in a directory listed by allowed_config_dirs in the system
 * config), else $POSTIE_CONFIG, else the per-user file when it exists,
 * else SYSCONFDIR/sendmail.conf (no file at all is not an error here).
 *
 * Returns 0, or -1 with the failure recorded ("FILE:LINE: message" where
 * a line is known): EX_USAGE for a -C that is not allowed, EX_NOINPUT for
 * a named file that cannot be read, EX_CONFIG for syntax, validation, an
 * unknown --account, or a file holding a secret that group or others can
 * read.
 */
int	 conf_load(const struct options *o, const char *sender,
	    struct account *out, struct conf_info *info, struct failure *);

/*
 * The checks that sending needs beyond a valid file: a relay host.
 * Returns 0, or -1 with EX_CONFIG recorded.
 */
int	 conf_check_send(const struct account *, const struct conf_info *,
	    struct failure *);

/* Print the effective settings, "key = value" per line; password and
 * password_command are printed as ********. */
void	 conf_print(const struct account *, FILE *);

/*
 * The envelope sender: -f when given, else the account's from (when it is
 * an address, not a pattern), else the login name (message_prepare then
 * qualifies it with the domain).  Writes to buf; returns 0, or -1 when it
 * does not fit.
 */
int	 conf_sender(const struct account *, const char *opt_sender,
	    char *buf, size_t len);

/* The port to connect to: the configured one, else 465 for implicit TLS,
 * else 587. */
int	 conf_port(const struct account *);

#endif
