/* SPDX-License-Identifier: MIT */
/*
 * prepare: message_prepare(), the step between intake and sending: the
 * envelope completed from the command line and (with -t) the header,
 * every address validated, aliased or qualified and made ASCII where it
 * can be; Bcc removed; Date, Message-ID and From added when missing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif

#include "address.h"
#include "aliases.h"
#include "header.h"
#include "message.h"

struct prep {
	struct message			*m;
	struct envelope			*env;
	const struct prepare_opts	*o;
	struct aliases			*al;
	const char			*domain;
	char				 hostbuf[256];
	struct failure			*fail;
};

static int
nomem(struct prep *p)
{
	failure_set(p->fail, EX_OSERR, FAIL_TEMP, "out of memory");
	return -1;
}

static int
header_is_missing(const struct message *m, const char *name)
{
	const char *n, *v;

	for (size_t i = 0; message_header_get(m, i, &n, &v) == 0; i++)
		if (strcasecmp(n, name) == 0)
			return 0;
	return 1;
}

/* The qualifying domain: the configured one, else this host's name. */
static const char *
pick_domain(struct prep *p)
{
	if (p->o != NULL && p->o->domain != NULL && p->o->domain[0] != '\0')
		return p->o->domain;
	if (gethostname(p->hostbuf, sizeof(p->hostbuf) - 1) == -1 ||
	    p->hostbuf[0] == '\0')
		return "localhost";
	p->hostbuf[sizeof(p->hostbuf) - 1] = '\0';
	return p->hostbuf;
}

/*
 * One addr-spec (from the parser) to its final envelope form(s), appended
 * to out: a bare name through the aliases, then qualified; each result
 * checked (RFC 5321 limits) and its domain made A-labels.
 */
static int
finish_addr(struct prep *p, const char *a, const char *what,
    struct addr_list *out)
{
	struct addr_list names;
	char err[ADDRESS_ERR_MAX];
	int r = 0;

	addr_list_init(&names);
	if (address_has_domain(a))
		r = addr_list_add(&names, a) == -1 ? nomem(p) : 0;
	else if (p->al != NULL)
		r = aliases_expand(p->al, a, &names, p->fail);
	else
		r = addr_list_add(&names, a) == -1 ? nomem(p) : 0;
	for (size_t i = 0; r == 0 && i < names.n; i++) {
		const char *n = names.addr[i];
		char *q = NULL, *ascii;
		size_t ql;

		if (!address_has_domain(n)) {
			ql = strlen(n) + 1 + strlen(p->domain) + 1;
			if ((q = malloc(ql)) == NULL) {
				r = nomem(p);
				break;
			}
			snprintf(q, ql, "%s@%s", n, p->domain);
			n = q;
		}
		if (address_check(n, err, sizeof(err)) == -1 ||
		    (ascii = address_to_ascii(n, &p->env->smtputf8, err,
		    sizeof(err))) == NULL) {
			failure_set(p->fail, EX_DATAERR, FAIL_PERM,
			    "%s <%s>: %s", what, n, err);
			free(q);
			r = -1;
			break;
		}
		free(q);
		if (addr_list_add(out, ascii) == -1)
			r = nomem(p);
		free(ascii);
	}
	addr_list_free(&names);
	return r;
}

/* Parse an address list (a header value or an argument) into out. */
static int
take_list(struct prep *p, const char *text, const char *what,
    struct addr_list *out)
{
	struct addr_list parsed;
	char err[ADDRESS_ERR_MAX];
	int r;

	if (strpbrk(text, "\r\n") != NULL) {
		failure_set(p->fail, EX_DATAERR, FAIL_PERM,
		    "%s: CR or LF in an address", what);
		return -1;
	}
	addr_list_init(&parsed);
	r = address_parse_list(text, &parsed, err, sizeof(err));
	if (r == -2)
		r = nomem(p);
	else if (r == -1)
		failure_set(p->fail, EX_DATAERR, FAIL_PERM, "%s: %s: \"%.80s\"",
		    what, err, text);
	for (size_t i = 0; r == 0 && i < parsed.n; i++)
		r = finish_addr(p, parsed.addr[i], what, out);
	addr_list_free(&parsed);
	return r;
}

static int
do_sender(struct prep *p)
{
	struct addr_list l;
	const char *s = p->env->sender;
	struct passwd *pw;
	int r;

	if (s == NULL) {
		/* no -f and no configured from: the user, qualified */
		if ((pw = getpwuid(getuid())) == NULL) {
			failure_set(p->fail, EX_OSERR, FAIL_TEMP,
			    "no sender given and no user name for uid %lu",
			    (unsigned long)getuid());
			return -1;
		}
		s = pw->pw_name;
	}
	if (s[0] == '\0' || strcmp(s, "<>") == 0)
		return envelope_set_sender(p->env, "") == -1 ? nomem(p) : 0;
	addr_list_init(&l);
	/* one address (a display name may come with it), never a list */
	if (address_parse_list(s, &l, NULL, 0) == 0 && l.n > 1) {
		failure_set(p->fail, EX_DATAERR, FAIL_PERM,
		    "sender: more than one address in \"%.80s\"", s);
		addr_list_free(&l);
		return -1;
	}
	addr_list_free(&l);
	if ((r = take_list(p, s, "sender", &l)) == 0 && l.n == 0) {
		failure_set(p->fail, EX_DATAERR, FAIL_PERM,
		    "sender: no address in \"%.80s\"", s);
		r = -1;
	}
	/* an alias with several targets: the sender is the first */
	if (r == 0 && envelope_set_sender(p->env, l.addr[0]) == -1)
		r = nomem(p);
	addr_list_free(&l);
	return r;
}

/* With -t: the topmost Resent- block's recipients if there is one
 * (RFC 5322 section 3.6.6), else To, Cc and Bcc. */
static int
extract(struct prep *p, struct addr_list *out)
{
	static const char *plain[] = { "To", "Cc", "Bcc" };
	static const char *resent[] = { "Resent-To", "Resent-Cc",
	    "Resent-Bcc" };
	size_t n = message_header_count(p->m), first = n, last = n;
	const char *name, *value;

	for (size_t i = 0; i < n; i++) {
		message_header_get(p->m, i, &name, &value);
		if (strncasecmp(name, "Resent-", 7) == 0) {
			if (first == n)
				first = i;
			last = i + 1;
		} else if (first != n)
			break;
	}
	for (size_t i = first == n ? 0 : first; i < (first == n ? n : last);
	    i++) {
		const char **want = first == n ? plain : resent;
		char *v;
		int r;

		message_header_get(p->m, i, &name, &value);
		if (strcasecmp(name, want[0]) != 0 &&
		    strcasecmp(name, want[1]) != 0 &&
		    strcasecmp(name, want[2]) != 0)
			continue;
		if ((v = header_unfold(value)) == NULL)
			return nomem(p);
		r = take_list(p, v, name, out);
		free(v);
		if (r == -1)
			return -1;
	}
	return 0;
}

static int
do_recipients(struct prep *p)
{
	struct envelope *e = p->env;
	struct addr_list l;
	int r = 0;

	addr_list_init(&l);
	for (size_t i = 0; r == 0 && i < e->nrcpt; i++)
		r = take_list(p, e->rcpt[i].addr, "recipient", &l);
	if (r == 0 && p->o->extract_rcpts)
		r = extract(p, &l);
	if (r == 0) {
		for (size_t i = 0; i < e->nrcpt; i++)
			free(e->rcpt[i].addr);
		e->nrcpt = 0;
		for (size_t i = 0; r == 0 && i < l.n; i++)
			if (envelope_add_rcpt(e, l.addr[i]) == -1)
				r = nomem(p);
	}
	addr_list_free(&l);
	if (r == 0 && e->nrcpt == 0) {
		if (p->o->extract_rcpts)
			failure_set(p->fail, EX_DATAERR, FAIL_PERM,
			    "no recipients in the message header (-t)");
		else
			failure_set(p->fail, EX_USAGE, FAIL_PERM,
			    "no recipients given (name them, or use -t)");
		r = -1;
	}
	return r;
}

/* RFC 5322 section 3.3, in the local zone, never locale-dependent. */
static int
add_date(struct prep *p)
{
	static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *mons[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char buf[64];
	time_t now = time(NULL);
	struct tm tm;
	long off;

	if (localtime_r(&now, &tm) == NULL) {
		failure_set(p->fail, EX_OSERR, FAIL_TEMP, "localtime failed");
		return -1;
	}
	off = tm.tm_gmtoff / 60;
	snprintf(buf, sizeof(buf), "%s, %d %s %04d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday], tm.tm_mday, mons[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
	    labs(off) / 60, labs(off) % 60);
	return message_header_add(p->m, "Date", buf) == -1 ? nomem(p) : 0;
}

static int
random_bytes(unsigned char *b, size_t len)
{
#ifdef HAVE_GETRANDOM
	if (getrandom(b, len, 0) == (ssize_t)len)
		return 0;
#endif
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = read(fd, b, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* <26 base32 characters (128 random bits)@domain>, RFC 5322 3.6.4 */
static int
add_message_id(struct prep *p)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char rnd[16];
	char id[27], *v, *dom;
	size_t vl;
	int r, u8 = 0;
	char err[ADDRESS_ERR_MAX];

	if (random_bytes(rnd, sizeof(rnd)) == -1) {
		failure_set(p->fail, EX_OSERR, FAIL_TEMP,
		    "no random bytes for a Message-ID");
		return -1;
	}
	for (size_t i = 0; i < 26; i++) {
		size_t bit = i * 5, byte = bit / 8, sh = bit % 8;
		unsigned v5 = (unsigned)rnd[byte] << 8;

		if (byte + 1 < sizeof(rnd))
			v5 |= rnd[byte + 1];
		id[i] = b32[(v5 >> (11 - sh)) & 31];
	}
	id[26] = '\0';
	/* the domain as A-labels: a Message-ID is ASCII */
	vl = strlen(p->domain) + 3;
	if ((v = malloc(vl)) == NULL)
		return nomem(p);
	snprintf(v, vl, "x@%s", p->domain);
	dom = address_to_ascii(v, &u8, err, sizeof(err));
	free(v);
	if (dom == NULL) {
		failure_set(p->fail, EX_DATAERR, FAIL_PERM, "domain %s: %s",
		    p->domain, err);
		return -1;
	}
	vl = strlen(dom) + sizeof(id) + 4;
	if ((v = malloc(vl)) == NULL) {
		free(dom);
		return nomem(p);
	}
	snprintf(v, vl, "<%s%s>", id, dom + 1);
	free(dom);
	r = message_header_add(p->m, "Message-ID", v);
	free(v);
	return r == -1 ? nomem(p) : 0;
}

static int
add_from(struct prep *p, const char *phrase)
{
	const char *addr = p->env->sender;
	char *v, *f, *tmp = NULL;
	size_t vl;
	int r;

	if (addr == NULL || addr[0] == '\0') {
		/* null sender (bounces): the user, qualified */
		struct passwd *pw = getpwuid(getuid());
		const char *u = pw != NULL ? pw->pw_name : "postmaster";

		vl = strlen(u) + strlen(p->domain) + 2;
		if ((tmp = malloc(vl)) == NULL)
			return nomem(p);
		snprintf(tmp, vl, "%s@%s", u, p->domain);
		addr = tmp;
	}
	vl = (phrase != NULL ? strlen(phrase) : 0) + strlen(addr) + 4;
	if ((v = malloc(vl)) == NULL) {
		free(tmp);
		return nomem(p);
	}
	if (phrase != NULL && phrase[0] != '\0')
		snprintf(v, vl, "%s <%s>", phrase, addr);
	else
		snprintf(v, vl, "%s", addr);
	free(tmp);
	f = header_fold("From", v);
	free(v);
	if (f == NULL)
		return nomem(p);
	r = message_header_add(p->m, "From", f);
	free(f);
	return r == -1 ? nomem(p) : 0;
}

int
message_prepare(struct message *m, struct envelope *env,
    const struct prepare_opts *o, struct failure *fail)
{
	struct prep p = { .m = m, .env = env, .o = o, .fail = fail };
	struct prepare_opts defaults = { .add_from = 1 };
	struct message_stats st;
	char *phrase = NULL;
	int r = -1;

	if (o == NULL)
		p.o = o = &defaults;
	p.domain = pick_domain(&p);
	/* -F: refused outright when it could inject (notes/security 1.5) */
	if (o->from_name != NULL &&
	    (phrase = header_encode_phrase(o->from_name)) == NULL) {
		if (errno == EINVAL)
			failure_set(fail, EX_DATAERR, FAIL_PERM,
			    "-F: the full name holds a control character "
			    "(CR, LF, ...) or is not UTF-8");
		else
			nomem(&p);
		return -1;
	}
	if (o->aliases != NULL &&
	    (p.al = aliases_load(o->aliases, fail)) == NULL)
		goto out;
	if (do_sender(&p) == -1 || do_recipients(&p) == -1)
		goto out;
	/*
	 * As Postfix's message_drop_headers: Bcc and Resent-Bcc never leave
	 * (RFC 5322 3.6.3); Return-Path is the final MTA's to add (RFC 5321
	 * 4.4); a Content-Length from an mbox would be wrong after CRLF.
	 */
	message_header_remove(m, "Bcc");
	message_header_remove(m, "Resent-Bcc");
	message_header_remove(m, "Return-Path");
	message_header_remove(m, "Content-Length");
	if (header_is_missing(m, "Date") && add_date(&p) == -1)
		goto out;
	if (header_is_missing(m, "Message-ID") && add_message_id(&p) == -1)
		goto out;
	if (o->add_from && header_is_missing(m, "From") &&
	    add_from(&p, phrase) == -1)
		goto out;
	message_stats(m, &st);
	if (env->body == BODY_UNSET && (st.body_eightbit ||
	    st.header_eightbit))
		env->body = BODY_8BITMIME;
	r = 0;
out:
	free(phrase);
	aliases_free(p.al);
	return r;
}
