/* SPDX-License-Identifier: MIT */
/*
 * address: RFC 5322 address lists, RFC 5321 mailboxes, IDNA.
 *
 * The list is read by a tokenizer (atoms, quoted strings, domain literals,
 * specials; comments and white space dropped) and a one-pass parser over
 * the tokens of one element at a time, so the work is linear in the input
 * (a quadratic address parser is a known denial of service).
 */
#include "config.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "address.h"
#include "header.h"

enum tok { T_END, T_ATOM, T_QSTR, T_DLIT, T_SPECIAL };

struct token {
	enum tok	 type;
	size_t		 off;	/* into the text */
	size_t		 len;	/* raw length (quotes, brackets included) */
	char		 c;	/* for T_SPECIAL */
};

struct toks {
	struct token	*t;
	size_t		 n, cap;
};

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void
addr_list_init(struct addr_list *l)
{
	memset(l, 0, sizeof(*l));
}

void
addr_list_free(struct addr_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->addr[i]);
	free(l->addr);
	memset(l, 0, sizeof(*l));
}

int
addr_list_add(struct addr_list *l, const char *a)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		char **na = realloc(l->addr, ncap * sizeof(*na));

		if (na == NULL)
			return -1;
		l->addr = na;
		l->cap = ncap;
	}
	if ((l->addr[l->n] = strdup(a)) == NULL)
		return -1;
	l->n++;
	return 0;
}

/* atext (RFC 5322 section 3.2.3) plus UTF-8 octets (RFC 6532 3.2). */
static int
is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80)
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static int
is_ctl(unsigned char c)
{
	return (c < 32 && c != '\t') || c == 127;
}

/*
 * The next token at *pos.  Returns 0 with *t filled (T_END at the end),
 * or -1 with err set.
 */
static int
next_token(const char *s, size_t *pos, struct token *t, char *err,
    size_t errlen)
{
	size_t i = *pos;
	int depth;

	for (;;) {
		while (s[i] == ' ' || s[i] == '\t')
			i++;
		if (s[i] != '(')
			break;
		/* comment, section 3.2.2: nested, with quoted-pairs */
		for (depth = 0; ; i++) {
			unsigned char c = s[i];

			if (c == '\0') {
				seterr(err, errlen, "unterminated comment");
				return -1;
			}
			if (c == '\r' || c == '\n' || is_ctl(c)) {
				seterr(err, errlen, "control character");
				return -1;
			}
			if (c == '\\' && s[i + 1] != '\0')
				i++;
			else if (c == '(')
				depth++;
			else if (c == ')' && --depth == 0) {
				i++;
				break;
			}
		}
	}
	t->off = i;
	if (s[i] == '\0') {
		t->type = T_END;
	} else if (s[i] == '"' || s[i] == '[') {
		char close = s[i] == '"' ? '"' : ']';

		t->type = close == '"' ? T_QSTR : T_DLIT;
		for (i++; s[i] != close; i++) {
			if (s[i] == '\0') {
				seterr(err, errlen, "unterminated %s",
				    close == '"' ? "quoted string" :
				    "domain literal");
				return -1;
			}
			if (is_ctl((unsigned char)s[i])) {
				seterr(err, errlen, "control character");
				return -1;
			}
			if (s[i] == '\\') {
				if (is_ctl((unsigned char)s[i + 1]) ||
				    s[i + 1] == '\0') {
					seterr(err, errlen,
					    "control character");
					return -1;
				}
				i++;
			} else if (close == ']' && s[i] == '[') {
				seterr(err, errlen, "'[' in a domain literal");
				return -1;
			}
		}
		i++;
	} else if (is_atext((unsigned char)s[i])) {
		t->type = T_ATOM;
		while (is_atext((unsigned char)s[i]))
			i++;
	} else if (strchr("<>@,:;.", s[i]) != NULL) {
		t->type = T_SPECIAL;
		t->c = s[i++];
	} else {
		seterr(err, errlen, is_ctl((unsigned char)s[i]) ?
		    "control character" : "unexpected '%c'", s[i]);
		return -1;
	}
	t->len = i - t->off;
	*pos = i;
	return 0;
}

static int
toks_push(struct toks *ts, const struct token *t)
{
	if (ts->n == ts->cap) {
		size_t ncap = ts->cap ? ts->cap * 2 : 16;
		struct token *nt = realloc(ts->t, ncap * sizeof(*nt));

		if (nt == NULL)
			return -1;
		ts->t = nt;
		ts->cap = ncap;
	}
	ts->t[ts->n++] = *t;
	return 0;
}

static int
is_dot(const struct token *t)
{
	return t->type == T_SPECIAL && t->c == '.';
}

/* Whether s[0..len) is a dot-atom-text (section 3.2.3). */
static int
is_dot_atom(const char *s, size_t len)
{
	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/*
 * Build "local[@domain]" from tokens t[0..n): local = word *("." word),
 * domain = atom *("." atom) or one domain literal.  Returns a new string,
 * NULL with err set, or NULL with err empty when out of memory.
 */
static char *
build_addr(const char *s, const struct token *t, size_t n, char *err,
    size_t errlen)
{
	size_t at = n, i, cap = 3, o = 0, lo;
	char *out, *local;
	int want_word = 1;

	for (i = 0; i < n; i++) {
		cap += t[i].len * 2;
		if (t[i].type == T_SPECIAL && t[i].c == '@' && at == n)
			at = i;
	}
	if ((out = malloc(cap)) == NULL)
		return NULL;
	local = out + cap / 2 + 1;	/* unquoted local part, scratch */
	for (i = 0, lo = 0; i < at; i++, want_word = !want_word) {
		if (want_word && t[i].type == T_ATOM) {
			memcpy(local + lo, s + t[i].off, t[i].len);
			lo += t[i].len;
		} else if (want_word && t[i].type == T_QSTR) {
			for (size_t k = t[i].off + 1;
			    k < t[i].off + t[i].len - 1; k++) {
				if (s[k] == '\\')
					k++;
				local[lo++] = s[k];
			}
		} else if (!want_word && is_dot(&t[i])) {
			local[lo++] = '.';
		} else {
			seterr(err, errlen, "a phrase with no address");
			goto fail;
		}
	}
	if (want_word && at > 0) {
		seterr(err, errlen, "local part ends with '.'");
		goto fail;
	}
	if (lo == 0) {
		seterr(err, errlen, "empty local part");
		goto fail;
	}
	if (is_dot_atom(local, lo)) {
		memmove(out, local, lo);
		o = lo;
	} else {
		/* RFC 5321 4.1.2: quote only when needed, escape " and \ */
		char *tmp = malloc(lo);

		if (tmp == NULL)
			goto fail_mem;
		memcpy(tmp, local, lo);
		out[o++] = '"';
		for (i = 0; i < lo; i++) {
			if (tmp[i] == '"' || tmp[i] == '\\')
				out[o++] = '\\';
			out[o++] = tmp[i];
		}
		out[o++] = '"';
		free(tmp);
	}
	if (at < n) {
		out[o++] = '@';
		if (at + 2 == n && t[at + 1].type == T_DLIT) {
			memcpy(out + o, s + t[at + 1].off, t[at + 1].len);
			o += t[at + 1].len;
		} else {
			want_word = 1;
			for (i = at + 1; i < n; i++, want_word = !want_word) {
				if (want_word && t[i].type == T_ATOM) {
					memcpy(out + o, s + t[i].off,
					    t[i].len);
					o += t[i].len;
				} else if (!want_word && is_dot(&t[i]))
					out[o++] = '.';
				else
					break;
			}
			if (i < n || want_word) {
				seterr(err, errlen, "malformed domain");
				goto fail;
			}
		}
	}
	out[o] = '\0';
	return out;
fail_mem:
	if (err != NULL && errlen > 0)
		err[0] = '\0';
fail:
	free(out);
	return NULL;
}

/* One mailbox: the angle tokens when there was an angle-addr, else the
 * plain tokens.  Returns 0, -1 (err) or -2 (memory). */
static int
finish_mailbox(const char *s, struct toks *pre, struct toks *ang,
    int angle, struct addr_list *out, char *err, size_t errlen)
{
	const struct token *t = angle ? ang->t : pre->t;
	size_t n = angle ? ang->n : pre->n;
	char *a;

	if (n == 0) {
		if (angle) {
			seterr(err, errlen, "empty address <>");
			return -1;
		}
		return 0;	/* obs-mbox-list: empty elements */
	}
	if (angle && t[0].type == T_SPECIAL && t[0].c == '@') {
		/* obs-route (section 4.4): "@a,@b:" before the addr-spec */
		size_t k = 0;

		while (k < n && !(t[k].type == T_SPECIAL && t[k].c == ':'))
			k++;
		if (k == n) {
			seterr(err, errlen, "malformed route");
			return -1;
		}
		t += k + 1;
		n -= k + 1;
	}
	err[0] = '\0';
	if ((a = build_addr(s, t, n, err, errlen)) == NULL)
		return err[0] != '\0' ? -1 : -2;
	if (addr_list_add(out, a) == -1) {
		free(a);
		return -2;
	}
	free(a);
	return 0;
}

int
address_parse_list(const char *s, struct addr_list *out, char *err,
    size_t errlen)
{
	struct toks pre = { 0 }, ang = { 0 };
	struct token t;
	size_t pos = 0;
	int angle = 0, in_angle = 0, after_angle = 0, in_group = 0, r = 0;
	char ebuf[ADDRESS_ERR_MAX];

	if (err == NULL || errlen == 0) {
		err = ebuf;
		errlen = sizeof(ebuf);
	}
	for (;;) {
		if (next_token(s, &pos, &t, err, errlen) == -1) {
			r = -1;
			break;
		}
		if (in_angle) {
			if (t.type == T_END) {
				seterr(err, errlen, "missing '>'");
				r = -1;
				break;
			}
			if (t.type == T_SPECIAL && t.c == '>') {
				in_angle = 0;
				after_angle = 1;
			} else if (t.type == T_SPECIAL && t.c == '<') {
				seterr(err, errlen, "'<' inside <>");
				r = -1;
				break;
			} else if (toks_push(&ang, &t) == -1) {
				r = -2;
				break;
			}
			continue;
		}
		if (t.type == T_END || (t.type == T_SPECIAL &&
		    (t.c == ',' || t.c == ';'))) {
			r = finish_mailbox(s, &pre, &ang, angle, out, err,
			    errlen);
			if (r != 0 || t.type == T_END)
				break;
			/* a ';' outside a group is taken as a separator,
			 * as people type it */
			if (t.c == ';')
				in_group = 0;
			pre.n = ang.n = 0;
			angle = after_angle = 0;
			continue;
		}
		if (after_angle) {
			seterr(err, errlen, "text after '>'");
			r = -1;
			break;
		}
		if (t.type == T_SPECIAL && t.c == '<') {
			/* the phrase before it is a display name: dropped */
			angle = in_angle = 1;
			continue;
		}
		if (t.type == T_SPECIAL && t.c == '>') {
			seterr(err, errlen, "'>' without '<'");
			r = -1;
			break;
		}
		if (t.type == T_SPECIAL && t.c == ':') {
			/* group = display-name ":" [group-list] ";" */
			if (in_group || pre.n == 0) {
				seterr(err, errlen, "unexpected ':'");
				r = -1;
				break;
			}
			in_group = 1;
			pre.n = 0;
			continue;
		}
		if (toks_push(&pre, &t) == -1) {
			r = -2;
			break;
		}
	}
	if (r == -2)
		seterr(err, errlen, "out of memory");
	free(pre.t);
	free(ang.t);
	return r;
}

int
address_has_domain(const char *a)
{
	int inq = 0;

	for (; *a != '\0'; a++) {
		if (*a == '\\' && inq && a[1] != '\0')
			a++;
		else if (*a == '"')
			inq = !inq;
		else if (*a == '@' && !inq)
			return 1;
	}
	return 0;
}

/* Offset of the unquoted '@' that starts the domain, or strlen. */
static size_t
at_offset(const char *a)
{
	size_t i, at = strlen(a);
	int inq = 0;

	for (i = 0; a[i] != '\0'; i++) {
		if (a[i] == '\\' && inq && a[i + 1] != '\0')
			i++;
		else if (a[i] == '"')
			inq = !inq;
		else if (a[i] == '@' && !inq)
			at = i;
	}
	return at;
}

int
address_check(const char *a, char *err, size_t errlen)
{
	size_t len = strlen(a), at = at_offset(a);
	int inq = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)a[i];

		/* a quoted-pair escapes quoting, not the octet rule: "\<CR>"
		 * is still a CR on the wire (RFC 5321 4.1.2 qtextSMTP) */
		if (c == '\\' && inq && i + 1 < len) {
			c = (unsigned char)a[++i];
			if (c == '\r' || c == '\n' || c < 32 || c == 127) {
				seterr(err, errlen, "CR, LF or a control "
				    "character in an address");
				return -1;
			}
			continue;
		}
		if (c == '\r' || c == '\n') {
			seterr(err, errlen, "CR or LF in an address");
			return -1;
		}
		if (c < 32 || c == 127) {
			seterr(err, errlen, "control character in an address");
			return -1;
		}
		if (c == '"')
			inq = !inq;
		else if (!inq && strchr(" <>()", c) != NULL) {
			seterr(err, errlen, "'%c' in an address", c);
			return -1;
		}
	}
	if (len == 0 || at == 0) {
		seterr(err, errlen, "empty local part");
		return -1;
	}
	if (at > ADDRESS_LOCAL_MAX) {
		seterr(err, errlen, "local part longer than %d octets",
		    ADDRESS_LOCAL_MAX);
		return -1;
	}
	if (at < len && (len - at - 1 == 0 ||
	    len - at - 1 > ADDRESS_DOMAIN_MAX)) {
		seterr(err, errlen, "empty or overlong domain");
		return -1;
	}
	if (len > ADDRESS_MAX) {
		seterr(err, errlen, "address longer than %d octets",
		    ADDRESS_MAX);
		return -1;
	}
	return 0;
}

/* Whether s is valid UTF-8 (RFC 3629). */
static int
utf8_valid(const unsigned char *s)
{
	size_t n;

	for (; *s != '\0'; s += n)
		if ((n = header_utf8_len(s)) == 0)
			return 0;
	return 1;
}

/*
 * libidn2 (with libunistring: about 0.5 ms of every run's start-up) is
 * loaded with dlopen(3) only when a domain needs converting, which is
 * rare, rather than linked.  Its three functions, typed from <idn2.h>.
 */
#define IDN2_SONAME "libidn2.so.0"
static struct {
	__typeof__(idn2_to_ascii_8z)	*to_ascii_8z;
	__typeof__(idn2_strerror)	*strerr;
	__typeof__(idn2_free)		*dealloc;
} idn;

static int
load_idn2(char *err, size_t errlen)
{
	static void *lib;
	void *p, *f[3];

	if (lib != NULL)
		return 0;
	if ((p = dlopen(IDN2_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		seterr(err, errlen, "cannot load %s: %s", IDN2_SONAME,
		    dlerror());
		return -1;
	}
	if ((f[0] = dlsym(p, "idn2_to_ascii_8z")) == NULL ||
	    (f[1] = dlsym(p, "idn2_strerror")) == NULL ||
	    (f[2] = dlsym(p, "idn2_free")) == NULL) {
		seterr(err, errlen, "%s: missing functions", IDN2_SONAME);
		dlclose(p);
		return -1;
	}
	/* POSIX: function and object pointers convert via dlsym */
	memcpy(&idn.to_ascii_8z, &f[0], sizeof(f[0]));
	memcpy(&idn.strerr, &f[1], sizeof(f[1]));
	memcpy(&idn.dealloc, &f[2], sizeof(f[2]));
	lib = p;
	return 0;
}

char *
address_to_ascii(const char *a, int *smtputf8, char *err, size_t errlen)
{
	size_t at = at_offset(a), i;
	const char *dom;
	char *adom = NULL, *out;
	int rc, dom8 = 0;

	if (!utf8_valid((const unsigned char *)a)) {
		seterr(err, errlen, "address is not valid UTF-8");
		return NULL;
	}
	for (i = 0; i < at; i++)
		if ((unsigned char)a[i] >= 0x80)
			*smtputf8 = 1;
	if (a[at] == '\0')
		return strdup(a);
	dom = a + at + 1;
	for (i = 0; dom[i] != '\0'; i++)
		if ((unsigned char)dom[i] >= 0x80)
			dom8 = 1;
	if (!dom8 || dom[0] == '[')
		return strdup(a);
	if (load_idn2(err, errlen) == -1)
		return NULL;
	/* RFC 5890/5891: U-labels to A-labels; NFC first, UTS #46 off */
	rc = idn.to_ascii_8z(dom, &adom, IDN2_NFC_INPUT |
	    IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK) {
		seterr(err, errlen, "cannot convert domain to ASCII: %s",
		    idn.strerr(rc));
		return NULL;
	}
	if ((out = malloc(at + 1 + strlen(adom) + 1)) == NULL) {
		idn.dealloc(adom);
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(out, a, at + 1);
	memcpy(out + at + 1, adom, strlen(adom) + 1);
	idn.dealloc(adom);
	return out;
}
