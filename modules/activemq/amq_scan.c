/*
 * amq_scan.c - mend scan's ActiveMQ probes, from the controller: each
 * protocol's first exchange as amqwire.h defines it (the one
 * activemq_probe uses): OpenWire (the broker's WireFormatInfo), STOMP
 * CONNECT, MQTT CONNECT, the AMQP 1.0 header; in cleartext, or after a TLS
 * handshake (certificate facts, verification against --ca, TLS versions).
 * No credentials, nothing after the hello.
 */
#include <stdio.h>
#include <string.h>

#include "modules/activemq/amq_audit.h"
#include "modules/activemq/amqwire.h"
#include "runner/util/banned.h"

static enum amqw_proto
proto_of(const struct scan_job *j)
{
	const char *n = j->svc->probe;

	if (strncmp(n, "stomp", 5) == 0)
		return AMQW_STOMP;
	if (strncmp(n, "mqtt", 4) == 0)
		return AMQW_MQTT;
	if (strncmp(n, "amqp10", 6) == 0)
		return AMQW_AMQP;
	return AMQW_OPENWIRE;
}

static __thread enum amqw_proto tl_proto;

static int
hello_done(const char *buf, size_t len)
{
	struct amqw_reply r;

	amqw_classify(tl_proto, (const unsigned char *)buf, len, &r);
	return r.kind != AMQW_INCOMPLETE;
}

static void
record(struct scan_job *j, const struct strbuf *in, int tls)
{
	struct amqw_reply r;

	amqw_classify(tl_proto, (const unsigned char *)in->buf, in->len, &r);
	if (r.kind == AMQW_HELLO || r.kind == AMQW_REFUSAL) {
		j->svc->cleartext = !tls;
		snprintf(j->svc->product, sizeof(j->svc->product), "%.120s",
		    r.detail);
	} else {
		snprintf(j->svc->error, sizeof(j->svc->error), "no %s answer%s",
		    amqw_proto_name(tl_proto), r.kind == AMQW_TLS_ALERT ?
		    " (a TLS alert: a TLS port)" : in->len ? "" : " (no reply)");
	}
}

static void
clear_probe(struct scan_job *j)
{
	struct strbuf in = STRBUF_INIT;
	struct tstream *s;
	const unsigned char *h;
	size_t n;

	tl_proto = proto_of(j);
	if (scan_connect(j, &s) < 0)
		return;
	h = amqw_hello(tl_proto, &n);
	scan_plain_xfer(j, s, h, n, &in, 65536, hello_done);
	tstream_close(s);
	record(j, &in, 0);
	if (j->svc->cleartext)
		scan_finding(j, &audit_activemq.rules[R_SCAN_CLEAR], "%s in "
		    "cleartext: %s", amqw_proto_name(tl_proto), j->svc->product);
	strbuf_release(&in);
}

static void
tls_probe(struct scan_job *j)
{
	struct strbuf in = STRBUF_INIT;
	struct tls_info info;
	struct tls_conn *t;
	struct tstream *s;
	struct err e = ERR_INIT;
	const unsigned char *h;
	char vs[64];
	size_t n;

	tl_proto = proto_of(j);
	if (scan_connect(j, &s) < 0)
		return;
	t = scan_tls(j, s, 0, &info, &e);
	if (t) {
		scan_tls_facts(j, &info);
		h = amqw_hello(tl_proto, &n);
		scan_tls_xfer(j, t, h, n, &in, 65536, hello_done);
		record(j, &in, 1);
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
	if (j->svc->tls && j->svc->verified == 0)
		scan_finding(j, &audit_activemq.rules[R_SCAN_CERT], "certificate "
		    "'%s' (issuer '%s') does not verify: %s", j->svc->cert.subject,
		    j->svc->cert.issuer, j->svc->cert.verify_error);
	else if (j->svc->tls && j->svc->cert.days_left < 0)
		scan_finding(j, &audit_activemq.rules[R_SCAN_CERT], "certificate "
		    "'%s' expired on %s", j->svc->cert.subject,
		    j->svc->cert.not_after);
	if (j->svc->versions & 3u) {
		scan_versions_str(j->svc->versions & 3u, vs, sizeof(vs));
		scan_finding(j, &audit_activemq.rules[R_SCAN_WEAK], "the broker "
		    "completes a %s handshake", vs);
	}
}

static const int ow_ports[] = { 61616, 0 }, ows_ports[] = { 61617, 0 };
static const int st_ports[] = { 61613, 0 }, sts_ports[] = { 61614, 0 };
static const int mq_ports[] = { 1883, 0 }, mqs_ports[] = { 8883, 0 };
static const int no_ports[] = { 0 };

const struct scan_probe scan_openwire = { "openwire", ow_ports, clear_probe };
const struct scan_probe scan_openwire_ssl = { "openwire+ssl", ows_ports,
	tls_probe };
const struct scan_probe scan_stomp = { "stomp", st_ports, clear_probe };
const struct scan_probe scan_stomp_ssl = { "stomp+ssl", sts_ports, tls_probe };
const struct scan_probe scan_mqtt = { "mqtt", mq_ports, clear_probe };
const struct scan_probe scan_mqtt_ssl = { "mqtt+ssl", mqs_ports, tls_probe };
const struct scan_probe scan_amqp10 = { "amqp10", no_ports, clear_probe };
