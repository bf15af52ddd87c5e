/* SPDX-License-Identifier: MIT */
/*
 * account: the settings of one relay account, after the config file and
 * the command line are merged.  config.c fills it (and is the only module
 * that knows libconfuse); the SMTP session, the queue and the log read it.
 * Every string is owned by the struct and freed by account_free().
 */
#ifndef POSTIE_ACCOUNT_H
#define POSTIE_ACCOUNT_H

enum tls_mode {
	TLSMODE_STARTTLS = 0,	/* plain connect, then STARTTLS (587, 25) */
	TLSMODE_IMPLICIT,	/* TLS from the first byte (465) */
	TLSMODE_OFF		/* no TLS at all; refused when auth is on */
};

enum auth_mode {
	AUTHMODE_AUTO = 0,	/* authenticate when user is set */
	AUTHMODE_ON,		/* must authenticate */
	AUTHMODE_OFF		/* never authenticate */
};

/* Per-phase deadlines in seconds (RFC 5321 section 4.5.3.2 defaults). */
struct timeouts {
	int	 connect;	/* resolve + connect, all addresses: 30 */
	int	 greeting;	/* 220 banner: 300 */
	int	 tls;		/* TLS handshake: 60 */
	int	 command;	/* EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA: 300 */
	int	 data_block;	/* each write of message data: 180 */
	int	 data_end;	/* reply to the final dot: 600 */
	int	 total;		/* the whole session: 1800 */
};

struct account {
	char		*name;		/* "default" or the account's title */
	char		*host;		/* relay host name or IP literal */
	int		 port;		/* 0: 465 for implicit TLS, else 587 */
	enum tls_mode	 tls;
	char		*tls_trust_file; /* NULL: the system trust store */
	char		*tls_fingerprint; /* SHA-256 hex "AB:CD:..." or NULL */
	char		*tls_cert_file;	/* client certificate, or NULL */
	char		*tls_key_file;
	char		*tls_min_version; /* "1.2" (default) or "1.3" */
	char		*tls_priorities; /* a GnuTLS priority string, or NULL */
	int		 tls_verify;	/* 1 by default; 0 only by explicit
					   option, and loudly */
	int		 tls_session_cache; /* 1 by default: TLS 1.3 tickets
					   kept in the state directory */
	enum auth_mode	 auth;
	char		**auth_mechs;	/* NULL-terminated preference list,
					   NULL: postie's own order */
	char		*user;
	char		*password;	/* secret: wiped by account_free() */
	char		*password_command; /* argv-split command, or NULL */
	char		*from;		/* envelope sender, %U/%H expanded */
	char		*domain;	/* EHLO name and qualifying domain */
	char		*aliases;	/* aliases file path, or NULL */
	char		*log;		/* "syslog", "syslog:FACILITY",
					   a file path, or NULL (syslog) */
	char		*queue_dir;	/* NULL: the default for this user */
	int		 queue;		/* 1: queue on temporary failure */
	int		 queue_lifetime; /* seconds before giving up: 5 days */
	int		 retry_min;	/* first retry delay, seconds: 300 */
	int		 retry_max;	/* cap on the retry delay: 3600 */
	struct timeouts	 timeouts;
	/* presets and OAuth2 (provider.c, oauth.c); all NULL when unused */
	char		*provider;	/* "gmail", "ses", ... */
	char		*region;	/* ses: "eu-west-1" */
	struct account_oauth {
		char	*client_id;
		char	*client_secret;		/* secret */
		char	*client_secret_command;	/* secret (what it runs) */
		char	*refresh_token;		/* secret */
		char	*refresh_token_command;	/* secret (what it runs) */
		char	*token_endpoint; /* "google", "microsoft", https URL */
		char	*tenant;	/* microsoft: default "common" */
		char	*grant;		/* "refresh_token" (default) or
					   "client_credentials" */
		char	*scope;		/* NULL: the endpoint's default */
	} oauth;
};

/* Wipe secrets and free every string; leaves the struct zeroed. */
void	 account_free(struct account *);

#endif
