/*
 * scan.h - mend scan: credential-less detection from the controller.
 *
 * Targets are host names, IPv4/IPv6 addresses and IPv4 CIDR ranges (at most
 * SCAN_MAX_ADDRS addresses in all; the front end resolves inventory
 * patterns to addresses).  Ports: each product's probes name the ports they
 * speak (NUT 3493, AMQP 5672, AMQPS 5671, RabbitMQ management 15672,
 * ActiveMQ OpenWire/STOMP/MQTT in clear and TLS); -p
 * picks some of them or puts a probe on another port ("8883/amqps").
 *
 * Network discipline: a probe sends its protocol's hello and nothing more
 * (NUT: VER and STARTTLS; AMQP: the protocol header; HTTP: one GET of the
 * management API's overview without credentials; TLS: handshakes, one per
 * protocol version to learn which are offered) and never authenticates.
 * At most `concurrency` connections are open at once and at most `rate` are
 * started per second; every connect and read has `timeout_ms`.  Nothing is
 * refused silently: a target that does not resolve or a port no probe
 * speaks is an input error (exit status 3) with its reason.
 *
 * Results: one struct scan_service per host:port (its facts: state,
 * product, TLS and certificate), and findings at "host:port" (line 0)
 * through the audit engine, so formats, baselines and exit status are those
 * of mend audit.
 */
#ifndef MEND_SCAN_H
#define MEND_SCAN_H

#include "runner/audit/audit.h"
#include "runner/transport/tls.h"
#include "runner/transport/transport.h"

#define SCAN_MAX_ADDRS 4096
#define SCAN_MAX_FINDINGS 8

struct scan_opts {
	int concurrency;         /* connections at once (default 16) */
	int rate;                /* connections started per second (default 50) */
	int timeout_ms;          /* connect and each read (default 3000) */
	const char *cafile;      /* verify certificates against this CA */
	const char *verify_name; /* name the certificate must carry, NULL = the
				  * target as given (a DNS name or IP) */
	int tls_versions;        /* try TLS 1.0 .. 1.3 one by one (default 1) */
};

struct scan_service {
	char host[256];          /* as given (or from a CIDR) */
	int port;
	const char *probe;       /* probe name: "nut", "amqp", ... */
	char state[16];          /* "open", "closed", "timeout", "error" */
	char error[160];         /* why not open / what went wrong */
	char product[128];       /* "Network UPS Tools upsd 2.8.0",
				  * "RabbitMQ 3.10.8", ... */
	int cleartext;           /* answers its protocol in cleartext */
	int starttls;            /* -1 n/a, 0 refused, 1 offered */
	char starttls_reply[96];
	int tls;                 /* a TLS handshake completed */
	struct tls_info cert;    /* of that handshake */
	int verified;            /* -1 not checked, 0 failed, 1 verified */
	unsigned versions;       /* bit v: TLS 1.v accepted (v = 0..3) */
	unsigned versions_tried;
};

/* One host:port being probed (a probe's view). */
struct scan_job {
	struct scan_service *svc;
	const struct scan_opts *o;
	struct scan_state *st;
	struct {
		const struct audit_rule *rule;
		char *msg;
	} f[SCAN_MAX_FINDINGS];
	int nf;
};

struct scan_probe {
	const char *name;        /* "nut": also the -p PORT/NAME suffix */
	const int *ports;        /* default ports, 0-terminated */
	void (*probe)(struct scan_job *j);
};

/* ---- for probes ---- */

/* Connect to the job's host:port (rate-limited).  0, or -1 with the
 * service's state and error set. */
int scan_connect(struct scan_job *j, struct tstream **s);
/* TLS handshake in observe mode over s, pinned to version (0 = any), with
 * the scan's CA and name.  Returns the connection or NULL (err set). */
struct tls_conn *scan_tls(struct scan_job *j, struct tstream *s, int version,
    struct tls_info *info, struct err *e);
/* Record a successful handshake's facts in the service (cert, verified). */
void scan_tls_facts(struct scan_job *j, const struct tls_info *info);
/* Try TLS 1.0, 1.1, 1.2 and 1.3 one at a time on fresh connections;
 * before each handshake `pre` (may be NULL) runs on the plain stream
 * (NUT's STARTTLS) and returns 0 to go on. */
void scan_tls_versions(struct scan_job *j,
    int (*pre)(struct scan_job *j, struct tstream *s));
/* Write all of buf; read until done(buf, len) returns non-zero, EOF, the
 * timeout, or max bytes.  Return the bytes read (in out), -1 on error. */
int scan_plain_xfer(struct scan_job *j, struct tstream *s, const void *buf,
    size_t len, struct strbuf *out, size_t max,
    int (*done)(const char *buf, size_t len));
int scan_tls_xfer(struct scan_job *j, struct tls_conn *t, const void *buf,
    size_t len, struct strbuf *out, size_t max,
    int (*done)(const char *buf, size_t len));
/* A finding about this service (kept until the scan ends). */
void scan_finding(struct scan_job *j, const struct audit_rule *rule,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "TLSv1.2 TLSv1.3" of a versions mask. */
void scan_versions_str(unsigned mask, char *buf, size_t len);

/* ---- the scan ---- */

struct scan_port {
	int port;
	const struct scan_probe *probe;   /* NULL: every probe of this port */
};

/*
 * Expand targets (names, addresses, CIDR) and ports ("3493,5671",
 * "8883/amqps"; NULL = every probe's default ports) and probe every
 * host:port with its probe.  Input errors (bad target or port) are
 * recorded in r (exit status 3); findings too; then audit_finish().
 */
void scan_run(struct audit_run *r, char *const *targets, size_t ntargets,
    const char *ports, const struct scan_opts *o);
void scan_opts_init(struct scan_opts *o);
/* Free what scan_run attached to r (r->scan); audit_run_release does not. */
void scan_release(struct audit_run *r);
/* Parse "A.B.C.D/N" into its addresses (appended to out, malloc'ed);
 * -1 when s is not such a range or has more than max addresses. */
int scan_cidr(const char *s, char ***out, size_t *n, size_t max);

#endif
