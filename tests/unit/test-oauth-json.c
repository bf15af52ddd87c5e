/* SPDX-License-Identifier: MIT */
/* Unit tests of the strict JSON reader for token replies (oauth-json.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oauth-json.h"
#include "tap.h"

static const char *const keys[] = { "access_token", "expires_in", "error",
	"error_description", "refresh_token" };
#define N 5
static char *v[N];
static char why[128];

static int
pick(const char *s)
{
	size_t i;

	for (i = 0; i < N; i++) {
		free(v[i]);
		v[i] = NULL;
	}
	why[0] = '\0';
	return oauth_json_pick(s, strlen(s), keys, v, N, why, sizeof(why));
}

/* Must be refused. */
static const char *const bad[] = {
	"", "[]", "\"x\"", "{", "{\"a\":1", "{\"a\" 1}", "{\"a\":1,}",
	"{,}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}",
	"{\"a\":1e}", "{\"a\":tru}", "{\"a\":nul}", "{'a':1}",
	"{\"a\":\"x\ty\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}",
	"{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
	"{\"a\":\"\\ud800\\u0041\"}", "{\"access_token\":\"\\u0000\"}",
	"{\"a\":\"\xc3\"}", "{\"a\":\"\xc0\xaf\"}", "{\"a\":\"\xed\xa0\x80\"}",
	"{\"a\":\"\xf5\x80\x80\x80\"}", "{\"a\":1} x", "{\"a\":1}{}",
	"{\"a\":[1,2}", "{\"a\":{\"b\":1]}", "{\"a\":\"unterminated}",
	"{\"access_token\":\"a\",\"access_token\":\"b\"}", "{\"a\":+1}",
	"{\"a\":\"\x01\"}", "{\"a\":[,]}", "{\"a\":{\"b\"}}",
};

int
main(void)
{
	char deep[200], big[OAUTH_JSON_STR + 64], *huge;
	size_t i;

	plan(16 + (int)(sizeof(bad) / sizeof(bad[0])) + 8);

	/* Google's shape */
	is_int(pick("{\n  \"access_token\": \"ya29.a0AfB_x\",\n  \"expires_in\""
	    ": 3599,\n  \"scope\": \"https://mail.google.com/\",\n  "
	    "\"token_type\": \"Bearer\"\n}"), 0, "google reply (%s)", why);
	is_str(v[0], "ya29.a0AfB_x", "access_token");
	is_str(v[1], "3599", "expires_in as its text");
	ok(v[2] == NULL && v[4] == NULL, "absent members stay NULL");

	/* Microsoft's error shape: arrays, nested objects skipped */
	is_int(pick("{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"AADSTS70000: The provided grant has expired.\\r\\nTrace ID: "
	    "x\",\"error_codes\":[70000,{\"n\":[true,false,null]}],"
	    "\"timestamp\":\"2026-01-01 00:00:00Z\",\"trace_id\":\"t\"}"), 0,
	    "microsoft error (%s)", why);
	is_str(v[2], "invalid_grant", "error");
	is_str(v[3], "AADSTS70000: The provided grant has expired.\r\nTrace "
	    "ID: x", "error_description unescaped");

	/* escapes */
	is_int(pick("{\"access_token\":\"a\\\"b\\\\c\\/d\\u00e9\\ud83d\\ude00"
	    "\\b\\f\\n\\r\\t\"}"), 0, "escapes (%s)", why);
	is_str(v[0], "a\"b\\c/d\xc3\xa9\xf0\x9f\x98\x80\b\f\n\r\t",
	    "escapes decoded, surrogate pair to UTF-8");
	is_int(pick("{\"access_token\":\"\xe2\x82\xac\"}"), 0, "raw UTF-8");
	is_str(v[0], "\xe2\x82\xac", "raw UTF-8 kept");
	is_int(pick("  {  }  "), 0, "empty object");
	is_int(pick("{\"expires_in\":-1.5e+3,\"x\":0,\"y\":\"\"}"), 0,
	    "numbers");
	is_str(v[1], "-1.5e+3", "number text");
	is_int(pick("{\"access_token\":\"\"}"), 0, "empty string");
	is_str(v[0], "", "empty string picked");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = pick(bad[i]);

		ok(r == -1 && v[0] == NULL && why[0] != '\0',
		    "refused #%zu (%s)", i, why);
	}

	/* caps */
	memset(deep, '[', sizeof(deep));
	memcpy(deep, "{\"a\":", 5);
	deep[sizeof(deep) - 1] = '\0';
	is_int(pick(deep), -1, "deep nesting refused (%s)", why);
	ok(strstr(why, "deep") != NULL, "... as too deep");
	memcpy(big, "{\"access_token\":\"", 17);
	memset(big + 17, 'a', OAUTH_JSON_STR + 1);
	memcpy(big + 17 + OAUTH_JSON_STR + 1, "\"}", 3);
	is_int(pick(big), -1, "over-long token refused (%s)", why);
	memcpy(big, "{\"something\":\"", 14);
	memset(big + 14, 'a', OAUTH_JSON_STR + 1);
	memcpy(big + 14 + OAUTH_JSON_STR + 1, "\"}", 3);
	is_int(pick(big), 0, "long value of another member skipped");
	if ((huge = malloc(OAUTH_JSON_MAX + 10)) == NULL)
		return 1;
	memset(huge, ' ', OAUTH_JSON_MAX + 10);
	huge[0] = '{';
	huge[OAUTH_JSON_MAX + 8] = '}';
	huge[OAUTH_JSON_MAX + 9] = '\0';
	is_int(pick(huge), -1, "input over the cap refused");
	free(huge);
	/* a failure leaves nothing behind */
	is_int(pick("{\"access_token\":\"secret\",\"x\":}"), -1,
	    "late error");
	ok(v[0] == NULL, "... and the picked token is dropped");
	is_int(pick("{\"expires_in\":3600, \"access_token\":\"t\"}"), 0, "order");
	return done();
}
