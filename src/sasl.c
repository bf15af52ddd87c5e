/* SPDX-License-Identifier: MIT */
/*
 * sasl: mechanism choice, the secret, and the client steps.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gsasl.h>

#include "net.h"
#include "sasl.h"

/*
 * libgsasl (and what it pulls in: libidn, libntlm, libgssglue) is loaded
 * with dlopen(3) when a mechanism that needs it starts (SCRAM, CRAM-MD5,
 * DIGEST-MD5, GSSAPI, ...), not linked, so that runs that never use one
 * (--version, --help, --pretend, -bp, config errors) do not pay for
 * loading and relocating it.  PLAIN and LOGIN, the mechanisms most
 * relays offer, are a fixed message or two and are done here by hand,
 * like XOAUTH2 and OAUTHBEARER: that saves the four libraries' loading
 * and gsasl_init() (0.28 M instructions, callgrind) on most sends.
 * Every call goes through this table, typed from <gsasl.h>.
 */
#define GSASL_SONAME "libgsasl.so.18"	/* ABI of libgsasl 2.x */
#define SASL_FUNCS(X) \
	X(gsasl_base64_to) \
	X(gsasl_client_start) \
	X(gsasl_done) \
	X(gsasl_finish) \
	X(gsasl_free) \
	X(gsasl_init) \
	X(gsasl_mechanism_name) \
	X(gsasl_property_set) \
	X(gsasl_step64) \
	X(gsasl_strerror)

static struct {
#define X(name) __typeof__(name) *name;
	SASL_FUNCS(X)
#undef X
} gs;

static const struct {
	const char	*name;
	size_t		 off;
} gs_syms[] = {
#define X(name) { #name, offsetof(__typeof__(gs), name) },
	SASL_FUNCS(X)
#undef X
};

static int
load_gsasl(struct failure *f)
{
	static void *lib;
	size_t i;
	void *p;

	if (lib != NULL)
		return 0;
	if ((p = dlopen(GSASL_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "cannot load %s: %s",
		    GSASL_SONAME, dlerror());
		return -1;
	}
	for (i = 0; i < sizeof(gs_syms) / sizeof(gs_syms[0]); i++) {
		void *sym = dlsym(p, gs_syms[i].name);

		if (sym == NULL) {
			failure_set(f, EX_OSERR, FAIL_TEMP, "%s has no %s",
			    GSASL_SONAME, gs_syms[i].name);
			dlclose(p);
			return -1;
		}
		/* POSIX: function and object pointers convert via dlsym */
		memcpy((char *)&gs + gs_syms[i].off, &sym, sizeof(sym));
	}
	lib = p;
	return 0;
}

#define SECRET_MAX	65536	/* OAuth tokens run to several KB */
#define CMD_ARGS_MAX	64

enum hand { HAND_NONE = 0, HAND_XOAUTH2, HAND_OAUTHBEARER, HAND_PLAIN,
	HAND_LOGIN };

struct sasl {
	Gsasl		*ctx;
	Gsasl_session	*s;
	enum hand	 hand;
	int		 rc;		/* last gsasl rc */
	int		 failed;	/* hand: the relay sent an error */
	char		*token;		/* hand: the whole client message */
	size_t		 tokenlen;
	const char	*user, *secret;	/* LOGIN: borrowed */
	int		 said;		/* PLAIN, LOGIN: responses given */
};

/* postie's order, strongest first (libraries.md 2.2, security.md 5) */
static const char *const order[] = {
	"SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256",
	"SCRAM-SHA-1", "PLAIN", "LOGIN", NULL
};
/* what libgsasl or this file can do when asked by name */
static const char *const known[] = {
	"SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256",
	"SCRAM-SHA-1", "PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5",
	"XOAUTH2", "OAUTHBEARER", "EXTERNAL", "GSSAPI", "GS2-KRB5", "NTLM",
	NULL
};

static int
offered_has(const char *offered, const char *mech)
{
	size_t n = strlen(mech);
	const char *p = offered;

	while (*p != '\0') {
		size_t w;

		while (*p == ' ' || *p == '\t')
			p++;
		w = strcspn(p, " \t");
		if (w == n && strncasecmp(p, mech, n) == 0)
			return 1;
		p += w;
	}
	return 0;
}

static const char *
canonical(const char *name)
{
	for (size_t i = 0; known[i] != NULL; i++)
		if (strcasecmp(known[i], name) == 0)
			return known[i];
	return NULL;
}

const char *
sasl_choose(const char *offered, char *const *wanted, int have_cb)
{
	const char *m;

	if (wanted == NULL) {
		for (size_t i = 0; order[i] != NULL; i++) {
			if (strstr(order[i], "-PLUS") != NULL && !have_cb)
				continue;
			if (offered_has(offered, order[i]))
				return order[i];
		}
		return NULL;
	}
	for (size_t i = 0; wanted[i] != NULL; i++) {
		if ((m = canonical(wanted[i])) == NULL)
			continue;
		if (strstr(m, "-PLUS") != NULL && !have_cb)
			continue;
		if (offered_has(offered, m))
			return m;
	}
	return NULL;
}

void
sasl_wipe(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/*
 * Split a command line into words: blanks separate, '...' and "..." quote,
 * a backslash escapes the next byte.  No expansion of any kind: the
 * command runs without a shell.  Returns the word count, or -1.
 */
static int
split_words(const char *cmd, char *buf, size_t bufsize, char **argv,
    int max)
{
	size_t o = 0;
	int n = 0;
	char q;

	for (const char *p = cmd; *p != '\0';) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (n + 1 >= max)
			return -1;
		argv[n++] = buf + o;
		q = 0;
		while (*p != '\0' && (q || (*p != ' ' && *p != '\t'))) {
			if (q == 0 && (*p == '\'' || *p == '"'))
				q = *p++;
			else if (q != 0 && *p == q) {
				q = 0;
				p++;
			} else {
				if (*p == '\\' && q != '\'' && p[1] != '\0')
					p++;
				if (o + 1 >= bufsize)
					return -1;
				buf[o++] = *p++;
			}
		}
		if (q != 0 || o + 1 >= bufsize)
			return -1;
		buf[o++] = '\0';
	}
	argv[n] = NULL;
	return n;
}

static void
child(char **argv, int out)
{
	int null = open("/dev/null", O_RDONLY);

	if (null == -1 || dup2(null, 0) == -1 || dup2(out, 1) == -1)
		_exit(126);
	/* no descriptor of ours (the spool, the socket) leaks into it */
	closefrom(3);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	_exit(127);
}

/* Read the child's output under the deadline.  Returns bytes or -1. */
static ssize_t
read_capped(int fd, char *buf, size_t cap, int64_t deadline, int *timedout)
{
	size_t n = 0;
	ssize_t r;

	for (;;) {
		int w = net_wait(fd, POLLIN, deadline);

		if (w == 0) {
			*timedout = 1;
			return -1;
		}
		if (w < 0)
			return -1;
		r = read(fd, buf + n, cap - n);
		if (r == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return r == 0 ? (ssize_t)n : -1;
		n += (size_t)r;
		if (n == cap)
			return -1;	/* too long: refuse, never truncate */
	}
}

static int
run_command(const char *cmd, int timeout, char **secret, struct failure *f)
{
	char words[4096], *argv[CMD_ARGS_MAX], *buf;
	int fds[2], st, timedout = 0;
	ssize_t n;
	pid_t pid;

	if (split_words(cmd, words, sizeof(words), argv, CMD_ARGS_MAX) < 1) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "password_command: "
		    "empty, too long or unbalanced quotes");
		return -1;
	}
	if ((buf = malloc(SECRET_MAX)) == NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "password_command: %s",
		    strerror(errno));
		free(buf);
		return -1;
	}
	if (pid == 0)
		child(argv, fds[1]);
	close(fds[1]);
	n = read_capped(fds[0], buf, SECRET_MAX, net_deadline(timeout),
	    &timedout);
	close(fds[0]);
	if (n < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (n < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		explicit_bzero(buf, SECRET_MAX);
		free(buf);
		if (timedout)
			failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "password_"
			    "command %s: no answer within %d s", argv[0],
			    timeout);
		else if (n < 0)
			failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "password_"
			    "command %s: output unreadable or over %d bytes",
			    argv[0], SECRET_MAX - 1);
		else if (WIFEXITED(st))
			failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "password_"
			    "command %s failed (exit %d)", argv[0],
			    WEXITSTATUS(st));
		else
			failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "password_"
			    "command %s killed by signal %d", argv[0],
			    WTERMSIG(st));
		return -1;
	}
	/* the first line, without its line ending */
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		explicit_bzero(buf, SECRET_MAX);
		free(buf);
		failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "password_command %s "
		    "printed no password", argv[0]);
		return -1;
	}
	*secret = buf;
	return 0;
}

int
sasl_secret(const struct account *a, int timeout, char **secret,
    struct failure *f)
{
	*secret = NULL;
	if (a->password_command != NULL)
		return run_command(a->password_command, timeout, secret, f);
	if (a->password == NULL) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "account %s: no password "
		    "or password_command for user %s", a->name ? a->name :
		    "default", a->user ? a->user : "");
		return -1;
	}
	if ((*secret = strdup(a->password)) == NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		return -1;
	}
	return 0;
}

/* RFC 5801 saslname: ',' and '=' escaped (for OAUTHBEARER's gs2 header) */
static size_t
saslname(const char *u, char *out, size_t cap)
{
	size_t o = 0;

	for (; *u != '\0' && o + 4 < cap; u++) {
		if (*u == ',' || *u == '=') {
			memcpy(out + o, *u == ',' ? "=2C" : "=3D", 3);
			o += 3;
		} else
			out[o++] = *u;
	}
	out[o] = '\0';
	return o;
}

static int
hand_start(struct sasl *c, const char *user, const char *token,
    const char *host, int port, struct failure *f)
{
	size_t cap = strlen(user) * 3 + strlen(token) + strlen(host) + 64;
	char *msg, *u;
	int n;

	if ((msg = malloc(cap)) == NULL || (u = malloc(cap)) == NULL) {
		free(msg);
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		return -1;
	}
	if (c->hand == HAND_XOAUTH2)
		n = snprintf(msg, cap, "user=%s\001auth=Bearer %s\001\001",
		    user, token);
	else {
		saslname(user, u, cap);
		n = snprintf(msg, cap, "n,a=%s,\001host=%s\001port=%d\001"
		    "auth=Bearer %s\001\001", u, host, port, token);
	}
	free(u);
	if (n < 0 || (size_t)n >= cap) {
		explicit_bzero(msg, cap);
		free(msg);
		failure_set(f, EX_SOFTWARE, FAIL_PERM, "OAuth message");
		return -1;
	}
	c->token = msg;
	c->tokenlen = (size_t)n;
	return 0;
}

struct sasl *
sasl_start(const char *mech, const char *user, const char *secret,
    const char *host, int port, const char *cbtype, const unsigned char *cb,
    size_t cblen, struct failure *f)
{
	struct sasl *c;
	char *b64 = NULL;
	int r;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		return NULL;
	}
	c->rc = GSASL_NEEDS_MORE;
	if (strcmp(mech, "XOAUTH2") == 0 || strcmp(mech, "OAUTHBEARER") == 0) {
		c->hand = mech[0] == 'X' ? HAND_XOAUTH2 : HAND_OAUTHBEARER;
		if (hand_start(c, user, secret, host, port, f) == -1) {
			free(c);
			return NULL;
		}
		return c;
	}
	if (strcmp(mech, "PLAIN") == 0) {
		/* RFC 4616 2: authzid NUL authcid NUL passwd, no authzid */
		size_t u = strlen(user), p = strlen(secret);

		c->hand = HAND_PLAIN;
		c->tokenlen = u + p + 2;
		if ((c->token = malloc(c->tokenlen)) == NULL) {
			failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
			free(c);
			return NULL;
		}
		c->token[0] = '\0';
		memcpy(c->token + 1, user, u + 1);
		memcpy(c->token + u + 2, secret, p);
		return c;
	}
	if (strcmp(mech, "LOGIN") == 0) {
		/* draft-murchison-sasl-login: the user name, then the
		 * password, each the answer to one 334 whatever it says */
		c->hand = HAND_LOGIN;
		c->user = user;
		c->secret = secret;
		return c;
	}
	if (load_gsasl(f) == -1) {
		free(c);
		return NULL;
	}
	if ((r = gs.gsasl_init(&c->ctx)) != GSASL_OK ||
	    (r = gs.gsasl_client_start(c->ctx, mech, &c->s)) != GSASL_OK) {
		failure_set(f, EX_SOFTWARE, FAIL_PERM, "SASL %s: %s", mech,
		    gs.gsasl_strerror(r));
		sasl_free(c);
		return NULL;
	}
	gs.gsasl_property_set(c->s, GSASL_AUTHID, user);
	gs.gsasl_property_set(c->s, GSASL_PASSWORD, secret);
	gs.gsasl_property_set(c->s, GSASL_SERVICE, "smtp");
	gs.gsasl_property_set(c->s, GSASL_HOSTNAME, host);
	/* Only -PLUS gets channel-binding data: libgsasl 2.2 builds a
	 * broken client-first message for plain SCRAM when it has some. */
	if (strstr(mech, "-PLUS") != NULL) {
		if (cb == NULL || cblen == 0 || gs.gsasl_base64_to((const char *)cb,
		    cblen, &b64, NULL) != GSASL_OK) {
			failure_set(f, EX_SOFTWARE, FAIL_PERM, "SASL %s: no "
			    "channel-binding data", mech);
			sasl_free(c);
			return NULL;
		}
		gs.gsasl_property_set(c->s, strcmp(cbtype, "tls-exporter") == 0 ?
		    GSASL_CB_TLS_EXPORTER : GSASL_CB_TLS_UNIQUE, b64);
		gs.gsasl_free(b64);
	}
	return c;
}

/* Base64 (RFC 4648 4) in one line, as SMTP AUTH wants (RFC 4954 4). */
static int
b64(const char *in, size_t len, char **out, struct failure *f)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)in;
	unsigned long v;
	size_t i, n = 0;
	char *o;

	if (len >= SIZE_MAX / 2 || (o = malloc((len + 2) / 3 * 4 + 1)) ==
	    NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		return -1;
	}
	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 |
		    p[i + 2];
		o[n++] = abc[v >> 18];
		o[n++] = abc[v >> 12 & 63];
		o[n++] = abc[v >> 6 & 63];
		o[n++] = abc[v & 63];
	}
	if (i < len) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)p[i + 1] << 8;
		o[n++] = abc[v >> 18];
		o[n++] = abc[v >> 12 & 63];
		o[n++] = i + 1 < len ? abc[v >> 6 & 63] : '=';
		o[n++] = '=';
	}
	o[n] = '\0';
	v = 0;
	*out = o;
	return 0;
}

int
sasl_first(struct sasl *c, char **out, struct failure *f)
{
	char *o = NULL;

	*out = NULL;
	if (c->hand == HAND_LOGIN)
		return 0;	/* LOGIN has no initial response */
	if (c->hand == HAND_PLAIN)
		c->said = 1;
	if (c->hand != HAND_NONE)
		return b64(c->token, c->tokenlen, out, f);
	c->rc = gs.gsasl_step64(c->s, NULL, &o);
	if (c->rc != GSASL_OK && c->rc != GSASL_NEEDS_MORE) {
		failure_set(f, EX_SOFTWARE, FAIL_PERM, "SASL %s: %s",
		    gs.gsasl_mechanism_name(c->s), gs.gsasl_strerror(c->rc));
		return -1;
	}
	if (o != NULL && o[0] != '\0') {
		*out = strdup(o);
		sasl_wipe(o);
		if (*out == NULL) {
			failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
			return -1;
		}
		return 0;
	}
	free(o);
	/* RFC 4954 4: "=" is an empty initial response; NEEDS_MORE with
	 * nothing to say (CRAM-MD5) means wait for the challenge */
	if (c->rc == GSASL_OK && (*out = strdup("=")) == NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		return -1;
	}
	return 0;
}

int
sasl_step(struct sasl *c, const char *challenge, char **out,
    struct failure *f)
{
	char *o = NULL;

	*out = NULL;
	if (c->hand == HAND_PLAIN || c->hand == HAND_LOGIN) {
		const char *say = c->hand == HAND_PLAIN ? NULL : c->said == 0 ?
		    c->user : c->said == 1 ? c->secret : NULL;

		/* PLAIN is one message (sent as the initial response, or as
		 * the answer to the first 334 when too long for the line);
		 * LOGIN two: a further challenge is the relay's confusion */
		if (c->hand == HAND_PLAIN && c->said == 0)
			return sasl_first(c, out, f);
		if (say == NULL) {
			failure_set(f, EX_NOPERM, FAIL_PERM, "SASL %s: the relay "
			    "asks for more than the mechanism has", c->hand ==
			    HAND_PLAIN ? "PLAIN" : "LOGIN");
			return -1;
		}
		c->said++;
		return b64(say, strlen(say), out, f);
	}
	if (c->hand != HAND_NONE) {
		/* RFC 7628 3.2.2: the relay's 334 carries an error (JSON);
		 * answer with a dummy (XOAUTH2: empty, OAUTHBEARER: %x01)
		 * and let it send its 535 */
		c->failed = 1;
		*out = strdup(c->hand == HAND_XOAUTH2 ? "" : "AQ==");
		if (*out == NULL) {
			failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
			return -1;
		}
		return 0;
	}
	c->rc = gs.gsasl_step64(c->s, challenge, &o);
	if (c->rc != GSASL_OK && c->rc != GSASL_NEEDS_MORE) {
		free(o);
		failure_set(f, EX_NOPERM, FAIL_PERM, "SASL %s: %s",
		    gs.gsasl_mechanism_name(c->s), gs.gsasl_strerror(c->rc));
		return -1;
	}
	*out = strdup(o != NULL ? o : "");
	sasl_wipe(o);
	if (*out == NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		return -1;
	}
	return 0;
}

int
sasl_complete(const struct sasl *c)
{
	if (c->hand == HAND_PLAIN)
		return c->said == 1;
	if (c->hand == HAND_LOGIN)
		return c->said == 2;
	if (c->hand != HAND_NONE)
		return !c->failed;
	return c->rc == GSASL_OK;
}

void
sasl_free(struct sasl *c)
{
	if (c == NULL)
		return;
	if (c->token != NULL) {
		explicit_bzero(c->token, c->tokenlen);
		free(c->token);
	}
	if (c->s != NULL)
		gs.gsasl_finish(c->s);	/* frees (and clears) properties */
	if (c->ctx != NULL)
		gs.gsasl_done(c->ctx);
	free(c);
}
