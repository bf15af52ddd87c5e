/* SPDX-License-Identifier: MIT */
/* bounce: RFC 3464 report shape, status extraction, hostile relay text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "tap.h"

static int
has(const char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(buf + i, s, n) == 0)
			return 1;
	return 0;
}

/* Every line ends in CRLF, none over 998 octets, no bare CR or LF. */
static int
lines_ok(const char *b, size_t len)
{
	size_t col = 0;

	for (size_t i = 0; i < len; i++) {
		if (b[i] == '\r') {
			if (i + 1 >= len || b[i + 1] != '\n')
				return 0;
			i++;
			col = 0;
		} else if (b[i] == '\n')
			return 0;
		else if (++col > 998)
			return 0;
	}
	return col == 0;
}

int
main(void)
{
	static const char msg[] = "From: Alice <alice@example.org>\r\n"
	    "To: bob@example.net\r\nSubject: quarterly figures\r\n\r\n"
	    "SECRET BODY LINE\r\n";
	struct bounce_rcpt r[2] = {
		{ "bob@example.net", "5.1.1", "550 5.1.1 <bob>: no such user" },
		{ "carol@example.net", "5.0.0",
		    "554 evil\r\nX-Injected: yes\r\n" },
	};
	struct bounce_in in;
	char *out, st[16];
	size_t len, hl;

	plan(20);
	hl = bounce_header_len(msg, sizeof(msg) - 1);
	is_int(hl, strstr(msg, "\r\n\r\n") - msg + 4, "header block length");
	is_int(bounce_header_len("\r\nbody", 6), 2, "empty header block");
	is_int(bounce_header_len("A: b\r\nC: d", 10), 6,
	    "unterminated block stops at the last full line");

	memset(&in, 0, sizeof(in));
	in.to = "alice@example.org";
	in.from = "MAILER-DAEMON@host.example";
	in.mta = "host.example";
	in.queue_id = "0065A1B2C3ABCDEF";
	in.reason = "The relay refused it permanently.";
	in.arrival = 1700000000;
	in.now = 1700086400;
	in.rcpt = r;
	in.nrcpt = 2;
	in.headers = msg;
	in.hlen = hl;
	ok(bounce_build(&in, &out, &len) == 0, "build");
	ok(lines_ok(out, len), "CRLF lines under 998 octets");
	ok(has(out, len, "Content-Type: multipart/report; "
	    "report-type=delivery-status;"), "multipart/report");
	ok(has(out, len, "Content-Type: message/delivery-status\r\n"),
	    "delivery-status part");
	ok(has(out, len, "Reporting-MTA: dns; host.example\r\n"),
	    "Reporting-MTA");
	ok(has(out, len, "\r\n\r\nFinal-Recipient: rfc822; bob@example.net"
	    "\r\nAction: failed\r\nStatus: 5.1.1\r\n"), "recipient block");
	ok(has(out, len, "Diagnostic-Code: smtp; 550 5.1.1 <bob>: no such "
	    "user\r\n"), "Diagnostic-Code");
	ok(!has(out, len, "\r\nX-Injected"), "relay text cannot add lines");
	ok(has(out, len, "Content-Type: text/rfc822-headers\r\n"),
	    "headers part");
	ok(has(out, len, "Subject: quarterly figures\r\n"),
	    "original headers included");
	ok(!has(out, len, "SECRET BODY"), "original body not included");
	ok(has(out, len, "Auto-Submitted: auto-replied\r\n"),
	    "Auto-Submitted (RFC 3834)");
	ok(has(out, len, "To: <alice@example.org>\r\n"), "addressed to the "
	    "sender");
	free(out);

	bounce_status(550, "550 5.1.1 no such user", st);
	is_str(st, "5.1.1", "enhanced code taken from the reply");
	bounce_status(554, "554 transaction failed", st);
	is_str(st, "5.0.0", "generic permanent status");
	bounce_status(452, "452 4.5.3 too many", st);
	is_str(st, "4.5.3", "transient status kept");
	bounce_status(550, "550 5.1.1234 bogus", st);
	is_str(st, "5.0.0", "malformed enhanced code ignored");
	return done();
}
