/* SPDX-License-Identifier: MIT */
/*
 * encode: pure, streaming MIME encoders.  Nothing here allocates, does I/O
 * or fails: callers give the output room, each function says how much.
 *
 *   base64 (RFC 2045 section 6.8): 76-column lines ended by CRLF, input fed
 *     in chunks of any size; the output does not depend on how the input was
 *     split, and its exact size is b64_size(input size).
 *   quoted-printable (RFC 2045 section 6.7) of CRLF text: lines of at most
 *     76 characters, soft breaks "=" CRLF, trailing SP/HT encoded, CRLF kept
 *     as hard breaks, bare CR or LF encoded, "." and "F" at the start of a
 *     line encoded so SMTP dot handling and mbox "From " escaping cannot
 *     touch the content.
 *   MIME parameters: RFC 2231 (filename*0*=UTF-8''...) and the RFC 2047
 *     encoded-word form that older readers expect in name="...".
 */
#ifndef POSTIE_ENCODE_H
#define POSTIE_ENCODE_H

#include <stddef.h>
#include <stdint.h>

/* ---- base64 ---- */
#define B64_LINE_IN	57	/* input octets per output line */
#define B64_LINE_OUT	78	/* 76 characters + CRLF */

struct b64 {
	unsigned char	carry[B64_LINE_IN];	/* input not yet a full line */
	size_t		ncarry;
};

void	 b64_init(struct b64 *);
/* Encode n octets; writes only whole lines.  out must hold
 * b64_update_bound(n) bytes.  Returns the bytes written. */
size_t	 b64_update(struct b64 *, const void *in, size_t n, char *out);
/* Flush the last, partial line (padded, CRLF-terminated).  out must hold
 * B64_LINE_OUT bytes.  Returns the bytes written (0 if nothing pending). */
size_t	 b64_final(struct b64 *, char *out);
/* Exact total output (all updates + final) for n input octets. */
uint64_t b64_size(uint64_t n);
#define b64_update_bound(n)	(((n) / B64_LINE_IN + 1) * B64_LINE_OUT)

/* ---- quoted-printable ---- */
#define QP_LINE_MAX	76

struct qp {
	unsigned	col;	/* characters on the current output line */
	int		held;	/* SP, HT or CR awaiting the next octet; -1 none */
};

void	 qp_init(struct qp *);
/* Encode n octets.  out must hold qp_update_bound(n).  Returns bytes
 * written. */
size_t	 qp_update(struct qp *, const void *in, size_t n, char *out);
/* Flush a held octet.  out must hold QP_FINAL_MAX bytes. */
size_t	 qp_final(struct qp *, char *out);
#define qp_update_bound(n)	(6 * (size_t)(n) + 6)
#define QP_FINAL_MAX		6

/* ---- header text ---- */
/* A bounded string under construction; once it overflows it stays marked
 * and further appends are dropped (callers check .overflow once). */
struct enc_buf {
	char	*p;
	size_t	 len, cap;
	int	 overflow;
};

void	 enc_buf_init(struct enc_buf *, char *mem, size_t cap);
void	 enc_buf_put(struct enc_buf *, const char *s, size_t n);
void	 enc_buf_puts(struct enc_buf *, const char *s);

/* Whether the n octets are an RFC 2045 token (no tspecials, SP, CTLs). */
int	 enc_is_token(const char *s, size_t n);
/* Whether the n octets are well-formed UTF-8 (RFC 3629). */
int	 enc_is_utf8(const char *s, size_t n);

/*
 * Append the parameter attr=value to a header being built, as
 * ";" CRLF SP attr=..., with each output line at most 78 characters:
 * a token as it is; anything else per RFC 2231 section 4 as
 * attr*=UTF-8''%XX..., split into attr*0*=, attr*1*=... continuations
 * (section 3) at character boundaries when too long.  The charset is
 * "UTF-8" when value is valid UTF-8, else "unknown-8bit".
 */
void	 enc_param_2231(struct enc_buf *, const char *attr,
	    const char *value, size_t n);
/*
 * Append ";" CRLF SP attr="..." for readers that predate RFC 2231: a token
 * as it is, printable ASCII as a quoted-string, anything else as RFC 2047
 * B encoded-words inside the quotes (each word at most 75 characters,
 * split at character boundaries, words separated by CRLF SP).
 */
void	 enc_param_2047(struct enc_buf *, const char *attr,
	    const char *value, size_t n);

#endif
