/* SPDX-License-Identifier: MIT */
/* test-reply: the SMTP reply parser, well-formed and hostile replies. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "tap.h"

static struct reply r;

/* Feed "\n"-separated lines; returns the last feed result. */
static int
feed(const char *text)
{
	const char *p = text, *nl;
	int rc = 0;

	reply_init(&r);
	while (*p != '\0') {
		nl = strchr(p, '\n');
		rc = reply_feed(&r, p, nl ? (size_t)(nl - p) : strlen(p));
		if (rc != 0 || nl == NULL)
			break;
		p = nl + 1;
	}
	return rc;
}

int
main(void)
{
	char buf[300], *big;
	const char *l;
	size_t n;
	int rc;

	plan(38);
	is_int(feed("220 mail.example ESMTP"), 1, "single line");
	is_int(r.code, 220, "code");
	is_str(r.enh, "", "no enhanced code assumed");
	is_str(reply_summary(&r, buf, sizeof(buf)), "220 mail.example ESMTP",
	    "summary");
	is_int(feed("220"), 1, "bare code accepted");
	is_str(reply_summary(&r, buf, sizeof(buf)), "220", "bare summary");
	is_int(feed("250-mail.example\n250-PIPELINING\n250 SIZE 1000"), 1,
	    "multi-line");
	is_int((long long)r.nlines, 3, "three lines");
	l = reply_line(&r, 2, &n);
	ok(l && n == 9 && memcmp(l, "SIZE 1000", 9) == 0, "third line text");
	ok(reply_line(&r, 3, &n) == NULL, "no fourth line");
	is_int(feed("550 5.1.1 no such user"), 1, "enhanced");
	is_str(r.enh, "5.1.1", "enhanced code parsed");
	is_str(reply_enh(&r), "5.1.1", "reply_enh");
	is_str(reply_summary(&r, buf, sizeof(buf)), "550 5.1.1 no such user",
	    "summary with enhanced code");
	is_int(feed("550 4.1.1 mismatched class"), 1, "class mismatch");
	is_str(r.enh, "", "mismatched class is text, not a code");
	is_int(feed("250 2.0.0"), 1, "enhanced code alone");
	is_str(r.enh, "2.0.0", "enhanced code alone parsed");
	is_int(feed("250 2.0.0x text"), 1, "code-like text");
	is_str(r.enh, "", "code-like text is not a code");
	is_int(feed("250 1234.5.6 x"), 1, "long subject");
	is_str(r.enh, "", "four-digit part is not a code");
	/* hostile */
	is_int(feed("250-a\n251 b"), -1, "code changes mid-reply");
	is_int(feed("2x0 hi"), -1, "non-digit code");
	is_int(feed("25"), -1, "short line");
	is_int(feed("600 nope"), -1, "code out of range");
	is_int(feed("190 nope"), -1, "1yz is not a reply");
	is_int(feed("250_x"), -1, "bad separator");
	is_int(feed("250 a\033[2Jb"), -1, "escape sequence refused");
	is_int(feed("250 a\rb"), -1, "CR inside refused");
	rc = feed("250 tab\tok");
	is_int(rc, 1, "TAB allowed");
	big = malloc(REPLY_LINE_MAX + 10);
	memset(big, 'a', REPLY_LINE_MAX + 10);
	memcpy(big, "250 ", 4);
	reply_init(&r);
	is_int(reply_feed(&r, big, REPLY_LINE_MAX + 1), -1, "line too long");
	reply_init(&r);
	is_int(reply_feed(&r, big, REPLY_LINE_MAX), 1, "longest line ok");
	free(big);
	reply_init(&r);
	rc = 0;
	for (int i = 0; i < REPLY_LINES_MAX + 5 && rc == 0; i++)
		rc = reply_feed(&r, "250-x", 5);
	is_int(rc, -1, "endless multi-line reply stops");
	ok(r.nlines == REPLY_LINES_MAX, "at the line cap");
	reply_init(&r);
	reply_feed(&r, "250 x", 5);
	is_int(reply_feed(&r, "250 y", 5), -1, "nothing after the last line");
	is_int(feed("421 4.4.2 \xc3\xa9t\xc3\xa9"), 1, "8-bit text tolerated");
	is_str(reply_summary(&r, buf, 12), "421 4.4.2 ?",
	    "summary printable and truncated");
	return done();
}
