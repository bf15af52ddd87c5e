/* SPDX-License-Identifier: MIT */
/*
 * dotstuff: canonical line endings and dot-stuffing for the DATA stream.
 *
 * RFC 5321 2.3.8: a client MUST NOT send CR or LF except as CRLF.  A bare
 * CR or LF in the input is therefore turned into CRLF, never passed on:
 * passing it on is how a submission client becomes the first hop of an
 * SMTP smuggling attack (CVE-2023-51764..51766).  RFC 5321 4.5.2: a line
 * starting with "." gets another "."; the decision is taken on the output,
 * after the line-ending repair, and the state survives buffer boundaries
 * (curl CVE-2018-0500, ssmtp CVE-2008-7258 lost it there).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "dotstuff.h"

void
dotstuff_init(struct dotstuff *d, int stuff)
{
	d->stuff = stuff;
	d->bol = 1;
	d->cr = 0;
	d->out = 0;
}

/*
 * How many bytes from p on are neither CR nor LF.  Eight at a time: a
 * byte of v equals c exactly when the same byte of v ^ (c * 0x01..01) is
 * zero, and (x - 0x01..01) & ~x & 0x80..80 is non-zero exactly when x has
 * a zero byte.  Message text is mostly such runs (a base64 line is 76
 * bytes), and copying them whole is most of this file's speed.
 */
static size_t
plain_run(const char *p, size_t n)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t highs = UINT64_C(0x8080808080808080);
	size_t j = 0;

	for (; j + 8 <= n; j += 8) {
		uint64_t v, a, b;

		memcpy(&v, p + j, 8);
		a = v ^ (ones * '\r');
		b = v ^ (ones * '\n');
		if ((((a - ones) & ~a) | ((b - ones) & ~b)) & highs)
			break;
	}
	while (j < n && p[j] != '\r' && p[j] != '\n')
		j++;
	return j;
}

size_t
dotstuff_feed(struct dotstuff *d, const char *in, size_t len, char *out)
{
	size_t o = 0, i = 0, run;

	while (i < len) {
		char c = in[i];

		if (d->cr) {
			/* CR LF, or a bare CR: either way one CRLF */
			out[o++] = '\r';
			out[o++] = '\n';
			d->cr = 0;
			d->bol = 1;
			if (c == '\n') {
				i++;
				continue;
			}
		}
		if (c == '\r') {
			d->cr = 1;
			i++;
			continue;
		}
		if (c == '\n') {
			out[o++] = '\r';
			out[o++] = '\n';
			d->bol = 1;
			i++;
			continue;
		}
		if (d->bol && c == '.' && d->stuff)
			out[o++] = '.';
		/* c and the ordinary bytes after it, up to the next CR or LF */
		run = 1 + plain_run(in + i + 1, len - i - 1);
		memcpy(out + o, in + i, run);
		o += run;
		i += run;
		d->bol = 0;
	}
	d->out += o;
	return o;
}

size_t
dotstuff_finish(struct dotstuff *d, char *out)
{
	size_t o = 0;

	/* a pending CR, or a last line without its line ending; an empty
	 * message gets no blank line before the dot */
	if (d->cr || !d->bol) {
		out[o++] = '\r';
		out[o++] = '\n';
	}
	d->cr = 0;
	d->bol = 1;
	if (d->stuff) {
		out[o++] = '.';
		out[o++] = '\r';
		out[o++] = '\n';
	}
	d->out += o;
	return o;
}
