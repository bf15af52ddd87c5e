/* SPDX-License-Identifier: MIT */
/*
 * bounce: build an RFC 3464 delivery status notification.
 *
 * Shape (RFC 3462 section 1, RFC 3464 section 2):
 *	multipart/report; report-type=delivery-status
 *	  1. text/plain: what happened, for a person
 *	  2. message/delivery-status: per-message fields, then one block per
 *	     failed recipient (Final-Recipient, Action, Status,
 *	     Diagnostic-Code, Last-Attempt-Date)
 *	  3. text/rfc822-headers: the original header block (RFC 3462
 *	     section 3), never the body: nothing private leaks further than
 *	     the headers the sender wrote.
 * The report carries "Auto-Submitted: auto-replied" (RFC 3834) and is sent
 * with the null reverse path (RFC 5321 section 4.5.5) so that it can never
 * itself be bounced.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounce.h"

/* RFC 5322 date in UTC, independent of the locale. */
static void
rfc5322_date(int64_t t, char *buf, size_t len)
{
	static const char *const day[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    day[tm.tm_wday % 7], tm.tm_mday, mon[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Write s with control octets (CR and LF included) made '?', at most max
 * octets, so relay text cannot add header lines. */
static void
put_clean(FILE *f, const char *s, size_t max)
{
	for (size_t i = 0; s != NULL && s[i] != '\0' && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
	}
}

static int
ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* "class.subject.detail" at p (RFC 3463 section 2), followed by a space or
 * the end; returns its length, or 0. */
static size_t
enhanced(const char *p)
{
	size_t i = 2, a = 0, b = 0;

	if ((p[0] != '4' && p[0] != '5') || p[1] != '.')
		return 0;
	while (p[i] >= '0' && p[i] <= '9' && a < 3)
		i++, a++;
	if (a == 0 || p[i] != '.')
		return 0;
	i++;
	while (p[i] >= '0' && p[i] <= '9' && b < 3)
		i++, b++;
	return b > 0 && (p[i] == ' ' || p[i] == '\0') ? i : 0;
}

void
bounce_status(int code, const char *reply, char st[16])
{
	size_t n = 0;

	/* The first word that is an enhanced code; callers' messages may
	 * put words before the reply ("relay said at MAIL: 550 5.7.1 ..."). */
	for (const char *p = reply; p != NULL && *p != '\0' && n == 0; p++)
		if ((p == reply || p[-1] == ' ') && (n = enhanced(p)) > 0) {
			memcpy(st, p, n);
			st[n] = '\0';
		}
	if (n == 0)
		snprintf(st, 16, "%s", code >= 400 && code < 500 ? "4.0.0" :
		    "5.0.0");
}

size_t
bounce_header_len(const char *msg, size_t len)
{
	if (len > BOUNCE_HEADERS_MAX)
		len = BOUNCE_HEADERS_MAX;
	if (len >= 2 && msg[0] == '\r' && msg[1] == '\n')
		return 2;
	for (size_t i = 0; i + 3 < len; i++)
		if (memcmp(msg + i, "\r\n\r\n", 4) == 0)
			return i + 4;
	/* No body, or capped: stop after the last complete line. */
	while (len > 0 && msg[len - 1] != '\n')
		len--;
	return len;
}

static void
part_text(FILE *f, const struct bounce_in *in, const char *boundary)
{
	fprintf(f, "--%s\r\n", boundary);
	fputs("Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n", f);
	fputs("This is the mail system at ", f);
	put_clean(f, in->mta, 255);
	fputs(".\r\n\r\nYour message could not be delivered to the "
	    "recipients below.\r\n", f);
	if (in->reason != NULL) {
		put_clean(f, in->reason, 400);
		fputs("\r\n", f);
	}
	fputs("\r\n", f);
	for (size_t i = 0; i < in->nrcpt; i++) {
		fputs("<", f);
		put_clean(f, in->rcpt[i].addr, 900);
		fputs(">:\r\n    ", f);
		put_clean(f, in->rcpt[i].diag != NULL ? in->rcpt[i].diag :
		    "(no reply from the relay)", 900);
		fputs("\r\n", f);
	}
	fputs("\r\nThe headers of your message follow in the last part.\r\n"
	    "\r\n", f);
}

static void
part_status(FILE *f, const struct bounce_in *in, const char *boundary)
{
	char date[64];

	fprintf(f, "--%s\r\n", boundary);
	fputs("Content-Type: message/delivery-status\r\n\r\n", f);
	/* Per-message fields (RFC 3464 section 2.2). */
	fputs("Reporting-MTA: dns; ", f);
	put_clean(f, in->mta, 255);
	fputs("\r\n", f);
	if (in->queue_id != NULL) {
		fputs("X-Postie-Queue-ID: ", f);
		put_clean(f, in->queue_id, 64);
		fputs("\r\n", f);
	}
	if (in->envid != NULL) {
		fputs("Original-Envelope-Id: ", f);
		put_clean(f, in->envid, 100);
		fputs("\r\n", f);
	}
	rfc5322_date(in->arrival, date, sizeof(date));
	fprintf(f, "Arrival-Date: %s\r\n", date);
	rfc5322_date(in->now, date, sizeof(date));
	/* Per-recipient fields (section 2.3), each block after a blank line. */
	for (size_t i = 0; i < in->nrcpt; i++) {
		const struct bounce_rcpt *r = &in->rcpt[i];

		/* RFC 6533: a non-ASCII address has the utf-8 type. */
		fputs(ascii(r->addr) ? "\r\nFinal-Recipient: rfc822; " :
		    "\r\nFinal-Recipient: utf-8; ", f);
		put_clean(f, r->addr, 900);
		fputs("\r\nAction: failed\r\nStatus: ", f);
		put_clean(f, r->status, 15);
		fputs("\r\n", f);
		if (r->diag != NULL) {
			fputs("Diagnostic-Code: smtp; ", f);
			put_clean(f, r->diag, 900);
			fputs("\r\n", f);
		}
		fprintf(f, "Last-Attempt-Date: %s\r\n", date);
	}
	fputs("\r\n", f);
}

static void
part_headers(FILE *f, const struct bounce_in *in, const char *boundary)
{
	size_t n = in->hlen;

	fprintf(f, "--%s\r\n", boundary);
	fputs("Content-Type: text/rfc822-headers\r\n", f);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)in->headers[i] >= 0x80) {
			fputs("Content-Transfer-Encoding: 8bit\r\n", f);
			break;
		}
	fputs("\r\n", f);
	/* Without the empty line that ended the block. */
	if (n >= 4 && memcmp(in->headers + n - 4, "\r\n\r\n", 4) == 0)
		n -= 2;
	else if (n == 2 && memcmp(in->headers, "\r\n", 2) == 0)
		n = 0;
	if (n > 0)
		fwrite(in->headers, 1, n, f);
	if (n > 0 && in->headers[n - 1] != '\n')
		fputs("\r\n", f);
	fprintf(f, "\r\n--%s--\r\n", boundary);
}

int
bounce_build(const struct bounce_in *in, char **out, size_t *outlen)
{
	char date[64], boundary[80];
	FILE *f;

	if ((f = open_memstream(out, outlen)) == NULL)
		return -1;
	snprintf(boundary, sizeof(boundary), "=_postie_%s_%lld",
	    in->queue_id != NULL ? in->queue_id : "x", (long long)in->now);
	rfc5322_date(in->now, date, sizeof(date));
	fputs("From: Mail Delivery System <", f);
	put_clean(f, in->from, 300);
	fputs(">\r\nTo: <", f);
	put_clean(f, in->to, 300);
	fprintf(f, ">\r\nSubject: Undelivered Mail Returned to Sender\r\n"
	    "Date: %s\r\n", date);
	fprintf(f, "Message-ID: <%lld.%s.bounce@", (long long)in->now,
	    in->queue_id != NULL ? in->queue_id : "x");
	put_clean(f, in->mta, 255);
	fputs(">\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n", f);
	fprintf(f, "Content-Type: multipart/report; "
	    "report-type=delivery-status;\r\n\tboundary=\"%s\"\r\n\r\n",
	    boundary);
	fputs("This is a MIME-encapsulated delivery status notification.\r\n"
	    "\r\n", f);
	part_text(f, in, boundary);
	part_status(f, in, boundary);
	part_headers(f, in, boundary);
	if (ferror(f)) {
		fclose(f);
		free(*out);
		*out = NULL;
		return -1;
	}
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
