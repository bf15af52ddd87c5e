/* SPDX-License-Identifier: MIT */
/*
 * mime-int: what mime.c (attaching, building) and mimesrc.c (reading the
 * built message) share.  Not for other modules.
 */
#ifndef POSTIE_MIME_INT_H
#define POSTIE_MIME_INT_H

#include <stdint.h>
#include <sys/types.h>

#include "encode.h"
#include "source.h"

#define IN_CHUNK	(B64_LINE_IN * 1024)	/* 57 KiB of file per read */
#define OUT_CHUNK	(b64_update_bound(IN_CHUNK) + B64_LINE_OUT)
#define QP_CHUNK	8192	/* qp_update_bound(QP_CHUNK) < OUT_CHUNK */
#define BOUNDARY_MAX	64
#define BOUNDARY_TRIES	8

struct mfile {
	int		 fd;
	uint64_t	 size;
	char		*path, *name;
	char		*type;		/* full Content-Type value */
};

enum seg_kind { SEG_TEXT, SEG_BODY, SEG_BODY_QP, SEG_FILE };

struct seg {
	enum seg_kind	 kind;
	char		*text;		/* SEG_TEXT, owned */
	uint64_t	 len;		/* octets this segment yields */
	struct mfile	*file;		/* SEG_FILE */
};

struct mime {
	struct mfile	*files;
	size_t		 nfiles, capfiles;

	/* the built message */
	struct seg	*segs;
	size_t		 nsegs;
	struct source	 body;
	char		 boundary[BOUNDARY_MAX];
	uint64_t	 size;
	int		 could8;	/* body quoted-printable only for
					   want of 8BITMIME (mime_print) */
	int		 nested;	/* body already MIME */
	int		 recoded;	/* ... but its transfer encoding
					   label or encoding changed */

	/* reading */
	size_t		 cur;		/* segment being read */
	uint64_t	 off;		/* octets of it consumed (input) */
	uint64_t	 produced;	/* octets of it yielded */
	uint64_t	 total;		/* octets yielded overall */
	int		 flushed;	/* encoder final done */
	struct b64	 b64;
	struct qp	 qp;
	char		*in, *out;
	size_t		 outpos, outlen;
	char		 err[256];
};

void	 mime_read_reset(struct mime *);
ssize_t	 mime_src_read(void *, char *, size_t);
int	 mime_src_rewind(void *);

#endif
