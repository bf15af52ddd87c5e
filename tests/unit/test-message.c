/* SPDX-License-Identifier: MIT */
/* Unit tests of src/message.c and src/prepare.c. */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "message.h"
#include "tap.h"

static struct failure f;

static struct message *
rd(const char *data, size_t len, int dot_ends)
{
	struct intake_opts io = { .dot_ends = dot_ends };
	FILE *fp = tmpfile();
	struct message *m;

	fwrite(data, 1, len, fp);
	fflush(fp);
	lseek(fileno(fp), 0, SEEK_SET);
	failure_clear(&f);
	m = message_read(fileno(fp), &io, &f);
	fclose(fp);
	return m;
}

/* The whole source (or the body) as a string; checks size and rewind. */
static char *
whole(struct message *m, int body, struct source *src)
{
	static char buf[1 << 20];
	size_t o = 0;
	ssize_t n;

	if ((body ? message_body_source(m, src) : message_source(m, src)))
		return NULL;
	/* small reads cross the header/body boundary */
	while ((n = source_read(src, buf + o, 7)) > 0)
		o += (size_t)n;
	buf[o] = '\0';
	if (o != src->size || source_rewind(src) != 0 ||
	    source_read(src, buf, 1) != (src->size > 0))
		return NULL;
	return buf;
}

#define S(lit) lit, sizeof(lit) - 1

/* The line-ending rules, written the obvious way, for comparison. */
static size_t
reference(const unsigned char *in, size_t n, int dot, unsigned char *o)
{
	size_t len = 0, ls = 0, i;

	for (i = 0; i < n; i++) {
		if (in[i] != '\r' && in[i] != '\n') {
			o[len++] = in[i];
			continue;
		}
		if (in[i] == '\r' && i + 1 < n && in[i + 1] == '\n')
			i++;
		if (dot && len - ls == 1 && o[ls] == '.')
			return ls;
		o[len++] = '\r';
		o[len++] = '\n';
		ls = len;
	}
	if (len > ls) {
		if (dot && len - ls == 1 && o[ls] == '.')
			return ls;
		o[len++] = '\r';
		o[len++] = '\n';
	}
	return len;
}

/* Random bodies across read-buffer boundaries against the reference. */
static int
random_bodies(void)
{
	static const unsigned char alpha[] = { 'a', 'b', '\r', '\n', '.',
	    '\0', 0xc3, ' ' };
	size_t n = 300000;
	unsigned char *in = malloc(n + 4), *want = malloc(2 * n + 8);
	unsigned int seed = 12345;
	int good = 1;

	for (int round = 0; round < 8 && good; round++) {
		struct message *m;
		struct source src;
		size_t wl, o = 0;
		ssize_t k;
		char *got;

		memcpy(in, "S: x\n\n", 6);
		for (size_t i = 6; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly plain text, so runs cross 64 KiB edges */
			in[i] = (seed >> 16) % 16 < 12 ? 'x' :
			    alpha[(seed >> 20) % sizeof(alpha)];
		}
		wl = reference(in + 6, n - 6 - (size_t)round, round & 1, want);
		m = rd((const char *)in, n - (size_t)round, round & 1);
		if (m == NULL || message_body_source(m, &src) != 0 ||
		    src.size != wl || (got = malloc(wl + 1)) == NULL) {
			good = 0;
			message_free(m);
			break;
		}
		while ((k = source_read(&src, got + o, 65536)) > 0)
			o += (size_t)k;
		good = o == wl && memcmp(got, want, wl) == 0;
		free(got);
		message_free(m);
	}
	free(in);
	free(want);
	return good;
}

int
main(void)
{
	struct message *m;
	struct source src;
	struct message_stats st;
	struct envelope env;
	struct prepare_opts po = { .domain = "example.org", .add_from = 1 };
	const char *n, *v;
	char *big;

	plan(37);

	m = rd(S("Subject: a\nX: b\r\n  c\n\nl1\r\nl2\rl3\n\n"), 1);
	is_int(message_header_count(m), 2, "two fields");
	message_header_get(m, 1, &n, &v);
	is_str(v, " b\r\n  c", "folded value raw, CRLF");
	is_str(whole(m, 0, &src),
	    "Subject: a\r\nX: b\r\n  c\r\n\r\nl1\r\nl2\r\nl3\r\n\r\n",
	    "LF, CRLF, bare CR all become CRLF");
	is_str(whole(m, 1, &src), "l1\r\nl2\r\nl3\r\n\r\n", "body alone");
	message_free(m);

	m = rd(S("S: x\n\na\n.\nb\n"), 1);
	is_str(whole(m, 1, &src), "a\r\n", "lone dot ends input");
	message_free(m);
	m = rd(S("S: x\n\na\r\n.\r\nb\n"), 1);
	is_str(whole(m, 1, &src), "a\r\n", "lone dot CRLF ends input");
	message_free(m);
	m = rd(S("S: x\n\na\n.\nb\n..\n.x"), 0);
	is_str(whole(m, 1, &src), "a\r\n.\r\nb\r\n..\r\n.x\r\n",
	    "-i: dots kept, final CRLF added");
	message_free(m);
	m = rd(S("S: x\n\na\n..\n.x\n."), 1);
	is_str(whole(m, 1, &src), "a\r\n..\r\n.x\r\n",
	    "dot lines kept unstuffed; final lone dot without newline ends");
	message_free(m);
	m = rd(S(".\nS: x\n"), 1);
	is_str(whole(m, 0, &src), "\r\n", "lone dot as the first line");
	message_free(m);

	m = rd(S("From bob Sat Nov 28 2026\nS: x\n\nFrom here\n"), 1);
	is_str(whole(m, 0, &src), "S: x\r\n\r\nFrom here\r\n",
	    "mbox From line dropped, only the first");
	message_free(m);

	m = rd(S("From : a@x\n\nb\n"), 1);
	is_int(message_header_count(m), 1, "\"From : x\" is a field, not mbox");
	message_free(m);

	m = rd(S("just text\nS: x\n"), 1);
	is_int(message_header_count(m), 0, "no header at all");
	is_str(whole(m, 1, &src), "just text\r\nS: x\r\n", "all body");
	message_free(m);

	m = rd(S("S: x\nnot a header\nT: y\n"), 1);
	is_int(message_header_count(m), 1, "non-header line ends the header");
	is_str(whole(m, 0, &src), "S: x\r\n\r\nnot a header\r\nT: y\r\n",
	    "the separator is put in");
	message_free(m);

	m = rd(S("S: x\0y\n\nb\n"), 1);
	ok(m == NULL && f.code == EX_DATAERR, "NUL in the header: EX_DATAERR");
	m = rd(S("S: x\n\na\0b\n\0\n"), 1);
	message_stats(m, &st);
	is_int(st.nul, 2, "NUL in the body counted");
	ok(memcmp(whole(m, 1, &src), "a\0b\r\n\0\r\n", 8) == 0 &&
	    src.size == 8, "NUL in the body kept");
	message_free(m);

	m = rd(S(""), 1);
	ok(m != NULL && message_header_count(m) == 0 &&
	    strcmp(whole(m, 0, &src), "\r\n") == 0, "empty input");
	message_free(m);

	big = malloc(400000);
	memset(big, 'a', 400000);
	memcpy(big, "X-Long: ", 8);
	m = rd(big, 400000, 1);
	ok(m == NULL && f.code == EX_DATAERR, "header over 256 KiB refused");
	memset(big, 'a', 400000);
	m = rd(big, 400000, 1);
	ok(m != NULL && message_header_count(m) == 0, "huge first line is body");
	ok(whole(m, 1, &src) != NULL && src.size == 400002 && src.longlines,
	    "all of it, CRLF added, long line flagged");
	message_free(m);
	for (int i = 0; i < 1001; i++)
		memcpy(big + i * 5, "X:y\r\n", 5);
	m = rd(big, 1001 * 5, 1);
	ok(m == NULL && f.code == EX_DATAERR, "1001 fields refused");
	free(big);

	ok(random_bodies(), "random bodies match the reference rules");

	/* prepare */
	m = rd(S("To: a@x, Team: b@x, \"c d\"@x;\nCc: e@x (E)\nBcc: f@x\n"
	    "Date: x\nMessage-ID: <y@z>\nFrom: me@x\n\nhi\n"), 1);
	envelope_init(&env);
	envelope_add_rcpt(&env, "g@x");
	envelope_set_sender(&env, "root");
	po.extract_rcpts = 1;
	ok(message_prepare(m, &env, &po, &f) == 0 && env.nrcpt == 6,
	    "-t: command line plus header, groups, quoted");
	is_str(env.rcpt[0].addr, "g@x", "command line first");
	is_str(env.rcpt[3].addr, "\"c d\"@x", "quoted local part");
	is_str(env.rcpt[5].addr, "f@x", "Bcc recipient");
	is_str(env.sender, "root@example.org", "sender qualified");
	is_str(whole(m, 0, &src), "To: a@x, Team: b@x, \"c d\"@x;\r\n"
	    "Cc: e@x (E)\r\nDate: x\r\nMessage-ID: <y@z>\r\nFrom: me@x\r\n"
	    "\r\nhi\r\n", "Bcc removed, nothing added");
	is_int(env.body, BODY_UNSET, "7-bit: no body hint");
	envelope_free(&env);
	message_free(m);

	m = rd(S("Resent-From: r@x\nResent-To: new@x\nResent-Bcc: hid@x\n"
	    "Received: x\nResent-To: old-block@x\nTo: orig@x\n\nb\xc3\xa9\n"),
	    1);
	envelope_init(&env);
	envelope_set_sender(&env, "s@x");
	ok(message_prepare(m, &env, &po, &f) == 0 && env.nrcpt == 2 &&
	    strcmp(env.rcpt[0].addr, "new@x") == 0 &&
	    strcmp(env.rcpt[1].addr, "hid@x") == 0,
	    "Resent-: the topmost block only");
	ok(message_header_count(m) == 8, "Resent-Bcc removed, 3 added");
	is_int(env.body, BODY_8BITMIME, "8-bit body: 8BITMIME hint");
	message_header_get(m, 7, &n, &v);
	is_str(v, " s@x", "From added from the sender");
	envelope_free(&env);
	message_free(m);

	m = rd(S("Subject: x\n\nb\n"), 1);
	envelope_init(&env);
	envelope_set_sender(&env, "s@x");
	ok(message_prepare(m, &env, &po, &f) == -1 && f.code == EX_DATAERR,
	    "-t with no recipients: EX_DATAERR");
	envelope_free(&env);
	message_free(m);

	m = rd(S("Subject: x\n\nb\n"), 1);
	envelope_init(&env);
	envelope_set_sender(&env, "s@x");
	envelope_add_rcpt(&env, "a@b");
	po.from_name = "Eve\r\nBcc: victim@x";
	ok(message_prepare(m, &env, &po, &f) == -1 && f.code == EX_DATAERR,
	    "-F with CRLF: EX_DATAERR");
	po.from_name = NULL;
	envelope_free(&env);
	message_free(m);
	return done();
}
