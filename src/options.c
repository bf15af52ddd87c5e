/* SPDX-License-Identifier: MIT */
/*
 * options: the sendmail command line, driven by one table.
 *
 * Parsing follows getopt's rules as sendmail uses them: flags may be
 * grouped (-ti), a flag that takes a value takes the rest of its word or
 * the next word (-FCronDaemon, -F CronDaemon), "--" ends the flags and so
 * does the first operand; operands are recipients.  Long options (--name,
 * --name=value) are postie's own.  Flags that sendmail spells with a fixed
 * value (-bm, -oi, -Ac, -d0.1) are table rows keyed by letter and value; a
 * row whose value is NULL takes any value of its letter (-o<x>).
 *
 * Security (notes/security.md 1.6): a web application may let an attacker
 * append flags.  So -X never writes anything, -C is only a request that
 * main() checks, and nothing here opens a file.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "options.h"

enum arg_kind {
	ARG_NONE,		/* -t */
	ARG_REQ,		/* -f addr, -faddr */
	ARG_ATTACHED		/* -q or -q1h: a value only when attached */
};

enum action {
	ACT_HONOUR,		/* accepted with a meaning */
	ACT_IGNORE,		/* accepted and ignored, for compatibility */
	ACT_REFUSE		/* refused with EX_USAGE */
};

typedef int flag_fn(struct options *, const char *, struct failure *);

struct flag {
	char		 letter;	/* short flag letter, or 0 */
	const char	*value;		/* this value only (-bm), NULL: any */
	const char	*name;		/* long option, without "--" */
	enum arg_kind	 arg;
	enum action	 act;
	flag_fn		*fn;
	const char	*usage;		/* as --help shows it */
	const char	*doc;		/* one line */
};

static flag_fn set_t, set_i, set_sender, set_fullname, set_verbose,
    set_list, set_smtp, set_queue, set_notify, set_ret, set_envid, set_body,
    set_config, set_version, set_attach, set_attach_type, set_attach_name,
    set_account, set_pretend, set_check, set_help, set_oauth_login;

static const struct flag flags[] = {
	{ 't', NULL, NULL, ARG_NONE, ACT_HONOUR, set_t, "-t",
	  "also send to the To, Cc and Bcc header recipients; remove Bcc" },
	{ 'i', NULL, NULL, ARG_NONE, ACT_HONOUR, set_i, "-i",
	  "a line with a single dot does not end the input" },
	{ 'o', "i", NULL, ARG_REQ, ACT_HONOUR, set_i, "-oi", "same as -i" },
	{ 'o', NULL, NULL, ARG_REQ, ACT_IGNORE, NULL, "-o<x>",
	  "other sendmail option letters (-oem, -odi, -odb, -oQ...)" },
	{ 'f', NULL, NULL, ARG_REQ, ACT_HONOUR, set_sender, "-f addr",
	  "envelope sender; also chooses the account whose from matches" },
	{ 'r', NULL, NULL, ARG_REQ, ACT_HONOUR, set_sender, "-r addr",
	  "same as -f (obsolete spelling)" },
	{ 'F', NULL, NULL, ARG_REQ, ACT_HONOUR, set_fullname, "-F name",
	  "sender's full name, used when postie adds From:" },
	{ 'v', NULL, NULL, ARG_NONE, ACT_HONOUR, set_verbose, "-v",
	  "verbose: print the SMTP dialogue (secrets redacted)" },
	{ 'b', "m", NULL, ARG_REQ, ACT_HONOUR, NULL, "-bm",
	  "read a message and send it (the default)" },
	{ 'b', "p", NULL, ARG_REQ, ACT_HONOUR, set_list, "-bp",
	  "list the queue (as mailq)" },
	{ 'b', "s", NULL, ARG_REQ, ACT_HONOUR, set_smtp, "-bs",
	  "speak SMTP on standard input: not supported, exits 64" },
	{ 'b', "t", NULL, ARG_REQ, ACT_REFUSE, NULL, "-bt",
	  "address test mode is not supported" },
	{ 'b', "v", NULL, ARG_REQ, ACT_REFUSE, NULL, "-bv",
	  "recipient verification is not supported" },
	{ 'b', "i", NULL, ARG_REQ, ACT_REFUSE, NULL, "-bi",
	  "postie keeps no alias database to rebuild" },
	{ 'b', "d", NULL, ARG_REQ, ACT_REFUSE, NULL, "-bd",
	  "postie is not a daemon" },
	{ 'q', NULL, NULL, ARG_ATTACHED, ACT_HONOUR, set_queue, "-q[time]",
	  "send the queued messages (-qI<id>, -qR<rcpt>, -qS<sender> select;"
	  " -qQ: the failed ones)" },
	{ 'N', NULL, NULL, ARG_REQ, ACT_HONOUR, set_notify, "-N dsn",
	  "DSN NOTIFY: never, or a list of success, failure, delay" },
	{ 'R', NULL, NULL, ARG_REQ, ACT_HONOUR, set_ret, "-R ret",
	  "DSN RET: full or hdrs" },
	{ 'V', NULL, NULL, ARG_REQ, ACT_HONOUR, set_envid, "-V envid",
	  "DSN ENVID: an envelope identifier" },
	{ 'B', NULL, NULL, ARG_REQ, ACT_HONOUR, set_body, "-B type",
	  "body type: 7BIT or 8BITMIME" },
	{ 'C', NULL, NULL, ARG_REQ, ACT_HONOUR, set_config, "-C file",
	  "use this config file: only as root or from allowed_config_dirs" },
	{ 'X', NULL, NULL, ARG_REQ, ACT_IGNORE, NULL, "-X file",
	  "traffic log: ignored, postie never writes this file" },
	{ 'O', NULL, NULL, ARG_REQ, ACT_IGNORE, NULL, "-O opt=val",
	  "sendmail long option" },
	{ 'U', NULL, NULL, ARG_NONE, ACT_IGNORE, NULL, "-U",
	  "initial submission / SMTPUTF8: postie decides by itself" },
	{ 'G', NULL, NULL, ARG_NONE, ACT_IGNORE, NULL, "-G",
	  "gateway submission" },
	{ 'h', NULL, NULL, ARG_REQ, ACT_IGNORE, NULL, "-h N", "hop count" },
	{ 'L', NULL, NULL, ARG_REQ, ACT_IGNORE, NULL, "-L tag", "syslog tag" },
	{ 'A', "c", NULL, ARG_REQ, ACT_IGNORE, NULL, "-Ac",
	  "use submit.cf" },
	{ 'A', "m", NULL, ARG_REQ, ACT_IGNORE, NULL, "-Am",
	  "use sendmail.cf" },
	{ 'm', NULL, NULL, ARG_NONE, ACT_IGNORE, NULL, "-m",
	  "me too: the sender is never left out" },
	{ 'n', NULL, NULL, ARG_NONE, ACT_IGNORE, NULL, "-n",
	  "no aliasing" },
	{ 'p', NULL, NULL, ARG_REQ, ACT_IGNORE, NULL, "-p proto",
	  "received protocol" },
	{ 'd', "0.1", NULL, ARG_REQ, ACT_HONOUR, set_version, "-d0.1",
	  "print the version" },
	{ 'd', NULL, NULL, ARG_REQ, ACT_IGNORE, NULL, "-d<x>",
	  "other debug levels" },
	{ 'a', NULL, "attach", ARG_REQ, ACT_HONOUR, set_attach, "-a file",
	  "attach a file (repeatable); same as --attach file" },
	{ 0, NULL, "attach-type", ARG_REQ, ACT_HONOUR, set_attach_type,
	  "--attach-type type", "MIME type of the next attachment" },
	{ 0, NULL, "attach-name", ARG_REQ, ACT_HONOUR, set_attach_name,
	  "--attach-name name", "file name shown for the next attachment" },
	{ 0, NULL, "account", ARG_REQ, ACT_HONOUR, set_account,
	  "--account name", "use this account of the config file" },
	{ 0, NULL, "pretend", ARG_NONE, ACT_HONOUR, set_pretend,
	  "--pretend", "print what would be sent, do not connect" },
	{ 0, NULL, "check-config", ARG_NONE, ACT_HONOUR, set_check,
	  "--check-config", "check the config, print the settings" },
	{ 0, NULL, "oauth-device-login", ARG_NONE, ACT_HONOUR,
	  set_oauth_login, "--oauth-device-login",
	  "get an OAuth2 refresh token for --account (device code flow)" },
	{ 0, NULL, "help", ARG_NONE, ACT_HONOUR, set_help, "--help",
	  "print this help" },
	{ 0, NULL, "version", ARG_NONE, ACT_HONOUR, set_version, "--version",
	  "print the version" },
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

/* CR and LF would let a caller inject SMTP commands or header lines. */
static int
has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

/* Print an argument in a message only when it is harmless to show. */
static const char *
shown(const char *s)
{
	return has_crlf(s) || strlen(s) > 64 ? "..." : s;
}

static int
set_t(struct options *o, const char *v, struct failure *f)
{
	o->extract_rcpts = 1;
	return 0;
}

static int
set_i(struct options *o, const char *v, struct failure *f)
{
	o->dot_ends = 0;
	return 0;
}

static int
set_sender(struct options *o, const char *v, struct failure *f)
{
	size_t len = strlen(v);

	if (has_crlf(v)) {
		failure_set(f, EX_DATAERR, FAIL_PERM,
		    "CR or LF in the envelope sender");
		return -1;
	}
	/* "-f <addr>" and "-f <>" are how some callers spell it */
	if (len >= 2 && v[0] == '<' && v[len - 1] == '>') {
		v++;
		len -= 2;
	}
	if (len >= sizeof(o->sender_buf)) {
		failure_set(f, EX_DATAERR, FAIL_PERM,
		    "envelope sender too long");
		return -1;
	}
	memcpy(o->sender_buf, v, len);
	o->sender_buf[len] = '\0';
	o->sender = o->sender_buf;
	return 0;
}

static int
set_fullname(struct options *o, const char *v, struct failure *f)
{
	if (has_crlf(v)) {
		failure_set(f, EX_DATAERR, FAIL_PERM, "CR or LF in -F");
		return -1;
	}
	o->from_name = v;
	return 0;
}

static int
set_verbose(struct options *o, const char *v, struct failure *f)
{
	if (o->verbose < 9)
		o->verbose++;
	return 0;
}

static int
set_list(struct options *o, const char *v, struct failure *f)
{
	o->mode = OPTMODE_LIST_QUEUE;
	return 0;
}

static int
set_smtp(struct options *o, const char *v, struct failure *f)
{
	o->mode = OPTMODE_SMTP_STDIO;
	return 0;
}

/* "30m", "1h30m", "90": what sendmail accepts as a -q interval. */
static int
is_interval(const char *s)
{
	if (*s == '\0')
		return 0;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s != '\0' && strchr("smhdw", *s) != NULL)
			s++;
	}
	return 1;
}

static int
set_queue(struct options *o, const char *v, struct failure *f)
{
	/* -qQ: the dead letters (sendmail's quarantine); with -bp or as
	 * mailq it lists them instead of running them */
	if (v != NULL && strcmp(v, "Q") == 0) {
		o->queue_failed = 1;
		if (o->mode != OPTMODE_LIST_QUEUE)
			o->mode = OPTMODE_RUN_QUEUE;
		return 0;
	}
	o->mode = OPTMODE_RUN_QUEUE;
	if (v == NULL)
		return 0;
	if ((v[0] == 'I' || v[0] == 'R' || v[0] == 'S') && v[1] != '\0') {
		if (v[0] == 'I')
			o->queue_id = v + 1;
		else if (v[0] == 'R')
			o->queue_rcpt = v + 1;
		else
			o->queue_sender = v + 1;
		return 0;
	}
	if (is_interval(v)) {
		o->queue_interval = v;
		return 0;
	}
	failure_set(f, EX_USAGE, FAIL_PERM,
	    "-q%s: expected -q, -q<time>, -qI<id>, -qR<rcpt>, -qS<sender> "
	    "or -qQ",
	    shown(v));
	return -1;
}

/* RFC 3461 section 4.1: NOTIFY=NEVER or a list of SUCCESS, FAILURE, DELAY. */
static int
set_notify(struct options *o, const char *v, struct failure *f)
{
	static const char *const words[] = { "SUCCESS", "FAILURE", "DELAY" };
	const char *p = v;
	unsigned seen = 0;
	size_t i, len, n = 0;

	if (strcasecmp(v, "never") == 0) {
		o->dsn_notify = "NEVER";
		return 0;
	}
	while (*p != '\0') {
		len = strcspn(p, ",");
		for (i = 0; i < 3; i++)
			if (strlen(words[i]) == len &&
			    strncasecmp(p, words[i], len) == 0)
				break;
		if (i == 3 || (seen & (1u << i)))
			goto bad;
		seen |= 1u << i;
		n += (size_t)snprintf(o->notify_buf + n,
		    sizeof(o->notify_buf) - n, "%s%s", n ? "," : "", words[i]);
		p += len;
		if (*p == ',' && *++p == '\0')
			goto bad;
	}
	if (seen == 0)
		goto bad;
	o->dsn_notify = o->notify_buf;
	return 0;
bad:
	failure_set(f, EX_USAGE, FAIL_PERM,
	    "-N %s: expected never, or a list of success, failure, delay",
	    shown(v));
	return -1;
}

static int
set_ret(struct options *o, const char *v, struct failure *f)
{
	if (strcasecmp(v, "full") == 0)
		o->dsn_ret = "FULL";
	else if (strcasecmp(v, "hdrs") == 0 || strcasecmp(v, "headers") == 0)
		o->dsn_ret = "HDRS";
	else {
		failure_set(f, EX_USAGE, FAIL_PERM,
		    "-R: expected full or hdrs");
		return -1;
	}
	return 0;
}

/* RFC 3461 section 4.4: ENVID is at most 100 characters (printable). */
static int
set_envid(struct options *o, const char *v, struct failure *f)
{
	const char *p;

	for (p = v; *p != '\0'; p++)
		if (*p < 0x21 || *p > 0x7e)
			break;
	if (*p != '\0' || p == v || p - v > 100) {
		failure_set(f, EX_USAGE, FAIL_PERM,
		    "-V: an envelope id is 1 to 100 printable characters");
		return -1;
	}
	o->dsn_envid = v;
	return 0;
}

static int
set_body(struct options *o, const char *v, struct failure *f)
{
	if (strcasecmp(v, "8BITMIME") == 0)
		o->body = BODY_8BITMIME;
	else if (strcasecmp(v, "7BIT") == 0)
		o->body = BODY_7BIT;
	else {
		failure_set(f, EX_USAGE, FAIL_PERM,
		    "-B: expected 7BIT or 8BITMIME");
		return -1;
	}
	return 0;
}

static int
set_config(struct options *o, const char *v, struct failure *f)
{
	o->config_file = v;
	return 0;
}

static int
set_version(struct options *o, const char *v, struct failure *f)
{
	o->mode = OPTMODE_VERSION;
	return 0;
}

static int
set_attach(struct options *o, const char *v, struct failure *f)
{
	struct attachment *a;

	if (o->nattach == OPTIONS_MAX_ATTACH) {
		failure_set(f, EX_USAGE, FAIL_PERM,
		    "more than %d attachments", OPTIONS_MAX_ATTACH);
		return -1;
	}
	a = &o->attach[o->nattach++];
	a->path = v;
	a->type = o->pending_type;
	a->name = o->pending_name;
	o->pending_type = o->pending_name = NULL;
	return 0;
}

static int
set_attach_type(struct options *o, const char *v, struct failure *f)
{
	if (has_crlf(v) || strchr(v, '/') == NULL) {
		failure_set(f, EX_USAGE, FAIL_PERM,
		    "--attach-type: expected a MIME type such as text/plain");
		return -1;
	}
	o->pending_type = v;
	return 0;
}

static int
set_attach_name(struct options *o, const char *v, struct failure *f)
{
	if (has_crlf(v) || *v == '\0') {
		failure_set(f, EX_USAGE, FAIL_PERM,
		    "--attach-name: expected a file name");
		return -1;
	}
	o->pending_name = v;
	return 0;
}

static int
set_account(struct options *o, const char *v, struct failure *f)
{
	const char *p;

	/* a name from the config: never a control character, so it can
	 * reach no message, log line or terminal as one */
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			break;
	if (*p != '\0' || p == v) {
		failure_set(f, EX_USAGE, FAIL_PERM,
		    "--account: expected an account name");
		return -1;
	}
	o->account = v;
	return 0;
}

static int
set_pretend(struct options *o, const char *v, struct failure *f)
{
	o->pretend = 1;
	return 0;
}

static int
set_check(struct options *o, const char *v, struct failure *f)
{
	o->mode = OPTMODE_CHECK_CONFIG;
	return 0;
}

static int
set_oauth_login(struct options *o, const char *v, struct failure *f)
{
	o->mode = OPTMODE_OAUTH_LOGIN;
	return 0;
}

static int
set_help(struct options *o, const char *v, struct failure *f)
{
	o->mode = OPTMODE_HELP;
	return 0;
}

static int
apply(struct options *o, const struct flag *fl, const char *v,
    struct failure *f)
{
	if (fl->act == ACT_REFUSE) {
		failure_set(f, EX_USAGE, FAIL_PERM, "%s: %s", fl->usage,
		    fl->doc);
		return -1;
	}
	if (fl->act == ACT_IGNORE || fl->fn == NULL)
		return 0;
	return fl->fn(o, v, f);
}

/* The row for letter c and value v: an exact value first, then "any". */
static const struct flag *
find_short(char c, const char *v)
{
	const struct flag *any = NULL;
	size_t i;

	for (i = 0; i < NFLAGS; i++) {
		if (flags[i].letter != c)
			continue;
		if (flags[i].value == NULL) {
			if (any == NULL)
				any = &flags[i];
		} else if (v != NULL && strcmp(flags[i].value, v) == 0)
			return &flags[i];
	}
	return any;
}

static const struct flag *
find_letter(char c)
{
	size_t i;

	for (i = 0; i < NFLAGS; i++)
		if (flags[i].letter == c)
			return &flags[i];
	return NULL;
}

static int
parse_long(struct options *o, int argc, char **argv, int *i,
    struct failure *f)
{
	const char *arg = argv[*i] + 2, *eq, *v = NULL;
	size_t len, k;

	eq = strchr(arg, '=');
	len = eq ? (size_t)(eq - arg) : strlen(arg);
	for (k = 0; k < NFLAGS; k++)
		if (flags[k].name != NULL && strlen(flags[k].name) == len &&
		    strncmp(flags[k].name, arg, len) == 0)
			break;
	if (k == NFLAGS) {
		failure_set(f, EX_USAGE, FAIL_PERM, "unknown option --%s",
		    shown(arg));
		return -1;
	}
	if (flags[k].arg == ARG_NONE && eq != NULL) {
		failure_set(f, EX_USAGE, FAIL_PERM,
		    "option --%s takes no value", flags[k].name);
		return -1;
	}
	if (flags[k].arg != ARG_NONE) {
		if (eq != NULL)
			v = eq + 1;
		else if (*i + 1 < argc)
			v = argv[++*i];
		else {
			failure_set(f, EX_USAGE, FAIL_PERM,
			    "option --%s needs a value", flags[k].name);
			return -1;
		}
	}
	return apply(o, &flags[k], v, f);
}

/* One word of grouped short flags: "-ti", "-FCronDaemon", "-f". */
static int
parse_short(struct options *o, int argc, char **argv, int *i,
    struct failure *f)
{
	const char *p = argv[*i] + 1, *v;
	const struct flag *fl;
	char c;

	while ((c = *p++) != '\0') {
		fl = find_letter(c);
		if (fl == NULL) {
			if (c == '\r' || c == '\n' || (unsigned char)c < 0x20)
				failure_set(f, EX_USAGE, FAIL_PERM,
				    "unknown option (control character)");
			else
				failure_set(f, EX_USAGE, FAIL_PERM,
				    "unknown option -%c", c);
			return -1;
		}
		v = NULL;
		if (fl->arg == ARG_REQ) {
			if (*p != '\0')
				v = p;
			else if (*i + 1 < argc)
				v = argv[++*i];
			else {
				failure_set(f, EX_USAGE, FAIL_PERM,
				    "option -%c needs a value", c);
				return -1;
			}
		} else if (fl->arg == ARG_ATTACHED && *p != '\0')
			v = p;
		fl = find_short(c, v);
		if (fl == NULL) {
			failure_set(f, EX_USAGE, FAIL_PERM,
			    "unknown option -%c%s", c, v ? shown(v) : "");
			return -1;
		}
		if (apply(o, fl, v, f) == -1)
			return -1;
		if (v != NULL)
			break;		/* the value ended this word */
	}
	return 0;
}

int
options_parse(struct options *o, int argc, char **argv, struct failure *f)
{
	const char *base;
	int i;
	size_t k;

	memset(o, 0, sizeof(*o));
	o->dot_ends = 1;
	if (argc > 0 && argv[0] != NULL) {
		base = strrchr(argv[0], '/');
		base = base ? base + 1 : argv[0];
		if (strcmp(base, "mailq") == 0)
			o->mode = OPTMODE_LIST_QUEUE;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-')
			break;		/* the first recipient */
		if (argv[i][1] == '\0') {
			failure_set(f, EX_USAGE, FAIL_PERM, "unknown option -");
			return -1;
		}
		if (argv[i][1] == '-') {
			if (parse_long(o, argc, argv, &i, f) == -1)
				return -1;
		} else if (parse_short(o, argc, argv, &i, f) == -1)
			return -1;
	}
	if (o->pending_type != NULL || o->pending_name != NULL) {
		failure_set(f, EX_USAGE, FAIL_PERM,
		    "--attach-type or --attach-name with no file after it");
		return -1;
	}
	o->rcpts = argv + i;
	o->nrcpts = i < argc ? (size_t)(argc - i) : 0;
	for (k = 0; k < o->nrcpts; k++)
		if (has_crlf(o->rcpts[k])) {
			failure_set(f, EX_DATAERR, FAIL_PERM,
			    "CR or LF in a recipient");
			return -1;
		}
	return 0;
}

void
options_help(FILE *fp)
{
	static const char *const tag[] = { "", " [ignored]", " [refused]" };
	size_t i;

	fprintf(fp, "usage: postie [flags] [--] [recipient ...]\n"
	    "       postie --check-config | --pretend | --help | --version\n"
	    "Reads a message on standard input and sends it through the\n"
	    "relay of sendmail.conf, as sendmail would.\n\n");
	for (i = 0; i < NFLAGS; i++)
		fprintf(fp, "  %-20s %s%s\n", flags[i].usage, flags[i].doc,
		    tag[flags[i].act]);
	fprintf(fp, "  %-20s %s\n", "--", "end of flags: recipients follow");
	fprintf(fp, "\nOther flags are refused (exit 64).  See postie(8).\n");
}

void
options_version(FILE *fp)
{
	fprintf(fp, "%s %s\nsystem config: %s/sendmail.conf\n", PACKAGE_NAME,
	    PACKAGE_VERSION, SYSCONFDIR);
}
