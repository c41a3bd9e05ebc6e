/*
 * tls.h - an OpenSSL TLS client over a tstream (an SSH direct-tcpip channel
 * or a plain socket), for protocol probes: NUT after STARTTLS, AMQP on 5671.
 *
 * The handshake always verifies the peer's chain against `cafile` (no
 * "insecure" mode: a probe that does not verify proves nothing).  When
 * `verify_name` is set, the certificate must also match it (DNS name, or IP
 * address when it parses as one).  SNI carries verify_name when it is a DNS
 * name.  A client certificate (mTLS) is sent when certfile/keyfile are set.
 *
 * On failure the error says exactly why, e.g.
 *   "certificate verify failed: unable to get local issuer certificate"
 *   "certificate verify failed: hostname mismatch (expected 'nut.example')"
 *   "handshake timed out after 5000 ms", "peer closed the connection".
 * tls_info is filled as far as the handshake got (version, cipher, subject,
 * issuer, not_after), also on verification failure.
 */
#ifndef MEND_TLS_H
#define MEND_TLS_H

#include <sys/types.h>

#include "runner/util/err.h"
#include "runner/transport/transport.h"

struct tls_opts {
	const char *cafile;       /* PEM CA bundle (required unless observe) */
	const char *verify_name;  /* expected name or IP, NULL = chain only */
	const char *certfile;     /* client certificate (PEM), or NULL */
	const char *keyfile;      /* client key (PEM), or NULL */
	int timeout_ms;           /* handshake and each read */
	/*
	 * mend scan only: observe is set: the handshake completes whatever
	 * the chain, and verify_error says why verification against cafile
	 * (and verify_name) failed, or "not checked (no CA given)" without a
	 * cafile.  version (TLS1_VERSION .. TLS1_3_VERSION) pins the
	 * protocol version and lowers OpenSSL's security level to 0 so that
	 * a server's TLS 1.0/1.1 can be seen; 0 = any (TLS 1.0 and up).
	 */
	int observe;
	int version;
};

struct tls_info {
	char version[16];         /* "TLSv1.3" */
	char cipher[64];
	char subject[256];        /* one-line RFC 2253 */
	char issuer[256];
	char not_after[32];       /* "2027-11-22T12:00:00Z" */
	char names[256];          /* subjectAltName DNS and IP entries,
	                           * "DNS:h1,IP:198.51.100.11" */
	long days_left;           /* until not_after (negative: expired) */
	char verify_error[160];   /* "" when verified */
	char sha256[65];          /* SHA-256 of the certificate's DER, lower
	                           * hex ("" without a certificate) */
};

struct tls_conn;

/* Handshake over s (s stays owned by the caller and must outlive the
 * tls_conn). Returns 0, or -1 with e set and info filled as far as known. */
int tls_client_start(struct tstream *s, const struct tls_opts *o,
    struct tls_conn **out, struct tls_info *info, struct err *e);
/* Like tstream_read/tstream_write. */
ssize_t tls_read(struct tls_conn *t, void *buf, size_t len, int timeout_ms);
ssize_t tls_write(struct tls_conn *t, const void *buf, size_t len);
void tls_close(struct tls_conn *t);   /* sends close_notify; frees */

/* The SHA-256 of the first certificate in a PEM buffer (its DER), lower
 * hex, as tls_info.sha256: 0, or -1 when it holds no certificate. */
int tls_pem_sha256(const char *pem, size_t len, char out[65]);

#endif
