/* SPDX-License-Identifier: MIT */
/*
 * tests/smtpd/tls.c: the server side of TLS (GnuTLS), for STARTTLS
 * (RFC 3207) and implicit TLS (RFC 8314).  The transport functions are
 * the server's own (io.c) so that handshake reads count as waits too.
 */
#include "config.h"

#include <string.h>
#include <gnutls/x509.h>

#include "smtpd.h"

static gnutls_certificate_credentials_t cred;
static const struct config *tcf;
static gnutls_datum_t ticket_key;	/* one per server process */

int
tls_setup(const struct config *cf)
{
	int r;

	tcf = cf;
	if (cf->cert == NULL)
		return 0;
	if (gnutls_certificate_allocate_credentials(&cred) < 0)
		return -1;
	/* TLS 1.3 session tickets, so that a second connection (-n 2) can
	 * resume the first one's session */
	if (gnutls_session_ticket_key_generate(&ticket_key) < 0)
		return -1;
	r = gnutls_certificate_set_x509_key_file(cred, cf->cert,
	    cf->key != NULL ? cf->key : cf->cert, GNUTLS_X509_FMT_PEM);
	if (r < 0) {
		fprintf(stderr, "smtpd: %s: %s\n", cf->cert, gnutls_strerror(r));
		return -1;
	}
	if (cf->client_ca != NULL) {
		r = gnutls_certificate_set_x509_trust_file(cred, cf->client_ca,
		    GNUTLS_X509_FMT_PEM);
		if (r < 0) {
			fprintf(stderr, "smtpd: %s: %s\n", cf->client_ca,
			    gnutls_strerror(r));
			return -1;
		}
	}
	return 0;
}

/* Log the client's certificate, if one was asked for. */
static void
client_cert(struct conn *c)
{
	const gnutls_datum_t *list;
	gnutls_x509_crt_t crt;
	unsigned int n, status;
	char dn[512];
	size_t dnlen = sizeof(dn);

	list = gnutls_certificate_get_peers(c->tls, &n);
	if (list == NULL || n == 0) {
		event("client-cert none");
		return;
	}
	if (gnutls_certificate_verify_peers2(c->tls, &status) < 0)
		status = GNUTLS_CERT_INVALID;
	if (gnutls_x509_crt_init(&crt) < 0)
		return;
	if (gnutls_x509_crt_import(crt, &list[0], GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_x509_crt_get_dn(crt, dn, &dnlen) < 0)
		strncpy(dn, "?", sizeof(dn));
	gnutls_x509_crt_deinit(crt);
	event("client-cert %s %s", status == 0 ? "verified" : "untrusted", dn);
}

int
tls_start(struct conn *c)
{
	const char *err = NULL;
	int r;

	if (gnutls_init(&c->tls, GNUTLS_SERVER | GNUTLS_NO_SIGNAL) < 0)
		return -1;
	if (tcf->priority != NULL)
		r = gnutls_priority_set_direct(c->tls, tcf->priority, &err);
	else
		r = gnutls_set_default_priority(c->tls);
	if (r < 0) {
		fprintf(stderr, "smtpd: priority %s: %s\n",
		    err != NULL ? err : "", gnutls_strerror(r));
		gnutls_deinit(c->tls);
		c->tls = NULL;
		return -1;
	}
	gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_session_ticket_enable_server(c->tls, &ticket_key);
	if (tcf->client_ca != NULL)
		gnutls_certificate_server_set_request(c->tls,
		    GNUTLS_CERT_REQUEST);
	gnutls_transport_set_ptr(c->tls, c);
	gnutls_transport_set_push_function(c->tls, conn_push);
	gnutls_transport_set_pull_function(c->tls, conn_pull);
	gnutls_transport_set_pull_timeout_function(c->tls, conn_pull_timeout);
	do
		r = gnutls_handshake(c->tls);
	while (r < 0 && !gnutls_error_is_fatal(r));
	if (r < 0) {
		event("tls-failed %s", gnutls_strerror(r));
		gnutls_deinit(c->tls);
		c->tls = NULL;
		c->dead = 1;
		return -1;
	}
	event("tls %s", gnutls_protocol_get_name(
	    gnutls_protocol_get_version(c->tls)));
	if (gnutls_session_is_resumed(c->tls))
		event("tls-resumed");
	/* TLS 1.3: the handshake ended with our read of the client's
	 * Finished; what we wrote since is session tickets, which the
	 * client does not wait for: not a round trip (see io.c) */
	if (gnutls_protocol_get_version(c->tls) == GNUTLS_TLS1_3)
		c->wrote = 0;
	if (tcf->client_ca != NULL)
		client_cert(c);
	return 0;
}

void
tls_close(struct conn *c, int clean)
{
	if (c->tls == NULL)
		return;
	if (clean && !c->dead)
		gnutls_bye(c->tls, GNUTLS_SHUT_WR);
	gnutls_deinit(c->tls);
	c->tls = NULL;
}

/*
 * Channel-binding data for SCRAM-*-PLUS as base64 (what libgsasl wants):
 * type is GNUTLS_CB_TLS_EXPORTER or GNUTLS_CB_TLS_UNIQUE, whichever the
 * client announced.  Caller frees *b64.
 */
int
tls_cb(struct conn *c, int type, char **b64)
{
	gnutls_datum_t cb;
	int r;

	if (c->tls == NULL)
		return -1;
	if (gnutls_session_channel_binding(c->tls, type, &cb) < 0)
		return -1;
	r = gsasl_base64_to((const char *)cb.data, cb.size, b64, NULL);
	gnutls_free(cb.data);
	return r == GSASL_OK ? 0 : -1;
}
