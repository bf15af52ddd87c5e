/* SPDX-License-Identifier: MIT */
/*
 * fuzz-intake: message intake as postie runs it.  The first input byte
 * picks the flags (bit 0: -i, bit 1: -t, bit 2: -F, bit 3: no From added,
 * bit 4: -f ""); the rest is standard input, handed over through a memfd.
 * message_read + message_prepare, then the message as the DATA writer
 * would read it.  Invariants: only CRLF line endings; the size announced
 * is the size read, twice (rewind); the body is a suffix of the message;
 * a blank line ends the header block; no Bcc or Resent-Bcc field leaves;
 * without -i no line is a lone "."; no envelope address holds a control
 * octet; a failure carries a sysexits code intake documents.
 */
#include "config.h"

#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "address.h"
#include "envelope.h"
#include "fuzz.h"
#include "message.h"

#define FUZZ_MSG_MAX	(1024 * 1024)

static char *
slurp(struct source *src, size_t *len)
{
	size_t cap = (size_t)src->size + 1, n = 0;
	char *buf = malloc(cap);
	ssize_t r;

	fuzz_assert(buf != NULL);
	/* odd read sizes, so a boundary can fall anywhere */
	while ((r = source_read(src, buf + n, cap - n < 7 ? cap - n : 7)) > 0)
		n += (size_t)r;
	fuzz_assert(r == 0);
	fuzz_assert(n == src->size);
	*len = n;
	return buf;
}

static void
check_addr(const char *a)
{
	for (; a != NULL && *a != '\0'; a++)
		fuzz_assert((unsigned char)*a >= 32 && *a != 127);
}

static void
check(struct message *m, const struct envelope *e, int dot_ends)
{
	struct source src, body;
	char *all, *again, *b;
	size_t len, len2, blen, i;
	const char *name, *value;

	fuzz_assert(message_source(m, &src) == 0);
	all = slurp(&src, &len);
	fuzz_assert(fuzz_crlf_only(all, len));
	fuzz_assert(source_rewind(&src) == 0);
	again = slurp(&src, &len2);
	fuzz_assert(len2 == len && memcmp(all, again, len) == 0);
	free(again);
	fuzz_assert(message_body_source(m, &body) == 0);
	b = slurp(&body, &blen);
	fuzz_assert(blen <= len && memcmp(all + len - blen, b, blen) == 0);
	free(b);
	/* the header block, then the blank line */
	fuzz_assert(len - blen >= 2 &&
	    memcmp(all + len - blen - 2, "\r\n", 2) == 0);
	fuzz_assert(len - blen == 2 || (len - blen >= 4 &&
	    memcmp(all + len - blen - 4, "\r\n\r\n", 4) == 0));
	if (dot_ends)
		for (i = 0; i + 3 <= len; i++)
			if (all[i] == '.' && (i == 0 || all[i - 1] == '\n') &&
			    memcmp(all + i, ".\r\n", 3) == 0)
				fuzz_fail("a lone dot line survived intake "
				    "without -i");
	free(all);
	for (i = 0; i < message_header_count(m); i++) {
		fuzz_assert(message_header_get(m, i, &name, &value) == 0);
		fuzz_assert(strcasecmp(name, "Bcc") != 0 &&
		    strcasecmp(name, "Resent-Bcc") != 0);
	}
	check_addr(e->sender);
	for (i = 0; i < e->nrcpt; i++)
		check_addr(e->rcpt[i].addr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct intake_opts io = { 0 };
	struct prepare_opts po = { 0 };
	struct failure f;
	struct envelope e;
	struct message *m;
	unsigned flags;
	int fd;

	if (size < 1 || size > FUZZ_MSG_MAX)
		return 0;
	flags = data[0];
	data++;
	size--;
	io.dot_ends = !(flags & 1);
	po.extract_rcpts = !!(flags & 2);
	po.from_name = (flags & 4) ? "Fuzz \"the\" Tester" : NULL;
	po.add_from = !(flags & 8);
	po.domain = "example.org";
	if ((fd = memfd_create("fuzz-intake", MFD_CLOEXEC)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	if (lseek(fd, 0, SEEK_SET) == -1)
		abort();
	failure_clear(&f);
	envelope_init(&e);
	if ((m = message_read(fd, &io, &f)) == NULL) {
		fuzz_assert(f.code == EX_DATAERR || f.code == EX_IOERR ||
		    f.code == EX_CANTCREAT || f.code == EX_OSERR);
		goto out;
	}
	fuzz_assert(envelope_set_sender(&e, (flags & 16) ? "" : "me") == 0);
	if (!po.extract_rcpts)
		fuzz_assert(envelope_add_rcpt(&e, "rcpt@example.org") == 0);
	if (message_prepare(m, &e, &po, &f) == -1) {
		fuzz_assert(f.code == EX_DATAERR || f.code == EX_OSERR);
		goto out;
	}
	fuzz_assert(e.nrcpt > 0);
	check(m, &e, io.dot_ends);
out:
	message_free(m);
	envelope_free(&e);
	close(fd);
	return 0;
}
