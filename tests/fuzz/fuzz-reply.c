/* SPDX-License-Identifier: MIT */
/*
 * fuzz-reply: the SMTP reply parser, fed what a hostile relay sends.  The
 * input is cut into lines as io_read_line does (at LF, a CR before it
 * dropped; no line longer than its cap) and fed to reply_feed, one reply
 * after another.  Invariants: a complete reply has one code in 200..599,
 * at most REPLY_LINES_MAX lines, NUL-terminated text within its buffer,
 * no control character but TAB in its text, each line reachable through
 * reply_line; an enhanced code agrees with the reply's class; the summary
 * shown to the user is printable and NUL-terminated; a refusal says why.
 */
#include "config.h"

#include "fuzz.h"
#include "reply.h"

#define IO_LINE_MAX	(REPLY_LINE_MAX + 16)	/* io's cap, then reply's */

static void
check_done(const struct reply *r)
{
	char sum[256];
	const char *l, *e;
	size_t i, n, total = 0;

	fuzz_assert(r->code >= 200 && r->code <= 599);
	fuzz_assert(r->nlines >= 1 && r->nlines <= REPLY_LINES_MAX);
	fuzz_assert(r->len < sizeof(r->text) && r->text[r->len] == '\0');
	fuzz_assert(strlen(r->text) == r->len);
	for (i = 0; i < r->len; i++) {
		unsigned char c = (unsigned char)r->text[i];

		fuzz_assert(c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f));
	}
	for (i = 0; i < r->nlines; i++) {
		fuzz_assert((l = reply_line(r, i, &n)) != NULL);
		fuzz_assert(l >= r->text && l + n <= r->text + r->len);
		total += n;
	}
	fuzz_assert(reply_line(r, r->nlines, &n) == NULL);
	fuzz_assert(total + r->nlines - 1 == r->len);
	if ((e = reply_enh(r)) != NULL)
		fuzz_assert(e[0] - '0' == r->code / 100 && e[1] == '.');
	reply_summary(r, sum, sizeof(sum));
	fuzz_assert(strlen(sum) < sizeof(sum) && strlen(sum) >= 3);
	for (i = 0; sum[i] != '\0'; i++)
		fuzz_assert((unsigned char)sum[i] >= 0x20 &&
		    (unsigned char)sum[i] < 0x7f);
	reply_summary(r, sum, 6);	/* a small buffer is still safe */
	fuzz_assert(strlen(sum) < 6);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply *r = malloc(sizeof(*r));
	const char *p = (const char *)data, *end = p + size, *nl;
	size_t len;
	int rc;

	fuzz_assert(r != NULL);
	reply_init(r);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = (size_t)((nl ? nl : end) - p);
		if (len > IO_LINE_MAX)
			break;		/* io refuses the line first */
		if (len > 0 && p[len - 1] == '\r')
			len--;
		/* an exact-size copy, so a read past the line is caught */
		{
			char *line = malloc(len ? len : 1);

			fuzz_assert(line != NULL);
			memcpy(line, p, len);
			rc = reply_feed(r, line, len);
			free(line);
		}
		if (rc == 1)
			check_done(r);
		else if (rc == -1)
			fuzz_assert(r->err[0] != '\0' &&
			    strlen(r->err) < sizeof(r->err));
		else
			fuzz_assert(rc == 0 && !r->done);
		if (rc != 0)
			reply_init(r);
		p += (nl ? nl + 1 : end) - p;
	}
	free(r);
	return 0;
}
