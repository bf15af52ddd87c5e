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

#include "dotstuff.h"

void
dotstuff_init(struct dotstuff *d, int stuff)
{
	d->stuff = stuff;
	d->bol = 1;
	d->cr = 0;
	d->out = 0;
}

size_t
dotstuff_feed(struct dotstuff *d, const char *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (d->cr) {
			/* CR LF, or a bare CR: either way one CRLF */
			out[o++] = '\r';
			out[o++] = '\n';
			d->cr = 0;
			d->bol = 1;
			if (c == '\n')
				continue;
		}
		if (c == '\r') {
			d->cr = 1;
			continue;
		}
		if (c == '\n') {
			out[o++] = '\r';
			out[o++] = '\n';
			d->bol = 1;
			continue;
		}
		if (d->bol && c == '.' && d->stuff)
			out[o++] = '.';
		out[o++] = c;
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
