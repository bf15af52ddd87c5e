/* SPDX-License-Identifier: MIT */
/*
 * oauth-json: a small, strict JSON reader (RFC 8259) for the replies of
 * OAuth2 token endpoints (RFC 6749 section 5).  It reads one top-level
 * object and picks out the members asked for whose values are strings or
 * numbers; everything else is checked for syntax and skipped.  Pure.
 *
 * Strict: UTF-8 only, no control characters in strings, no lone
 * surrogates, no \u0000, no duplicate wanted member, nothing after the
 * object but white space.  Hard caps: OAUTH_JSON_MAX bytes of input,
 * OAUTH_JSON_DEPTH levels of nesting, OAUTH_JSON_STR bytes per picked
 * string.
 */
#ifndef POSTIE_OAUTH_JSON_H
#define POSTIE_OAUTH_JSON_H

#include <stddef.h>

#define OAUTH_JSON_MAX		(64 * 1024)
#define OAUTH_JSON_DEPTH	16
#define OAUTH_JSON_STR		(16 * 1024)

/*
 * Parse buf (len bytes, need not be NUL-terminated).  For each member of
 * the top-level object named keys[i] (i < n) whose value is a string
 * (unescaped) or a number (its text), vals[i] receives a malloc'd copy;
 * the other vals[i] are left NULL.  The caller frees vals[i] (they may
 * hold secrets: wipe them first).  Returns 0, or -1 with a short reason
 * in why and every vals[i] NULL.
 */
int	 oauth_json_pick(const char *buf, size_t len, const char *const *keys,
	    char **vals, size_t n, char *why, size_t whylen);

#endif
