/* SPDX-License-Identifier: MIT */
/*
 * oauth-http: one HTTPS POST for the token request (RFC 6749 section
 * 3.2: POST, application/x-www-form-urlencoded, TLS required).  We send
 * "Connection: close" and read one reply: status line, header fields, and
 * a body delimited by Content-Length, chunked coding (RFC 9112 sections
 * 6.3 and 7.1), or the end of the connection.  Every size is capped.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "net.h"
#include "oauth-http.h"
#include "tls.h"

int
http_url_parse(const char *url, struct http_url *u)
{
	const char *h, *e, *p, *colon;
	size_t hl;
	long port = 443;
	char *end;

	if (strncmp(url, "https://", 8) != 0)
		return -1;
	h = url + 8;
	p = h + strcspn(h, "/?#");
	if (memchr(h, '@', (size_t)(p - h)) != NULL)
		return -1;		/* no user info, ever */
	if (*h == '[') {		/* an IPv6 literal */
		if ((e = memchr(h, ']', (size_t)(p - h))) == NULL)
			return -1;
		colon = e + 1 < p && e[1] == ':' ? e + 1 : NULL;
		h++;
		hl = (size_t)(e - h);
	} else {
		colon = memchr(h, ':', (size_t)(p - h));
		hl = (size_t)((colon ? colon : p) - h);
	}
	if (colon != NULL) {
		if (colon + 1 == p || colon[1] < '1' || colon[1] > '9')
			return -1;
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (end != p || port < 1 || port > 65535 || errno != 0)
			return -1;
	}
	if (hl == 0 || hl >= sizeof(u->host) || *p == '#' ||
	    strlen(p) >= sizeof(u->path) - 1)
		return -1;
	memcpy(u->host, h, hl);
	u->host[hl] = '\0';
	u->port = (int)port;
	snprintf(u->path, sizeof(u->path), "%s%s", *p == '/' ? "" : "/", p);
	if (strpbrk(u->path, " \r\n\t") != NULL || strpbrk(u->host, " \r\n\t/"))
		return -1;
	return 0;
}

int
http_form_add(char *out, size_t cap, const char *key, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(out), start = n;
	const unsigned char *s;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if (pass == 0 && n > 0) {
			if (n + 1 >= cap)
				goto full;
			out[n++] = '&';
		}
		for (s = (const unsigned char *)(pass ? value : key); *s; s++) {
			if (n + 4 >= cap)
				goto full;
			/* RFC 3986 section 2.3 unreserved go as they are */
			if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')
			    || (*s >= '0' && *s <= '9') || strchr("-._~", *s))
				out[n++] = (char)*s;
			else {
				out[n++] = '%';
				out[n++] = hex[*s >> 4];
				out[n++] = hex[*s & 15];
			}
		}
		if (pass == 0)
			out[n++] = '=';
	}
	out[n] = '\0';
	return 0;
full:
	out[start] = '\0';	/* as it was: no half pair */
	return -1;
}

static int
bad(char *why, size_t len, const char *msg)
{
	snprintf(why, len, "%s", msg);
	return -1;
}

/*
 * Digits in base 10 or 16 from p, not past lim: no sign, no white space,
 * unlike strtoul (the buffer is not NUL-terminated).  Returns where they
 * end, or NULL when there are none or the value passes HTTP_REPLY_MAX.
 */
static const char *
number(const char *p, const char *lim, int base, unsigned long *v)
{
	const char *s = p;
	int d;

	for (*v = 0; p < lim; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		*v = *v * (unsigned long)base + (unsigned long)d;
		if (*v > HTTP_REPLY_MAX)
			return NULL;
	}
	return p > s ? p : NULL;
}

/* Decode a chunked body (RFC 9112 section 7.1).  1 complete, 0 more. */
static int
dechunk(const char *p, const char *end, char *body, size_t cap,
    size_t *blen, char *why, size_t wl)
{
	const char *eol, *x;
	unsigned long sz;

	*blen = 0;
	for (;;) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return end - p > 64 ? bad(why, wl, "bad chunk") : 0;
		x = number(p, eol, 16, &sz);
		if (x == NULL || (*x != '\r' && *x != ';' && *x != '\n'))
			return bad(why, wl, "bad chunk size");
		p = eol + 1;
		if (sz == 0)
			break;
		if ((size_t)(end - p) < sz + 2)
			return 0;
		if (*blen + sz >= cap)
			return bad(why, wl, "body too long");
		memcpy(body + *blen, p, sz);
		*blen += sz;
		p += sz;
		if (p[0] == '\r' && p[1] == '\n')
			p += 2;
		else
			return bad(why, wl, "chunk not followed by CRLF");
	}
	/* trailer fields, then the empty line */
	for (;;) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return 0;
		if (eol == p || (eol == p + 1 && *p == '\r'))
			break;
		p = eol + 1;
	}
	body[*blen] = '\0';
	return 1;
}

int
http_reply_parse(const char *buf, size_t len, int eof, int *status,
    char *body, size_t cap, size_t *blen, char *why, size_t wl)
{
	const char *end = buf + len, *hend, *p, *eol, *x;
	unsigned long clen = 0;
	int have_len = 0, chunked = 0;

	if (len > HTTP_REPLY_MAX)
		return bad(why, wl, "reply too long");
	if ((hend = NULL, p = buf), len >= 4)
		for (; p + 3 < end; p++)
			if (memcmp(p, "\r\n\r\n", 4) == 0) {
				hend = p + 2;
				break;
			}
	if (hend == NULL)
		return eof ? bad(why, wl, "reply ends in its header") :
		    len > 16384 ? bad(why, wl, "header too long") : 0;
	if (len < 13 || memcmp(buf, "HTTP/1.", 7) != 0 || (buf[7] != '0' &&
	    buf[7] != '1') || buf[8] != ' ' || buf[9] < '1' || buf[9] > '5' ||
	    buf[10] < '0' || buf[10] > '9' || buf[11] < '0' || buf[11] > '9' ||
	    (buf[12] != ' ' && buf[12] != '\r'))
		return bad(why, wl, "not an HTTP/1.x status line");
	*status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + buf[11] - '0';
	eol = memchr(buf, '\n', len);
	if (eol == NULL || eol[-1] != '\r')
		return bad(why, wl, "bad status line");
	for (p = eol + 1; p < hend;
	    p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(hend - p));
		if (eol == NULL || eol == p || eol[-1] != '\r')
			return bad(why, wl, "bad header line");
		if (strncasecmp(p, "Content-Length:", 15) == 0) {
			for (p += 15; *p == ' ' || *p == '\t'; p++)
				;
			x = number(p, eol, 10, &clen);
			if (x == NULL || (*x != '\r' && *x != ' ') ||
			    have_len++)
				return bad(why, wl, "bad Content-Length");
		} else if (strncasecmp(p, "Transfer-Encoding:", 18) == 0) {
			for (p += 18; *p == ' ' || *p == '\t'; p++)
				;
			if (strncasecmp(p, "chunked\r", 8) != 0)
				return bad(why, wl, "unsupported "
				    "Transfer-Encoding");
			chunked = 1;
		}
	}
	p = hend + 2;
	if (chunked && have_len)
		return bad(why, wl, "both Content-Length and chunked");
	if (chunked)
		return dechunk(p, end, body, cap, blen, why, wl);
	if (have_len && clen >= cap)
		return bad(why, wl, "body too long");
	if (have_len && (size_t)(end - p) < clen)
		return eof ? bad(why, wl, "reply cut short") : 0;
	if (!have_len) {
		if (!eof)
			return 0;
		clen = (unsigned long)(end - p);
		if (clen >= cap)
			return bad(why, wl, "body too long");
	}
	memcpy(body, p, clen);
	body[clen] = '\0';
	*blen = clen;
	return 1;
}

/* Wait for the TLS session to be able to go on, or the deadline. */
static int
wait_tls(int fd, struct tls *t, int64_t deadline, struct failure *f,
    const char *host)
{
	int r = net_wait(fd, tls_want_write(t) ? POLLOUT : POLLIN, deadline);

	if (r == 1)
		return 0;
	failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "token endpoint %s: %s", host,
	    r == 0 ? "timed out" : strerror(errno));
	return -1;
}

static int
send_req(int fd, struct tls *t, const char *req, size_t n, int64_t dl,
    struct failure *f, const char *host)
{
	ssize_t w;

	while (n > 0) {
		w = tls_send(t, req, n);
		if (w == TLS_AGAIN) {
			if (wait_tls(fd, t, dl, f, host) == -1)
				return -1;
			continue;
		}
		if (w < 0) {
			failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "token endpoint "
			    "%s: %s", host, tls_error(t));
			return -1;
		}
		req += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read until the reply is complete; parse into body. */
static int
read_reply(int fd, struct tls *t, int64_t dl, char *buf, int *status,
    char *body, size_t *blen, struct failure *f, const char *host)
{
	char why[128];
	size_t have = 0;
	ssize_t r;
	int eof = 0, done;

	for (;;) {
		done = http_reply_parse(buf, have, eof, status, body,
		    HTTP_REPLY_MAX, blen, why, sizeof(why));
		if (done == 1)
			return 0;
		if (done == -1 || have == HTTP_REPLY_MAX) {
			failure_set(f, EX_PROTOCOL, FAIL_TEMP, "token endpoint "
			    "%s: %s", host, done == -1 ? why :
			    "reply too long");
			return -1;
		}
		r = tls_recv(t, buf + have, HTTP_REPLY_MAX - have);
		if (r == TLS_AGAIN) {
			if (wait_tls(fd, t, dl, f, host) == -1)
				return -1;
		} else if (r < 0) {
			failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "token endpoint "
			    "%s: %s", host, tls_error(t));
			return -1;
		} else if (r == 0)
			eof = 1;
		else
			have += (size_t)r;
	}
}

int
http_post(const struct account *a, const char *url, const char *form,
    int timeout, int *status, char **body, size_t *blen, struct failure *f)
{
	struct account trust;
	struct http_url u;
	struct tls *t = NULL;
	char relay[300], port[8], *req = NULL, *buf = NULL, *b = NULL;
	int64_t dl = net_deadline(timeout);
	size_t n = strlen(form) + 2048;
	int fd = -1, rc = -1, len;

	*body = NULL;
	if (http_url_parse(url, &u) == -1) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "oauth_token_endpoint: "
		    "not an https:// URL");
		return -1;
	}
	/* the relay's trust settings, not its pin or client certificate */
	memset(&trust, 0, sizeof(trust));
	trust.name = a->name;
	trust.tls_trust_file = a->tls_trust_file;
	trust.tls_min_version = a->tls_min_version;
	trust.tls_priorities = a->tls_priorities;
	trust.tls_verify = a->tls_verify;
	if ((req = malloc(n)) == NULL || (buf = malloc(HTTP_REPLY_MAX + 1))
	    == NULL || (b = malloc(HTTP_REPLY_MAX + 1)) == NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		goto out;
	}
	/* RFC 9110 section 7.2: the port only when not the default */
	snprintf(port, sizeof(port), ":%d", u.port);
	len = snprintf(req, n, "POST %s HTTP/1.1\r\nHost: %s%s%s%s\r\n"
	    "User-Agent: postie/%s\r\nAccept: application/json\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", u.path,
	    strchr(u.host, ':') ? "[" : "", u.host,
	    strchr(u.host, ':') ? "]" : "", u.port != 443 ? port : "",
	    PACKAGE_VERSION, strlen(form), form);
	if (len < 0 || (size_t)len >= n) {
		failure_set(f, EX_SOFTWARE, FAIL_PERM, "token request too long");
		goto out;
	}
	if ((fd = net_connect(u.host, u.port, dl, relay, sizeof(relay), f))
	    == -1 || (t = tls_open(fd, &trust, u.host, dl, f)) == NULL ||
	    send_req(fd, t, req, (size_t)len, dl, f, u.host) == -1 ||
	    read_reply(fd, t, dl, buf, status, b, blen, f, u.host) == -1)
		goto out;
	*body = b;
	b = NULL;
	rc = 0;
out:
	if (t != NULL)
		tls_close(t);
	if (fd != -1)
		close(fd);
	if (req != NULL) {
		explicit_bzero(req, n);
		free(req);
	}
	if (buf != NULL) {
		explicit_bzero(buf, HTTP_REPLY_MAX + 1);
		free(buf);
	}
	free(b);
	return rc;
}
