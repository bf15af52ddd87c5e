/* SPDX-License-Identifier: MIT */
/*
 * tests/smtpd/script.c: the dialogue script (-s FILE): fault rules per
 * phase and a few global settings.  The format is in tests/smtpd/README.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtpd.h"

unsigned smtpd_count[PH_COUNT];

static const char *const names[PH_COUNT] = {
	"GREETING", "EHLO", "HELO", "STARTTLS", "AUTH", "AUTH-END",
	"MAIL", "RCPT", "DATA", "DATA-END", "BDAT", "RSET", "NOOP",
	"QUIT", "OTHER", "ANY"
};

const char *
phase_name(enum phase p)
{
	return names[p];
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* C-style escapes \r \n \t \\ \" \0 \xHH; returns the length (<= cap). */
size_t
unescape(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	int h, l;

	while (*s != '\0' && n < cap) {
		if (*s != '\\' || s[1] == '\0') {
			out[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'r': out[n++] = '\r'; s++; break;
		case 'n': out[n++] = '\n'; s++; break;
		case 't': out[n++] = '\t'; s++; break;
		case '0': out[n++] = '\0'; s++; break;
		case 'x':
			h = hexval((unsigned char)s[1]);
			l = h < 0 ? -1 : hexval((unsigned char)s[2]);
			if (l < 0) {
				out[n++] = 'x';
				s++;
			} else {
				out[n++] = (char)(h * 16 + l);
				s += 3;
			}
			break;
		default: out[n++] = *s++; break;
		}
	}
	return n;
}

static int
parse_phase(const char *w, enum phase *p, unsigned *nth)
{
	const char *hash = strchr(w, '#');
	size_t len = hash != NULL ? (size_t)(hash - w) : strlen(w);
	char *end;
	int i;

	*nth = 0;
	if (hash != NULL) {
		errno = 0;
		unsigned long v = strtoul(hash + 1, &end, 10);
		if (errno != 0 || *end != '\0' || v == 0 || v > 1000000)
			return -1;
		*nth = (unsigned)v;
	}
	for (i = 0; i < PH_COUNT; i++)
		if (strlen(names[i]) == len && strncasecmp(names[i], w, len) == 0) {
			*p = (enum phase)i;
			return 0;
		}
	return -1;
}

static char *
word(char **sp)
{
	char *s = *sp, *w;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return NULL;
	w = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	*sp = s;
	return w;
}

/* The rest of the line as bytes: quotes stripped, escapes decoded. */
static int
setarg(struct rule *r, char *rest, int crlf)
{
	size_t n = strlen(rest);
	char *buf;

	if (n >= 2 && rest[0] == '"' && rest[n - 1] == '"') {
		rest[n - 1] = '\0';
		rest++;
	}
	buf = malloc(strlen(rest) + 3);
	if (buf == NULL)
		return -1;
	n = unescape(rest, buf, strlen(rest));
	if (crlf) {
		buf[n++] = '\r';
		buf[n++] = '\n';
	}
	r->arg = buf;
	r->arglen = n;
	return 0;
}

static int
parse_rule(struct config *cf, char *s)
{
	struct rule *r, **tail;
	char *ph, *act, *w;

	if ((ph = word(&s)) == NULL || (act = word(&s)) == NULL)
		return -1;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	if (parse_phase(ph, &r->phase, &r->nth) < 0)
		goto bad;
	r->code = 250;
	if (strcmp(act, "reply") == 0) {
		r->act = ACT_REPLY;
		if (*s == '\0' || setarg(r, s, 1) < 0)
			goto bad;
	} else if (strcmp(act, "reply-raw") == 0 ||
	    strcmp(act, "inject") == 0) {
		r->act = act[0] == 'r' ? ACT_RAW : ACT_INJECT;
		if (*s == '\0' || setarg(r, s, 0) < 0)
			goto bad;
	} else if (strcmp(act, "drop") == 0)
		r->act = ACT_DROP;
	else if (strcmp(act, "endless-reply") == 0)
		r->act = ACT_ENDLESS;
	else if (strcmp(act, "stall") == 0 || strcmp(act, "oversized") == 0 ||
	    strcmp(act, "many-lines") == 0) {
		r->act = act[0] == 's' ? ACT_STALL :
		    act[0] == 'o' ? ACT_OVERSIZED : ACT_MANYLINES;
		if ((w = word(&s)) == NULL)
			goto bad;
		r->num = strtod(w, NULL);
		if (r->num < 0 || r->num > 1e8)
			goto bad;
		if ((w = word(&s)) != NULL)
			r->code = (int)strtol(w, NULL, 10);
	} else
		goto bad;
	for (tail = &cf->rules; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = r;
	return 0;
bad:
	free(r->arg);
	free(r);
	return -1;
}

static int
add_cap(struct config *cf, const char *line)
{
	struct cap *c, **tail;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->line = strdup(line)) == NULL) {
		free(c);
		return -1;
	}
	for (tail = &cf->caps; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = c;
	cf->caps_set = 1;
	return 0;
}

static int
uint_arg(char *s, unsigned *v)
{
	char *w = word(&s), *end;
	unsigned long n;

	if (w == NULL)
		return -1;
	errno = 0;
	n = strtoul(w, &end, 10);
	if (errno != 0 || *end != '\0' || n > 100000000UL)
		return -1;
	*v = (unsigned)n;
	return 0;
}

static int
parse_line(struct config *cf, char *s)
{
	char *kw = word(&s), *w;

	if (kw == NULL || kw[0] == '#')
		return 0;
	if (strcmp(kw, "at") == 0)
		return parse_rule(cf, s);
	if (strcmp(kw, "trickle") == 0)
		return uint_arg(s, &cf->trickle_ms);
	if (strcmp(kw, "rcpt-limit") == 0)
		return uint_arg(s, &cf->rcpt_limit);
	if (strcmp(kw, "cap") == 0)
		return *s == '\0' ? -1 : add_cap(cf, s);
	if (strcmp(kw, "nocap") == 0) {
		if ((w = word(&s)) == NULL || cf->nnocaps >= 32 ||
		    (cf->nocaps[cf->nnocaps] = strdup(w)) == NULL)
			return -1;
		cf->nnocaps++;
		return 0;
	}
	if (strcmp(kw, "require-auth") == 0) {
		cf->require_auth = 1;
		return 0;
	}
	if (strcmp(kw, "require-tls") == 0) {
		cf->require_tls = 1;
		return 0;
	}
	if (strcmp(kw, "pipelining") == 0) {
		w = word(&s);
		if (w == NULL)
			return -1;
		if (strcmp(w, "reject") == 0)
			cf->pipelining_reject = 1;
		else if (strcmp(w, "log") == 0)
			cf->pipelining_reject = 0;
		else
			return -1;
		return 0;
	}
	if (strcmp(kw, "mechs") == 0) {
		free(cf->mechs);
		cf->mechs = strdup(s);
		return cf->mechs == NULL ? -1 : 0;
	}
	return -1;
}

int
script_load(struct config *cf, const char *path)
{
	FILE *fp;
	char line[8192];
	size_t n;
	unsigned lineno = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "smtpd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		n = strlen(line);
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (parse_line(cf, line) < 0) {
			fprintf(stderr, "smtpd: %s:%u: cannot parse\n", path,
			    lineno);
			fclose(fp);
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

/*
 * Count one occurrence of phase p and return the first rule, in file
 * order, that applies to it (NULL: behave normally).  Occurrences are
 * counted over the whole run, across connections.
 */
const struct rule *
script_match(const struct config *cf, enum phase p)
{
	const struct rule *r;

	smtpd_count[p]++;
	smtpd_count[PH_ANY]++;
	for (r = cf->rules; r != NULL; r = r->next) {
		if (r->phase != p && r->phase != PH_ANY)
			continue;
		if (r->nth == 0 || r->nth == smtpd_count[r->phase])
			return r;
	}
	return NULL;
}
