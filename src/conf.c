/* SPDX-License-Identifier: MIT */
/*
 * conf: find sendmail.conf, check who may read it, parse it with
 * libconfuse, validate every value where it is read (so errors carry
 * FILE:LINE), choose an account and merge it over the top-level settings.
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
#include <fnmatch.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <confuse.h>

#include "conf.h"
#include "conf-values.h"

#define CONF_MAX_SIZE	(1024 * 1024)	/* no real config is bigger */
#define CONF_MAX_FILES	16		/* the file and its includes */

/* The files opened during one parse, and whether each is private. */
struct filerec {
	char	*path;
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
	CFG_STR_LIST("auth", NULL, CFGF_NODEFAULT),			\
	STR("user"), STR("password"), STR("password_command"),		\
	STR("from"), STR("domain"), STR("aliases"), STR("log"),	\
	CFG_BOOL("queue", cfg_true, CFGF_NODEFAULT), STR("queue_dir"),	\
	STR("queue_lifetime"), STR("retry_min"), STR("retry_max"),	\
	STR("timeout_connect"), STR("timeout_greeting"), STR("timeout_tls"), \
	STR("timeout_command"), STR("timeout_data_block"),		\
	STR("timeout_data_end"), STR("timeout_total")

static const char *const str_opts[] = { "host", "port", "tls",
	"tls_trust_file", "tls_fingerprint", "tls_cert_file", "tls_key_file",
	"tls_min_version", "tls_priorities", "user", "password",
	"password_command", "from", "domain", "aliases", "log", "queue_dir",
	"queue_lifetime", "retry_min", "retry_max", "timeout_connect",
	"timeout_greeting", "timeout_tls", "timeout_command",
	"timeout_data_block", "timeout_data_end", "timeout_total", "auth" };
#define NSTR (sizeof(str_opts) / sizeof(str_opts[0]))

/* Keep control characters out of messages that reach a terminal. */
static void
clean(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void
errfn(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[FAILURE_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
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
	else if (strncmp(n, "timeout_", 8) == 0 || strncmp(n, "retry_", 6) == 0
	    || strcmp(n, "queue_lifetime") == 0)
		bad = confv_duration(s, &x);
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
	if (argv[0][0] != '/' && cfg->filename != NULL &&
	    (slash = strrchr(cfg->filename, '/')) != NULL)
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

static cfg_t *
conf_new(void)
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
	char path[64];
	cfg_t *cfg;
	size_t i;

	if ((cfg = cfg_init(opts, CFGF_NONE)) == NULL)
		return NULL;
	cfg_set_error_function(cfg, errfn);
	for (i = 0; i < NSTR; i++) {
		const char *n = str_opts[i];
		cfg_validate_callback_t fn = v_value;

		if (strcmp(n, "password") == 0 ||
		    strcmp(n, "password_command") == 0)
			fn = v_secret;
		cfg_set_validate_func(cfg, n, fn);
		snprintf(path, sizeof(path), "account|%s", n);
		cfg_set_validate_func(cfg, path, fn);
	}
	cfg_set_validate_func(cfg, "default_account", v_string);
	cfg_set_validate_func(cfg, "allowed_config_dirs", v_dirs);
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
static cfg_t *
parse_file(const char *path, int named, struct failure *f)
{
	cfg_t *cfg;
	FILE *fp;
	int rc;

	files_reset();
	P.fail = f;
	if ((fp = open_conf(path, f, named)) == NULL)
		return NULL;
	if ((cfg = conf_new()) == NULL) {
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


/* Who we are, for %U, %H and the default domain. */
struct who {
	char	 user[256];
	char	 host[256];
};

/* The host's name, fully qualified when the resolver (normally
 * /etc/hosts) knows a canonical name with a dot in it. */
static void
who_init(struct who *w)
{
	struct addrinfo hints, *res = NULL;
	struct passwd *pw;
	const char *u;

	pw = getpwuid(getuid());
	u = pw != NULL ? pw->pw_name : getenv("LOGNAME");
	snprintf(w->user, sizeof(w->user), "%s", u != NULL ? u : "nobody");
	if (gethostname(w->host, sizeof(w->host)) == -1 || w->host[0] == '\0')
		snprintf(w->host, sizeof(w->host), "localhost");
	w->host[sizeof(w->host) - 1] = '\0';
	if (strchr(w->host, '.') != NULL)
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_CANONNAME;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(w->host, NULL, &hints, &res) == 0 && res != NULL &&
	    res->ai_canonname != NULL && strchr(res->ai_canonname, '.') &&
	    strlen(res->ai_canonname) < sizeof(w->host))
		snprintf(w->host, sizeof(w->host), "%s", res->ai_canonname);
	if (res != NULL)
		freeaddrinfo(res);
}

/* The section that sets this option: the account, else the top level. */
static cfg_t *
pick(cfg_t *acct, cfg_t *root, const char *name)
{
	if (acct != NULL && cfg_size(acct, name) > 0)
		return acct;
	if (cfg_size(root, name) > 0)
		return root;
	return NULL;
}

static const char *
get_str(cfg_t *acct, cfg_t *root, const char *name)
{
	cfg_t *s = pick(acct, root, name);

	return s != NULL ? cfg_getstr(s, name) : NULL;
}

static int
dup_str(cfg_t *acct, cfg_t *root, const char *name, char **out)
{
	const char *v = get_str(acct, root, name);

	if (v == NULL)
		return 0;
	return (*out = strdup(v)) != NULL ? 0 : -1;
}

static void
get_dur(cfg_t *acct, cfg_t *root, const char *name, int *out)
{
	const char *v = get_str(acct, root, name);

	if (v != NULL)
		(void)confv_duration(v, out);	/* validated while parsing */
}

static int
get_auth(cfg_t *acct, cfg_t *root, struct account *a)
{
	cfg_t *s = pick(acct, root, "auth");
	unsigned i, n;
	char *m;

	if (s == NULL)
		return 0;
	n = cfg_size(s, "auth");
	if (n == 1 && confv_auth_word(cfg_getnstr(s, "auth", 0), &a->auth) == 0)
		return 0;
	a->auth = AUTHMODE_ON;		/* a list of mechanisms: must */
	if ((a->auth_mechs = calloc(n + 1, sizeof(char *))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((a->auth_mechs[i] = strdup(cfg_getnstr(s, "auth", i))) == NULL)
			return -1;
		for (m = a->auth_mechs[i]; *m != '\0'; m++)
			if (*m >= 'a' && *m <= 'z')
				*m -= 'a' - 'A';
	}
	return 0;
}

static int
merge_strings(cfg_t *acct, cfg_t *root, struct account *a)
{
	static const struct { const char *name; size_t off; } s[] = {
#define F(n) { #n, offsetof(struct account, n) }
		F(host), F(tls_trust_file), F(tls_fingerprint), F(tls_cert_file),
		F(tls_key_file), F(tls_min_version), F(tls_priorities), F(user),
		F(password), F(password_command), F(domain), F(aliases), F(log),
		F(queue_dir)
#undef F
	};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (dup_str(acct, root, s[i].name,
		    (char **)(void *)((char *)a + s[i].off)) == -1)
			return -1;
	return 0;
}

/* Fill *a from the account section (NULL: the top level alone). */
static int
merge(cfg_t *root, cfg_t *acct, const struct who *w, struct account *a)
{
	const char *v;
	cfg_t *s;

	confv_defaults(a);
	if ((a->name = strdup(acct ? cfg_title(acct) : "default")) == NULL ||
	    merge_strings(acct, root, a) == -1 || get_auth(acct, root, a) == -1)
		return -1;
	if (a->tls_min_version == NULL &&
	    (a->tls_min_version = strdup("1.2")) == NULL)
		return -1;
	if (a->domain == NULL && (a->domain = strdup(w->host)) == NULL)
		return -1;
	if ((v = get_str(acct, root, "from")) != NULL &&
	    (a->from = confv_expand_from(v, w->user, w->host)) == NULL)
		return -1;
	if ((v = get_str(acct, root, "port")) != NULL)
		(void)confv_port(v, &a->port);
	if ((v = get_str(acct, root, "tls")) != NULL)
		(void)confv_tls(v, &a->tls);
	if ((s = pick(acct, root, "tls_verify")) != NULL)
		a->tls_verify = cfg_getbool(s, "tls_verify") ? 1 : 0;
	if ((s = pick(acct, root, "queue")) != NULL)
		a->queue = cfg_getbool(s, "queue") ? 1 : 0;
	get_dur(acct, root, "queue_lifetime", &a->queue_lifetime);
	get_dur(acct, root, "retry_min", &a->retry_min);
	get_dur(acct, root, "retry_max", &a->retry_max);
	get_dur(acct, root, "timeout_connect", &a->timeouts.connect);
	get_dur(acct, root, "timeout_greeting", &a->timeouts.greeting);
	get_dur(acct, root, "timeout_tls", &a->timeouts.tls);
	get_dur(acct, root, "timeout_command", &a->timeouts.command);
	get_dur(acct, root, "timeout_data_block", &a->timeouts.data_block);
	get_dur(acct, root, "timeout_data_end", &a->timeouts.data_end);
	get_dur(acct, root, "timeout_total", &a->timeouts.total);
	return 0;
}

/* Rules across options (a single value was checked while parsing). */
static const char *
check_account(const struct account *a)
{
	if (a->tls == TLSMODE_OFF && (a->auth == AUTHMODE_ON ||
	    (a->auth == AUTHMODE_AUTO && a->user != NULL)))
		return "authentication without TLS is refused (tls = off)";
	if (a->auth == AUTHMODE_ON && a->user == NULL)
		return "auth is on but no user is set";
	if (a->password != NULL && a->password_command != NULL)
		return "password and password_command both set";
	if ((a->tls_cert_file == NULL) != (a->tls_key_file == NULL))
		return "tls_cert_file and tls_key_file go together";
	if (a->retry_min > a->retry_max)
		return "retry_min is greater than retry_max";
	return NULL;
}

/* The first account whose from matches the sender, or NULL. */
static cfg_t *
match_sender(cfg_t *root, const char *sender, const struct who *w)
{
	unsigned i, n = cfg_size(root, "account");
	cfg_t *sec;
	char *pat;
	int hit;

	for (i = 0; i < n; i++) {
		sec = cfg_getnsec(root, "account", i);
		if (cfg_size(sec, "from") == 0)
			continue;
		pat = confv_expand_from(cfg_getstr(sec, "from"), w->user,
		    w->host);
		hit = pat != NULL && fnmatch(pat, sender, FNM_CASEFOLD) == 0;
		free(pat);
		if (hit)
			return sec;
	}
	return NULL;
}

static int
locate_user(char *buf, size_t len)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	struct passwd *pw;
	int n;

	if (x != NULL && x[0] == '/')
		n = snprintf(buf, len, "%s/postie/sendmail.conf", x);
	else {
		if (h == NULL || h[0] != '/') {
			pw = getpwuid(getuid());
			h = pw != NULL ? pw->pw_dir : NULL;
		}
		if (h == NULL)
			return -1;
		n = snprintf(buf, len, "%s/.config/postie/sendmail.conf", h);
	}
	return n > 0 && (size_t)n < len ? 0 : -1;
}

static const char *
system_path(void)
{
	const char *e = getenv("POSTIE_CONFIG");

	return e != NULL && *e != '\0' ? e : SYSCONFDIR "/sendmail.conf";
}

/*
 * -C is honoured for root, or for a file under a directory that the
 * system config lists in allowed_config_dirs (notes/security.md 1.6: a
 * web attacker who can append flags must not choose the config).
 */
static int
c_allowed(const char *file, struct failure *f)
{
	char rf[PATH_MAX], rd[PATH_MAX];
	unsigned i, n;
	size_t len;
	cfg_t *sys;
	int ok = 0;

	if (getuid() == 0)
		return 0;
	if (access(system_path(), F_OK) == 0) {
		if ((sys = parse_file(system_path(), 1, f)) == NULL)
			return -1;
		n = cfg_size(sys, "allowed_config_dirs");
		for (i = 0; i < n && !ok; i++) {
			if (realpath(file, rf) == NULL || realpath(
			    cfg_getnstr(sys, "allowed_config_dirs", i), rd) == NULL)
				continue;
			len = strlen(rd);
			ok = strncmp(rf, rd, len) == 0 &&
			    (rf[len] == '/' || (len == 1 && rd[0] == '/'));
		}
		cfg_free(sys);
	}
	if (!ok) {
		failure_set(f, EX_USAGE, FAIL_PERM, "-C %s: refused: only root "
		    "may name a config file outside allowed_config_dirs",
		    strpbrk(file, "\r\n") ? "..." : file);
		return -1;
	}
	return 0;
}

static int
locate(const struct options *o, struct conf_info *info, struct failure *f)
{
	const char *e = getenv("POSTIE_CONFIG");
	const char *p = NULL;
	char user[PATH_MAX];

	info->named = 1;
	if (o != NULL && o->config_file != NULL) {
		if (c_allowed(o->config_file, f) == -1)
			return -1;
		p = o->config_file;
	} else if (e != NULL && *e != '\0')
		p = e;
	else {
		info->named = 0;
		if (locate_user(user, sizeof(user)) == 0 &&
		    access(user, F_OK) == 0)
			p = user;
		else if (access(SYSCONFDIR "/sendmail.conf", F_OK) == 0)
			p = SYSCONFDIR "/sendmail.conf";
	}
	if (p != NULL && strlen(p) >= sizeof(info->path)) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "config path too long");
		return -1;
	}
	snprintf(info->path, sizeof(info->path), "%s", p != NULL ? p : "");
	return 0;
}

static int
fail_oom(struct failure *f)
{
	failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
	return -1;
}

/* Merge and check every account, so a mistake in any is reported. */
static int
check_all(cfg_t *root, const struct who *w, const char *path,
    struct failure *f)
{
	unsigned i, n = cfg_size(root, "account");
	struct account a;
	const char *why;
	cfg_t *sec;

	for (i = 0; i <= n; i++) {
		sec = i < n ? cfg_getnsec(root, "account", i) : NULL;
		if (merge(root, sec, w, &a) == -1) {
			account_free(&a);
			return fail_oom(f);
		}
		if ((why = check_account(&a)) != NULL)
			failure_set(f, EX_CONFIG, FAIL_PERM, "%s: %s%s%s%s",
			    path, sec ? "account \"" : "",
			    sec ? cfg_title(sec) : "", sec ? "\": " : "", why);
		account_free(&a);
		if (why != NULL)
			return -1;
	}
	return 0;
}

int
conf_load(const struct options *o, const char *sender, struct account *out,
    struct conf_info *info, struct failure *f)
{
	struct conf_info tmp;
	const char *want = o != NULL ? o->account : NULL, *dflt;
	cfg_t *root, *sec = NULL;
	struct who w;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (info == NULL)
		info = &tmp;
	memset(info, 0, sizeof(*info));
	if (locate(o, info, f) == -1)
		return -1;
	who_init(&w);
	if (info->path[0] != '\0')
		root = parse_file(info->path, info->named, f);
	else if ((root = conf_new()) == NULL)
		return fail_oom(f);
	if (root == NULL)
		return -1;
	if (check_all(root, &w, info->path, f) == -1)
		goto out;
	dflt = cfg_getstr(root, "default_account");
	if (dflt != NULL && cfg_gettsec(root, "account", dflt) == NULL) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "%s: default_account "
		    "\"%s\" is not defined", info->path, dflt);
		goto out;
	}
	if (want != NULL) {
		sec = cfg_gettsec(root, "account", want);
		if (sec == NULL && strcmp(want, "default") != 0) {
			failure_set(f, EX_CONFIG, FAIL_PERM, "%s: no account "
			    "\"%s\"", info->path[0] ? info->path :
			    "(no config file)", strpbrk(want, "\r\n") ? "..." :
			    want);
			goto out;
		}
	} else {
		if (sender != NULL && *sender != '\0')
			sec = match_sender(root, sender, &w);
		if (sec == NULL && dflt != NULL)
			sec = cfg_gettsec(root, "account", dflt);
	}
	if (merge(root, sec, &w, out) == -1) {
		account_free(out);
		fail_oom(f);
		goto out;
	}
	rc = 0;
out:
	cfg_free(root);
	return rc;
}

int
conf_check_send(const struct account *a, const struct conf_info *info,
    struct failure *f)
{
	if (a->host == NULL) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "%s: no relay host for "
		    "account \"%s\" (set host)", info && info->path[0] ?
		    info->path : "no config file", a->name ? a->name :
		    "default");
		return -1;
	}
	return 0;
}

int
conf_sender(const struct account *a, const char *opt_sender, char *buf,
    size_t len)
{
	struct who w;
	const char *s = opt_sender;
	int n;

	if (s == NULL && a->from != NULL && strpbrk(a->from, "*?[") == NULL)
		s = a->from;
	if (s == NULL) {
		who_init(&w);
		s = w.user;
	}
	n = snprintf(buf, len, "%s", s);
	return n >= 0 && (size_t)n < len ? 0 : -1;
}
