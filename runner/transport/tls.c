/* tls.c - OpenSSL client over a tstream; see tls.h. */
#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "runner/transport/tls.h"
#include "runner/util/banned.h"

struct tls_conn {
	SSL_CTX *ctx;
	SSL *ssl;
	struct tstream *s;
	int timeout_ms;
	int timed_out;
	int no_ca;              /* observe without a CA file */
};

static BIO_METHOD *stream_method;
static pthread_once_t method_once = PTHREAD_ONCE_INIT;

static int
bio_read(BIO *b, char *buf, int len)
{
	struct tls_conn *t = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = tstream_read(t->s, buf, (size_t)len, t->timeout_ms);
	if (n == TERR_TIMEOUT)
		t->timed_out = 1;
	return n < 0 ? -1 : (int)n;
}

static int
bio_write(BIO *b, const char *buf, int len)
{
	struct tls_conn *t = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = tstream_write(t->s, buf, (size_t)len);
	return n < 0 ? -1 : (int)n;
}

static long
bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int
bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static void
make_method(void)
{
	stream_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
	    "mend-tstream");
	if (stream_method == NULL)
		fatal("BIO_meth_new failed");
	BIO_meth_set_read(stream_method, bio_read);
	BIO_meth_set_write(stream_method, bio_write);
	BIO_meth_set_ctrl(stream_method, bio_ctrl);
	BIO_meth_set_create(stream_method, bio_create);
}

static void
ssl_errors(struct strbuf *sb)
{
	unsigned long code;
	char buf[256];

	while ((code = ERR_get_error()) != 0) {
		ERR_error_string_n(code, buf, sizeof(buf));
		if (sb->len)
			strbuf_addstr(sb, "; ");
		strbuf_addstr(sb, buf);
	}
}

static int
is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

static int
setup_ctx(struct tls_conn *t, const struct tls_opts *o, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;

	t->ctx = SSL_CTX_new(TLS_client_method());
	if (t->ctx == NULL)
		fatal("SSL_CTX_new failed");
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_VERSION);
	if (o->version) {
		SSL_CTX_set_min_proto_version(t->ctx, o->version);
		SSL_CTX_set_max_proto_version(t->ctx, o->version);
		SSL_CTX_set_security_level(t->ctx, 0);
		SSL_CTX_set_cipher_list(t->ctx, "ALL:@SECLEVEL=0");
	}
	SSL_CTX_set_verify(t->ctx, o->observe ? SSL_VERIFY_NONE :
	    SSL_VERIFY_PEER, NULL);
	if ((o->cafile || !o->observe) &&
	    SSL_CTX_load_verify_locations(t->ctx, o->cafile, NULL) != 1) {
		ssl_errors(&sb);
		err_set(e, "cannot load CA file '%s': %s", o->cafile, sb.buf);
		goto fail;
	}
	if (o->certfile != NULL &&
	    (SSL_CTX_use_certificate_chain_file(t->ctx, o->certfile) != 1 ||
	    SSL_CTX_use_PrivateKey_file(t->ctx, o->keyfile ? o->keyfile :
	    o->certfile, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(t->ctx) != 1)) {
		ssl_errors(&sb);
		err_set(e, "cannot load client certificate '%s': %s",
		    o->certfile, sb.buf);
		goto fail;
	}
	strbuf_release(&sb);
	return 0;
fail:
	strbuf_release(&sb);
	return -1;
}

static void
asn1_time_iso(const ASN1_TIME *at, char *buf, size_t len, long *days)
{
	struct tm tm;
	int d = 0, s = 0;

	memset(&tm, 0, sizeof(tm));
	buf[0] = '\0';
	if (at == NULL || ASN1_TIME_to_tm(at, &tm) != 1)
		return;
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (ASN1_TIME_diff(&d, &s, NULL, at) == 1)
		*days = d;
}

static void
name_line(const X509_NAME *name, char *buf, size_t len)
{
	BIO *mem = BIO_new(BIO_s_mem());
	int n;

	X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253);
	n = BIO_read(mem, buf, (int)len - 1);
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(mem);
}

/* subjectAltName DNS and IP entries, comma-separated, truncated to len. */
static void
alt_names(X509 *cert, char *buf, size_t len)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(cert, NID_subject_alt_name,
	    NULL, NULL);
	struct strbuf sb = STRBUF_INIT;
	char ip[64];
	int i;

	for (i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const unsigned char *d;
		int n;

		if (g->type == GEN_DNS) {
			d = ASN1_STRING_get0_data(g->d.dNSName);
			n = ASN1_STRING_length(g->d.dNSName);
			strbuf_addf(&sb, "%sDNS:%.*s", sb.len ? "," : "", n,
			    (const char *)d);
		} else if (g->type == GEN_IPADD) {
			d = ASN1_STRING_get0_data(g->d.iPAddress);
			n = ASN1_STRING_length(g->d.iPAddress);
			if (inet_ntop(n == 4 ? AF_INET : AF_INET6, d, ip,
			    sizeof(ip)) && (n == 4 || n == 16))
				strbuf_addf(&sb, "%sIP:%s", sb.len ? "," : "", ip);
		}
	}
	GENERAL_NAMES_free(gens);
	snprintf(buf, len, "%s", sb.buf);
	strbuf_release(&sb);
}

static void
cert_sha256(X509 *cert, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	out[0] = '\0';
	if (X509_digest(cert, EVP_sha256(), md, &n) != 1 || n != 32)
		return;
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int
tls_pem_sha256(const char *pem, size_t len, char out[65])
{
	BIO *b = len < (1u << 24) ? BIO_new_mem_buf(pem, (int)len) : NULL;
	X509 *cert = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	out[0] = '\0';
	if (cert != NULL)
		cert_sha256(cert, out);
	X509_free(cert);
	BIO_free(b);
	ERR_clear_error();
	return out[0] ? 0 : -1;
}

static void
fill_info(struct tls_conn *t, struct tls_info *info)
{
	X509 *cert = SSL_get1_peer_certificate(t->ssl);
	const char *cipher = SSL_get_cipher_name(t->ssl);
	long vr;

	snprintf(info->version, sizeof(info->version), "%s",
	    SSL_get_version(t->ssl));
	snprintf(info->cipher, sizeof(info->cipher), "%s",
	    cipher ? cipher : "");
	if (cert != NULL) {
		name_line(X509_get_subject_name(cert), info->subject,
		    sizeof(info->subject));
		name_line(X509_get_issuer_name(cert), info->issuer,
		    sizeof(info->issuer));
		asn1_time_iso(X509_get0_notAfter(cert), info->not_after,
		    sizeof(info->not_after), &info->days_left);
		alt_names(cert, info->names, sizeof(info->names));
		cert_sha256(cert, info->sha256);
		X509_free(cert);
	}
	vr = SSL_get_verify_result(t->ssl);
	if (t->no_ca)
		snprintf(info->verify_error, sizeof(info->verify_error),
		    "not checked (no CA given)");
	else if (vr != X509_V_OK)
		snprintf(info->verify_error, sizeof(info->verify_error),
		    "%s", X509_verify_cert_error_string(vr));
}

static int
handshake_error(struct tls_conn *t, const struct tls_opts *o,
    struct tls_info *info, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	long vr = SSL_get_verify_result(t->ssl);

	fill_info(t, info);
	if (t->timed_out) {
		err_set(e, "TLS handshake timed out after %d ms",
		    o->timeout_ms);
	} else if (vr == X509_V_ERR_HOSTNAME_MISMATCH ||
	    vr == X509_V_ERR_IP_ADDRESS_MISMATCH) {
		err_set(e, "certificate verify failed: %s (expected '%s')",
		    X509_verify_cert_error_string(vr), o->verify_name);
	} else if (vr != X509_V_OK) {
		err_set(e, "certificate verify failed: %s",
		    X509_verify_cert_error_string(vr));
	} else {
		ssl_errors(&sb);
		err_set(e, "TLS handshake failed: %s", sb.len ? sb.buf :
		    "peer closed the connection");
	}
	strbuf_release(&sb);
	return -1;
}

int
tls_client_start(struct tstream *s, const struct tls_opts *o,
    struct tls_conn **out, struct tls_info *info, struct err *e)
{
	struct tls_conn *t = xcalloc(1, sizeof(*t));
	BIO *bio;

	*out = NULL;
	memset(info, 0, sizeof(*info));
	pthread_once(&method_once, make_method);
	ERR_clear_error();
	t->s = s;
	t->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000;
	t->no_ca = o->observe && o->cafile == NULL;
	if (setup_ctx(t, o, e) < 0)
		goto fail;
	t->ssl = SSL_new(t->ctx);
	if (o->verify_name != NULL && is_ip(o->verify_name)) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl),
		    o->verify_name);
	} else if (o->verify_name != NULL) {
		SSL_set_tlsext_host_name(t->ssl, o->verify_name);
		SSL_set1_host(t->ssl, o->verify_name);
	}
	bio = BIO_new(stream_method);
	BIO_set_data(bio, t);
	SSL_set_bio(t->ssl, bio, bio);
	if (SSL_connect(t->ssl) != 1) {
		handshake_error(t, o, info, e);
		goto fail;
	}
	fill_info(t, info);
	*out = t;
	return 0;
fail:
	if (t->ssl)
		SSL_free(t->ssl);
	SSL_CTX_free(t->ctx);
	free(t);
	return -1;
}

ssize_t
tls_read(struct tls_conn *t, void *buf, size_t len, int timeout_ms)
{
	int n;

	t->timeout_ms = timeout_ms;
	t->timed_out = 0;
	n = SSL_read(t->ssl, buf, (int)(len > 65536 ? 65536 : len));
	if (n > 0)
		return n;
	if (t->timed_out)
		return TERR_TIMEOUT;
	return SSL_get_error(t->ssl, n) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

ssize_t
tls_write(struct tls_conn *t, const void *buf, size_t len)
{
	int n = SSL_write(t->ssl, buf, (int)len);

	return n > 0 ? n : -1;
}

void
tls_close(struct tls_conn *t)
{
	if (t == NULL)
		return;
	t->timeout_ms = 500;
	SSL_shutdown(t->ssl);
	SSL_free(t->ssl);
	SSL_CTX_free(t->ctx);
	free(t);
}
