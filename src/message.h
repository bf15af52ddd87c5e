/* SPDX-License-Identifier: MIT */
/*
 * message: message intake.  Standard input is copied, as it is read, to an
 * unlinked temporary file (memory stays flat whatever the size), with line
 * endings made CRLF; the header block is parsed into fields that can be
 * read and edited; the body stays in the file.
 *
 * Flow: message_read() -> message_prepare() (envelope filled, headers
 * completed) -> message_source() (or the MIME builder) -> SMTP or queue.
 */
#ifndef POSTIE_MESSAGE_H
#define POSTIE_MESSAGE_H

#include <stdint.h>
#include <stdio.h>

#include "envelope.h"
#include "source.h"
#include "status.h"

struct message;		/* opaque */

/* Hard caps on the header block (the body has none: it is on disk). */
#define MESSAGE_HEADER_MAX	(256 * 1024)	/* octets, CRLFs included */
#define MESSAGE_FIELDS_MAX	1000

struct intake_opts {
	int		 dot_ends;	/* no -i/-oi: a line "." ends input */
};

/*
 * Read the message from fd (normally 0) to its end (or the lone dot).
 * LF, CRLF and a bare CR each end a line, stored as CRLF; a missing final
 * line ending is added; a first "From " (mbox) line is dropped; NUL is
 * kept in the body (counted in message_stats) and refused in the header.
 * The spool is mkostemp(O_CLOEXEC) in $TMPDIR (else /tmp), unlinked at
 * once.  Returns a new message (caller frees with message_free), or NULL
 * with the failure recorded (EX_IOERR reading or writing, EX_CANTCREAT
 * for the temporary file, EX_OSERR out of memory, EX_DATAERR for a NUL
 * in the header or a header block over the hard caps).
 */
struct message *message_read(int fd, const struct intake_opts *,
	    struct failure *);

struct prepare_opts {
	int		 extract_rcpts;	/* -t */
	const char	*from_name;	/* -F, or NULL */
	const char	*domain;	/* qualifies bare names; Message-ID */
	const char	*aliases;	/* aliases file, or NULL */
	int		 add_from;	/* add From: when missing (default 1) */
};

/*
 * Complete the message and its envelope: each envelope recipient (an
 * address list: "Joe <j@x>, k@x" gives two) and, with -t, the To/Cc/Bcc
 * (or the topmost Resent- block's) recipients, deduplicated; bare names
 * through the aliases file, else qualified with the domain (no domain:
 * this host's name), the envelope sender too (NULL sender: the login
 * name; "" or "<>": the null sender, kept); domains as A-labels, a
 * non-ASCII local part sets env->smtputf8.  Remove Bcc, Resent-Bcc,
 * Return-Path and Content-Length; add Date, Message-ID and (with
 * add_from) From when missing; set env->body to BODY_8BITMIME when it is
 * BODY_UNSET and an octet is 8-bit.  Returns 0, or -1 with the failure
 * recorded: EX_DATAERR for a malformed address (CR, LF, NUL, control),
 * a bad -F name, or -t with no recipient at all; EX_USAGE for no
 * recipient without -t; EX_NOINPUT / EX_CONFIG from the aliases file;
 * EX_OSERR when out of memory.
 */
int	 message_prepare(struct message *, struct envelope *,
	    const struct prepare_opts *, struct failure *);

/* Header fields, in order.  Names and values are borrowed until the next
 * edit; a value is the raw (possibly folded) text after the colon. */
size_t	 message_header_count(const struct message *);
int	 message_header_get(const struct message *, size_t i,
	    const char **name, const char **value);
/* Remove every field with this name (case-insensitive).  Returns the
 * number removed. */
size_t	 message_header_remove(struct message *, const char *name);
/* Append a field; value is used as given (already encoded and folded).
 * Returns 0, or -1 when out of memory. */
int	 message_header_add(struct message *, const char *name,
	    const char *value);

/* What intake saw (extension, not in the original contract). */
struct message_stats {
	uint64_t	 body_size;	/* octets of the body, CRLF */
	uint64_t	 nul;		/* NUL octets kept in the body */
	int		 body_eightbit;	/* some body octet >= 0x80 */
	int		 body_longlines; /* some body line over 998 octets */
	int		 header_eightbit; /* some header octet >= 0x80 */
};
void	 message_stats(const struct message *, struct message_stats *);

/* The body alone (after the blank line), CRLF, as a source. */
int	 message_body_source(struct message *, struct source *);
/* The whole message (header fields as they now stand, blank line, body). */
int	 message_source(struct message *, struct source *);
/* Print the header block as it will go out (for --pretend). */
void	 message_print_headers(const struct message *, FILE *);

void	 message_free(struct message *);

#endif
