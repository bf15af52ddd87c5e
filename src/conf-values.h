/* SPDX-License-Identifier: MIT */
/*
 * conf-values: value syntax of sendmail.conf and the struct account
 * helpers (internal to conf.c and its tests).  Each confv_ check returns
 * 0 when the text is valid (storing the result), -1 otherwise.
 */
#ifndef POSTIE_CONF_VALUES_H
#define POSTIE_CONF_VALUES_H

#include "account.h"
#include "conf.h"

int	 confv_port(const char *, int *);	/* 1..65535, no leading 0 */
int	 confv_duration(const char *, int *);	/* 300, 5m, 1h, 5d */
int	 confv_tls(const char *, enum tls_mode *);
int	 confv_min_version(const char *);	/* 1.2 or 1.3 */
int	 confv_fingerprint(const char *);	/* SHA-256 hex */
int	 confv_mech(const char *);		/* SASL mechanism name */
int	 confv_auth_word(const char *, enum auth_mode *);
int	 confv_log(const char *);
int	 confv_domain(const char *);	/* EHLO name or [literal] */
/* %U, %H, %% expanded; a new string, or NULL when out of memory/too long */
char	*confv_expand_from(const char *, const char *user, const char *host);
/* Zero the struct and set every default of sendmail.conf(5). */
void	 confv_defaults(struct account *);

#endif
