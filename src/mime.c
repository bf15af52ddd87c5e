/* SPDX-License-Identifier: MIT */
/*
 * mime: the multipart/mixed builder (see mime.h).
 *
 * The built message is a list of segments -- text made here (header
 * blocks, part headers, delimiters), the original body (as it is, or
 * quoted-printable), and each file (base64) -- read in turn through fixed
 * buffers, so memory does not grow with the attachments.  Every segment's
 * length is known up front: text by construction, a file from fstat and
 * b64_size(), the quoted-printable body from a counting pass over the
 * spooled body.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif

#include "encode.h"
#include "mime.h"
#include "mime-int.h"
#include "mimetype.h"

struct mime *
mime_new(void)
{
	struct mime *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	if ((m->in = malloc(IN_CHUNK)) == NULL ||
	    (m->out = malloc(OUT_CHUNK)) == NULL) {
		free(m->in);
		free(m);
		return NULL;
	}
	return m;
}

size_t
mime_count(const struct mime *m)
{
	return m->nfiles;
}

const char *
mime_error(const struct mime *m)
{
	return m->err;
}

static void
segs_free(struct mime *m)
{
	size_t i;

	for (i = 0; i < m->nsegs; i++)
		free(m->segs[i].text);
	free(m->segs);
	m->segs = NULL;
	m->nsegs = 0;
}

void
mime_free(struct mime *m)
{
	size_t i;

	if (m == NULL)
		return;
	segs_free(m);
	for (i = 0; i < m->nfiles; i++) {
		if (m->files[i].fd >= 0)
			close(m->files[i].fd);
		free(m->files[i].path);
		free(m->files[i].name);
		free(m->files[i].type);
	}
	free(m->files);
	free(m->in);
	free(m->out);
	free(m);
	mimetype_cleanup();
}

/* ---- attaching files ---- */

/* The whole file is read to name the charset of a text type: it is a
 * regular file, and a wrong charset shows the reader mojibake. */
static int
file_charset(struct mfile *f, char *buf, enum charset *cs)
{
	struct textscan t;
	uint64_t off = 0;
	ssize_t r;

	textscan_init(&t);
	while (off < f->size) {
		r = pread(f->fd, buf, IN_CHUNK, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		textscan_update(&t, buf, (size_t)r);
		off += (uint64_t)r;
	}
	textscan_final(&t);
	*cs = textscan_charset(&t);
	return 0;
}

static char *
dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

/* Choose the Content-Type value (mimetype.h for the order). */
static int
choose_type(struct mime *m, struct mfile *f, const char *type,
    struct failure *fail)
{
	char buf[MIMETYPE_MAX], full[MIMETYPE_MAX + 32];
	const char *t;
	enum charset cs;

	if (type != NULL) {
		if (!mimetype_valid(type)) {
			failure_set(fail, EX_USAGE, FAIL_PERM,
			    "attachment %s: malformed type \"%s\"", f->path,
			    type);
			return -1;
		}
		return (f->type = dupstr(type)) ? 0 : -1;
	}
	t = mimetype_by_name(f->name, MIMETYPE_TYPES_FILE, buf, sizeof(buf));
	if (t == NULL && f->size > 0)
		t = mimetype_by_content(f->fd, buf, sizeof(buf));
	if (t == NULL)
		t = MIMETYPE_DEFAULT;
	if (strncasecmp(t, "text/", 5) == 0) {
		if (file_charset(f, m->in, &cs) != 0) {
			failure_set(fail, EX_NOINPUT, FAIL_PERM,
			    "attachment %s: %s", f->path, strerror(errno ?
			    errno : EIO));
			return -1;
		}
		snprintf(full, sizeof(full), "%s; charset=%s", t,
		    charset_name(cs));
		t = full;
	}
	return (f->type = dupstr(t)) ? 0 : -1;
}

int
mime_add(struct mime *m, const char *path, const char *type,
    const char *name, struct failure *fail)
{
	struct mfile *f;
	struct stat st;
	const char *base;
	int fd;

	if (m->nfiles == m->capfiles) {
		size_t cap = m->capfiles ? m->capfiles * 2 : 4;
		struct mfile *nf = realloc(m->files, cap * sizeof(*nf));

		if (nf == NULL)
			goto nomem;
		m->files = nf;
		m->capfiles = cap;
	}
	/* O_NONBLOCK: opening a FIFO must not hang; fstat refuses it */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		failure_set(fail, EX_NOINPUT, FAIL_PERM, "attachment %s: %s",
		    path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		failure_set(fail, EX_NOINPUT, FAIL_PERM, "attachment %s: %s",
		    path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		failure_set(fail, EX_NOINPUT, FAIL_PERM, "attachment %s: %s",
		    path, S_ISDIR(st.st_mode) ? "is a directory" :
		    "not a regular file");
		close(fd);
		return -1;
	}
	f = &m->files[m->nfiles];
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->size = (uint64_t)st.st_size;
	if (name == NULL) {
		base = strrchr(path, '/');
		name = base ? base + 1 : path;
	}
	if (*name == '\0' || strlen(name) > MIME_NAME_MAX) {
		failure_set(fail, EX_USAGE, FAIL_PERM,
		    "attachment %s: file name empty or over %d octets", path,
		    MIME_NAME_MAX);
		close(fd);
		return -1;
	}
	if ((f->path = dupstr(path)) == NULL ||
	    (f->name = dupstr(name)) == NULL)
		goto undo;
	m->nfiles++;
	if (choose_type(m, f, type, fail) != 0) {
		m->nfiles--;
		goto undo;
	}
	return 0;
undo:
	close(fd);
	free(f->path);
	free(f->name);
	free(f->type);
	if (fail->code != EX_OK)
		return -1;
nomem:
	failure_set(fail, EX_OSERR, FAIL_TEMP, "out of memory");
	return -1;
}

/* ---- building ---- */

/* A growing string for header text; once allocation fails it stays bad. */
struct dstr {
	char	*p;
	size_t	 len, cap;
	int	 bad;
};

static void
ds_put(struct dstr *d, const char *s, size_t n)
{
	if (d->bad)
		return;
	if (d->cap - d->len <= n) {
		size_t cap = (d->len + n + 1) * 2;
		char *p = realloc(d->p, cap);

		if (p == NULL) {
			d->bad = 1;
			return;
		}
		d->p = p;
		d->cap = cap;
	}
	memcpy(d->p + d->len, s, n);
	d->len += n;
	d->p[d->len] = '\0';
}

static void
ds_puts(struct dstr *d, const char *s)
{
	ds_put(d, s, strlen(s));
}

static void
ds_field(struct dstr *d, const struct mime_field *f)
{
	ds_puts(d, f->name);
	ds_puts(d, ":");
	ds_puts(d, f->value);
	ds_puts(d, "\r\n");
}

/* RFC 2046 section 5.1.1: up to 70 bchars.  "=_" cannot occur in base64
 * (no "_", "=" only as final padding) nor in quoted-printable ("=" only
 * before two hex digits or a line break), so no encoded part can hold the
 * delimiter; the random rest makes text sent as it is (7bit/8bit, nested
 * MIME) unlikely to, and the body is checked anyway. */
static int
make_boundary(char *b, size_t cap)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[24];
	size_t i, got = 0;

#ifdef HAVE_GETRANDOM
	while (got < sizeof(r)) {
		ssize_t k = getrandom(r + got, sizeof(r) - got, 0);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
#endif
	if (got < sizeof(r)) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		ssize_t k;

		if (fd < 0)
			return -1;
		k = read(fd, r, sizeof(r));
		close(fd);
		if (k != (ssize_t)sizeof(r))
			return -1;
	}
	if (cap < 10 + sizeof(r))
		return -1;
	memcpy(b, "=_postie_", 9);
	for (i = 0; i < sizeof(r); i++)
		b[9 + i] = set[r[i] % (sizeof(set) - 1)];
	b[9 + i] = '\0';
	return 0;
}

/* What one pass over the body learns. */
struct bodyscan {
	struct textscan	 text;
	uint64_t	 size, qpsize;
	int		 clash;		/* a line starts with "--" boundary */
};

#define NOMATCH ((size_t)-1)

static int
scan_body(struct mime *m, struct bodyscan *bs)
{
	char pat[BOUNDARY_MAX + 2];
	size_t plen, match = 0, i;
	struct qp qp;
	ssize_t r;

	plen = (size_t)snprintf(pat, sizeof(pat), "--%s", m->boundary);
	memset(bs, 0, sizeof(*bs));
	textscan_init(&bs->text);
	qp_init(&qp);
	if (source_rewind(&m->body) != 0)
		return -1;
	for (;;) {
		r = source_read(&m->body, m->in, QP_CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		textscan_update(&bs->text, m->in, (size_t)r);
		bs->qpsize += qp_update(&qp, m->in, (size_t)r, m->out);
		bs->size += (uint64_t)r;
		for (i = 0; i < (size_t)r; i++) {
			if (m->in[i] == '\n')
				match = 0;
			else if (match != NOMATCH && m->in[i] == pat[match]) {
				if (++match == plen) {
					bs->clash = 1;
					match = NOMATCH;
				}
			} else
				match = NOMATCH;
		}
	}
	bs->qpsize += qp_final(&qp, m->out);
	textscan_final(&bs->text);
	return source_rewind(&m->body);
}

static int
add_seg(struct mime *m, enum seg_kind kind, struct dstr *text,
    uint64_t len, struct mfile *f)
{
	struct seg *s = realloc(m->segs, (m->nsegs + 1) * sizeof(*s));

	if (s == NULL)
		return -1;
	m->segs = s;
	s += m->nsegs++;
	s->kind = kind;
	s->file = f;
	s->len = len;
	s->text = NULL;
	if (kind == SEG_TEXT) {
		if (text->bad)
			return -1;
		s->text = text->p;
		s->len = text->len;
		text->p = NULL;
		text->len = text->cap = 0;
	}
	return 0;
}

static int
is_content_field(const char *name)
{
	return strncasecmp(name, "Content-", 8) == 0;
}

/* The part headers of one file. */
static void
file_headers(struct dstr *d, const struct mfile *f)
{
	char mem[4096];
	struct enc_buf b;

	enc_buf_init(&b, mem, sizeof(mem));
	enc_buf_puts(&b, "Content-Type: ");
	enc_buf_puts(&b, f->type);
	/* RFC 2045 section 5.1 name=, the form readers before RFC 2231
	 * understand (RFC 2047 words inside the quotes, de facto) */
	enc_param_2047(&b, "name", f->name, strlen(f->name));
	enc_buf_puts(&b, "\r\nContent-Disposition: attachment");
	/* RFC 2183 filename, RFC 2231 for anything but a token */
	enc_param_2231(&b, "filename", f->name, strlen(f->name));
	enc_buf_puts(&b, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	if (b.overflow)		/* names are capped: cannot happen */
		d->bad = 1;
	else
		ds_put(d, b.p, b.len);
}

/* The first token of a field value (a type or an encoding), lower-cased,
 * into buf; "" when there is none or it does not fit. */
static void
first_token(const char *v, char *buf, size_t cap)
{
	size_t n = 0;

	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	for (; *v && *v != ';' && *v != ' ' && *v != '\t' && *v != '\r' &&
	    *v != '\n' && *v != '('; v++) {
		if (n + 1 >= cap)
			break;
		buf[n++] = (char)((*v >= 'A' && *v <= 'Z') ? *v - 'A' + 'a' :
		    *v);
	}
	buf[n] = '\0';
	if (*v && *v != ';' && *v != ' ' && *v != '\t' && *v != '\r' &&
	    *v != '\n' && *v != '(')
		buf[0] = '\0';
}

/*
 * The transfer encoding an already-MIME body needs.  RFC 2045 section 6.1:
 * no Content-Transfer-Encoding means 7bit, and 7bit data is short lines
 * without 8-bit octets, NUL or bare CR/LF; 8bit data needs 8BITMIME on the
 * way (RFC 6152).  Returns NULL when the body goes with its own fields as
 * they are, else the encoding to label it with ("8bit", or
 * "quoted-printable", which re-encodes it).  Composite bodies (multipart,
 * message) are left alone: RFC 2046 section 5 forbids encoding them, and
 * changing their parts would break signatures (see postie(8)).  A body
 * that declares base64, quoted-printable or anything else is the sender's
 * encoding and is kept too.
 */
static const char *
nested_cte(const struct mime_field *fields, size_t nf,
    const struct textscan *t, int lines_ok, int eightbit_ok)
{
	char type[64] = "", cte[32] = "7bit";
	size_t i;
	int seen_ct = 0, seen_cte = 0;

	for (i = 0; i < nf; i++) {
		if (!seen_ct &&
		    strcasecmp(fields[i].name, "Content-Type") == 0) {
			first_token(fields[i].value, type, sizeof(type));
			seen_ct = 1;
		} else if (!seen_cte && strcasecmp(fields[i].name,
		    "Content-Transfer-Encoding") == 0) {
			first_token(fields[i].value, cte, sizeof(cte));
			seen_cte = 1;
		}
	}
	if (strncmp(type, "multipart/", 10) == 0 ||
	    strncmp(type, "message/", 8) == 0)
		return NULL;
	if (strcmp(cte, "7bit") == 0) {
		if (lines_ok && !t->eightbit)
			return NULL;
		return lines_ok && eightbit_ok ? "8bit" : "quoted-printable";
	}
	if (strcmp(cte, "8bit") == 0) {
		if (lines_ok && (eightbit_ok || !t->eightbit))
			return NULL;
		return "quoted-printable";
	}
	return NULL;
}

static int
has_8bit(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

int
mime_build_from(struct mime *m, const struct mime_field *fields, size_t nf,
    struct source *body, int eightbit_ok, struct source *src,
    struct failure *fail)
{
	struct dstr d = { NULL, 0, 0, 0 };
	struct bodyscan bs;
	const struct textscan *t = &bs.text;
	int is_mime = 0, head8 = 0, crlf = 1, raw = 0, tries;
	size_t i;

	if (m->nfiles == 0) {
		failure_set(fail, EX_SOFTWARE, FAIL_PERM,
		    "mime: nothing attached");
		return -1;
	}
	segs_free(m);
	m->body = *body;
	m->err[0] = '\0';
	m->could8 = 0;
	m->recoded = 0;
	for (i = 0; i < nf; i++)
		if (strcasecmp(fields[i].name, "MIME-Version") == 0 ||
		    strcasecmp(fields[i].name, "Content-Type") == 0 ||
		    strcasecmp(fields[i].name,
		    "Content-Transfer-Encoding") == 0)
			is_mime = 1;
	m->nested = is_mime;
	for (tries = 0;; tries++) {
		if (tries == BOUNDARY_TRIES ||
		    make_boundary(m->boundary, sizeof(m->boundary)) != 0) {
			failure_set(fail, EX_SOFTWARE, FAIL_TEMP,
			    "mime: cannot make a boundary");
			return -1;
		}
		if (scan_body(m, &bs) != 0) {
			failure_set(fail, EX_IOERR, FAIL_TEMP,
			    "reading the message body: %s", strerror(errno));
			return -1;
		}
		if (!bs.clash)
			break;
	}

	/* the message's own fields stay, except what describes its body */
	for (i = 0; i < nf; i++) {
		if (is_content_field(fields[i].name) ||
		    strcasecmp(fields[i].name, "MIME-Version") == 0)
			continue;
		ds_field(&d, &fields[i]);
		head8 |= has_8bit(fields[i].value);
	}
	ds_puts(&d, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n"
	    " boundary=\"");
	ds_puts(&d, m->boundary);
	ds_puts(&d, "\"\r\n\r\n");

	/* the body, unless there is nothing in it to show */
	if (!t->blank) {
		int lines_ok = !t->nul && !t->bare && t->maxline <= 998;
		const char *cte = NULL;

		ds_puts(&d, "--");
		ds_puts(&d, m->boundary);
		ds_puts(&d, "\r\n");
		if (is_mime)
			cte = nested_cte(fields, nf, t, lines_ok, eightbit_ok);
		m->recoded = cte != NULL;
		for (i = 0; i < nf; i++)
			if (is_content_field(fields[i].name) &&
			    (cte == NULL || strcasecmp(fields[i].name,
			    "Content-Transfer-Encoding") != 0))
				ds_field(&d, &fields[i]);
		if (cte != NULL) {
			/* the body's own Content-Type (its charset) stays */
			ds_puts(&d, "Content-Transfer-Encoding: ");
			ds_puts(&d, cte);
			ds_puts(&d, "\r\n");
			m->could8 = lines_ok && t->eightbit && !eightbit_ok;
		}
		raw = cte == NULL || strcmp(cte, "8bit") == 0;
		if (!is_mime) {
			/* RFC 2045 section 6.1, RFC 6152 */
			if (lines_ok && !t->eightbit)
				cte = "7bit";
			else if (lines_ok && eightbit_ok)
				cte = "8bit";
			else
				cte = "quoted-printable", raw = 0;
			m->could8 = lines_ok && t->eightbit && !eightbit_ok;
			ds_puts(&d, "Content-Type: text/plain; charset=");
			ds_puts(&d, charset_name(textscan_charset(t)));
			ds_puts(&d, "\r\nContent-Transfer-Encoding: ");
			ds_puts(&d, cte);
			ds_puts(&d, "\r\n");
		}
		/* an already-MIME body goes as it is, but for a simple one
		 * whose label does not fit its octets (nested_cte) */
		ds_puts(&d, "\r\n");
		if (add_seg(m, SEG_TEXT, &d, 0, NULL) != 0 ||
		    add_seg(m, raw ? SEG_BODY : SEG_BODY_QP, NULL,
		    raw ? bs.size : bs.qpsize, NULL) != 0)
			goto nomem;
		crlf = 0;
	}
	for (i = 0; i < m->nfiles; i++) {
		struct mfile *f = &m->files[i];

		/* RFC 2046 section 5.1.1: the CRLF before "--" belongs to
		 * the delimiter; base64 lines already end with one */
		ds_puts(&d, crlf ? "--" : "\r\n--");
		ds_puts(&d, m->boundary);
		ds_puts(&d, "\r\n");
		file_headers(&d, f);
		if (add_seg(m, SEG_TEXT, &d, 0, NULL) != 0 ||
		    add_seg(m, SEG_FILE, NULL, b64_size(f->size), f) != 0)
			goto nomem;
		crlf = f->size > 0;
	}
	ds_puts(&d, crlf ? "--" : "\r\n--");
	ds_puts(&d, m->boundary);
	ds_puts(&d, "--\r\n");
	if (add_seg(m, SEG_TEXT, &d, 0, NULL) != 0)
		goto nomem;

	m->size = 0;
	for (i = 0; i < m->nsegs; i++)
		m->size += m->segs[i].len;
	mime_read_reset(m);
	src->read = mime_src_read;
	src->rewind = mime_src_rewind;
	src->ctx = m;
	src->size = m->size;
	src->eightbit = head8 || (raw && t->eightbit);
	src->longlines = raw && t->maxline > 998;
	return 0;
nomem:
	free(d.p);
	segs_free(m);
	failure_set(fail, EX_OSERR, FAIL_TEMP, "out of memory");
	return -1;
}
