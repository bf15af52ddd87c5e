/* SPDX-License-Identifier: MIT */
/*
 * fuzz-dotstuff: the DATA writer (notes/security.md section 3).  The
 * first input byte picks the mode (bit 0: BDAT, no stuffing) and seeds
 * the chunk sizes, so that CR, LF and "." fall on every buffer boundary;
 * the rest is the message as a source would yield it (any bytes at all).
 *
 * The output is then read back the way a relay reads DATA: line by line
 * until the line ".", un-stuffing the others.  Invariants: the output has
 * only CRLF line endings; the first line "." is the very last line (no
 * input can end the data early); what the relay gets back equals the
 * input with its line endings made CRLF (a bare CR or LF is a line end)
 * and a final CRLF added when missing; dotstuff's byte count is the
 * output's length.  BDAT output is exactly that canonical text.
 */
#include "config.h"

#include "dotstuff.h"
#include "fuzz.h"

/* The reference: line endings CRLF, LF and CR each become one CRLF; a
 * last line without an ending gets one. */
static char *
canonical(const char *in, size_t len, size_t *olen)
{
	char *out = malloc(2 * len + 3);
	size_t o = 0, i;

	fuzz_assert(out != NULL);
	for (i = 0; i < len; i++) {
		if (in[i] == '\r' || in[i] == '\n') {
			if (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n')
				i++;
			out[o++] = '\r';
			out[o++] = '\n';
		} else
			out[o++] = in[i];
	}
	if (len > 0 && in[len - 1] != '\r' && in[len - 1] != '\n') {
		out[o++] = '\r';
		out[o++] = '\n';
	}
	*olen = o;
	return out;
}

/* What a relay stores from a DATA stream; aborts when the stream ends
 * anywhere but at its last line. */
static char *
relay_reads(const char *w, size_t len, size_t *olen)
{
	char *out = malloc(len + 1);
	size_t o = 0, i = 0, eol;

	fuzz_assert(out != NULL);
	for (;;) {
		for (eol = i; eol + 1 < len &&
		    !(w[eol] == '\r' && w[eol + 1] == '\n'); eol++)
			;
		if (eol + 1 >= len)
			fuzz_fail("DATA stream without its terminating line");
		if (eol - i == 1 && w[i] == '.') {
			if (eol + 2 != len)
				fuzz_fail("the data ends early at offset %zu "
				    "of %zu", i, len);
			break;
		}
		if (w[i] == '.') {
			fuzz_assert(eol - i >= 2 && w[i + 1] == '.');
			i++;		/* RFC 5321 4.5.2: drop one dot */
		}
		memcpy(out + o, w + i, eol + 2 - i);
		o += eol + 2 - i;
		i = eol + 2;
	}
	*olen = o;
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dotstuff d;
	const char *in;
	char *out, *want, *got;
	size_t len, o = 0, i = 0, n, wlen, glen;
	unsigned seed;
	int bdat;

	if (size < 1 || size > 256 * 1024)
		return 0;
	bdat = data[0] & 1;
	seed = data[0] >> 1;
	in = (const char *)data + 1;
	len = size - 1;
	out = malloc(DOTSTUFF_OUT_MAX(len) + DOTSTUFF_FINISH_MAX);
	fuzz_assert(out != NULL);
	dotstuff_init(&d, !bdat);
	while (i < len) {
		char *chunk;

		/* chunk sizes 0..16 from a small LCG: boundaries everywhere */
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % 17;
		if (n > len - i)
			n = len - i;
		/* an exact-size copy, so a read past the chunk is caught */
		chunk = malloc(n ? n : 1);
		fuzz_assert(chunk != NULL);
		memcpy(chunk, in + i, n);
		{
			char *tmp = malloc(DOTSTUFF_OUT_MAX(n));
			size_t k;

			fuzz_assert(tmp != NULL);
			k = dotstuff_feed(&d, chunk, n, tmp);
			fuzz_assert(k <= DOTSTUFF_OUT_MAX(n));
			memcpy(out + o, tmp, k);
			o += k;
			free(tmp);
		}
		free(chunk);
		i += n;
	}
	{
		char fin[DOTSTUFF_FINISH_MAX];
		size_t k = dotstuff_finish(&d, fin);

		fuzz_assert(k <= DOTSTUFF_FINISH_MAX);
		memcpy(out + o, fin, k);
		o += k;
	}
	fuzz_assert(d.out == o);
	fuzz_assert(fuzz_crlf_only(out, o));
	want = canonical(in, len, &wlen);
	if (bdat) {
		if (o != wlen || memcmp(out, want, o) != 0)
			fuzz_fail("BDAT output is not the canonical text");
	} else {
		got = relay_reads(out, o, &glen);
		if (glen != wlen || memcmp(got, want, glen) != 0)
			fuzz_fail("the relay does not read back the input");
		free(got);
	}
	free(want);
	free(out);
	return 0;
}
