/* SPDX-License-Identifier: MIT */
/*
 * conf-parse: one sendmail.conf file through libconfuse: open it and check
 * who may read and write it (on the descriptor), parse it, validate every
 * value where it is read so that errors carry FILE:LINE.  conf.c and this
 * file are the only users of libconfuse.
 *
 * libconfuse pitfalls handled here (notes/libraries.md section 3): numbers
 * with a leading 0 are octal, so ports and durations are read as strings
 * and parsed by conf-values.c; an unset ${VAR} silently becomes "", so an
 * empty value is an error; the stock include() resolves against the
 * working directory, so ours resolves against the including file;
 * duplicate account titles would silently replace each other, so
 * CFGF_NO_TITLE_DUPES; unknown options stay errors.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <confuse.h>

#include "conf-parse.h"
#include "conf-values.h"
#include "provider.h"

#define CONF_MAX_SIZE	(1024 * 1024)	/* no real config is bigger */
#define CONF_MAX_FILES	16		/* the file and its includes */

/* The files opened during one parse, and whether each is private. */
struct filerec {
	char	*path;
	dev_t	 dev;
	ino_t	 ino;
	int	 private;	/* neither group nor others can read it */
};

/* libconfuse's callbacks take no context pointer; one parse at a time. */
static struct {
	struct failure	*fail;
	struct filerec	 files[CONF_MAX_FILES];
	size_t		 nfiles;
} P;

#define STR(n)	CFG_STR(n, NULL, CFGF_NODEFAULT)
#define ACCOUNT_OPTS \
	STR("host"), STR("port"), STR("tls"), STR("tls_trust_file"),	\
	STR("tls_fingerprint"), STR("tls_cert_file"), STR("tls_key_file"), \
	STR("tls_min_version"), STR("tls_priorities"),			\
	CFG_BOOL("tls_verify", cfg_true, CFGF_NODEFAULT),		\
	CFG_BOOL("tls_session_cache", cfg_true, CFGF_NODEFAULT),	\
	CFG_STR_LIST("auth", NULL, CFGF_NODEFAULT),			\
	STR("user"), STR("password"), STR("password_command"),		\
	STR("from"), STR("domain"), STR("aliases"), STR("log"),	\
	CFG_BOOL("queue", cfg_true, CFGF_NODEFAULT), STR("queue_dir"),	\
	STR("queue_lifetime"), STR("retry_min"), STR("retry_max"),	\
	STR("timeout_connect"), STR("timeout_greeting"), STR("timeout_tls"), \
	STR("timeout_command"), STR("timeout_data_block"),		\
	STR("timeout_data_end"), STR("timeout_total"),			\
	PROVIDER_OPTS

/* providers and OAuth2 (provider.c, oauth.c) */
#define PROVIDER_OPTS \
	STR("provider"), STR("region"), STR("oauth_client_id"),		\
	STR("oauth_client_secret"), STR("oauth_client_secret_command"),	\
	STR("oauth_refresh_token"), STR("oauth_refresh_token_command"),	\
	STR("oauth_token_endpoint"), STR("oauth_tenant"), STR("oauth_grant"), \
	STR("oauth_scope")

static const char *const str_opts[] = { "host", "port", "tls",
	"tls_trust_file", "tls_fingerprint", "tls_cert_file", "tls_key_file",
	"tls_min_version", "tls_priorities", "user", "password",
	"password_command", "from", "domain", "aliases", "log", "queue_dir",
	"queue_lifetime", "retry_min", "retry_max", "timeout_connect",
	"timeout_greeting", "timeout_tls", "timeout_command",
	"timeout_data_block", "timeout_data_end", "timeout_total", "auth",
	/* providers and OAuth2 */
	"provider", "region", "oauth_client_id", "oauth_client_secret",
	"oauth_client_secret_command", "oauth_refresh_token",
	"oauth_refresh_token_command", "oauth_token_endpoint", "oauth_tenant",
	"oauth_grant", "oauth_scope" };
#define NSTR (sizeof(str_opts) / sizeof(str_opts[0]))

/* Keep control characters out of messages that reach a terminal. */
static void
clean(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

/*
 * Whether line n (or the one before, for a value that ends on the next
 * line) of the file mentions a password.  libconfuse names the token it
 * choked on, and after `password = "pa"ss"` that token is part of the
 * secret: such a message must not reach stderr, which cron mails.
 */
static int
near_secret(const char *path, int n)
{
	char line[1024];
	FILE *fp;
	int i = 0, hit = 0, prev = 0, cur = 0;

	if (path == NULL || n <= 0 || (fp = fopen(path, "re")) == NULL)
		return 1;	/* cannot tell: assume the worst */
	while (i < n && fgets(line, sizeof(line), fp) != NULL) {
		/* a line longer than the buffer comes in pieces: any
		 * piece may name the option */
		cur |= strstr(line, "password") != NULL;
		if (strchr(line, '\n') == NULL && !feof(fp))
			continue;
		i++;
		prev = hit;
		hit = cur;
		cur = 0;
	}
	fclose(fp);
	return hit || prev;
}

static void
errfn(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[FAILURE_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cfg != NULL && cfg->filename != NULL && strchr(msg, '\'') &&
	    near_secret(cfg->filename, cfg->line))
		snprintf(msg, sizeof(msg), "syntax error near a password "
		    "(the text is not shown)");
	clean(msg);
	if (cfg != NULL && cfg->filename != NULL)
		failure_set(P.fail, EX_CONFIG, FAIL_PERM, "%s:%d: %s",
		    cfg->filename, cfg->line, msg);
	else
		failure_set(P.fail, EX_CONFIG, FAIL_PERM, "%s", msg);
}

static const char *
last_str(cfg_opt_t *opt)
{
	return cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
}

/* Every string option: not empty (an unset ${VAR}), no CR or LF. */
static int
v_string(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned i;
	const char *s;

	for (i = 0; i < cfg_opt_size(opt); i++) {
		s = cfg_opt_getnstr(opt, i);
		if (s == NULL || *s == '\0') {
			cfg_error(cfg, "%s: empty value (an unset ${VARIABLE}?)",
			    opt->name);
			return -1;
		}
		if (strpbrk(s, "\r\n") != NULL) {
			cfg_error(cfg, "%s: CR or LF in the value", opt->name);
			return -1;
		}
	}
	return 0;
}

/* password and password_command only in files no one else can read. */
static int
v_secret(cfg_t *cfg, cfg_opt_t *opt)
{
	size_t i;

	if (v_string(cfg, opt) == -1)
		return -1;
	for (i = 0; i < P.nfiles; i++)
		if (cfg->filename != NULL &&
		    strcmp(P.files[i].path, cfg->filename) == 0 &&
		    P.files[i].private)
			return 0;
	cfg_error(cfg, "%s in a file that group or others can read "
	    "(chmod 600 it)", opt->name);
	return -1;
}

static int
v_value(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *n = opt->name, *s;
	enum tls_mode t;
	enum auth_mode m;
	unsigned i;
	int x, bad = 0;

	if (v_string(cfg, opt) == -1)
		return -1;
	s = last_str(opt);
	if (strcmp(n, "port") == 0)
		bad = confv_port(s, &x);
	else if (strcmp(n, "tls") == 0)
		bad = confv_tls(s, &t);
	else if (strcmp(n, "tls_min_version") == 0)
		bad = confv_min_version(s);
	else if (strcmp(n, "tls_fingerprint") == 0)
		bad = confv_fingerprint(s);
	else if (strcmp(n, "log") == 0)
		bad = confv_log(s);
	else if (strcmp(n, "domain") == 0)
		bad = confv_domain(s);
	else if (strncmp(n, "timeout_", 8) == 0 || strncmp(n, "retry_", 6) == 0
	    || strcmp(n, "queue_lifetime") == 0)
		bad = confv_duration(s, &x);
	else if (strcmp(n, "provider") == 0 && !provider_known(s)) {
		cfg_error(cfg, "provider: unknown '%s' (known: %s)", s,
		    provider_names());
		return -1;
	} else if (strcmp(n, "region") == 0)
		bad = !provider_region_ok(s);
	else if (strcmp(n, "oauth_grant") == 0)
		bad = !provider_grant_ok(s);
	else if (strcmp(n, "oauth_token_endpoint") == 0)
		bad = !provider_endpoint_ok(s);
	else if (strcmp(n, "auth") == 0) {
		if (cfg_opt_size(opt) == 1 && confv_auth_word(s, &m) == 0)
			return 0;
		for (i = 0; i < cfg_opt_size(opt) && !bad; i++)
			bad = confv_mech(cfg_opt_getnstr(opt, i));
	}
	if (bad) {
		cfg_error(cfg, "%s: invalid value '%s'", n, s);
		return -1;
	}
	return 0;
}

static int
v_dirs(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned i;

	if (v_string(cfg, opt) == -1)
		return -1;
	for (i = 0; i < cfg_opt_size(opt); i++)
		if (cfg_opt_getnstr(opt, i)[0] != '/') {
			cfg_error(cfg, "allowed_config_dirs: '%s' is not an "
			    "absolute path", cfg_opt_getnstr(opt, i));
			return -1;
		}
	return 0;
}

/*
 * Open a config file ourselves so that its permissions are checked on the
 * descriptor that is then read (no race between check and use).  Records
 * the file in P.files.  A file that others may write is refused whatever
 * it holds: they could add a password_command.
 */
static FILE *
open_conf(const char *path, struct failure *f, int named)
{
	struct stat st;
	FILE *fp;
	size_t i;
	int fd, e;

	if (P.nfiles == CONF_MAX_FILES) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "%s: too many included "
		    "files", path);
		return NULL;
	}
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1) {
		e = errno;
		failure_set(f, named ? EX_NOINPUT : EX_CONFIG, FAIL_PERM,
		    "%s: %s", path, strerror(e));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONF_MAX_SIZE) {
		failure_set(f, named ? EX_NOINPUT : EX_CONFIG, FAIL_PERM,
		    "%s: not a regular file of at most 1 MiB", path);
		close(fd);
		return NULL;
	}
	for (i = 0; i < P.nfiles; i++)
		if (P.files[i].dev == st.st_dev && P.files[i].ino == st.st_ino) {
			failure_set(f, EX_CONFIG, FAIL_PERM,
			    "%s: included twice (a loop?)", path);
			close(fd);
			return NULL;
		}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		failure_set(f, EX_CONFIG, FAIL_PERM,
		    "%s: writable by group or others; refused", path);
		close(fd);
		return NULL;
	}
	if ((fp = fdopen(fd, "r")) == NULL ||
	    (P.files[P.nfiles].path = strdup(path)) == NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "%s: %s", path,
		    strerror(errno));
		if (fp != NULL)
			fclose(fp);
		else
			close(fd);
		return NULL;
	}
	P.files[P.nfiles].dev = st.st_dev;
	P.files[P.nfiles].ino = st.st_ino;
	P.files[P.nfiles++].private = !(st.st_mode & (S_IRGRP | S_IROTH));
	return fp;
}

/* include("file"): relative to the including file, checked like it. */
static int
include_rel(cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv)
{
	char path[PATH_MAX];
	const char *slash, *a[1];
	struct failure why;
	FILE *fp;
	int len = 0;

	if (argc != 1 || argv[0][0] == '\0' || argv[0][0] == '~') {
		cfg_error(cfg, "include() takes one file name (relative to "
		    "this file, or absolute)");
		return 1;
	}
	/*
	 * One level only: libconfuse leaks its lexer buffers when an error
	 * occurs two includes deep, and nothing needs more.
	 */
	if (P.nfiles == 0 || cfg->filename == NULL ||
	    strcmp(cfg->filename, P.files[0].path) != 0) {
		cfg_error(cfg, "include() is allowed in the main file only");
		return 1;
	}
	if (argv[0][0] != '/' && (slash = strrchr(cfg->filename, '/')) != NULL)
		len = snprintf(path, sizeof(path), "%.*s/%s",
		    (int)(slash - cfg->filename), cfg->filename, argv[0]);
	else
		len = snprintf(path, sizeof(path), "%s", argv[0]);
	if (len < 0 || (size_t)len >= sizeof(path)) {
		cfg_error(cfg, "include(): path too long");
		return 1;
	}
	failure_clear(&why);
	if ((fp = open_conf(path, &why, 0)) == NULL) {
		if (why.code == EX_CONFIG)
			cfg_error(cfg, "include: %s", why.msg);
		else
			failure_set(P.fail, why.code, why.cls, "%s", why.msg);
		return 1;
	}
	fclose(fp);	/* libconfuse reads it by name; checked just now */
	a[0] = path;
	return cfg_include(cfg, opt, 1, a);
}

static cfg_opt_t account_opts[] = { ACCOUNT_OPTS, CFG_END() };

/* The validator of an option listed in str_opts, or NULL. */
static cfg_validate_callback_t
validator(const char *n)
{
	for (size_t i = 0; i < NSTR; i++) {
		if (strcmp(n, str_opts[i]) != 0)
			continue;
		if (strcmp(n, "password") == 0 ||
		    strcmp(n, "password_command") == 0 ||
		    strcmp(n, "oauth_client_secret") == 0 ||
		    strcmp(n, "oauth_client_secret_command") == 0 ||
		    strcmp(n, "oauth_refresh_token") == 0 ||
		    strcmp(n, "oauth_refresh_token_command") == 0)
			return v_secret;
		return v_value;
	}
	return NULL;
}

/*
 * The validators go into the option tables before cfg_init(), which
 * copies them with the rest: cfg_set_validate_func() finds each option by
 * a linear search of its name, 80 times, 0.15 M instructions per run
 * (callgrind), a tenth of everything postie does outside TLS.
 */
cfg_t *
confp_new(void)
{
	cfg_opt_t opts[] = {
		ACCOUNT_OPTS,
		STR("default_account"),
		CFG_STR_LIST("allowed_config_dirs", NULL, CFGF_NODEFAULT),
		CFG_SEC("account", account_opts,
		    CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
		CFG_FUNC("include", include_rel),
		CFG_END()
	};
	cfg_t *cfg;
	size_t i;

	/* opts begins with ACCOUNT_OPTS, in account_opts' order */
	for (i = 0; account_opts[i].name != NULL; i++) {
		account_opts[i].validcb = validator(account_opts[i].name);
		opts[i].validcb = account_opts[i].validcb;
	}
	for (; opts[i].name != NULL; i++) {
		if (strcmp(opts[i].name, "default_account") == 0)
			opts[i].validcb = v_string;
		else if (strcmp(opts[i].name, "allowed_config_dirs") == 0)
			opts[i].validcb = v_dirs;
	}
	if ((cfg = cfg_init(opts, CFGF_NONE)) == NULL)
		return NULL;
	cfg_set_error_function(cfg, errfn);
	return cfg;
}

static void
files_reset(void)
{
	size_t i;

	for (i = 0; i < P.nfiles; i++)
		free(P.files[i].path);
	P.nfiles = 0;
}

/* Parse one file.  Returns the tree, or NULL with the failure recorded. */
cfg_t *
confp_parse(const char *path, int named, struct failure *f)
{
	cfg_t *cfg;
	FILE *fp;
	int rc;

	files_reset();
	P.fail = f;
	if ((fp = open_conf(path, f, named)) == NULL)
		return NULL;
	if ((cfg = confp_new()) == NULL) {
		fclose(fp);
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		return NULL;
	}
	free(cfg->filename);
	cfg->filename = strdup(path);
	rc = cfg->filename ? cfg_parse_fp(cfg, fp) : CFG_PARSE_ERROR;
	fclose(fp);
	files_reset();
	if (rc != CFG_SUCCESS) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "%s: cannot parse", path);
		cfg_free(cfg);
		return NULL;
	}
	return cfg;
}
