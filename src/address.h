/* SPDX-License-Identifier: MIT */
/*
 * address: RFC 5322 address lists and RFC 5321 mailboxes (pure, apart
 * from libidn2).  Parses the value of To/Cc/Bcc (groups, comments, quoted
 * local parts, angle addresses, display names, obsolete routes) into the
 * bare addr-specs an envelope needs, in linear time; validates an
 * envelope address; converts its domain to A-labels.
 */
#ifndef POSTIE_ADDRESS_H
#define POSTIE_ADDRESS_H

#include <stddef.h>

#define ADDRESS_LOCAL_MAX	64	/* RFC 5321 section 4.5.3.1.1 */
#define ADDRESS_DOMAIN_MAX	255	/* RFC 5321 section 4.5.3.1.2 */
#define ADDRESS_MAX		254	/* path 256 minus the angle brackets */
#define ADDRESS_ERR_MAX		160

struct addr_list {
	char	**addr;		/* owned array of owned strings */
	size_t	 n;
	size_t	 cap;
};

void	 addr_list_init(struct addr_list *);
void	 addr_list_free(struct addr_list *);
/* Append a copy.  Returns 0, or -1 when out of memory. */
int	 addr_list_add(struct addr_list *, const char *);

/*
 * Parse an unfolded address-list (RFC 5322 section 3.4, with the obsolete
 * forms of section 4.4) and append each addr-spec to `out` as
 * "local@domain" (or a bare "local" when the text has no "@"), the local
 * part unquoted when it is a dot-atom and re-quoted minimally when not.
 * Group names and display names are dropped; an empty group yields
 * nothing.  Octets >= 0x80 are taken as UTF-8 text (RFC 6532).
 * Returns 0; or -1 with a one-line reason in err (CR, LF, NUL or another
 * control character, an unbalanced quote, comment, bracket or group, a
 * phrase with no address, an empty local part or domain); or -2 when out
 * of memory.
 */
int	 address_parse_list(const char *text, struct addr_list *out,
	    char *err, size_t errlen);

/*
 * Validate one envelope address as produced above (or given on the
 * command line): no CR, LF, NUL, space or control octet outside a quoted
 * local part, lengths within RFC 5321 limits.  Returns 0, or -1 with a
 * reason in err.
 */
int	 address_check(const char *addr, char *err, size_t errlen);

/*
 * The address with its domain in A-labels (IDNA2008 via libidn2; an
 * ASCII domain or a domain literal is kept as is).  Sets *smtputf8 to 1
 * when the local part holds non-ASCII (it cannot be converted; the relay
 * must offer SMTPUTF8, RFC 6531).  Returns a new string, or NULL with a
 * reason in err (the domain cannot be converted, invalid UTF-8, or out of
 * memory).
 */
char	*address_to_ascii(const char *addr, int *smtputf8, char *err,
	    size_t errlen);

/* Whether addr has a domain part (an unquoted "@"). */
int	 address_has_domain(const char *addr);

#endif
