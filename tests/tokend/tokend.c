/* SPDX-License-Identifier: MIT */
/*
 * tests/tokend/tokend.c: a local HTTPS OAuth2 token endpoint for postie's
 * tests (never installed).  It answers POSTs of
 * application/x-www-form-urlencoded token requests (RFC 6749 section 6
 * refresh_token, section 4.4 client_credentials) in the shape of Google's
 * or Microsoft's endpoint, issues numbered access tokens, and can play an
 * expired/revoked refresh token, a wrong client, or a server error.
 *
 *   postie-test-tokend -p PORTFILE -C CERT -K KEY [-l LOG] [-n N] [-T SECS]
 *       [-S google|microsoft] [-c CLIENT_ID[:SECRET]] [-r REFRESH_TOKEN]
 *       [-R] [-e EXPIRES_IN] [-a PREFIX] [-s STATUS]
 *
 * -p    write the port (OS-chosen, on 127.0.0.1) to PORTFILE once listening
 * -l    one line per request: "POST PATH k=v k=v ..." (values decoded;
 *       these are test secrets), then "issued TOKEN" or "refused ERROR"
 * -n    serve N requests, then exit 0 (default 10)
 * -T    exit 3 after SECS seconds in all (default 30)
 * -S    reply shape (default google); google replies are sent chunked,
 *       microsoft ones with Content-Length
 * -c    the registered client (default "client-id", any secret)
 * -r    the refresh token that is valid (default "good-refresh")
 * -R    the refresh token is revoked: every refresh gets invalid_grant
 * -e    expires_in of issued tokens (default 3599)
 * -a    issued tokens are PREFIX-1, PREFIX-2, ... (default "at")
 * -s    answer every request with this HTTP status (e.g. 503) and no token
 * -P    device flow (RFC 8628): answer authorization_pending to the first
 *       N polls (default 1), then issue; POST .../devicecode gives the
 *       codes (device_code "dev-code", user_code "WDJB-MJHT")
 * -D    device flow: the user declines (access_denied)
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#define REQ_MAX	(32 * 1024)

static struct {
	const char	*portfile, *cert, *key, *log, *shape, *client;
	const char	*refresh, *prefix;
	int		 n, secs, revoked, expires, status, pending, deny;
} O = { NULL, NULL, NULL, NULL, "google", "client-id", "good-refresh",
	"at", 10, 30, 0, 3599, 0, 1, 0 };
static int polls;
static FILE *logfp;
static int issued;

static void
logline(const char *fmt, ...)
{
	va_list ap;

	if (logfp == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(logfp, fmt, ap);
	va_end(ap);
	fputc('\n', logfp);
	fflush(logfp);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode a form value in place ('+' is a space, %XX a byte). */
static void
form_decode(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*o++ = ' ';
		else if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

/* The decoded value of key in the form body, or NULL (static buffer). */
static const char *
form_get(const char *body, const char *key)
{
	static char buf[8][4096];
	static int slot;
	size_t kl = strlen(key), n;
	const char *p = body, *e;
	char *out;

	while (*p != '\0') {
		e = strchr(p, '&');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			out = buf[slot++ % 8];
			snprintf(out, sizeof(buf[0]), "%.*s", (int)(n - kl - 1),
			    p + kl + 1);
			form_decode(out);
			return out;
		}
		p += n + (e ? 1 : 0);
	}
	return NULL;
}

static int
send_all(gnutls_session_t s, const char *b, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = gnutls_record_send(s, b, n);
		if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED)
			continue;
		if (w < 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
respond(gnutls_session_t s, int status, const char *json)
{
	char head[512], chunk[32];
	size_t len = strlen(json), half = len / 2;
	int chunked = strcmp(O.shape, "google") == 0;

	snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\nPragma: no-cache\r\n%s"
	    "Connection: close\r\n\r\n", status, status == 200 ? "OK" :
	    status == 400 ? "Bad Request" : status == 401 ? "Unauthorized" :
	    "Service Unavailable", chunked ? "Transfer-Encoding: chunked\r\n" :
	    "");
	if (!chunked) {
		snprintf(head + strlen(head) - 2, sizeof(head) - strlen(head) + 2,
		    "Content-Length: %zu\r\n\r\n", len);
		(void)(send_all(s, head, strlen(head)) == 0 &&
		    send_all(s, json, len) == 0);
		return;
	}
	/* two chunks, to exercise the client's chunked decoding */
	if (send_all(s, head, strlen(head)) == -1)
		return;
	snprintf(chunk, sizeof(chunk), "%zx\r\n", half);
	if (send_all(s, chunk, strlen(chunk)) == -1 ||
	    send_all(s, json, half) == -1)
		return;
	snprintf(chunk, sizeof(chunk), "\r\n%zX;x=y\r\n", len - half);
	if (send_all(s, chunk, strlen(chunk)) == -1 ||
	    send_all(s, json + half, len - half) == -1)
		return;
	(void)send_all(s, "\r\n0\r\n\r\n", 7);
}

static void
refuse(gnutls_session_t s, int status, const char *error, const char *desc)
{
	char json[1024];

	if (strcmp(O.shape, "microsoft") == 0)
		snprintf(json, sizeof(json), "{\"error\":\"%s\","
		    "\"error_description\":\"%s\\r\\nTrace ID: 0000\\r\\n"
		    "Correlation ID: 1111\",\"error_codes\":[70008],"
		    "\"timestamp\":\"2026-01-01 00:00:00Z\",\"trace_id\":"
		    "\"0000\",\"correlation_id\":\"1111\"}", error, desc);
	else
		snprintf(json, sizeof(json), "{\n  \"error\": \"%s\",\n  "
		    "\"error_description\": \"%s\"\n}", error, desc);
	logline("refused %s", error);
	respond(s, status, json);
}

static void
issue(gnutls_session_t s)
{
	char json[1024], tok[128];

	snprintf(tok, sizeof(tok), "%s-%d", O.prefix, ++issued);
	if (strcmp(O.shape, "microsoft") == 0)
		snprintf(json, sizeof(json), "{\"token_type\":\"Bearer\","
		    "\"scope\":\"https://outlook.office.com/SMTP.Send\","
		    "\"expires_in\":%d,\"ext_expires_in\":%d,\"access_token\":"
		    "\"%s\",\"refresh_token\":\"rotated-%d\"}", O.expires,
		    O.expires, tok, issued);
	else
		snprintf(json, sizeof(json), "{\n  \"access_token\": \"%s\",\n"
		    "  \"expires_in\": %d,\n  \"scope\": "
		    "\"https://mail.google.com/\",\n  \"token_type\": "
		    "\"Bearer\"\n}", tok, O.expires);
	logline("issued %s", tok);
	respond(s, 200, json);
}

static void
answer(gnutls_session_t s, const char *path, const char *body)
{
	const char *grant = form_get(body, "grant_type");
	const char *id = form_get(body, "client_id");
	const char *secret = form_get(body, "client_secret");
	const char *colon = strchr(O.client, ':');
	size_t idlen = colon ? (size_t)(colon - O.client) : strlen(O.client);

	logline("POST %s grant_type=%s client_id=%s client_secret=%s "
	    "refresh_token=%s scope=%s", path, grant ? grant : "-",
	    id ? id : "-", secret ? secret : "-",
	    form_get(body, "refresh_token") ? form_get(body, "refresh_token")
	    : "-", form_get(body, "scope") ? form_get(body, "scope") : "-");
	if (O.status != 0) {
		logline("refused status %d", O.status);
		respond(s, O.status, "{\"error\":\"temporarily_unavailable\"}");
		return;
	}
	if (id == NULL || strlen(id) != idlen ||
	    strncmp(id, O.client, idlen) != 0)
		refuse(s, 401, "invalid_client", "The OAuth client was not "
		    "found.");
	else if (strlen(path) > 11 &&
	    strcmp(path + strlen(path) - 11, "/devicecode") == 0) {
		logline("device-code");
		respond(s, 200, "{\"user_code\":\"WDJB-MJHT\",\"device_code\":"
		    "\"dev-code\",\"verification_uri\":\"https://microsoft.com/"
		    "devicelogin\",\"expires_in\":900,\"interval\":1,\"message"
		    "\":\"To sign in, use a web browser to open the page https://"
		    "microsoft.com/devicelogin and enter the code WDJB-MJHT to "
		    "authenticate.\"}");
	} else if (grant != NULL && strcmp(grant,
	    "urn:ietf:params:oauth:grant-type:device_code") == 0) {
		const char *dc = form_get(body, "device_code");

		if (dc == NULL || strcmp(dc, "dev-code") != 0)
			refuse(s, 400, "invalid_grant", "bad device_code");
		else if (O.deny)
			refuse(s, 400, "access_denied", "AADSTS70000: the user "
			    "declined");
		else if (polls++ < O.pending)
			refuse(s, 400, "authorization_pending", "AADSTS70016: "
			    "pending");
		else
			issue(s);
	} else if (colon != NULL && (secret == NULL ||
	    strcmp(secret, colon + 1)))
		refuse(s, 401, "invalid_client", "The OAuth client secret is "
		    "wrong.");
	else if (grant != NULL && strcmp(grant, "refresh_token") == 0) {
		const char *rt = form_get(body, "refresh_token");

		if (rt == NULL || strcmp(rt, O.refresh) != 0 || O.revoked)
			refuse(s, 400, "invalid_grant",
			    strcmp(O.shape, "microsoft") == 0 ? "AADSTS70008: "
			    "The provided authorization code or refresh token "
			    "has expired due to inactivity." : "Token has been "
			    "expired or revoked.");
		else
			issue(s);
	} else if (grant != NULL && strcmp(grant, "client_credentials") == 0) {
		if (form_get(body, "scope") == NULL)
			refuse(s, 400, "invalid_scope", "scope is missing");
		else
			issue(s);
	} else
		refuse(s, 400, "unsupported_grant_type", "Invalid grant_type");
}

/* Read one request (headers, then Content-Length bytes) and answer it. */
static void
serve(gnutls_session_t s)
{
	static char req[REQ_MAX + 1];
	size_t have = 0, need = 0;
	char *end, *cl, path[512];
	ssize_t r;

	for (;;) {
		if (have == REQ_MAX) {
			logline("refused too-large");
			return;
		}
		r = gnutls_record_recv(s, req + have, REQ_MAX - have);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			continue;
		if (r <= 0) {
			logline("eof after %zu bytes", have);
			return;
		}
		have += (size_t)r;
		req[have] = '\0';
		if ((end = strstr(req, "\r\n\r\n")) == NULL)
			continue;
		if (need == 0) {
			cl = strstr(req, "\r\nContent-Length: ");
			need = (size_t)(end + 4 - req) +
			    (cl && cl < end ? strtoul(cl + 18, NULL, 10) : 0);
		}
		if (have >= need)
			break;
	}
	if (sscanf(req, "POST %511s HTTP/1.1\r\n", path) != 1 ||
	    strstr(req, "\r\nHost: ") == NULL ||
	    strstr(req, "\r\nContent-Type: application/x-www-form-urlencoded")
	    == NULL) {
		logline("refused bad-request");
		respond(s, 400, "{\"error\":\"invalid_request\"}");
		return;
	}
	req[need] = '\0';
	answer(s, path, end + 4);
}

static int
listen_port(int *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(fd, 8) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

static int
write_port(int port)
{
	char tmp[4096];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp", O.portfile);
	if ((fp = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(fp, "%d\n", port);
	if (fclose(fp) != 0)
		return -1;
	return rename(tmp, O.portfile);
}

static int
usage(void)
{
	fprintf(stderr, "usage: postie-test-tokend -p PORTFILE -C CERT -K KEY "
	    "[-l LOG] [-n N] [-T SECS] [-S google|microsoft] "
	    "[-c ID[:SECRET]] [-r REFRESH] [-R] [-e SECS] [-a PREFIX] "
	    "[-s STATUS]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	gnutls_certificate_credentials_t cred;
	gnutls_session_t s;
	struct timeval tv = { 10, 0 };
	struct pollfd pfd;
	time_t start = time(NULL);
	int c, lfd, fd, port, served = 0, r;

	while ((c = getopt(argc, argv, "p:C:K:l:n:T:S:c:r:Re:a:s:P:D")) != -1) {
		switch (c) {
		case 'p': O.portfile = optarg; break;
		case 'C': O.cert = optarg; break;
		case 'K': O.key = optarg; break;
		case 'l': O.log = optarg; break;
		case 'n': O.n = (int)strtol(optarg, NULL, 10); break;
		case 'T': O.secs = (int)strtol(optarg, NULL, 10); break;
		case 'S': O.shape = optarg; break;
		case 'c': O.client = optarg; break;
		case 'r': O.refresh = optarg; break;
		case 'R': O.revoked = 1; break;
		case 'e': O.expires = (int)strtol(optarg, NULL, 10); break;
		case 'a': O.prefix = optarg; break;
		case 's': O.status = (int)strtol(optarg, NULL, 10); break;
		case 'P': O.pending = (int)strtol(optarg, NULL, 10); break;
		case 'D': O.deny = 1; break;
		default: return usage();
		}
	}
	if (O.portfile == NULL || O.cert == NULL || (strcmp(O.shape, "google")
	    && strcmp(O.shape, "microsoft")))
		return usage();
	if (O.log != NULL && (logfp = fopen(O.log, "a")) == NULL) {
		perror(O.log);
		return 2;
	}
	if (gnutls_certificate_allocate_credentials(&cred) < 0 ||
	    (r = gnutls_certificate_set_x509_key_file(cred, O.cert,
	    O.key ? O.key : O.cert, GNUTLS_X509_FMT_PEM)) < 0) {
		fprintf(stderr, "tokend: %s: cannot load\n", O.cert);
		return 2;
	}
	if ((lfd = listen_port(&port)) == -1 || write_port(port) == -1) {
		perror("tokend: listen");
		return 2;
	}
	while (served < O.n) {
		pfd.fd = lfd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, 200);
		if (time(NULL) - start >= O.secs) {
			logline("! timeout");
			return 3;
		}
		if (r <= 0 || (fd = accept(lfd, NULL, NULL)) == -1)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NO_SIGNAL) == 0) {
			gnutls_set_default_priority(s);
			gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
			gnutls_transport_set_int(s, fd);
			gnutls_handshake_set_timeout(s, 10000);
			do
				r = gnutls_handshake(s);
			while (r < 0 && !gnutls_error_is_fatal(r));
			if (r < 0)
				logline("! tls-failed %s", gnutls_strerror(r));
			else {
				serve(s);
				gnutls_bye(s, GNUTLS_SHUT_WR);
			}
			gnutls_deinit(s);
		}
		close(fd);
		served++;
	}
	gnutls_certificate_free_credentials(cred);
	return 0;
}
