/*
 * rmq_scan.c - mend scan's RabbitMQ probes, from the controller:
 *   amqp   (5672)  the AMQP 0-9-1 protocol header; a Connection.Start in
 *                  reply means the broker speaks AMQP in cleartext
 *   amqps  (5671)  a TLS handshake (certificate facts, verification against
 *                  --ca), the header inside TLS, and one pinned handshake
 *                  per TLS version
 *   rabbitmq-mgmt (15672)  one HTTP GET /api/overview without credentials:
 *                  "401" with realm "RabbitMQ Management" is the plain-HTTP
 *                  management API
 * Nothing else is sent (no Connection.StartOk, no credentials).  Replies are
 * classified with amqp.h (the one amqp_probe uses).
 */
#include <stdio.h>
#include <string.h>

#include "modules/rabbitmq/amqp.h"
#include "modules/rabbitmq/rmq_audit.h"
#include "runner/util/banned.h"

static const int amqp_ports[] = { 5672, 0 };
static const int amqps_ports[] = { 5671, 0 };
static const int mgmt_ports[] = { 15672, 0 };

static int
amqp_done(const char *buf, size_t len)
{
	struct amqp_reply r;

	return amqp_parse_reply((const unsigned char *)buf, len, &r) !=
	    AMQP_INCOMPLETE;
}

/* What the broker answered to the header (in buf), into the service. */
static void
amqp_answer(struct scan_job *j, const struct strbuf *buf, int tls)
{
	struct amqp_reply r;
	enum amqp_kind k;

	k = amqp_parse_reply((const unsigned char *)buf->buf, buf->len, &r);
	if (k == AMQP_CONNECTION_START) {
		j->svc->cleartext = !tls;
		snprintf(j->svc->product, sizeof(j->svc->product), "%.60s %.40s "
		    "(AMQP %u-%u)", r.product, r.version, r.version_major,
		    r.version_minor);
	} else if (buf->len == 0) {
		snprintf(j->svc->error, sizeof(j->svc->error), "no reply to the "
		    "AMQP header");
	} else {
		snprintf(j->svc->error, sizeof(j->svc->error), "not an AMQP "
		    "0-9-1 Connection.Start: %s", k == AMQP_GARBAGE ? r.why :
		    amqp_kind_name(k));
	}
}

static void
amqp_probe(struct scan_job *j)
{
	struct strbuf in = STRBUF_INIT;
	struct tstream *s;

	if (scan_connect(j, &s) < 0)
		return;
	scan_plain_xfer(j, s, AMQP_HEADER_091, AMQP_HEADER_LEN, &in,
	    AMQP_MAX_START_FRAME, amqp_done);
	tstream_close(s);
	amqp_answer(j, &in, 0);
	if (j->svc->cleartext)
		scan_finding(j, &audit_rabbitmq.rules[R_SCAN_AMQP], "Connection."
		    "Start in cleartext from %s", j->svc->product);
	strbuf_release(&in);
}

static void
tls_findings(struct scan_job *j, const struct audit_rule *cert,
    const struct audit_rule *weak)
{
	const struct scan_service *v = j->svc;
	char vs[64];

	if (v->tls && v->verified == 0)
		scan_finding(j, cert, "certificate '%s' (issuer '%s') does not "
		    "verify: %s", v->cert.subject, v->cert.issuer,
		    v->cert.verify_error);
	else if (v->tls && v->cert.days_left < 0)
		scan_finding(j, cert, "certificate '%s' expired on %s",
		    v->cert.subject, v->cert.not_after);
	if (v->versions & 3u) {
		scan_versions_str(v->versions & 3u, vs, sizeof(vs));
		scan_finding(j, weak, "the broker completes a %s handshake", vs);
	}
}

static void
amqps_probe(struct scan_job *j)
{
	struct strbuf in = STRBUF_INIT;
	struct tls_info info;
	struct tls_conn *t;
	struct tstream *s;
	struct err e = ERR_INIT;

	if (scan_connect(j, &s) < 0)
		return;
	t = scan_tls(j, s, 0, &info, &e);
	if (t) {
		scan_tls_facts(j, &info);
		scan_tls_xfer(j, t, AMQP_HEADER_091, AMQP_HEADER_LEN, &in,
		    AMQP_MAX_START_FRAME, amqp_done);
		amqp_answer(j, &in, 1);
		tls_close(t);
	} else {
		snprintf(j->svc->error, sizeof(j->svc->error), "%s",
		    err_text(&e, "TLS handshake failed"));
	}
	tstream_close(s);
	err_release(&e);
	strbuf_release(&in);
	if (j->svc->tls)
		scan_tls_versions(j, NULL);
	tls_findings(j, &audit_rabbitmq.rules[R_SCAN_TLS],
	    &audit_rabbitmq.rules[R_SCAN_WEAKTLS]);
}

static int
http_done(const char *buf, size_t len)
{
	return memmem(buf, len, "\r\n\r\n", 4) != NULL;
}

static void
mgmt_probe(struct scan_job *j)
{
	struct strbuf in = STRBUF_INIT, req = STRBUF_INIT;
	struct tstream *s;
	char *eol;

	if (scan_connect(j, &s) < 0)
		return;
	strbuf_addf(&req, "GET /api/overview HTTP/1.0\r\nHost: %s:%d\r\n"
	    "User-Agent: mend-scan\r\n\r\n", j->svc->host, j->svc->port);
	scan_plain_xfer(j, s, req.buf, req.len, &in, 16384, http_done);
	tstream_close(s);
	if (in.len > 9 && strncmp(in.buf, "HTTP/1.", 7) == 0) {
		j->svc->cleartext = 1;
		eol = strstr(in.buf, "\r\n");
		snprintf(j->svc->product, sizeof(j->svc->product), "HTTP: %.*s",
		    eol ? (int)(eol - in.buf) : 40, in.buf);
		if (strcasestr(in.buf, "realm=\"RabbitMQ Management\"")) {
			snprintf(j->svc->product, sizeof(j->svc->product),
			    "RabbitMQ management API (HTTP: %.*s)",
			    eol ? (int)(eol - in.buf) : 40, in.buf);
			scan_finding(j, &audit_rabbitmq.rules[R_SCAN_MGMT],
			    "the management API answers over plain HTTP (%.*s, "
			    "realm \"RabbitMQ Management\")",
			    eol ? (int)(eol - in.buf) : 40, in.buf);
		}
	} else {
		snprintf(j->svc->error, sizeof(j->svc->error), "%s",
		    in.len ? "no HTTP answer" : "no reply");
	}
	strbuf_release(&in);
	strbuf_release(&req);
}

const struct scan_probe scan_amqp = {
	.name = "amqp", .ports = amqp_ports, .probe = amqp_probe,
};

const struct scan_probe scan_amqps = {
	.name = "amqps", .ports = amqps_ports, .probe = amqps_probe,
};

const struct scan_probe scan_rabbitmq_mgmt = {
	.name = "rabbitmq-mgmt", .ports = mgmt_ports, .probe = mgmt_probe,
};
