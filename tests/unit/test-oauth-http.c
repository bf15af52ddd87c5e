/* SPDX-License-Identifier: MIT */
/* Unit tests of the HTTP pieces of the token request (oauth-http.c) and
 * of the endpoint presets (oauth.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf-values.h"
#include "oauth-http.h"
#include "oauth.h"
#include "tap.h"

static char body[HTTP_REPLY_MAX + 1], why[128];
static int status;
static size_t blen;

static int
parse(const char *s, int eof)
{
	why[0] = '\0';
	status = 0;
	return http_reply_parse(s, strlen(s), eof, &status, body,
	    sizeof(body) - 1, &blen, why, sizeof(why));
}

int
main(void)
{
	struct http_url u;
	struct account a;
	char form[256], url[512];
	const char *r;
	size_t i;

	plan(55);

	/* URLs */
	is_int(http_url_parse("https://oauth2.googleapis.com/token", &u), 0,
	    "google URL");
	is_str(u.host, "oauth2.googleapis.com", "host");
	is_int(u.port, 443, "default port 443");
	is_str(u.path, "/token", "path");
	is_int(http_url_parse("https://127.0.0.1:8443/a/b?x=1", &u), 0,
	    "port and query");
	is_int(u.port, 8443, "port");
	is_str(u.path, "/a/b?x=1", "query kept");
	is_int(http_url_parse("https://[::1]:9/t", &u), 0, "IPv6 literal");
	is_str(u.host, "::1", "IPv6 host without brackets");
	is_int(http_url_parse("https://example.org", &u), 0, "no path");
	is_str(u.path, "/", "path /");
	ok(http_url_parse("http://example.org/t", &u) == -1, "http refused");
	ok(http_url_parse("https://user:pw@example.org/t", &u) == -1,
	    "user info refused");
	ok(http_url_parse("https://example.org:0/t", &u) == -1, "port 0");
	ok(http_url_parse("https://example.org:65536/t", &u) == -1,
	    "port 65536");
	ok(http_url_parse("https://example.org:x/t", &u) == -1, "port x");
	ok(http_url_parse("https:///t", &u) == -1, "no host");
	ok(http_url_parse("https://a.example/t t", &u) == -1, "space");

	/* replies */
	is_int(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 0), 1,
	    "Content-Length body complete");
	is_int(status, 200, "status 200");
	is_str(body, "{}", "body");
	is_int(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{}", 0), 0,
	    "short body: more needed");
	is_int(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{}", 1), -1,
	    "short body at EOF: error");
	is_int(parse("HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n3\r\n{\"a\r\n5;ext=1\r\n\":1}\n\r\n0\r\nX-T: 1\r\n\r\n",
	    0), 1, "chunked with extension and trailer");
	is_int(status, 400, "status 400");
	is_str(body, "{\"a\":1}\n", "chunks joined");
	is_int(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3\r\nabc\r\n", 0), 0, "chunked, unfinished");
	is_int(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "zz\r\nabc\r\n0\r\n\r\n", 0), -1, "bad chunk size");
	is_int(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0),
	    -1, "other transfer coding refused");
	is_int(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Length: 3\r\n\r\n", 0), -1, "both length kinds refused");
	is_int(parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
	    "Content-Length: 1\r\n\r\nx", 0), -1, "two Content-Length refused");
	is_int(parse("HTTP/1.0 503 x\r\n\r\nbusy", 0), 0,
	    "no length: until EOF");
	is_int(parse("HTTP/1.0 503 x\r\n\r\nbusy", 1), 1, "... complete at EOF");
	is_str(body, "busy", "... body");
	is_int(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", 0), 0,
	    "header incomplete");
	is_int(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", 1), -1,
	    "header cut at EOF");
	is_int(parse("SMTP/1.1 200 OK\r\n\r\n", 0), -1, "not HTTP");
	is_int(parse("HTTP/1.1 20 OK\r\n\r\n", 0), -1, "two-digit status");
	is_int(parse("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", 0), -1,
	    "bare LF in the header");
	is_int(parse("HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n",
	    0), -1, "huge Content-Length refused");

	/* found by fuzzing: strtoul skipped CR LF and read past the reply */
	is_int(parse("HTTP/1.1 200 \r\nContent-Length:  \r\n\r\n", 0), -1,
	    "empty Content-Length");
	is_int(parse("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n12345",
	    0), -1, "signed Content-Length");
	is_int(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "\n3\r\nabc\r\n0\r\n\r\n", 0), -1, "chunk size after a blank");
	is_int(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    " 3\r\nabc\r\n0\r\n\r\n", 0), -1, "chunk size after a space");

	/* forms */
	form[0] = '\0';
	ok(http_form_add(form, sizeof(form), "grant_type", "refresh_token") ==
	    0 && http_form_add(form, sizeof(form), "scope",
	    "https://x/S.Send offline_access") == 0 &&
	    http_form_add(form, sizeof(form), "k", "a+b&c=d~e") == 0,
	    "form built");
	is_str(form, "grant_type=refresh_token&scope=https%3A%2F%2Fx%2FS.Send"
	    "%20offline_access&k=a%2Bb%26c%3Dd~e", "percent-encoded");
	form[0] = '\0';
	for (i = 0; i < 100 && http_form_add(form, 32, "k", "vvvv") == 0; i++)
		;
	ok(i < 100 && strlen(form) < 32, "form cap respected");

	/* presets */
	confv_defaults(&a);
	a.oauth.token_endpoint = strdup("google");
	ok(oauth_endpoint_url(&a, url, sizeof(url)) == 0, "google URL built");
	is_str(url, "https://oauth2.googleapis.com/token", "google endpoint");
	ok(oauth_scope(&a) == NULL, "google refresh: no scope");
	free(a.oauth.token_endpoint);
	a.oauth.token_endpoint = strdup("microsoft");
	oauth_endpoint_url(&a, url, sizeof(url));
	is_str(url, "https://login.microsoftonline.com/common/oauth2/v2.0/"
	    "token", "microsoft, tenant common");
	r = oauth_scope(&a);
	is_str(r, "https://outlook.office.com/SMTP.Send offline_access",
	    "microsoft refresh scope");
	a.oauth.tenant = strdup("contoso.onmicrosoft.com");
	a.oauth.grant = strdup("client_credentials");
	oauth_endpoint_url(&a, url, sizeof(url));
	is_str(url, "https://login.microsoftonline.com/contoso.onmicrosoft.com"
	    "/oauth2/v2.0/token", "microsoft, tenant");
	is_str(oauth_scope(&a), "https://outlook.office365.com/.default",
	    "client-credentials scope");
	free(a.oauth.tenant);
	a.oauth.tenant = strdup("a/b");
	ok(oauth_endpoint_url(&a, url, sizeof(url)) == -1, "tenant with /");
	account_free(&a);
	return done();
}
