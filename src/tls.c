/* SPDX-License-Identifier: MIT */
/*
 * tls: GnuTLS client setup and record I/O.  See notes on each setting.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "log.h"
#include "net.h"
#include "tls-cache.h"
#include "tls.h"

/*
 * GnuTLS is loaded with dlopen(3) when the first TLS session is made, not
 * linked: linking it (and its chain: nettle, hogweed, gmp, p11-kit,
 * tasn1, idn2, unistring) costs every run of postie about 5 ms of start-up
 * for relocations and constructors, and --version, --help, --pretend,
 * -bp and config errors never need it.  This file is GnuTLS's only user;
 * every function it calls goes through this table, typed from the header.
 */
#define GNUTLS_SONAME "libgnutls.so.30"	/* ABI since GnuTLS 3.4 */
#define TLS_FUNCS(X) \
	X(gnutls_alert_get) \
	X(gnutls_alert_get_name) \
	X(gnutls_bye) \
	X(gnutls_certificate_allocate_credentials) \
	X(gnutls_certificate_free_credentials) \
	X(gnutls_certificate_get_peers) \
	X(gnutls_certificate_set_x509_key_file2) \
	X(gnutls_certificate_set_x509_system_trust) \
	X(gnutls_certificate_set_x509_trust_file) \
	X(gnutls_certificate_verification_status_print) \
	X(gnutls_cipher_get) \
	X(gnutls_cipher_get_name) \
	X(gnutls_credentials_set) \
	X(gnutls_deinit) \
	X(gnutls_error_is_fatal) \
	X(gnutls_group_get_name) \
	X(gnutls_handshake) \
	X(gnutls_handshake_set_timeout) \
	X(gnutls_hash_fast) \
	X(gnutls_init) \
	X(gnutls_priority_deinit) \
	X(gnutls_priority_group_list) \
	X(gnutls_priority_init2) \
	X(gnutls_priority_set) \
	X(gnutls_priority_set_direct) \
	X(gnutls_protocol_get_name) \
	X(gnutls_protocol_get_version) \
	X(gnutls_record_get_direction) \
	X(gnutls_record_recv) \
	X(gnutls_record_send) \
	X(gnutls_server_name_set) \
	X(gnutls_session_channel_binding) \
	X(gnutls_session_get_data2) \
	X(gnutls_session_get_flags) \
	X(gnutls_session_get_ptr) \
	X(gnutls_session_get_verify_cert_status) \
	X(gnutls_session_is_resumed) \
	X(gnutls_session_set_data) \
	X(gnutls_session_set_ptr) \
	X(gnutls_session_set_verify_cert) \
	X(gnutls_session_set_verify_function) \
	X(gnutls_strerror) \
	X(gnutls_transport_set_int2) \
	X(gnutls_x509_crt_deinit) \
	X(gnutls_x509_crt_get_activation_time) \
	X(gnutls_x509_crt_get_expiration_time) \
	X(gnutls_x509_crt_import) \
	X(gnutls_x509_crt_init)

static struct {
#define X(name) __typeof__(name) *name;
	TLS_FUNCS(X)
#undef X
	gnutls_free_function *gnutls_free;	/* a variable, not a function */
} gt;

static const struct {
	const char	*name;
	size_t		 off;
} gt_syms[] = {
#define X(name) { #name, offsetof(__typeof__(gt), name) },
	TLS_FUNCS(X)
#undef X
	{ "gnutls_free", offsetof(__typeof__(gt), gnutls_free) },
};

/* Load GnuTLS once; its constructor does the global initialisation. */
static int
load_gnutls(struct failure *f)
{
	static void *lib;
	size_t i;
	void *p;

	if (lib != NULL)
		return 0;
	/*
	 * RTLD_LAZY: libraries linked with -z now (GnuTLS, nettle, hogweed,
	 * p11-kit, ... on Debian) are bound at once whatever the mode; the
	 * others (libgmp's 351 PLT slots, libffi's 42) are bound when a
	 * function is first called instead of all at load: 0.39 M fewer
	 * instructions per run (callgrind).  Nothing is lost: every GnuTLS
	 * function postie calls is checked with dlsym() below, and those
	 * libraries' GOT is not read-only after relocation in either mode.
	 */
	if ((p = dlopen(GNUTLS_SONAME, RTLD_LAZY | RTLD_LOCAL)) == NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "cannot load %s: %s",
		    GNUTLS_SONAME, dlerror());
		return -1;
	}
	for (i = 0; i < sizeof(gt_syms) / sizeof(gt_syms[0]); i++) {
		void *sym = dlsym(p, gt_syms[i].name);

		if (sym == NULL) {
			failure_set(f, EX_OSERR, FAIL_TEMP, "%s has no %s",
			    GNUTLS_SONAME, gt_syms[i].name);
			dlclose(p);
			return -1;
		}
		/* POSIX: function and object pointers convert via dlsym */
		memcpy((char *)&gt + gt_syms[i].off, &sym, sizeof(sym));
	}
	lib = p;
	return 0;
}

struct tls {
	gnutls_session_t		 s;
	gnutls_certificate_credentials_t cred;
	char				 host[256];	/* outlives s */
	unsigned char			 pin[32];
	int				 pinned;
	int				 cache;	/* save a ticket */
	unsigned char			 key[TLS_CACHE_KEYLEN];
	char				 cpath[4096];
	char				 err[160];
	char				 desc[128];
};

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "AB:CD:..." or "abcd...": exactly 32 bytes (SHA-256).  MD5 and SHA-1
 * pins are refused on purpose. */
static int
parse_pin(const char *s, unsigned char *pin)
{
	size_t n = 0;

	while (*s != '\0') {
		int hi, lo;

		if (*s == ':') {
			s++;
			continue;
		}
		hi = hexval((unsigned char)s[0]);
		lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);
		if (lo < 0 || n >= 32)
			return -1;
		pin[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return n == 32 ? 0 : -1;
}

/*
 * Pinning replaces the CA check (the pin is the trust anchor), inside the
 * handshake so that the connection dies before any SMTP byte is sent.
 * The leaf certificate's validity dates are still checked.
 */
static int
pin_verify(gnutls_session_t s)
{
	struct tls *t = gt.gnutls_session_get_ptr(s);
	const gnutls_datum_t *c;
	unsigned n = 0;
	unsigned char h[32];
	gnutls_x509_crt_t crt;
	time_t now = time(NULL);
	int bad;

	c = gt.gnutls_certificate_get_peers(s, &n);
	if (c == NULL || n == 0)
		return -1;
	if (gt.gnutls_hash_fast(GNUTLS_DIG_SHA256, c[0].data, c[0].size, h) < 0)
		return -1;
	if (memcmp(h, t->pin, sizeof(h)) != 0) {
		snprintf(t->err, sizeof(t->err), "the certificate's SHA-256 "
		    "fingerprint does not match tls_fingerprint");
		return -1;
	}
	if (gt.gnutls_x509_crt_init(&crt) < 0)
		return -1;
	bad = gt.gnutls_x509_crt_import(crt, &c[0], GNUTLS_X509_FMT_DER) < 0 ||
	    gt.gnutls_x509_crt_get_activation_time(crt) > now ||
	    gt.gnutls_x509_crt_get_expiration_time(crt) < now;
	gt.gnutls_x509_crt_deinit(crt);
	if (bad) {
		snprintf(t->err, sizeof(t->err), "the pinned certificate is "
		    "expired or not yet valid");
		return -1;
	}
	return 0;
}

static int
setup_trust(struct tls *t, const struct account *a, struct failure *f)
{
	int r;

	if (t->pinned || !a->tls_verify)
		return 0;	/* no trust store needed: skip its ~20 ms */
	if (a->tls_trust_file != NULL)
		r = gt.gnutls_certificate_set_x509_trust_file(t->cred,
		    a->tls_trust_file, GNUTLS_X509_FMT_PEM);
	else
		r = gt.gnutls_certificate_set_x509_system_trust(t->cred);
	/* zero certificates is not "no verification": it is an error */
	if (r <= 0) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "cannot load trusted "
		    "certificates from %s: %s", a->tls_trust_file ?
		    a->tls_trust_file : "the system store",
		    r < 0 ? gt.gnutls_strerror(r) : "no certificates");
		return -1;
	}
	return 0;
}

/*
 * The default priority (the system's, "@SYSTEM" in GnuTLS terms) with
 * min appended, and X25519 moved to the front of its group list when the
 * system allows it at all.  Why: the client is told (GNUTLS_KEY_SHARE_TOP
 * in tls_open) to generate one TLS 1.3 key share instead of two, for the
 * first group; X25519's key generation and exchange cost about 0.8 M
 * instructions against 1.2 M for secp256r1, and the second share another
 * 0.4 M (callgrind, one send).  A relay without X25519 answers with a
 * HelloRetryRequest (RFC 8446 4.1.4) naming a group from the list, which
 * costs one round trip; every TLS 1.3 stack in common use implements
 * X25519 (RFC 8446 9.1: SHOULD).  The set of groups is the system's, only
 * the order changes; a system without X25519 (FIPS mode) keeps its own.
 */
static int
default_priority(gnutls_session_t s, const char *min, struct failure *f)
{
	char buf[512];
	const unsigned *g = NULL;
	gnutls_priority_t p;
	int n, r, x = 0;
	size_t o;

	r = gt.gnutls_priority_init2(&p, min, NULL,
	    GNUTLS_PRIORITY_INIT_DEF_APPEND);
	if (r < 0)
		goto fail;
	n = gt.gnutls_priority_group_list(p, &g);
	for (int i = 1; i < n; i++)
		if (g[i] == GNUTLS_GROUP_X25519)
			x = 1;
	if (x) {
		o = (size_t)snprintf(buf, sizeof(buf), "%s:-GROUP-ALL:"
		    "+GROUP-X25519", min);
		for (int i = 0; i < n && o < sizeof(buf); i++)
			if (g[i] != GNUTLS_GROUP_X25519)
				o += (size_t)snprintf(buf + o, sizeof(buf) - o,
				    ":+GROUP-%s", gt.gnutls_group_get_name(g[i]));
		/* too many groups to list: keep the system's order */
		if (o < sizeof(buf)) {
			gt.gnutls_priority_deinit(p);
			r = gt.gnutls_priority_init2(&p, buf, NULL,
			    GNUTLS_PRIORITY_INIT_DEF_APPEND);
			if (r < 0)
				goto fail;
		}
	}
	r = gt.gnutls_priority_set(s, p);
	gt.gnutls_priority_deinit(p);	/* the session keeps a reference */
	if (r >= 0)
		return 0;
fail:
	failure_set(f, EX_SOFTWARE, FAIL_PERM, "TLS priority: %s",
	    gt.gnutls_strerror(r));
	return -1;
}

static int
setup_session(struct tls *t, const struct account *a, struct failure *f)
{
	const char *errpos = NULL, *min;
	int r;

	if (a->tls_priorities != NULL) {
		r = gt.gnutls_priority_set_direct(t->s, a->tls_priorities,
		    &errpos);
		if (r < 0) {
			failure_set(f, EX_CONFIG, FAIL_PERM, "tls_priorities: "
			    "%s at \"%.40s\"", gt.gnutls_strerror(r),
			    errpos ? errpos : "");
			return -1;
		}
	} else {
		/* Debian's default still allows TLS 1.0 and 1.1; no leading
		 * ':' (GnuTLS adds it and refuses ours). */
		min = a->tls_min_version != NULL &&
		    strcmp(a->tls_min_version, "1.3") == 0 ?
		    "-VERS-TLS1.0:-VERS-TLS1.1:-VERS-TLS1.2" :
		    "-VERS-TLS1.0:-VERS-TLS1.1";
		if (default_priority(t->s, min, f) == -1)
			return -1;
	}
	r = gt.gnutls_credentials_set(t->s, GNUTLS_CRD_CERTIFICATE, t->cred);
	if (r < 0)
		goto fail;
	if (!net_is_ip_literal(t->host)) {
		r = gt.gnutls_server_name_set(t->s, GNUTLS_NAME_DNS, t->host,
		    strlen(t->host));
		if (r < 0)
			goto fail;
	}
	gt.gnutls_session_set_ptr(t->s, t);
	if (t->pinned)
		gt.gnutls_session_set_verify_function(t->s, pin_verify);
	else if (a->tls_verify)
		gt.gnutls_session_set_verify_cert(t->s, t->host, 0);
	return 0;
fail:
	failure_set(f, EX_SOFTWARE, FAIL_PERM, "TLS setup: %s",
	    gt.gnutls_strerror(r));
	return -1;
}

static void
handshake_failed(struct tls *t, int r, struct failure *f)
{
	gnutls_datum_t out = { NULL, 0 };
	unsigned st;

	switch (r) {
	case GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR:
		st = gt.gnutls_session_get_verify_cert_status(t->s);
		if (gt.gnutls_certificate_verification_status_print(st,
		    GNUTLS_CRT_X509, &out, 0) < 0)
			out.data = NULL;
		/* GnuTLS ends each reason with ". ": no trailing blank in
		 * our one-line message */
		while (out.data != NULL && out.size > 0 &&
		    out.data[out.size - 1] == ' ')
			out.data[--out.size] = '\0';
		failure_set(f, EX_UNAVAILABLE, FAIL_PERM, "TLS certificate "
		    "of %s rejected: %s", t->host, out.data ?
		    (char *)out.data : "verification failed");
		(*gt.gnutls_free)(out.data);
		return;
	case GNUTLS_E_CERTIFICATE_ERROR:
		failure_set(f, EX_UNAVAILABLE, FAIL_PERM, "TLS certificate "
		    "of %s rejected: %s", t->host, t->err[0] ? t->err :
		    gt.gnutls_strerror(r));
		return;
	case GNUTLS_E_PUSH_ERROR:
	case GNUTLS_E_PULL_ERROR:
	case GNUTLS_E_PREMATURE_TERMINATION:
	case GNUTLS_E_UNEXPECTED_PACKET_LENGTH:
	case GNUTLS_E_TIMEDOUT:
		failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "TLS handshake with "
		    "%s failed: %s", t->host, gt.gnutls_strerror(r));
		return;
	case GNUTLS_E_FATAL_ALERT_RECEIVED:
		failure_set(f, EX_UNAVAILABLE, FAIL_PERM, "TLS handshake with "
		    "%s failed: the relay sent alert \"%s\"", t->host,
		    gt.gnutls_alert_get_name(gt.gnutls_alert_get(t->s)));
		return;
	default:
		failure_set(f, EX_UNAVAILABLE, FAIL_PERM, "TLS handshake with "
		    "%s failed: %s", t->host, gt.gnutls_strerror(r));
	}
}

/*
 * What a cached ticket must have been made under: the session it resumes
 * was verified (or not) by these settings, and a resumed handshake sends
 * no certificate to verify again (RFC 8446 2.2).  So a ticket from a
 * verified session for this host is only offered under the same host,
 * port, trust file, pin, client certificate, priorities and verify flag.
 */
static int
settings_key(const struct account *a, const char *host, unsigned char *key)
{
	char buf[8192];
	int n;

	n = snprintf(buf, sizeof(buf), "postie-tls-1\n%s\n%d\n%d\n%d\n%s\n"
	    "%s\n%s\n%s\n%s\n%s\n", host, a->port, (int)a->tls,
	    a->tls_verify, a->tls_trust_file ? a->tls_trust_file : "(system)",
	    a->tls_fingerprint ? a->tls_fingerprint : "",
	    a->tls_cert_file ? a->tls_cert_file : "",
	    a->tls_key_file ? a->tls_key_file : "",
	    a->tls_min_version ? a->tls_min_version : "",
	    a->tls_priorities ? a->tls_priorities : "");
	if (n <= 0 || (size_t)n >= sizeof(buf))
		return -1;
	return gt.gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, (size_t)n, key) < 0 ?
	    -1 : 0;
}

/* Offer the cached ticket, if any, for this handshake. */
static void
resume_prepare(struct tls *t, const struct account *a)
{
	unsigned char *d;
	size_t n = 0;

	if (!a->tls_session_cache || settings_key(a, t->host, t->key) == -1 ||
	    tls_cache_path(a, t->cpath, sizeof(t->cpath)) == -1)
		return;
	t->cache = 1;
	if ((d = tls_cache_load(t->cpath, t->key, &n)) == NULL)
		return;
	if (gt.gnutls_session_set_data(t->s, d, n) < 0) {
		log_debug("TLS session cache %s: not usable; removed",
		    t->cpath);
		(void)unlink(t->cpath);
	}
	explicit_bzero(d, n);
	free(d);
}

/*
 * The relay's ticket (RFC 8446 4.6.1) comes after the handshake, in the
 * first records read; GnuTLS flags the session when it has one.  Only
 * TLS 1.3 tickets are kept (a TLS 1.2 resumption has weaker properties:
 * no forward secrecy for the resumed keys).  Saved once per connection,
 * and not after a resumption: the stored ticket stays good until it
 * expires (then the relay refuses it, the handshake is a full one and
 * its ticket is stored), and writing the file costs more CPU than the
 * handshake it saves (RFC 8446 C.4 advises single-use tickets against
 * linking connections; every connection here goes to the same relay
 * from the same host).
 */
static void
resume_save(struct tls *t)
{
	gnutls_datum_t d = { NULL, 0 };

	if (!t->cache ||
	    gt.gnutls_protocol_get_version(t->s) != GNUTLS_TLS1_3 ||
	    !(gt.gnutls_session_get_flags(t->s) & GNUTLS_SFLAGS_SESSION_TICKET))
		return;
	t->cache = 0;
	if (gt.gnutls_session_get_data2(t->s, &d) < 0 || d.data == NULL)
		return;
	tls_cache_store(t->cpath, t->key, d.data, d.size);
	explicit_bzero(d.data, d.size);
	(*gt.gnutls_free)(d.data);
}

/*
 * A resumed session carried no certificate: the pin was checked when the
 * ticket was made (the settings key holds the pin).  When GnuTLS keeps
 * the peer's certificate with the session (3.7 does: the session data
 * packs it), check the pin and its dates again anyway.
 */
static int
resumed_check(struct tls *t, struct failure *f)
{
	const gnutls_datum_t *c;
	unsigned n = 0;

	log_debug("TLS session resumed");
	if (!t->pinned)
		return 0;
	c = gt.gnutls_certificate_get_peers(t->s, &n);
	if (c == NULL || n == 0) {
		/* older GnuTLS: nothing to check again; the key alone vouches
		 * for this session, and pinned accounts stop resuming */
		t->cache = 0;
		(void)unlink(t->cpath);
		return 0;
	}
	if (pin_verify(t->s) == 0)
		return 0;
	(void)unlink(t->cpath);
	failure_set(f, EX_UNAVAILABLE, FAIL_PERM, "TLS certificate of %s "
	    "rejected: %s", t->host, t->err[0] ? t->err : "pin mismatch");
	return -1;
}

struct tls *
tls_open(int fd, const struct account *a, const char *host,
    int64_t deadline, struct failure *f)
{
	struct tls *t;
	size_t n = strlen(host);
	/* one key share, for the first group: see default_priority() */
	unsigned flags = GNUTLS_CLIENT | GNUTLS_NO_SIGNAL | GNUTLS_NONBLOCK |
	    GNUTLS_KEY_SHARE_TOP;
	int r;

	if (load_gnutls(f) == -1)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		return NULL;
	}
	/* RFC 6125 names have no trailing dot; GnuTLS would not match it */
	if (n > 0 && host[n - 1] == '.')
		n--;
	if (n == 0 || n >= sizeof(t->host)) {
		failure_set(f, EX_CONFIG, FAIL_PERM, "bad relay host name");
		free(t);
		return NULL;
	}
	memcpy(t->host, host, n);
	t->host[n] = '\0';
	if (a->tls_fingerprint != NULL) {
		if (parse_pin(a->tls_fingerprint, t->pin) == -1) {
			failure_set(f, EX_CONFIG, FAIL_PERM, "tls_fingerprint "
			    "must be a SHA-256 fingerprint (32 hex pairs)");
			free(t);
			return NULL;
		}
		t->pinned = 1;
	} else if (!a->tls_verify)
		log_error("WARNING: tls_verify is off for account %s: the "
		    "relay's certificate is NOT checked, anyone on the path "
		    "can read the password and the mail", a->name ?
		    a->name : "default");
	if (a->tls_cert_file != NULL)
		flags |= GNUTLS_FORCE_CLIENT_CERT;
	if (gt.gnutls_certificate_allocate_credentials(&t->cred) < 0) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		free(t);
		return NULL;
	}
	if (gt.gnutls_init(&t->s, flags) < 0) {
		failure_set(f, EX_OSERR, FAIL_TEMP, "out of memory");
		gt.gnutls_certificate_free_credentials(t->cred);
		free(t);
		return NULL;
	}
	if (setup_trust(t, a, f) == -1)
		goto fail;
	if (a->tls_cert_file != NULL) {
		r = gt.gnutls_certificate_set_x509_key_file2(t->cred,
		    a->tls_cert_file, a->tls_key_file ? a->tls_key_file :
		    a->tls_cert_file, GNUTLS_X509_FMT_PEM, NULL, 0);
		if (r < 0) {
			failure_set(f, EX_CONFIG, FAIL_PERM, "tls_cert_file "
			    "%s: %s", a->tls_cert_file, gt.gnutls_strerror(r));
			goto fail;
		}
	}
	if (setup_session(t, a, f) == -1)
		goto fail;
	resume_prepare(t, a);
	gt.gnutls_transport_set_int2(t->s, fd, fd);
	/* the poll deadline below is the real limit; this is a backstop */
	if (deadline != INT64_MAX && deadline > net_now())
		gt.gnutls_handshake_set_timeout(t->s,
		    (unsigned)(deadline - net_now()));
	for (;;) {
		r = gt.gnutls_handshake(t->s);
		if (r == 0)
			break;
		if (r != GNUTLS_E_AGAIN && r != GNUTLS_E_INTERRUPTED &&
		    gt.gnutls_error_is_fatal(r)) {
			handshake_failed(t, r, f);
			goto fail;
		}
		r = net_wait(fd, gt.gnutls_record_get_direction(t->s) ?
		    POLLOUT : POLLIN, deadline);
		if (r <= 0) {
			failure_set(f, EX_TEMPFAIL, FAIL_TEMP, "TLS handshake "
			    "with %s: %s", t->host, r == 0 ? "timed out" :
			    strerror(errno));
			goto fail;
		}
	}
	if (gt.gnutls_session_is_resumed(t->s)) {
		if (resumed_check(t, f) == -1)
			goto fail;
		t->cache = 0;	/* keep the stored ticket: resume_save() */
	}
	snprintf(t->desc, sizeof(t->desc), "%s %s",
	    gt.gnutls_protocol_get_name(gt.gnutls_protocol_get_version(t->s)),
	    gt.gnutls_cipher_get_name(gt.gnutls_cipher_get(t->s)));
	return t;
fail:
	gt.gnutls_deinit(t->s);
	gt.gnutls_certificate_free_credentials(t->cred);
	free(t);
	return NULL;
}

static ssize_t
io_result(struct tls *t, ssize_t r)
{
	if (r >= 0)
		return r;
	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
		return TLS_AGAIN;
	if (r == GNUTLS_E_REHANDSHAKE)	/* TLS 1.2 renegotiation: decline */
		return TLS_AGAIN;
	if (r == GNUTLS_E_FATAL_ALERT_RECEIVED)
		snprintf(t->err, sizeof(t->err), "TLS alert from the relay: "
		    "%s", gt.gnutls_alert_get_name(gt.gnutls_alert_get(t->s)));
	else
		snprintf(t->err, sizeof(t->err), "TLS: %s",
		    gt.gnutls_strerror((int)r));
	return -1;
}

ssize_t
tls_recv(struct tls *t, void *buf, size_t len)
{
	ssize_t r = gt.gnutls_record_recv(t->s, buf, len);

	/* SMTP delimits itself: a close without close_notify is just the
	 * end of the connection (and reported as such) */
	if (r == GNUTLS_E_PREMATURE_TERMINATION)
		return 0;
	if (r > 0 && t->cache)
		resume_save(t);
	return io_result(t, r);
}

ssize_t
tls_send(struct tls *t, const void *buf, size_t len)
{
	return io_result(t, gt.gnutls_record_send(t->s, buf, len));
}

int
tls_want_write(struct tls *t)
{
	return gt.gnutls_record_get_direction(t->s);
}

const char *
tls_error(const struct tls *t)
{
	return t->err;
}

const char *
tls_describe(const struct tls *t)
{
	return t->desc;
}

int
tls_channel_binding(struct tls *t, const char **type, unsigned char **data,
    size_t *len)
{
	gnutls_datum_t cb = { NULL, 0 };
	gnutls_channel_binding_t which;

	if (gt.gnutls_protocol_get_version(t->s) == GNUTLS_TLS1_3) {
		which = GNUTLS_CB_TLS_EXPORTER;
		*type = "tls-exporter";
	} else {
		which = GNUTLS_CB_TLS_UNIQUE;
		*type = "tls-unique";
	}
	if (gt.gnutls_session_channel_binding(t->s, which, &cb) < 0 ||
	    cb.size == 0)
		return -1;
	if ((*data = malloc(cb.size)) == NULL) {
		(*gt.gnutls_free)(cb.data);
		return -1;
	}
	memcpy(*data, cb.data, cb.size);
	*len = cb.size;
	(*gt.gnutls_free)(cb.data);
	return 0;
}

void
tls_close(struct tls *t)
{
	if (t == NULL)
		return;
	/* SHUT_WR: many relays never send their close_notify */
	(void)gt.gnutls_bye(t->s, GNUTLS_SHUT_WR);
	gt.gnutls_deinit(t->s);
	gt.gnutls_certificate_free_credentials(t->cred);
	free(t);
}
