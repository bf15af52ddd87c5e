/* SPDX-License-Identifier: MIT */
/*
 * mimecheck: a strict checker and decoder of the messages postie builds.
 *   mimecheck [-d DIR] < message
 * Checks: CRLF line endings everywhere, lines within 998 octets, header
 * syntax, one MIME-Version: 1.0 and a multipart/mixed Content-Type with a
 * valid boundary at the top, no Content-* left at the top, delimiter
 * syntax, a close delimiter and nothing after it; in every part only
 * Content-* fields, a known transfer encoding, 7bit parts 7-bit, base64 in
 * full 76-column lines of the alphabet with padding only at the end,
 * quoted-printable within 76 columns with valid escapes and no trailing
 * whitespace; name= (RFC 2047) equal to filename (RFC 2231).  Prints one
 * line per part ("part N type=... cte=... filename=... size=N"); with -d
 * writes each decoded part to DIR/part-N and each named one to DIR/NAME.
 * Exit 0 when the message passes, 1 with the reason on stderr otherwise.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LINE_MAX_OCTETS 998
#define FIELD_MAX	16384

static const char *dir;
static unsigned long lineno;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mimecheck: line %lu: ", lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* One line without its CRLF; NULL at the end.  Strict: CRLF only. */
static char *
get_line(size_t *len, int *eightbit)
{
	static char buf[LINE_MAX_OCTETS + 3];
	size_t n = 0;
	int c;

	*eightbit = 0;
	while ((c = getc_unlocked(stdin)) != EOF) {
		if (n == sizeof(buf) - 1)
			die("line over %d octets", LINE_MAX_OCTETS);
		buf[n++] = (char)c;
		if (c == '\n')
			break;
		if (c == 0)
			die("NUL octet");
		if (c >= 0x80)
			*eightbit = 1;
	}
	if (n == 0)
		return NULL;
	lineno++;
	if (n < 2 || buf[n - 1] != '\n' || buf[n - 2] != '\r')
		die("line does not end with CRLF");
	n -= 2;
	if (memchr(buf, '\r', n) != NULL)
		die("bare CR");
	buf[n] = '\0';
	*len = n;
	return buf;
}

struct field {
	char	 name[80];
	char	 value[FIELD_MAX];	/* unfolded */
};

/* Read a header block (up to the empty line).  Returns the count. */
static size_t
read_fields(struct field *f, size_t max)
{
	size_t n = 0, len, k;
	char *l, *colon;
	int e8;

	while ((l = get_line(&len, &e8)) != NULL && len > 0) {
		if (*l == ' ' || *l == '\t') {
			if (n == 0)
				die("continuation before any field");
			k = strlen(f[n - 1].value);
			if (k + len >= FIELD_MAX)
				die("field too long");
			memcpy(f[n - 1].value + k, l, len + 1);
			continue;
		}
		if ((colon = strchr(l, ':')) == NULL || colon == l ||
		    (size_t)(colon - l) >= sizeof(f->name))
			die("malformed header field");
		if (n == max)
			die("too many fields");
		for (k = 0; l + k < colon; k++)
			if (l[k] <= 32 || l[k] >= 127)
				die("bad field name");
		memcpy(f[n].name, l, (size_t)(colon - l));
		f[n].name[colon - l] = '\0';
		if (strlen(colon + 1) >= FIELD_MAX)
			die("field too long");
		memcpy(f[n].value, colon + 1, strlen(colon + 1) + 1);
		n++;
	}
	if (l == NULL)
		die("end of message inside a header block");
	return n;
}

static const char *
field_get(struct field *f, size_t n, const char *name)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(f[i].name, name) == 0) {
			if (v != NULL)
				die("%s twice", name);
			v = f[i].value;
		}
	return v;
}

static const char *
skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static int
is_tspecial(int c)
{
	return c <= 32 || c >= 127 || strchr("()<>@,;:\\\"/[]?=", c);
}

/* The value's "type/subtype" lower-cased into out; returns the rest. */
static const char *
parse_type(const char *v, char *out, size_t cap, int slash)
{
	size_t n = 0;

	v = skip_ws(v);
	while (*v && (!is_tspecial((unsigned char)*v) || (slash && *v == '/'))) {
		if (*v == '/')
			slash = 0;
		if (n + 1 >= cap)
			die("type too long");
		out[n++] = (char)tolower((unsigned char)*v++);
	}
	out[n] = '\0';
	if (n == 0)
		die("missing type");
	return skip_ws(v);
}

/* Find parameter attr (exact attribute text, case-insensitive) and copy
 * its value (quoted-string unquoted) into out.  Returns 1 if found. */
static int
param(const char *rest, const char *attr, char *out, size_t cap)
{
	char a[128], val[FIELD_MAX];
	int found = 0;
	size_t n;

	while (*rest) {
		if (*rest != ';')
			die("expected ';' in parameters: %s", rest);
		rest = skip_ws(rest + 1);
		for (n = 0; *rest && *rest != '=' && !is_tspecial((unsigned char)*rest); n++) {
			if (n + 1 >= sizeof(a))
				die("attribute too long");
			a[n] = *rest++;
		}
		a[n] = '\0';
		if (n == 0 || *rest++ != '=')
			die("malformed parameter");
		n = 0;
		if (*rest == '"') {
			for (rest++; *rest && *rest != '"'; rest++) {
				if (*rest == '\\' && rest[1])
					rest++;
				val[n++] = *rest;
			}
			if (*rest++ != '"')
				die("unterminated quoted-string");
		} else {
			while (*rest && !is_tspecial((unsigned char)*rest))
				val[n++] = *rest++;
			if (n == 0)
				die("empty parameter value");
		}
		val[n] = '\0';
		rest = skip_ws(rest);
		if (strcasecmp(a, attr) == 0) {
			if (found)
				die("parameter %s twice", attr);
			if (n >= cap)
				die("parameter too long");
			memcpy(out, val, n + 1);
			found = 1;
		}
	}
	return found;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 2231: filename, filename*, or filename*0*, filename*1*, ... */
static int
filename_2231(const char *rest, char *out, size_t cap)
{
	char v[FIELD_MAX], attr[64];
	size_t n = 0, i;
	int seg, any = 0;
	const char *p;

	if (param(rest, "filename", out, cap))
		any = 1;
	if (param(rest, "filename*", v, sizeof(v)) ||
	    param(rest, "filename*0*", v, sizeof(v))) {
		if (any)
			die("filename given twice");
		p = strstr(v, "''");
		if (p == NULL || (strncmp(v, "UTF-8''", 7) != 0 &&
		    strncmp(v, "unknown-8bit''", 14) != 0))
			die("RFC 2231 value without charset''");
		p += 2;
		for (seg = 1;; seg++) {
			for (i = 0; p[i]; i++) {
				if (p[i] == '%') {
					int h = hexval(p[i + 1]), l = h < 0 ? -1 :
					    hexval(p[i + 2]);

					if (l < 0)
						die("bad %%XX in filename");
					out[n++] = (char)(h << 4 | l);
					i += 2;
				} else if (strchr("*'%", p[i]) ||
				    is_tspecial((unsigned char)p[i]))
					die("octet that must be %%-encoded");
				else
					out[n++] = p[i];
				if (n + 4 >= cap)
					die("filename too long");
			}
			snprintf(attr, sizeof(attr), "filename*%d*", seg);
			if (!param(rest, attr, v, sizeof(v)))
				break;
			p = v;
		}
		out[n] = '\0';
		any = 1;
	}
	return any;
}

static const signed char *
b64_table(void)
{
	static signed char t[256];
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	int i;

	memset(t, -1, sizeof(t));
	for (i = 0; i < 64; i++)
		t[(unsigned char)a[i]] = (signed char)i;
	return t;
}

/* Decode base64 text (no whitespace) of n characters into out. */
static size_t
b64_decode(const char *s, size_t n, char *out, int last)
{
	const signed char *t = b64_table();
	size_t i, o = 0, pad = 0;

	if (n % 4 != 0)
		die("base64 line not a multiple of 4");
	for (i = 0; i < n; i += 4) {
		int v[4], k;

		for (k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)s[i + k];

			if (c == '=' && last && i + 4 == n && k >= 2 &&
			    (k == 3 || s[i + 3] == '=')) {
				v[k] = 0;
				pad++;
			} else if ((v[k] = t[c]) < 0)
				die("bad base64 character 0x%02x", c);
		}
		out[o++] = (char)(v[0] << 2 | v[1] >> 4);
		out[o++] = (char)(v[1] << 4 | v[2] >> 2);
		out[o++] = (char)(v[2] << 6 | v[3]);
	}
	return o - pad;
}

/* RFC 2047 B words (as postie writes name=), or the plain value. */
static void
name_2047(const char *v, char *out, size_t cap)
{
	const char *e, *p;
	size_t n = 0;

	if (strncmp(v, "=?", 2) != 0) {
		if (strlen(v) >= cap)
			die("name too long");
		memcpy(out, v, strlen(v) + 1);
		return;
	}
	for (p = v; *p; p = skip_ws(e + 2)) {
		if (strncmp(p, "=?UTF-8?B?", 10) == 0)
			p += 10;
		else if (strncmp(p, "=?unknown-8bit?B?", 17) == 0)
			p += 17;
		else
			die("unexpected encoded-word: %s", p);
		if ((e = strstr(p, "?=")) == NULL || e - p + 12 > 75 + 10)
			die("bad encoded-word");
		if (n + (size_t)(e - p) >= cap)
			die("name too long");
		n += b64_decode(p, (size_t)(e - p), out + n, 1);
	}
	out[n] = '\0';
}

static FILE *
open_out(const char *name)
{
	char path[4096];
	FILE *fp;

	if (dir == NULL)
		return NULL;
	if (strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0 || *name == '\0')
		die("unsafe file name \"%s\"", name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "wbx")) == NULL)
		die("cannot create %s (twice the same name?)", path);
	return fp;
}

static void
out2(FILE *a, FILE *b, const char *s, size_t n)
{
	if (a && fwrite(s, 1, n, a) != n)
		die("write failed");
	if (b && fwrite(s, 1, n, b) != n)
		die("write failed");
}

enum cte { CTE_7BIT, CTE_8BIT, CTE_B64, CTE_QP };

/* Decode one line of quoted-printable; *soft when it ends with "=". */
static size_t
qp_line(const char *l, size_t len, char *out, int *soft)
{
	size_t i, o = 0;

	if (len > 76)
		die("quoted-printable line over 76");
	*soft = len > 0 && l[len - 1] == '=';
	if (*soft)
		len--;
	else if (len > 0 && (l[len - 1] == ' ' || l[len - 1] == '\t'))
		die("quoted-printable trailing whitespace");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)l[i];

		if (c == '=') {
			int h, lo;

			if (i + 2 >= len)
				die("truncated quoted-printable escape");
			h = hexval(l[i + 1]);
			lo = hexval(l[i + 2]);
			if (h < 0 || lo < 0)
				die("bad quoted-printable escape");
			out[o++] = (char)(h << 4 | lo);
			i += 2;
		} else if ((c < 33 || c > 126) && c != ' ' && c != '\t')
			die("unencoded octet 0x%02x in quoted-printable", c);
		else
			out[o++] = (char)c;
	}
	return o;
}

/*
 * One part's content up to the next delimiter.  Returns 1 when that was
 * the close delimiter.
 */
static int
part(const char *bnd, int n)
{
	struct field f[64];
	size_t nf = read_fields(f, 64), i, len, total = 0, k;
	const char *ct, *cte, *cd, *rest;
	char type[128], enc[64], fname[1024] = "", nm[1024] = "", tmp[1024];
	char dec[LINE_MAX_OCTETS + 3], pname[32];
	enum cte e = CTE_7BIT;
	int e8, soft = 0, prev_b64_short = 0, first = 1, close = 0;
	int b64_blank = 0;
	FILE *a, *b = NULL;
	char *l;

	for (i = 0; i < nf; i++)
		if (strncasecmp(f[i].name, "Content-", 8) != 0)
			die("non-Content field \"%s\" in a part", f[i].name);
	ct = field_get(f, nf, "Content-Type");
	cte = field_get(f, nf, "Content-Transfer-Encoding");
	cd = field_get(f, nf, "Content-Disposition");
	if (cte) {
		parse_type(cte, enc, sizeof(enc), 0);
		if (strcmp(enc, "7bit") == 0)
			e = CTE_7BIT;
		else if (strcmp(enc, "8bit") == 0)
			e = CTE_8BIT;
		else if (strcmp(enc, "base64") == 0)
			e = CTE_B64;
		else if (strcmp(enc, "quoted-printable") == 0)
			e = CTE_QP;
		else
			die("unknown transfer encoding %s", enc);
	} else
		snprintf(enc, sizeof(enc), "7bit");
	if (ct) {
		rest = parse_type(ct, type, sizeof(type), 1);
		if (!strchr(type, '/'))
			die("type without subtype");
		if (param(rest, "name", tmp, sizeof(tmp)))
			name_2047(tmp, nm, sizeof(nm));
	} else
		snprintf(type, sizeof(type), "text/plain");
	if (cd) {
		rest = parse_type(cd, tmp, sizeof(tmp), 0);
		if (strcmp(tmp, "attachment") != 0 && strcmp(tmp, "inline"))
			die("bad disposition %s", tmp);
		if (!filename_2231(rest, fname, sizeof(fname)))
			die("attachment without filename");
		if (*nm && strcmp(nm, fname) != 0)
			die("name= \"%s\" differs from filename \"%s\"", nm,
			    fname);
	}
	snprintf(pname, sizeof(pname), "part-%d", n);
	a = open_out(pname);
	if (*fname)
		b = open_out(fname);
	for (;;) {
		if ((l = get_line(&len, &e8)) == NULL)
			die("end of message inside a part");
		if (len >= 2 + strlen(bnd) && l[0] == '-' && l[1] == '-' &&
		    strncmp(l + 2, bnd, strlen(bnd)) == 0) {
			k = 2 + strlen(bnd);
			if (len == k)
				break;
			if (len == k + 2 && l[k] == '-' && l[k + 1] == '-') {
				close = 1;
				break;
			}
			die("line starting with the boundary");
		}
		if (e8 && e != CTE_8BIT)
			die("8-bit octet in a %s part", enc);
		switch (e) {
		case CTE_B64:
			/* an empty last line: the CRLF a nested body (sent as
			 * it is) ends with, before the delimiter's own CRLF
			 * (RFC 2045 section 6.8: line breaks are ignored) */
			if (len == 0) {
				b64_blank = 1;
				break;
			}
			if (b64_blank)
				die("base64 after an empty line");
			if (prev_b64_short)
				die("short base64 line before the last");
			if (len > 76)
				die("base64 line over 76");
			prev_b64_short = len != 76;
			k = b64_decode(l, len, dec, len != 76);
			out2(a, b, dec, k);
			total += k;
			break;
		case CTE_QP:
			/* the line break before this line, unless soft */
			if (!first && !soft) {
				out2(a, b, "\r\n", 2);
				total += 2;
			}
			k = qp_line(l, len, dec, &soft);
			out2(a, b, dec, k);
			total += k;
			break;
		default:
			if (!first) {
				out2(a, b, "\r\n", 2);
				total += 2;
			}
			out2(a, b, l, len);
			total += len;
			break;
		}
		first = 0;
	}
	if (e == CTE_QP && soft)
		die("quoted-printable ends with a soft break");
	if (a)
		fclose(a);
	if (b)
		fclose(b);
	printf("part %d type=%s cte=%s filename=%s size=%zu", n, type, enc,
	    fname, total);
	if (ct && param(parse_type(ct, tmp, sizeof(tmp), 1), "charset", tmp,
	    sizeof(tmp)))
		printf(" charset=%s", tmp);
	printf("\n");
	return close;
}

int
main(int argc, char **argv)
{
	struct field *f = calloc(512, sizeof(*f));
	char type[128], bnd[FIELD_MAX], *l;
	const char *ct, *mv, *rest;
	size_t nf, i, len;
	int e8, n = 0;

	if (argc == 3 && strcmp(argv[1], "-d") == 0)
		dir = argv[2];
	else if (argc != 1) {
		fprintf(stderr, "usage: mimecheck [-d DIR] < message\n");
		return 2;
	}
	nf = read_fields(f, 512);
	if ((mv = field_get(f, nf, "MIME-Version")) == NULL ||
	    strcmp(skip_ws(mv), "1.0") != 0)
		die("MIME-Version: 1.0 missing");
	if ((ct = field_get(f, nf, "Content-Type")) == NULL)
		die("no Content-Type");
	for (i = 0; i < nf; i++)
		if (strncasecmp(f[i].name, "Content-", 8) == 0 &&
		    strcasecmp(f[i].name, "Content-Type") != 0)
			die("%s at the top", f[i].name);
	rest = parse_type(ct, type, sizeof(type), 1);
	if (strcmp(type, "multipart/mixed") != 0)
		die("top type %s", type);
	if (!param(rest, "boundary", bnd, sizeof(bnd)))
		die("no boundary");
	len = strlen(bnd);
	if (len == 0 || len > 70 || bnd[len - 1] == ' ' ||
	    strspn(bnd, "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ") != len)
		die("boundary \"%s\" breaks RFC 2046 section 5.1.1", bnd);
	printf("boundary %s\n", bnd);
	/* preamble, up to the first delimiter */
	for (;;) {
		if ((l = get_line(&len, &e8)) == NULL)
			die("no delimiter");
		if (len == strlen(bnd) + 2 && l[0] == '-' && l[1] == '-' &&
		    strcmp(l + 2, bnd) == 0)
			break;
	}
	while (!part(bnd, ++n))
		;
	if (get_line(&len, &e8) != NULL)
		die("text after the close delimiter");
	printf("parts %d\n", n);
	free(f);
	return 0;
}
