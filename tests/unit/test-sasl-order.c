/* SPDX-License-Identifier: MIT */
/* test-sasl-order: postie's choice of SASL mechanism. */
#include "config.h"

#include <stddef.h>

#include "sasl.h"
#include "tap.h"

static const char *
ch(const char *offered, char *const *wanted, int cb)
{
	const char *m = sasl_choose(offered, wanted, cb);

	return m ? m : "(none)";
}

int
main(void)
{
	char *only_login[] = { (char *)"login", NULL };
	char *cram_first[] = { (char *)"CRAM-MD5", (char *)"PLAIN", NULL };
	char *oauth[] = { (char *)"XOAUTH2", NULL };
	char *bearer[] = { (char *)"OAUTHBEARER", (char *)"XOAUTH2", NULL };
	char *plus[] = { (char *)"SCRAM-SHA-256-PLUS", (char *)"PLAIN", NULL };
	char *junk[] = { (char *)"FOO", NULL };

	plan(16);
	is_str(ch("PLAIN LOGIN", NULL, 1), "PLAIN", "PLAIN before LOGIN");
	is_str(ch("LOGIN", NULL, 1), "LOGIN", "LOGIN when alone");
	is_str(ch("plain scram-sha-1 scram-sha-256", NULL, 0),
	    "SCRAM-SHA-256", "strongest, case-insensitive");
	is_str(ch("SCRAM-SHA-256 SCRAM-SHA-256-PLUS PLAIN", NULL, 0),
	    "SCRAM-SHA-256", "no -PLUS without channel binding");
	is_str(ch("SCRAM-SHA-256 SCRAM-SHA-256-PLUS PLAIN", NULL, 1),
	    "SCRAM-SHA-256-PLUS", "-PLUS with channel binding");
	is_str(ch("SCRAM-SHA-1-PLUS SCRAM-SHA-256", NULL, 1),
	    "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1-PLUS over SCRAM-SHA-256");
	is_str(ch("CRAM-MD5 GSSAPI NTLM", NULL, 1), "(none)",
	    "never CRAM-MD5/GSSAPI/NTLM unasked");
	is_str(ch("GSSAPI PLAIN", NULL, 1), "PLAIN", "GSSAPI skipped");
	is_str(ch("XOAUTH2 OAUTHBEARER", NULL, 1), "(none)",
	    "OAuth only when named");
	is_str(ch("PLAIN LOGIN", only_login, 1), "LOGIN", "config list wins");
	is_str(ch("PLAIN CRAM-MD5", cram_first, 1), "CRAM-MD5",
	    "named CRAM-MD5 allowed");
	is_str(ch("XOAUTH2 PLAIN", oauth, 1), "XOAUTH2", "XOAUTH2 named");
	is_str(ch("XOAUTH2 OAUTHBEARER", bearer, 1), "OAUTHBEARER",
	    "config order kept");
	is_str(ch("SCRAM-SHA-256-PLUS PLAIN", plus, 0), "PLAIN",
	    "named -PLUS still needs channel binding");
	is_str(ch("FOO PLAIN", junk, 1), "(none)", "unknown name ignored");
	is_str(ch("", NULL, 1), "(none)", "nothing offered");
	return done();
}
