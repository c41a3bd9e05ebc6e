/*
 * svcprobe.h - one attempt at a product's listener: what amqp_probe
 * (RabbitMQ, AMQP 0-9-1) and activemq_probe (OpenWire, STOMP, MQTT,
 * AMQP 1.0) share.
 *
 * An attempt opens a TCP stream to host:port through `conn` (a libssh
 * direct-tcpip channel as the HOST resolves the address, or a plain socket
 * for a local connection), optionally completes a verified TLS handshake
 * (ca_file and the expected name; a client certificate for mTLS), sends
 * the protocol's hello and reads until the protocol's parser has a
 * complete answer.  The outcome is one of
 *
 *   accepted  the service answered its protocol (parse says so);
 *   refused   connection refused, the server closed or reset the stream,
 *             or rejected our TLS handshake (an alert, e.g. TLS 1.3's
 *             "certificate required");
 *   error     anything else: a reply that is not the protocol, a timeout,
 *             a server certificate WE reject (another CA, another name):
 *             an error never meets an expectation.
 *
 * `detail` says why, in words an operator can act on.  `fatal` means
 * retrying cannot help (the CA file cannot be loaded); `transport_err` is
 * set when the host's SSH connection itself broke (not for from:
 * controller probes): the caller reports the host unreachable.
 */
#ifndef MEND_SVCPROBE_H
#define MEND_SVCPROBE_H

#include <stddef.h>

#include "runner/transport/tls.h"
#include "runner/util/strbuf.h"

struct conn;
struct modctx;
struct val;

enum svcp_outcome { SVCP_ACCEPTED, SVCP_REFUSED, SVCP_ERROR };
enum svcp_expect { SVCP_EXPECT_ANY, SVCP_EXPECT_ACCEPTED,
	SVCP_EXPECT_REFUSED };

/* "accepted", "refused", "error", indexed by enum svcp_outcome. */
extern const char *const svcp_outcome_names[];

/* Where and how to connect; the probe module fills it and owns the
 * strings (svcprobe never frees them). */
struct svcp_target {
	struct conn *conn;           /* where the stream starts */
	const char *host;
	int port, tls, timeout_s;
	int from_controller;         /* a broken stream is not the host's */
	char *cafile, *certfile, *keyfile;  /* controller paths (PEM) */
	const char *verify_name;     /* NULL: the chain only */
};

struct svcp_attempt {
	enum svcp_outcome out;
	struct strbuf detail;
	struct tls_info ti;
	int have_tls;                /* the handshake got far enough */
	int verified;                /* handshake completed and verified */
	int fatal;                   /* retrying cannot help (bad CA file) */
	int transport_err;           /* the SSH connection broke */
};

/*
 * The protocol: `name` appears in messages ("no complete STOMP reply
 * within 5 s"); `hello` (may be empty) is sent first; parse() sees every
 * byte received so far and returns 0 while it needs more, else it has set
 * the outcome with svcp_setf().  After `cap` bytes without a complete
 * answer the attempt is an error.
 */
struct svcp_proto {
	const char *name;
	const unsigned char *hello;
	size_t hello_len, cap;
	int (*parse)(void *arg, struct svcp_attempt *a,
	    const unsigned char *in, size_t len, int tls);
	void *arg;
};

void svcp_setf(struct svcp_attempt *a, enum svcp_outcome o,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* One attempt, bounded by timeout_s and by deadline (mono_ms; at least
 * 1 s).  Resets everything but `detail`'s buffer and `fatal`. */
void svcp_attempt_run(const struct svcp_target *t,
    const struct svcp_proto *pr, struct svcp_attempt *a, long long deadline);

/* Whether the attempt meets the expectation (an error never does). */
int svcp_met(enum svcp_expect e, const struct svcp_attempt *a);

/* The expectation named by s (accepted|refused|any); NULL: accepted for
 * TLS (the smoke test), any for plaintext (detection). */
enum svcp_expect svcp_parse_expect(const char *s, int tls);

/* The result's `tls` map (version, cipher, subject, issuer, not_after,
 * days_left, verified, verify_name, client_cert, verify_error), or null
 * when the attempt was not TLS or did not get that far. */
struct val *svcp_tls_val(const struct svcp_target *t,
    const struct svcp_attempt *a);

/* "TLSv1.3 TLS_AES_256_GCM_SHA384, certificate 'CN=x' verified for x,
 * expires DATE (N days)", for a verified attempt. */
void svcp_tls_summary(const struct svcp_target *t,
    const struct svcp_attempt *a, struct strbuf *sb);

/*
 * The probes' common arguments into t, after host and tls are set:
 * cert_file and key_file (together or not at all), ca_file, cert_file,
 * key_file as controller paths, verify_name (default: host when
 * verify_hostname), and from: controller (a local connection, owned in
 * *local) or the host's.  0, or -1 with the task failed.
 */
int svcp_target_setup(struct svcp_target *t, struct conn **local,
    struct modctx *ctx, const struct val *args);
/* Frees what svcp_target_setup() made. */
void svcp_target_release(struct svcp_target *t, struct conn *local);

/* Sleep until the next attempt: retry_ms, or less when the deadline
 * (mono_ms) is nearer. */
void svcp_pause_until(long long deadline, int retry_ms);

#endif
