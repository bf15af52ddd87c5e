/* SPDX-License-Identifier: MIT */
/*
 * fuzz-address: the address module.  The input as text goes through
 * address_parse_list (a To/Cc/Bcc value), and as one envelope address
 * through address_check and address_to_ascii.  Invariants: nothing with
 * CR, LF or another control octet passes address_check (it would reach
 * MAIL FROM / RCPT TO); every address the list parser produces and
 * address_check accepts parses back to itself; the IDNA conversion of an
 * accepted address is still accepted when it succeeds.
 */
#include "config.h"

#include "address.h"
#include "fuzz.h"

static int
has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 32 || *s == 127)
			return 1;
	return 0;
}

static void
check_one(const char *a)
{
	char err[ADDRESS_ERR_MAX];
	struct addr_list l;
	int utf8 = 0;
	char *x;

	if (address_check(a, err, sizeof(err)) != 0)
		return;
	if (has_ctl(a))
		fuzz_fail("address_check accepted a control octet");
	fuzz_assert(strlen(a) <= ADDRESS_MAX);
	if ((x = address_to_ascii(a, &utf8, err, sizeof(err))) != NULL) {
		fuzz_assert(!has_ctl(x));
		free(x);
	}
	(void)address_has_domain(a);
	/* what the parser made, it reads back the same */
	addr_list_init(&l);
	if (address_parse_list(a, &l, err, sizeof(err)) != 0 || l.n != 1 ||
	    strcmp(l.addr[0], a) != 0)
		fuzz_fail("[%s] does not parse back to itself (%zu: %s)", a,
		    l.n, l.n ? l.addr[0] : err);
	addr_list_free(&l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[ADDRESS_ERR_MAX], *s = fuzz_strdup(data, size);
	struct addr_list l;
	size_t i;
	int r;

	addr_list_init(&l);
	r = address_parse_list(s, &l, err, sizeof(err));
	fuzz_assert(r == 0 || r == -1);
	if (r == -1)
		fuzz_assert(strlen(err) > 0 && strlen(err) < sizeof(err));
	for (i = 0; i < l.n; i++) {
		fuzz_assert(strpbrk(l.addr[i], "\r\n") == NULL);
		check_one(l.addr[i]);
	}
	addr_list_free(&l);
	/* the whole input as one envelope address (-f, a recipient) */
	if (address_check(s, err, sizeof(err)) == 0 && has_ctl(s))
		fuzz_fail("address_check accepted a control octet");
	free(s);
	return 0;
}
