/* SPDX-License-Identifier: MIT */
/*
 * test-dotstuff: the DATA writer against hostile inputs (the smuggling
 * list of security.md section 3), fed whole, split at every byte, and one
 * byte at a time; each output is checked against the expected bytes and
 * against the invariant: CRLF only, no "." line before the end, exactly
 * one terminator, and un-stuffing gives back the canonical input.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dotstuff.h"
#include "tap.h"

struct tcase {
	const char	*in;
	size_t		 inlen;		/* 0: strlen */
	const char	*data;		/* expected DATA bytes */
	const char	*bdat;		/* expected BDAT bytes */
};

static const struct tcase cases[] = {
	{ "", 0, ".\r\n", "" },
	{ "a\r\n", 0, "a\r\n.\r\n", "a\r\n" },
	{ "a", 0, "a\r\n.\r\n", "a\r\n" },
	{ ".\r\n", 0, "..\r\n.\r\n", ".\r\n" },
	{ ".", 0, "..\r\n.\r\n", ".\r\n" },
	{ "a\r\n.\r\nb\r\n", 0, "a\r\n..\r\nb\r\n.\r\n", "a\r\n.\r\nb\r\n" },
	{ "\r.\r", 0, "\r\n..\r\n.\r\n", "\r\n.\r\n" },
	{ "\n.\n", 0, "\r\n..\r\n.\r\n", "\r\n.\r\n" },
	{ "E\n.\nF\n", 0, "E\r\n..\r\nF\r\n.\r\n", "E\r\n.\r\nF\r\n" },
	{ "C\r.\rD", 0, "C\r\n..\r\nD\r\n.\r\n", "C\r\n.\r\nD\r\n" },
	{ "A\n\r\n.\nB", 0, "A\r\n\r\n..\r\nB\r\n.\r\n",
	    "A\r\n\r\n.\r\nB\r\n" },
	{ "x\r\n.\n", 0, "x\r\n..\r\n.\r\n", "x\r\n.\r\n" },
	{ "x\n.\r", 0, "x\r\n..\r\n.\r\n", "x\r\n.\r\n" },
	{ "x\r.\n", 0, "x\r\n..\r\n.\r\n", "x\r\n.\r\n" },
	{ "x\n.\r\ny", 0, "x\r\n..\r\ny\r\n.\r\n", "x\r\n.\r\ny\r\n" },
	{ "x\r\n.\ry", 0, "x\r\n..\r\ny\r\n.\r\n", "x\r\n.\r\ny\r\n" },
	{ "..two\r\n.x\r\n", 0, "...two\r\n..x\r\n.\r\n",
	    "..two\r\n.x\r\n" },
	{ "a.b\r\n", 0, "a.b\r\n.\r\n", "a.b\r\n" },
	{ "\r\n\r\n", 0, "\r\n\r\n.\r\n", "\r\n\r\n" },
	{ "\r\r\n", 0, "\r\n\r\n.\r\n", "\r\n\r\n" },
	{ "\r", 0, "\r\n.\r\n", "\r\n" },
	{ "a\r\n.", 0, "a\r\n..\r\n.\r\n", "a\r\n.\r\n" },
	{ "n\0ul\r\n", 6, "n\0ul\r\n.\r\n", "n\0ul\r\n" },
};

static char out[4096];

/* Run the writer with the input cut at the given positions. */
static size_t
run(const struct tcase *c, size_t len, int stuff, size_t cut1, int bytewise)
{
	struct dotstuff d;
	size_t o = 0;

	dotstuff_init(&d, stuff);
	if (bytewise) {
		for (size_t i = 0; i < len; i++)
			o += dotstuff_feed(&d, c->in + i, 1, out + o);
	} else {
		o += dotstuff_feed(&d, c->in, cut1, out + o);
		o += dotstuff_feed(&d, c->in + cut1, len - cut1, out + o);
	}
	o += dotstuff_finish(&d, out + o);
	return o;
}

/* The invariant on DATA output, independently of the expected bytes. */
static int
invariant(const char *p, size_t n)
{
	size_t i, bol = 0, dots = 0;

	if (n < 3 || memcmp(p + n - 3, ".\r\n", 3) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] == '\r' && (i + 1 >= n || p[i + 1] != '\n'))
			return 0;
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			return 0;
		if (p[i] == '\n') {
			if (i - bol == 2 && p[bol] == '.')
				dots++;		/* a "." line */
			bol = i + 1;
		}
	}
	return dots == 1;	/* only the terminator */
}

/* Un-stuff DATA output and compare with the BDAT (canonical) bytes. */
static int
meaning(const char *p, size_t n, const char *want, size_t wlen)
{
	char *u = malloc(n + 1);
	size_t o = 0;
	int bol = 1, r;

	for (size_t i = 0; i + 3 < n; i++) {
		if (bol && p[i] == '.')
			i++;
		u[o++] = p[i];
		bol = p[i] == '\n';
	}
	r = o == wlen && memcmp(u, want, wlen) == 0;
	free(u);
	return r;
}

int
main(void)
{
	size_t nc = sizeof(cases) / sizeof(cases[0]);
	char big[3 * 8192];
	size_t o;
	int bad;

	plan((int)nc * 6 + 3);
	for (size_t k = 0; k < nc; k++) {
		const struct tcase *c = &cases[k];
		size_t len = c->inlen ? c->inlen : strlen(c->in);
		size_t dl = c->inlen ? len + 5 : strlen(c->data);
		size_t bl = c->inlen ? len : strlen(c->bdat);
		int d_ok = 1, b_ok = 1, inv_ok = 1, m_ok = 1;

		if (c->inlen) {		/* the NUL case: explicit lengths */
			dl = sizeof("n\0ul\r\n.\r\n") - 1;
			bl = sizeof("n\0ul\r\n") - 1;
		}
		for (size_t cut = 0; cut <= len; cut++) {
			o = run(c, len, 1, cut, 0);
			d_ok &= o == dl && memcmp(out, c->data, dl) == 0;
			inv_ok &= invariant(out, o);
			m_ok &= meaning(out, o, c->bdat, bl);
			o = run(c, len, 0, cut, 0);
			b_ok &= o == bl && memcmp(out, c->bdat, bl) == 0;
		}
		ok(d_ok, "case %zu: DATA bytes at every split", k);
		ok(b_ok, "case %zu: BDAT bytes at every split", k);
		ok(inv_ok, "case %zu: invariant holds", k);
		ok(m_ok, "case %zu: un-stuffed output means the input", k);
		o = run(c, len, 1, 0, 1);
		ok(o == dl && memcmp(out, c->data, dl) == 0,
		    "case %zu: DATA one byte at a time", k);
		o = run(c, len, 0, 0, 1);
		ok(o == bl && memcmp(out, c->bdat, bl) == 0,
		    "case %zu: BDAT one byte at a time", k);
	}
	/* dots at every buffer boundary of a large stream */
	{
		struct dotstuff d;
		static char obuf[DOTSTUFF_OUT_MAX(sizeof(big)) + 8];
		size_t step;

		for (size_t i = 0; i < sizeof(big); i++)
			big[i] = i % 3 == 2 ? '\n' : '.';	/* "..\n" */
		bad = 0;
		for (step = 1; step < 40; step++) {
			dotstuff_init(&d, 1);
			o = 0;
			for (size_t i = 0; i < sizeof(big); i += step)
				o += dotstuff_feed(&d, big + i,
				    i + step > sizeof(big) ? sizeof(big) - i :
				    step, obuf + o);
			o += dotstuff_finish(&d, obuf + o);
			bad |= o != sizeof(big) / 3 * 5 + 3 ||
			    !invariant(obuf, o);
			for (size_t i = 0; i + 3 < o; i += 5)
				bad |= memcmp(obuf + i, "...\r\n", 5) != 0;
		}
		ok(!bad, "\"..\" lines stuffed at every boundary, steps 1-39");
	}
	ok(DOTSTUFF_OUT_MAX(1) >= 4 - 2, "bound covers \"\\r.\" -> 4 bytes "
	    "over 2 inputs");
	{
		/* worst case for the bound: "\r." repeated */
		struct dotstuff d;
		static char in[1000], ob[DOTSTUFF_OUT_MAX(1000)];

		for (size_t i = 0; i < sizeof(in); i++)
			in[i] = i % 2 ? '.' : '\r';
		dotstuff_init(&d, 1);
		o = dotstuff_feed(&d, in, sizeof(in), ob);
		ok(o <= DOTSTUFF_OUT_MAX(sizeof(in)), "worst case within bound");
	}
	return done();
}
