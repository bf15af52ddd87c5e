/* SPDX-License-Identifier: MIT */
/*
 * fuzz-header: the header module.  The input is split into lines (at LF,
 * CRLF, CR and NUL, as intake hands them over) and fed to
 * header_list_feed; every field is then unfolded, looked up and removed.
 * The input as one string also goes through header_encode_phrase and
 * header_fold, whose results must decode and unfold back to it.
 */
#include "config.h"

#include "fuzz.h"
#include "header.h"

static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static int
b64val(int c)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(a, c) : NULL;

	return p ? (int)(p - a) : -1;
}

/* Decode "=?UTF-8?B?...?=" words separated by single spaces. */
static char *
decode_words(const char *s)
{
	size_t len = strlen(s), o = 0;
	char *out = malloc(len + 1);
	unsigned long acc = 0;
	int bits = 0, v;

	fuzz_assert(out != NULL);
	while (*s != '\0') {
		if (strncmp(s, "=?UTF-8?B?", 10) != 0)
			fuzz_fail("not an encoded word: %s", s);
		s += 10;
		for (acc = 0, bits = 0; *s != '?'; s++) {
			if (*s == '=')
				continue;
			if ((v = b64val(*s)) < 0)
				fuzz_fail("bad base64 in an encoded word");
			acc = (acc << 6) | (unsigned)v;
			if ((bits += 6) >= 8) {
				bits -= 8;
				out[o++] = (char)((acc >> bits) & 0xff);
			}
		}
		fuzz_assert(s[1] == '=');
		s += 2;
		if (*s == ' ')
			s++;
	}
	out[o] = '\0';
	return out;
}

/* What a reader of the phrase gets back (RFC 5322 3.2.4, RFC 2047). */
static char *
decode_phrase(const char *p)
{
	size_t len = strlen(p), o = 0;
	char *out;

	if (strncmp(p, "=?", 2) == 0)
		return decode_words(p);
	if (p[0] != '"')
		return strdup(p);
	fuzz_assert(len >= 2 && p[len - 1] == '"');
	out = malloc(len);
	fuzz_assert(out != NULL);
	for (size_t i = 1; i + 1 < len; i++) {
		if (p[i] == '\\')
			i++;
		else
			fuzz_assert(p[i] != '"');
		out[o++] = p[i];
	}
	out[o] = '\0';
	return out;
}

static void
check_phrase(const char *s)
{
	char *enc = header_encode_phrase(s), *dec;
	const char *w;

	if (enc == NULL)
		return;		/* control character or bad UTF-8: refused */
	for (w = enc; *w != '\0'; w++)
		fuzz_assert((unsigned char)*w >= 32 && (unsigned char)*w < 127);
	/* an encoded word is at most 75 characters (RFC 2047 section 2) */
	if (strncmp(enc, "=?", 2) == 0)
		for (w = enc; *w != '\0'; ) {
			size_t wl = strcspn(w, " ");

			fuzz_assert(wl <= 75);
			w += wl + (w[wl] == ' ');
		}
	dec = decode_phrase(enc);
	if (dec == NULL || strcmp(dec, s) != 0)
		fuzz_fail("phrase [%s] encodes to [%s], decodes to [%s]", s,
		    enc, dec ? dec : "(null)");
	free(dec);
	free(enc);
}

/* Folding only adds CRLF before a space: unfolding gives the value. */
static void
check_fold(const char *s)
{
	char *fold, *back, *want;

	if (strpbrk(s, "\r\n") != NULL)
		return;		/* generated values never hold line breaks */
	fold = header_fold("Subject", s);
	fuzz_assert(fold != NULL);
	back = header_unfold(fold);
	want = header_unfold(s);
	fuzz_assert(back != NULL && want != NULL);
	if (strcmp(back, want) != 0)
		fuzz_fail("fold of [%s] unfolds to [%s]", s, back);
	free(back);
	free(want);
	free(fold);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct header_list h;
	const char *p = (const char *)data, *end = p + size, *nl;
	char *s, *u;
	size_t i, n, before;

	header_list_init(&h);
	while (p < end) {
		for (nl = p; nl < end && *nl != '\n' && *nl != '\r' &&
		    *nl != '\0'; nl++)
			;
		before = h.n;
		if (header_list_feed(&h, p, (size_t)(nl - p)) == 0 &&
		    h.n > before)
			fuzz_assert(header_name_len(p, (size_t)(nl - p)) > 0);
		p = nl + 1;
		if (nl < end && *nl == '\r' && p < end && *p == '\n')
			p++;
	}
	for (i = 0; i < h.n; i++) {
		/* a value's folds are CRLF + WSP, nothing else */
		const char *v = header_value(&h, i);

		fuzz_assert(strchr(h.f[i].name, ':') == NULL);
		for (; *v != '\0'; v++)
			if (*v == '\r')
				fuzz_assert(v[1] == '\n' && is_wsp(v[2]));
		u = header_unfold(header_value(&h, i));
		fuzz_assert(u != NULL);
		fuzz_assert(strstr(u, "\r\n ") == NULL);
		free(u);
		fuzz_assert(header_list_find(&h, h.f[i].name, 0) <= i);
	}
	if (h.n > 0) {
		s = strdup(h.f[0].name);
		fuzz_assert(s != NULL);
		n = header_list_remove(&h, s);
		fuzz_assert(n >= 1);
		fuzz_assert(header_list_find(&h, s, 0) == (size_t)-1);
		free(s);
	}
	fuzz_assert(header_list_add(&h, "X-Fuzz", "") == 0);
	header_list_free(&h);

	s = fuzz_strdup(data, size);
	check_phrase(s);
	check_fold(s);
	free(s);
	return 0;
}
