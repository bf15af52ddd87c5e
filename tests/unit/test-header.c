/* SPDX-License-Identifier: MIT */
/* Unit tests of src/header.c. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "header.h"
#include "tap.h"

static int
feed(struct header_list *h, const char *line)
{
	return header_list_feed(h, line, strlen(line));
}

/* Every encoded word at most 75 characters, none splits a character:
 * decode each word on its own and check it is valid UTF-8 that, joined,
 * gives back the name. */
static int
b64val(int c)
{
	const char *a =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(a, c);

	return p != NULL && c != '\0' ? (int)(p - a) : -1;
}

static int
words_ok(const char *enc, const char *want)
{
	char dec[1024];
	size_t o = 0;
	const char *p = enc;

	while (*p != '\0') {
		const char *e = strstr(p, "?=");
		const char *q;
		unsigned long v = 0;
		int bits = 0;

		if (strncmp(p, "=?UTF-8?B?", 10) != 0 || e == NULL)
			return 0;
		if (e + 2 - p > 75)
			return 0;
		for (q = p + 10; q < e && *q != '='; q++) {
			v = (v << 6) | (unsigned long)b64val(*q);
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				dec[o++] = (char)((v >> bits) & 0xff);
			}
		}
		/* a word ends on a character boundary */
		if (o > 0 && ((unsigned char)dec[o - 1] & 0xc0) == 0xc0)
			return 0;
		p = e + 2;
		if (*p == ' ')
			p++;
	}
	dec[o] = '\0';
	return strcmp(dec, want) == 0;
}

int
main(void)
{
	struct header_list h;
	char *s;
	char longname[400];

	plan(37);

	is_int(header_name_len("Subject: x", 10), 7, "name length");
	is_int(header_name_len("Subject : x", 11), 7, "WSP before colon");
	is_int(header_name_len("Subject x", 9), 0, "no colon");
	is_int(header_name_len(": x", 3), 0, "empty name");
	is_int(header_name_len(" To: x", 6), 0, "leading space");
	is_int(header_name_len("X\001Y: z", 6), 0, "control in name");

	header_list_init(&h);
	is_int(feed(&h, " cont"), 1, "continuation with no field");
	is_int(feed(&h, "Subject: one"), 0, "field taken");
	is_int(feed(&h, "\ttwo"), 0, "continuation taken");
	is_int(feed(&h, "not a header"), 1, "non-header refused");
	is_int(feed(&h, "To : a@b"), 0, "obs WSP before colon taken");
	is_int(h.n, 2, "two fields");
	is_str(h.f[0].raw, "Subject: one\r\n\ttwo", "fold kept raw");
	is_str(header_value(&h, 0), " one\r\n\ttwo", "value raw");
	is_str(h.f[1].name, "To", "name trimmed");
	is_str(header_value(&h, 1), " a@b", "value after colon");
	is_int(h.bytes, strlen("Subject: one\r\n\ttwo") + 2 + 10, "bytes");
	is_int(header_list_add(&h, "Bcc", "x@y"), 0, "add");
	is_str(h.f[2].raw, "Bcc: x@y", "add puts a space");
	header_list_add(&h, "bcc", "");
	is_int(header_list_find(&h, "BCC", 0), 2, "find case-insensitive");
	is_int(header_list_remove(&h, "bcc"), 2, "remove both");
	is_int(h.n, 2, "two left");
	is_int(h.bytes, strlen("Subject: one\r\n\ttwo") + 2 + 10,
	    "bytes after remove");
	header_list_free(&h);

	s = header_unfold(" a\r\n b\r\n\tc  ");
	is_str(s, "a b\tc", "unfold and trim");
	free(s);

	s = header_encode_phrase("Cron Daemon");
	is_str(s, "Cron Daemon", "plain phrase kept");
	free(s);
	s = header_encode_phrase("J. \"Q\" Smith\\");
	is_str(s, "\"J. \\\"Q\\\" Smith\\\\\"", "specials quoted");
	free(s);
	s = header_encode_phrase("a  b");
	is_str(s, "\"a  b\"", "double space quoted");
	free(s);
	s = header_encode_phrase("Jörg");
	is_str(s, "=?UTF-8?B?SsO2cmc=?=", "non-ASCII encoded");
	free(s);
	errno = 0;
	ok(header_encode_phrase("a\r\nBcc: x@y") == NULL && errno == EINVAL,
	    "CRLF refused");
	errno = 0;
	ok(header_encode_phrase("a\tb") == NULL && errno == EINVAL,
	    "HT refused");
	errno = 0;
	ok(header_encode_phrase("J\xf6rg") == NULL && errno == EINVAL,
	    "Latin-1 (invalid UTF-8) refused");
	ok(header_encode_phrase("\xc0\xaf") == NULL, "overlong refused");

	longname[0] = '\0';
	for (int i = 0; i < 30; i++)
		strncat(longname, "é€😀", sizeof(longname) - strlen(longname) - 1);
	s = header_encode_phrase(longname);
	ok(s != NULL && words_ok(s, longname),
	    "long name: words <= 75, split on characters, round trip");
	free(s);

	s = header_fold("From", "=?UTF-8?B?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa?= "
	    "=?UTF-8?B?bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb?= <x@y>");
	is_str(s, "=?UTF-8?B?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa?=\r\n"
	    " =?UTF-8?B?bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb?= <x@y>",
	    "fold at a space before 78");
	free(s);
	s = header_fold("From", "\"a very long quoted name that goes on and on and "
	    "on beyond the fold\" <x@y>");
	ok(s != NULL && strncmp(s, "\"a very long quoted name that goes on",
	    36) == 0 && strstr(s, "\r\n <x@y>") != NULL,
	    "no fold inside a quoted string");
	free(s);
	s = header_fold("Date", "short value");
	is_str(s, "short value", "short value unchanged");
	free(s);
	s = header_fold("X", "");
	is_str(s, "", "empty value");
	free(s);
	return done();
}
