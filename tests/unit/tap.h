/* SPDX-License-Identifier: MIT */
/*
 * tap.h: a few macros for unit tests that speak TAP (tests/unit/test-*.c).
 *   plan(n) once; then ok(cond, "name", ...) per check; return done();
 * is_str/is_int print what was expected and got on failure.
 */
#ifndef POSTIE_TAP_H
#define POSTIE_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define plan(n)	printf("1..%d\n", (n))
#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) do {					\
	long long g_ = (got), w_ = (want);				\
	if (!ok(g_ == w_, __VA_ARGS__))					\
		printf("#   got %lld, want %lld\n", g_, w_);		\
} while (0)
#define is_str(got, want, ...) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (!ok(g_ && w_ && strcmp(g_, w_) == 0, __VA_ARGS__))		\
		printf("#   got \"%s\"\n#  want \"%s\"\n",		\
		    g_ ? g_ : "(null)", w_ ? w_ : "(null)");		\
} while (0)
#define done()	(tap_failed ? 1 : 0)

#include <stdarg.h>
static int __attribute__((unused, format(printf, 4, 5)))
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", pass ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

#endif
