/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h: what every fuzz target shares.  A target defines
 * LLVMFuzzerTestOneInput(); it is linked either with libFuzzer
 * (--enable-fuzzing, tests/fuzz/fuzz-*) or with replay.c, which feeds it
 * the seed corpus and the regression inputs in `make check`.
 *
 * A broken invariant calls fuzz_fail(), which aborts: libFuzzer keeps the
 * input as a crash reproducer; replay reports the file.
 */
#ifndef POSTIE_FUZZ_H
#define POSTIE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define fuzz_fail(...) do {						\
	fprintf(stderr, "fuzz invariant broken at %s:%d: ", __FILE__,	\
	    __LINE__);							\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	abort();							\
} while (0)

#define fuzz_assert(c) do {						\
	if (!(c))							\
		fuzz_fail("%s", #c);					\
} while (0)

/* A NUL-terminated copy of the input (NULs inside kept; caller frees). */
static inline char *
fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Whether every CR in buf[0..len) is followed by LF and every LF follows
 * a CR: the only line ending is CRLF. */
static inline int
fuzz_crlf_only(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\r' && (i + 1 == len || buf[i + 1] != '\n'))
			return 0;
		if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
			return 0;
	}
	return 1;
}

#endif
