/* SPDX-License-Identifier: MIT */
/* Unit tests of src/address.c. */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "address.h"
#include "tap.h"

/* Parse text and join the result with "|", or "ERR" / "NOMEM". */
static const char *
parse(const char *text)
{
	static char buf[2048];
	struct addr_list l;
	char err[ADDRESS_ERR_MAX];
	int r;

	addr_list_init(&l);
	r = address_parse_list(text, &l, err, sizeof(err));
	buf[0] = '\0';
	if (r == -1)
		snprintf(buf, sizeof(buf), "ERR");
	else if (r == -2)
		snprintf(buf, sizeof(buf), "NOMEM");
	for (size_t i = 0; r == 0 && i < l.n; i++) {
		if (i > 0)
			strncat(buf, "|", sizeof(buf) - strlen(buf) - 1);
		strncat(buf, l.addr[i], sizeof(buf) - strlen(buf) - 1);
	}
	addr_list_free(&l);
	return buf;
}

static const char *
ascii(const char *a, int *u8)
{
	static char buf[512];
	char err[ADDRESS_ERR_MAX];
	char *s;

	*u8 = 0;
	if ((s = address_to_ascii(a, u8, err, sizeof(err))) == NULL)
		return "ERR";
	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	return buf;
}

int
main(void)
{
	char err[ADDRESS_ERR_MAX];
	int u8;

	plan(49);

	is_str(parse("a@b.example"), "a@b.example", "addr-spec");
	is_str(parse("a@b, c@d"), "a@b|c@d", "two");
	is_str(parse("Joe Q. Public <john.q.public@example.com>"),
	    "john.q.public@example.com", "obs-phrase display name");
	is_str(parse("\"Giant; \\\"Big\\\" Box\" <sysservices@example.net>"),
	    "sysservices@example.net", "quoted display name with ; and \"");
	is_str(parse("Pete(A nice \\) chap) <pete(his account)@silly.test"
	    "(his host)>"), "pete@silly.test", "comments everywhere");
	is_str(parse("A Group:Ed Jones <c@a.test>,joe@where.test,John "
	    "<jdoe@one.test>;"), "c@a.test|joe@where.test|jdoe@one.test",
	    "group (RFC 5322 A.1.3)");
	is_str(parse("undisclosed-recipients:;"), "", "empty group");
	is_str(parse("Team: a@b; c@d"), "a@b|c@d", "address after a group");
	is_str(parse("\"john doe\"@example.com"), "\"john doe\"@example.com",
	    "quoted local part kept quoted");
	is_str(parse("\"john\"@example.com"), "john@example.com",
	    "needless quotes dropped (RFC 5321 4.1.2)");
	is_str(parse("\"a,b\"@x, c@y"), "\"a,b\"@x|c@y",
	    "comma inside quotes");
	is_str(parse("\"a\\\\b\\\"c\"@x"), "\"a\\\\b\\\"c\"@x",
	    "backslash and quote re-escaped");
	is_str(parse("<@route.a,@route.b:user@dom>"), "user@dom",
	    "obsolete route dropped");
	is_str(parse("user@[192.0.2.1]"), "user@[192.0.2.1]",
	    "domain literal");
	is_str(parse("root"), "root", "bare local name");
	is_str(parse("a@b,,c@d,"), "a@b|c@d", "empty elements");
	is_str(parse("a@b; c@d"), "a@b|c@d", "semicolon as separator");
	is_str(parse("  (only a comment)  "), "", "only a comment");
	is_str(parse("John . Doe @ example . com"), "John.Doe@example.com",
	    "obs CFWS around dots");
	is_str(parse("=?UTF-8?B?SsO2cmc=?= <j@x>"), "j@x",
	    "encoded-word display name");
	is_str(parse("Jörg <jörg@bücher.example>"), "jörg@bücher.example",
	    "UTF-8 (RFC 6532)");

	is_str(parse("John Smith"), "ERR", "phrase with no address");
	is_str(parse("a@b\r\nBcc: x@y"), "ERR", "CRLF refused");
	is_str(parse("a@b\nc"), "ERR", "LF refused");
	is_str(parse("\"a\rb\"@x"), "ERR", "CR in quotes refused");
	is_str(parse("a\001@b"), "ERR", "control refused");
	is_str(parse("\"unterminated@x"), "ERR", "unterminated quote");
	is_str(parse("(unterminated a@b"), "ERR", "unterminated comment");
	is_str(parse("<a@b"), "ERR", "unterminated angle");
	is_str(parse("a@b>"), "ERR", "stray >");
	is_str(parse("<>"), "ERR", "empty angle");
	is_str(parse("a@"), "ERR", "empty domain");
	is_str(parse("@b"), "ERR", "empty local part");
	is_str(parse("a.@b"), "ERR", "local part ends with dot");
	is_str(parse("<a@b> <c@d>"), "ERR", "text after >");
	is_str(parse("G1: G2: a@b;;"), "ERR", "nested group");

	ok(address_check("user@example.com", err, sizeof(err)) == 0,
	    "check ok");
	ok(address_check("a b@c", err, sizeof(err)) == -1, "space refused");
	ok(address_check("\"a b\"@c", err, sizeof(err)) == 0,
	    "space in quotes ok");
	ok(address_check("\"a\tb\"@c", err, sizeof(err)) == -1,
	    "HT in quotes refused (RFC 5321 qtextSMTP)");
	ok(address_check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b",
	    err, sizeof(err)) == -1, "local part over 64 refused");

	is_str(ascii("user@bücher.example", &u8), "user@xn--bcher-kva.example",
	    "IDN domain to A-labels");
	is_int(u8, 0, "ASCII local part: no SMTPUTF8");
	is_str(ascii("jörg@example.com", &u8), "jörg@example.com",
	    "UTF-8 local part kept");
	is_int(u8, 1, "UTF-8 local part needs SMTPUTF8");
	is_str(ascii("a@b\xff", &u8), "ERR", "invalid UTF-8 refused");

	/*
	 * Random lists built from the characters that matter: no crash
	 * (under ASan), and every address produced parses again to itself
	 * (the canonical form is a fixed point) with no CR or LF (an HT
	 * may stay inside quotes: address_check refuses it, below).
	 */
	{
		static const char alpha[] = "ab.@<>,:;\"\\()[] \t\xc3\xa9\r";
		unsigned int seed = 4242;
		int good = 1;

		for (int round = 0; round < 20000 && good; round++) {
			char in[48];
			struct addr_list l, again;
			size_t len;

			seed = seed * 1103515245u + 12345u;
			len = (seed >> 16) % (sizeof(in) - 1);
			for (size_t i = 0; i < len; i++) {
				seed = seed * 1103515245u + 12345u;
				in[i] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
			}
			in[len] = '\0';
			addr_list_init(&l);
			if (address_parse_list(in, &l, err, sizeof(err)) == 0)
				for (size_t i = 0; i < l.n && good; i++) {
					addr_list_init(&again);
					good = strpbrk(l.addr[i], "\r\n") == NULL &&
					    address_parse_list(l.addr[i], &again,
					    err, sizeof(err)) == 0 && again.n == 1 &&
					    strcmp(again.addr[0], l.addr[i]) == 0;
					if (!good)
						printf("# \"%s\" -> \"%s\"\n", in,
						    l.addr[i]);
					addr_list_free(&again);
				}
			addr_list_free(&l);
		}
		ok(good, "20000 random lists: canonical forms are fixed points");
	}

	/* linear time: a long list parses quickly */
	{
		size_t n = 200000;
		char *big = malloc(n * 6 + 1), *p = big;
		clock_t t0 = clock();
		struct addr_list l;

		for (size_t i = 0; i < n; i++) {
			memcpy(p, "a@b, (", 6);
			p += 6;
		}
		*p = '\0';
		addr_list_init(&l);
		/* the first "(" opens a comment nested 200000 deep that
		 * never closes: an error after one pass, no recursion */
		ok(address_parse_list(big, &l, err, sizeof(err)) == -1,
		    "deeply nested unterminated comment refused");
		addr_list_free(&l);
		for (size_t i = 0; i < n; i++)
			memcpy(big + i * 6, "a@b,  ", 6);
		ok(address_parse_list(big, &l, err, sizeof(err)) == 0 &&
		    l.n == n && (double)(clock() - t0) / CLOCKS_PER_SEC < 5.0,
		    "200000 addresses in linear time");
		addr_list_free(&l);
		free(big);
	}
	return done();
}
