/*
 * amq_audit.c - ActiveMQ Classic's rules for mend audit: activemq.xml read
 * with amqconf.h's analysis (the one activemq_facts uses) and patched for
 * --diff with amq_patch() (the one activemq_tls uses).  Passwords
 * (keyStorePassword, trustStorePassword) are masked in every output with
 * amq_mask().
 *
 * Options (mend audit --set KEY=VALUE), as activemq_tls's arguments:
 *   activemq_key_store, activemq_key_store_password  the key store the fix
 *       names when the file has no <sslContext> (without them: no patch)
 *   activemq_protocols  transport.enabledProtocols (default TLSv1.3,TLSv1.2)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/audit/audit.h"
#include "modules/activemq/amq_audit.h"
#include "modules/activemq/amqconf.h"
#include "runner/util/banned.h"

static const struct audit_rule amq_rules[] = {
	[R_CLEAR] = { "AMQ001", "activemq-cleartext-connector", SEV_HIGH,
	    "a transport connector without TLS (tcp, nio, stomp, mqtt, amqp, "
	    "auto, ws, http, udp)", "clients of that listener send "
	    "credentials and messages in cleartext; ActiveMQ has no STARTTLS",
	    "use the scheme's TLS form on the same address and port (tcp -> "
	    "ssl, stomp -> stomp+ssl, amqp -> amqp+ssl, ...) with an "
	    "<sslContext> (mend: activemq_tls)", "activemq-xml" },
	[R_SCHEME] = { "AMQ002", "activemq-unknown-scheme", SEV_CRITICAL,
	    "a transport connector whose scheme the broker has no transport "
	    "for", "the broker stops at boot ('Transport scheme NOT "
	    "recognized'): no listener opens at all",
	    "use a scheme of ActiveMQ 5.x (tcp, ssl, nio, nio+ssl, stomp+ssl, "
	    "mqtt+ssl, amqp+ssl, auto+ssl, wss, https, vm)", "activemq-xml" },
	[R_WEAK] = { "AMQ003", "activemq-weak-tls-protocols", SEV_MEDIUM,
	    "a TLS connector's transport.enabledProtocols allows TLS 1.0 or "
	    "1.1", "TLS 1.0/1.1 are deprecated (RFC 8996) and allow downgrade "
	    "and weak-cipher attacks",
	    "transport.enabledProtocols=TLSv1.3,TLSv1.2 (mend: activemq_tls "
	    "protocols)", "activemq-xml" },
	[R_NOKEY] = { "AMQ004", "activemq-tls-without-keystore", SEV_HIGH,
	    "a TLS connector but no <sslContext> key store",
	    "without a key store in activemq.xml the broker falls back to the "
	    "JVM's javax.net.ssl.keyStore; when that is not set, every TLS "
	    "handshake fails", "an <sslContext keyStore=... "
	    "keyStorePassword=.../> (mend: activemq_tls key_store)",
	    "activemq-xml" },
	[R_SCAN_CLEAR] = { "AMQ101", "activemq-scan-cleartext", SEV_HIGH,
	    "the broker answers OpenWire, STOMP, MQTT or AMQP 1.0 in "
	    "cleartext", "credentials and messages of every client on this "
	    "port travel in cleartext", "convert the connector to its TLS "
	    "form (AMQ001; mend: playbooks/activemq-tls.yml)", "scan" },
	[R_SCAN_CERT] = { "AMQ102", "activemq-scan-certificate", SEV_HIGH,
	    "the broker's TLS certificate does not verify against the given "
	    "CA, or is expired", "clients that verify refuse it; clients that "
	    "do not are open to impersonation", "serve a valid certificate "
	    "from the CA the clients trust (the <sslContext> key store)",
	    "scan" },
	[R_SCAN_WEAK] = { "AMQ103", "activemq-scan-weak-tls", SEV_MEDIUM,
	    "the broker completes a TLS 1.0 or 1.1 handshake",
	    "TLS 1.0/1.1 are deprecated (RFC 8996)",
	    "transport.enabledProtocols=TLSv1.3,TLSv1.2 (AMQ003)", "scan" },
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL },
};

static int
xml_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return strcmp(b ? b + 1 : path, "activemq.xml") == 0;
}

static int
xml_content(const char *buf, size_t len)
{
	return memmem(buf, len, "<broker", 7) != NULL &&
	    memmem(buf, len, "activemq.apache.org/schema/core", 31) != NULL;
}

static const struct audit_type amq_types[] = {
	{ "activemq-xml", "ActiveMQ Classic activemq.xml", xml_name,
	    xml_content },
	{ NULL, NULL, NULL, NULL },
};

/* Does a transport.enabledProtocols in query allow TLSv1 or TLSv1.1? */
static int
weak_protocols(const char *query, char *which, size_t len)
{
	const char *p = strcasestr(query, "enabledProtocols=");
	size_t n;

	which[0] = '\0';
	if (p == NULL)
		return 0;
	p += strlen("enabledProtocols=");
	while (*p && *p != '&') {
		n = strcspn(p, ",&");
		if ((n == 5 && strncasecmp(p, "TLSv1", 5) == 0) ||
		    (n == 7 && strncasecmp(p, "TLSv1.1", 7) == 0) ||
		    (n == 5 && strncasecmp(p, "SSLv3", 5) == 0))
			snprintf(which + strlen(which), len - strlen(which),
			    "%s%.*s", which[0] ? "," : "", (int)n, p);
		p += n + (p[n] == ',');
	}
	return which[0] != '\0';
}

static void
conn_findings(struct audit_run *r, const struct audit_input *in,
    const struct amq_conf *c)
{
	const struct amq_conn *k;
	char which[64];
	size_t i;
	int tls_line = 0, tls_col = 0;

	for (i = 0; i < c->nconns; i++) {
		k = &c->conns[i];
		if (k->cleartext)
			audit_report(r, &amq_rules[R_CLEAR], in, k->line, k->col,
			    "cleartext %s connector '%s': %s", k->sch ?
			    k->sch->proto : "?", k->name, k->uri);
		else if (k->sch == NULL && k->problem && strncmp(k->problem,
		    "unknown transport scheme", 24) == 0)
			audit_report(r, &amq_rules[R_SCHEME], in, k->line, k->col,
			    "connector '%s': no transport for scheme '%s'",
			    k->name, k->scheme);
		if (k->sch && k->sch->tls && weak_protocols(k->query, which,
		    sizeof(which)))
			audit_report(r, &amq_rules[R_WEAK], in, k->line, k->col,
			    "connector '%s' enables %s", k->name, which);
		if (k->sch && k->sch->tls && tls_line == 0) {
			tls_line = k->line;
			tls_col = k->col;
		}
	}
	if (tls_line && c->key.path == NULL)
		audit_report(r, &amq_rules[R_NOKEY], in, tls_line, tls_col,
		    "TLS connector without an <sslContext> key store");
}

static void
fix(struct audit_run *r, const struct audit_input *in, const struct amq_conf *c)
{
	struct amq_patch_opts o;
	struct strbuf out = STRBUF_INIT, m = STRBUF_INIT, changes = STRBUF_INIT;
	struct err e = ERR_INIT;

	memset(&o, 0, sizeof(o));
	o.key_store = c->key.path ? c->key.path :
	    audit_opt(r, "activemq_key_store", NULL);
	o.key_store_password = c->key.password ? c->key.password :
	    audit_opt(r, "activemq_key_store_password", NULL);
	o.protocols = audit_opt(r, "activemq_protocols", "TLSv1.3,TLSv1.2");
	if (o.key_store == NULL || o.key_store_password == NULL)
		audit_fix(r, in, NULL, 0, "the file has no key store: say --set "
		    "activemq_key_store=PATH --set activemq_key_store_password=PW");
	else if (amq_patch(c, &o, &out, &changes, &e) < 0)
		audit_fix(r, in, NULL, 0, err_text(&e, "refused"));
	else {
		amq_mask(out.buf, out.len, &m);
		audit_fix(r, in, m.buf, m.len, NULL);
	}
	strbuf_release(&out);
	strbuf_release(&m);
	strbuf_release(&changes);
	err_release(&e);
}

/* "FILE:L:C: error: MSG" from the parser, as an input error at L:C. */
static void
parse_error(struct audit_run *r, const struct audit_input *in, struct err *e)
{
	const char *t = err_text(e, "cannot parse");
	size_t n = strlen(in->path);
	int line = 0, col = 0, used = 0;

	if (strncmp(t, in->path, n) == 0 && t[n] == ':' &&
	    sscanf(t + n, ":%d:%d: %n", &line, &col, &used) == 2 && used > 0)
		t += n + (size_t)used;
	if (strncmp(t, "error: ", 7) == 0)
		t += 7;
	audit_input_error(r, in->path, line, col, "%s", t);
}

static void
amq_check(struct audit_run *r, struct audit_input *const *in, size_t n)
{
	struct amq_props props;
	struct amq_conf c;
	struct strbuf m = STRBUF_INIT;
	struct err e = ERR_INIT;
	size_t i;

	memset(&props, 0, sizeof(props));
	for (i = 0; i < n; i++) {
		strbuf_reset(&m);
		amq_mask(in[i]->buf, in[i]->len, &m);
		if (m.len != in[i]->len || memcmp(m.buf, in[i]->buf, m.len))
			audit_set_shown(in[i], m.buf, m.len);
		memset(&c, 0, sizeof(c));
		if (amq_conf_parse(&c, in[i]->path, in[i]->buf, in[i]->len,
		    &props, &e) < 0) {
			parse_error(r, in[i], &e);
		} else {
			conn_findings(r, in[i], &c);
			if (r->nf && strcmp(r->f[r->nf - 1].path, in[i]->path) == 0)
				fix(r, in[i], &c);
		}
		amq_conf_release(&c);
		err_release(&e);
	}
	strbuf_release(&m);
}

static const struct scan_probe *const amq_probes[] = {
	&scan_openwire, &scan_openwire_ssl, &scan_stomp, &scan_stomp_ssl,
	&scan_mqtt, &scan_mqtt_ssl, &scan_amqp10, NULL,
};

const struct audit_product audit_activemq = {
	.name = "activemq",
	.types = amq_types,
	.rules = amq_rules,
	.check = amq_check,
	.probes = amq_probes,
};
