/* SPDX-License-Identifier: MIT */
/* spoolfmt: round trip, hostile values, every truncation detected. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "spoolfmt.h"
#include "tap.h"

static void
sample(struct spool_meta *m)
{
	spoolfmt_init(m);
	m->account = strdup("work account");
	envelope_set_sender(&m->env, "alice@example.org");
	envelope_add_rcpt(&m->env, "bob@example.net");
	envelope_add_rcpt(&m->env, "\"odd: 12\"@example.net");
	envelope_add_rcpt(&m->env, "j\xc3\xb6rg@example.de");
	m->env.dsn_notify = strdup("SUCCESS,FAILURE");
	m->env.dsn_ret = strdup("HDRS");
	m->env.dsn_envid = strdup("QQ+2B1");
	m->env.body = BODY_8BITMIME;
	m->env.smtputf8 = 1;
	m->size = 123456789012ULL;
	m->eightbit = 1;
	m->attempts = 7;
	m->first = 1700000000;
	m->last = 1700003600;
	m->next = 1700007200;
	snprintf(m->error, sizeof(m->error), "451 4.7.1 try\r\nRSET later");
}

/* Mutated records: never a crash (ASan watches), and whatever decodes
 * re-encodes to something that decodes to the same thing.  Bounded:
 * 20000 mutations, a fixed seed so a failure can be replayed. */
static int
mutations(const char *rec, size_t len, unsigned *decoded)
{
	unsigned long long x = 0x9e3779b97f4a7c15ULL;
	char *b = malloc(len + 64), *e1, *e2;
	size_t l1, l2;
	int bad = 0;

	for (int i = 0; i < 20000 && b != NULL; i++) {
		struct spool_meta a, c;
		size_t n = len, k;

		memcpy(b, rec, len);
		for (int j = 0; j < 1 + i % 4; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			k = (size_t)(x >> 8) % n;
			switch (x % 4) {
			case 0: b[k] = (char)(x >> 40); break;
			case 1: b[k] = "0123456789:\n\0 "[(x >> 20) % 15]; break;
			case 2: n = k + 1; break;		/* cut */
			default: memmove(b + k + 1, b + k, n - k);	/* dup */
				if (n < len + 63) n++;
			}
		}
		if (spoolfmt_decode(b, n, &a, NULL, 0) != 0)
			continue;
		(*decoded)++;
		if (spoolfmt_encode(&a, &e1, &l1) != 0 ||
		    spoolfmt_decode(e1, l1, &c, NULL, 0) != 0) {
			bad++;
			spoolfmt_free(&a);
			continue;
		}
		if (spoolfmt_encode(&c, &e2, &l2) != 0 || l1 != l2 ||
		    memcmp(e1, e2, l1) != 0)
			bad++;
		else
			free(e2);
		free(e1);
		spoolfmt_free(&a);
		spoolfmt_free(&c);
	}
	free(b);
	return bad;
}

int
main(void)
{
	struct spool_meta m, d;
	char *buf, why[128], *cut;
	size_t len;
	int bad_trunc = 0;

	plan(30);
	sample(&m);
	ok(spoolfmt_encode(&m, &buf, &len) == 0, "encode");
	if (!ok(spoolfmt_decode(buf, len, &d, why, sizeof(why)) == 0,
	    "decode what was encoded"))
		return printf("# %s\n", why), 1;
	is_str(d.account, "work account", "account survives");
	is_str(d.env.sender, "alice@example.org", "sender survives");
	is_int(d.env.nrcpt, 3, "three recipients");
	is_str(d.env.rcpt[1].addr, "\"odd: 12\"@example.net",
	    "quoted local part survives");
	is_str(d.env.rcpt[2].addr, "j\xc3\xb6rg@example.de", "UTF-8 survives");
	is_str(d.env.dsn_notify, "SUCCESS,FAILURE", "notify survives");
	is_int(d.env.body, BODY_8BITMIME, "body type survives");
	ok(d.size == 123456789012ULL && d.attempts == 7 && d.first ==
	    1700000000 && d.next == 1700007200, "numbers survive");
	is_str(d.error, "451 4.7.1 try??RSET later",
	    "error text made printable");

	spoolfmt_free(&d);
	/* Every strict prefix is refused: a torn write is never a record. */
	for (size_t i = 0; i < len; i++) {
		struct spool_meta t;

		cut = malloc(i + 1);
		memcpy(cut, buf, i);
		if (spoolfmt_decode(cut, i, &t, why, sizeof(why)) == 0) {
			bad_trunc++;
			spoolfmt_free(&t);
		}
		free(cut);
	}
	is_int(bad_trunc, 0, "no truncation of %zu octets decodes", len);
	{
		unsigned dec = 0;

		is_int(mutations(buf, len, &dec), 0, "20000 mutated records: "
		    "no crash, stable round trip (%u decoded)", dec);
	}
	/* Trailing garbage, flipped length. */
	cut = malloc(len + 2);
	memcpy(cut, buf, len);
	memcpy(cut + len, "x\n", 2);
	ok(spoolfmt_decode(cut, len + 2, &d, why, sizeof(why)) == -1,
	    "data after the end marker is corrupt");
	free(cut);
	spoolfmt_free(&d);
	free(buf);

	/* Hostile addresses are refused by the encoder. */
	free(m.env.sender);
	m.env.sender = strdup("a@b>\r\nRCPT TO:<evil@x>");
	ok(spoolfmt_encode(&m, &buf, &len) == -1, "CRLF in sender refused");
	free(m.env.sender);
	m.env.sender = strdup("");
	free(m.env.rcpt[0].addr);
	m.env.rcpt[0].addr = strdup("bob\n@x");
	ok(spoolfmt_encode(&m, &buf, &len) == -1, "LF in recipient refused");
	free(m.env.rcpt[0].addr);
	m.env.rcpt[0].addr = strdup("bob@example.net");
	ok(spoolfmt_encode(&m, &buf, &len) == 0, "null sender encodes");
	ok(spoolfmt_decode(buf, len, &d, why, sizeof(why)) == 0 &&
	    strcmp(d.env.sender, "") == 0, "null sender round-trips");
	spoolfmt_free(&d);
	free(buf);
	spoolfmt_free(&m);

	/* Hand-made hostile records. */
#define REC(s) s, sizeof(s) - 1
	static const char base[] = "postie-spool 1\naccount 1:a\nsender 0:\n"
	    "size 1:0\nfirst 1:1\n";
	char rec[512];
	struct { const char *tail; const char *name; } bad[] = {
		{ "rcpt 5:a\nb@c\nend 0:\n", "LF inside a recipient" },
		{ "rcpt 5:a\0b@c\nend 0:\n", "NUL inside a recipient" },
		{ "rcpt 3:a@b\n", "no end marker" },
		{ "rcpt 03:a@b\nend 0:\n", "leading zero in a length" },
		{ "rcpt 99999999999:a\nend 0:\n", "huge length" },
		{ "rcpt 4:a@b\nend 0:\n", "length too long for the data" },
		{ "end 0:\n", "no recipient" },
		{ "rcpt 3:a@bXend 0:\n", "field not terminated" },
		{ "RCPT 3:a@b\nend 0:\n", "upper-case field name" },
		{ "rcpt 3:a@b\nattempts 2:1x\nend 0:\n", "bad number" },
		{ "rcpt 3:a@b\nnext 24:999999999999999999999999\nend 0:\n",
		    "number overflow" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t tl = strlen(bad[i].tail);

		if (i == 1)	/* strlen stops at the NUL */
			tl = 20;
		memcpy(rec, base, sizeof(base) - 1);
		memcpy(rec + sizeof(base) - 1, bad[i].tail, tl);
		ok(spoolfmt_decode(rec, sizeof(base) - 1 + tl, &d, why,
		    sizeof(why)) == -1, "corrupt: %s (%s)", bad[i].name, why);
	}
	ok(spoolfmt_decode(REC("postie-spool 2\nend 0:\n"), &d, why,
	    sizeof(why)) == -1, "unknown version refused");
	return done();
}
