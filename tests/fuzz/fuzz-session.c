/* SPDX-License-Identifier: MIT */
/*
 * fuzz-session: a whole SMTP session against a hostile relay, the
 * curl-fuzzer way (notes/security.md 6.5, target 2).  The fuzz input is
 * everything the relay sends: a thread accepts postie's connection on
 * 127.0.0.1, writes the input, closes its side and records what postie
 * sends.  postie runs smtp_open, one transaction (two recipients, a
 * message with a dot line) and smtp_close, in the clear (STARTTLS needs a
 * handshake the fuzzer cannot forge), so the greeting, EHLO capability
 * parser, pipelining, DATA/BDAT and reply handling are all exposed.
 * The first input byte picks options (bit 0: DSN parameters, bit 1: null
 * sender, bit 2: 8BITMIME body, bit 3: SMTPUTF8).
 *
 * Invariants: the session ends (EOF is never waited out); what postie
 * sends has only CRLF line endings and never ends DATA more than once;
 * a transaction that succeeds has an accepted recipient, one that fails
 * carries a failure code; every recipient's reply is NUL-terminated.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "account.h"
#include "conf-values.h"
#include "envelope.h"
#include "fuzz.h"
#include "smtp.h"

#define CLIENT_MAX	(256 * 1024)

static const char body[] = "From: a@example.org\r\nTo: b@example.org\r\n"
    "Subject: fuzz\r\n\r\nline\r\n.\r\n..two\r\nend\r\n";

struct relay {
	int		 lfd;
	const uint8_t	*data;
	size_t		 size;
	char		*got;		/* what postie sent */
	size_t		 ngot;
};

static int lfd = -1, port;

static void *
relay_run(void *arg)
{
	struct relay *r = arg;
	size_t off = 0;
	ssize_t n;
	int fd;

	if ((fd = accept(r->lfd, NULL, NULL)) == -1)
		return NULL;
	while (off < r->size && (n = write(fd, r->data + off,
	    r->size - off)) > 0)
		off += (size_t)n;
	shutdown(fd, SHUT_WR);
	while (r->ngot < CLIENT_MAX && (n = read(fd, r->got + r->ngot,
	    CLIENT_MAX - r->ngot)) > 0)
		r->ngot += (size_t)n;
	close(fd);
	return NULL;
}

static void
setup(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	signal(SIGPIPE, SIG_IGN);
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		abort();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 4) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) == -1)
		abort();
	port = ntohs(sin.sin_port);
}

struct memsrc {
	size_t	 off;
};

static ssize_t
mem_read(void *ctx, char *buf, size_t len)
{
	struct memsrc *m = ctx;
	size_t n = sizeof(body) - 1 - m->off;

	if (n > len)
		n = len;
	memcpy(buf, body + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

static int
mem_rewind(void *ctx)
{
	((struct memsrc *)ctx)->off = 0;
	return 0;
}

/*
 * Walk what postie sent, line by line; a BDAT command is followed by
 * exactly its announced octets (RFC 3030), which are skipped.  Every other
 * line ends in CRLF, and a lone "." (the end of DATA) appears at most once
 * per DATA command.
 */
static void
check_sent(const char *s, size_t len)
{
	size_t i = 0, eol, datas = 0, ends = 0;
	unsigned long long n;
	char *end;

	while (i < len) {
		for (eol = i; eol + 1 < len &&
		    !(s[eol] == '\r' && s[eol + 1] == '\n'); eol++)
			;
		if (eol + 1 >= len)
			fuzz_fail("postie sent a line without CRLF");
		fuzz_assert(memchr(s + i, '\n', eol - i) == NULL &&
		    memchr(s + i, '\r', eol - i) == NULL);
		if (eol - i == 4 && memcmp(s + i, "DATA", 4) == 0)
			datas++;
		if (eol - i == 1 && s[i] == '.')
			ends++;
		if (eol - i > 5 && memcmp(s + i, "BDAT ", 5) == 0) {
			n = strtoull(s + i + 5, &end, 10);
			fuzz_assert(end > s + i + 5 && (end == s + eol ||
			    strncmp(end, " LAST\r\n", 7) == 0));
			if (eol + 2 + n > len)
				fuzz_fail("BDAT %llu with fewer octets sent", n);
			i = eol + 2 + (size_t)n;
			continue;
		}
		i = eol + 2;
	}
	if (ends > datas)
		fuzz_fail("%zu end-of-data lines for %zu DATA commands", ends,
		    datas);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct relay r = { 0 };
	struct account a;
	struct envelope e;
	struct failure f;
	struct memsrc ms = { 0 };
	struct source src = { mem_read, mem_rewind, &ms, sizeof(body) - 1,
	    0, 0 };
	struct smtp_session *s;
	pthread_t th;
	unsigned flags;
	size_t i;
	int rc;

	if (size < 1 || size > 64 * 1024)
		return 0;
	if (lfd == -1)
		setup();
	flags = data[0];
	r.lfd = lfd;
	r.data = data + 1;
	r.size = size - 1;
	if ((r.got = malloc(CLIENT_MAX)) == NULL)
		abort();
	confv_defaults(&a);
	a.host = strdup("127.0.0.1");
	a.domain = strdup("client.example.org");
	a.name = strdup("fuzz");
	a.port = port;
	a.tls = TLSMODE_OFF;
	a.auth = AUTHMODE_OFF;
	a.queue = 0;
	a.timeouts.connect = a.timeouts.greeting = a.timeouts.tls =
	    a.timeouts.command = a.timeouts.data_block =
	    a.timeouts.data_end = 5;
	a.timeouts.total = 8;
	envelope_init(&e);
	if (envelope_set_sender(&e, (flags & 2) ? "" : "a@example.org") ||
	    envelope_add_rcpt(&e, "b@example.org") ||
	    envelope_add_rcpt(&e, "c@example.org"))
		abort();
	if (flags & 1) {
		e.dsn_notify = strdup("SUCCESS,FAILURE");
		e.dsn_ret = strdup("HDRS");
		e.dsn_envid = strdup("id+2B=1");
	}
	e.body = (flags & 4) ? BODY_8BITMIME : BODY_UNSET;
	e.smtputf8 = !!(flags & 8);
	if (pthread_create(&th, NULL, relay_run, &r) != 0)
		abort();
	failure_clear(&f);
	if ((s = smtp_open(&a, &f)) != NULL) {
		rc = smtp_transaction(s, &e, &src, &f);
		if (rc == 0)
			fuzz_assert(envelope_count(&e, RCPT_ACCEPTED) > 0);
		else
			fuzz_assert(f.code != EX_OK);
		(void)smtp_get_info(s);
		smtp_close(s);
	} else
		fuzz_assert(f.code != EX_OK);
	fuzz_assert(strlen(f.msg) < sizeof(f.msg));
	for (i = 0; i < e.nrcpt; i++)
		fuzz_assert(strlen(e.rcpt[i].reply) < ENVELOPE_REPLY_MAX);
	pthread_join(th, NULL);
	check_sent(r.got, r.ngot);
	free(r.got);
	envelope_free(&e);
	account_free(&a);
	return 0;
}
