/* test_audit.c - mend audit: every rule with a positive and a negative case
 * (positions checked to the byte column), discovery by name and content,
 * inline suppressions, fingerprints, baselines, exit status, secrets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/audit/audit.h"
#include "runner/audit/auditout.h"
#include "runner/audit/scan.h"
#include "modules/audit_products.h"

struct file { const char *path, *type, *text; };

/* Audit the files (NULL-terminated by path) with options "k=v" (NULL-ended). */
static void
audit(struct audit_run *r, const struct file *fs, const char *const *opts)
{
	const struct audit_product *p;
	const struct audit_type *t;

	audit_run_init(r, audit_products, "audit");
	for (; opts && *opts; opts++)
		assert_int_equal(audit_set_opt(r, *opts), 0);
	for (; fs->path; fs++) {
		t = audit_type_find(r, fs->type, &p);
		assert_non_null(t);
		audit_add_input(r, fs->path, t, p, fs->text, strlen(fs->text));
	}
	audit_check(r);
}

static const struct audit_finding *
find(const struct audit_run *r, const char *rule, const char *path, int line)
{
	size_t i;

	for (i = 0; i < r->nf; i++)
		if (strcmp(r->f[i].rule->id, rule) == 0 &&
		    (path == NULL || strcmp(r->f[i].path, path) == 0) &&
		    (line < 0 || r->f[i].line == line))
			return &r->f[i];
	return NULL;
}

static void
expect_at(const struct audit_run *r, const char *rule, int line, int col)
{
	const struct audit_finding *f = find(r, rule, NULL, line);
	size_t i;

	if (f == NULL) {
		for (i = 0; i < r->nf; i++)
			print_message("  have %s %s:%d:%d %s\n", r->f[i].rule->id,
			    r->f[i].path, r->f[i].line, r->f[i].col, r->f[i].msg);
		fail_msg("no %s at line %d", rule, line);
	}
	assert_int_equal(f->col, col);
}

static void
expect_none(const struct audit_run *r, const char *rule)
{
	const struct audit_finding *f = find(r, rule, NULL, -1);

	if (f)
		fail_msg("unexpected %s at %s:%d:%d: %s", rule, f->path, f->line,
		    f->col, f->msg);
}

#define UPSMON_GOOD \
	"MONITOR ups@198.51.100.11 1 upsmon pw secondary\n" \
	"CERTPATH /etc/nut/cert\nCERTVERIFY 1\nFORCESSL 1\n"

static void
one(struct audit_run *r, const char *type, const char *path, const char *text,
    const char *opt)
{
	const struct file fs[] = { { path, type, text }, { NULL, NULL, NULL } };
	const char *opts[] = { opt, NULL };

	audit(r, fs, opts);
}

/* ------------------------------------------------------------ NUT */

static void
test_nut001_ignored(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "nut-upsmon", "upsmon.conf", UPSMON_GOOD "  certverify = yes\n",
	    NULL);
	expect_at(&r, "NUT001", 5, 3);
	assert_string_equal(find(&r, "NUT001", NULL, 5)->text,
	    "  certverify = yes");
	expect_none(&r, "NUT003");
	audit_run_release(&r);
	one(&r, "nut-upsmon", "upsmon.conf", UPSMON_GOOD, NULL);
	expect_none(&r, "NUT001");
	assert_int_equal(r.nf, 0);
	assert_int_equal(audit_exit_status(&r, SEV_INFO), 0);
	audit_run_release(&r);
}

static void
test_nut002_misread(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "nut-upsmon", "upsmon.conf",
	    "MONITOR ups@h 1 u p secondary\nCERTPATH /c\n\tCERTVERIFY yes\n"
	    "FORCESSL 1\n", NULL);
	expect_at(&r, "NUT002", 3, 2);
	audit_run_release(&r);
	one(&r, "nut-upsmon", "upsmon.conf",
	    "MONITOR ups@h 1 u p secondary\nCERTPATH /c\nCERTVERIFY 1\n"
	    "FORCESSL 1\n", NULL);
	expect_none(&r, "NUT002");
	audit_run_release(&r);
}

static void
test_nut003_004_flags(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "nut-upsmon", "upsmon.conf",
	    "MONITOR ups@h 1 u p secondary\nCERTPATH /c\nCERTVERIFY 0\n", NULL);
	expect_at(&r, "NUT003", 3, 1);
	expect_at(&r, "NUT004", 0, 0);     /* FORCESSL absent: the file */
	assert_null(find(&r, "NUT004", NULL, 0)->text);
	assert_int_equal(audit_exit_status(&r, SEV_HIGH), 1);
	audit_run_release(&r);
	one(&r, "nut-upsmon", "upsmon.conf",
	    "MONITOR ups@h 1 u p secondary\nCERTPATH /c\nCERTVERIFY 1\n"
	    "   FORCESSL 0\n", NULL);
	expect_none(&r, "NUT003");
	expect_at(&r, "NUT004", 4, 4);
	audit_run_release(&r);
}

static void
test_nut005_certpath(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "nut-upsmon", "upsmon.conf",
	    "MONITOR ups@h 1 u p secondary\nCERTVERIFY 1\nFORCESSL 1\n", NULL);
	expect_at(&r, "NUT005", 0, 0);
	assert_non_null(strstr(find(&r, "NUT005", NULL, 0)->msg,
	    "drops every connection"));
	audit_run_release(&r);
	one(&r, "nut-upsmon", "upsmon.conf", UPSMON_GOOD, NULL);
	expect_none(&r, "NUT005");
	audit_run_release(&r);
}

static void
test_nut006_certhost(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "nut-upsmon", "upsmon.conf", UPSMON_GOOD
	    "CERTHOST 198.51.100.11 \"h1\" 0 0\n", "nut_backend=nss");
	expect_at(&r, "NUT006", 5, 1);
	audit_run_release(&r);
	one(&r, "nut-upsmon", "upsmon.conf", UPSMON_GOOD
	    "CERTHOST 198.51.100.11 \"h1\" 1 1\n", "nut_backend=nss");
	expect_none(&r, "NUT006");
	audit_run_release(&r);
	/* OpenSSL builds ignore CERTHOST: no finding */
	one(&r, "nut-upsmon", "upsmon.conf", UPSMON_GOOD
	    "CERTHOST 198.51.100.11 \"h1\" 0 0\n", "nut_backend=openssl");
	expect_none(&r, "NUT006");
	audit_run_release(&r);
}

static void
test_nut007_008_upsd(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "nut-upsd", "upsd.conf", "LISTEN 0.0.0.0 3493\n"
	    "DISABLE_WEAK_SSL false\n", "nut_backend=nss");
	expect_at(&r, "NUT007", 0, 0);
	expect_at(&r, "NUT008", 2, 1);
	audit_run_release(&r);
	one(&r, "nut-upsd", "upsd.conf", "LISTEN 0.0.0.0 3493\n"
	    "CERTPATH /etc/nut/cert-upsd\nCERTIDENT \"h1\" \"dbpw\"\n"
	    "DISABLE_WEAK_SSL true\n", "nut_backend=nss");
	expect_none(&r, "NUT007");
	expect_none(&r, "NUT008");
	assert_int_equal(r.nf, 0);
	audit_run_release(&r);
}

/* Passwords never reach a finding's text, a message or a diff. */
static void
test_nut_secrets(void **state)
{
	struct audit_run r;
	struct audit_outopts o = { SEV_HIGH, 0, 1, 1 };
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	one(&r, "nut-upsmon", "upsmon.conf",
	    "MONITOR ups@h 1 u Sekr1tPw secondary\ncertverify = yes\n", NULL);
	assert_true(r.nfix == 1 && r.fixes[0].after && r.fixes[0].masked);
	audit_out_text(&r, &o, &sb);
	audit_out_json(&r, &o, &sb);
	audit_out_sarif(&r, &o, &sb);
	assert_null(strstr(sb.buf, "Sekr1tPw"));
	assert_non_null(strstr(sb.buf, "+CERTVERIFY 1"));
	assert_null(strstr(sb.buf, "\"fixes\": [{\"description\""));
	strbuf_release(&sb);
	audit_run_release(&r);
}

/* --diff comes from nutconf's patcher: exactly what nut_tls writes. */
static void
test_nut_fix(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "nut-upsmon", "upsmon.conf",
	    "MONITOR ups@h 1 u p secondary\ncertverify = yes\n",
	    "nut_certpath=/etc/nut/cert");
	assert_int_equal(r.nfix, 1);
	assert_non_null(r.fixes[0].after);
	assert_non_null(strstr(r.fixes[0].after,
	    "# mend: replaced 'certverify = yes' (ignored by upsmon)\n"
	    "CERTVERIFY 1\n"));
	assert_non_null(strstr(r.fixes[0].after, "CERTPATH /etc/nut/cert\n"));
	assert_int_equal(r.f[0].fixfile, 0);
	audit_run_release(&r);
	/* upsd without a known build: no patch, and why */
	one(&r, "nut-upsd", "upsd.conf", "LISTEN 0.0.0.0 3493\n", NULL);
	assert_int_equal(r.nfix, 1);
	assert_null(r.fixes[0].after);
	assert_non_null(strstr(r.fixes[0].why, "nut_backend"));
	audit_run_release(&r);
}

/* ------------------------------------------------------------ RabbitMQ */

#define RMQ_TLS \
	"listeners.tcp = none\nlisteners.ssl.default = 5671\n" \
	"ssl_options.cacertfile = /t/ca.pem\nssl_options.certfile = /t/s.pem\n" \
	"ssl_options.keyfile = /t/s.key\n"

static void
test_rmq001_plain_amqp(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "rabbitmq-conf", "etc/rabbitmq/rabbitmq.conf",
	    "# x\n  listeners.tcp.default = 5672\n", NULL);
	expect_at(&r, "RMQ001", 2, 3);
	audit_run_release(&r);
	/* nothing configured: the built-in default, about the whole file */
	one(&r, "rabbitmq-conf", "etc/rabbitmq/rabbitmq.conf", "# empty\n", NULL);
	expect_at(&r, "RMQ001", 0, 0);
	audit_run_release(&r);
	one(&r, "rabbitmq-conf", "etc/rabbitmq/rabbitmq.conf", RMQ_TLS, NULL);
	expect_none(&r, "RMQ001");
	assert_int_equal(r.nf, 0);
	assert_int_equal(r.nfix, 0);
	audit_run_release(&r);
}

static void
test_rmq002_003_invalid(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "rabbitmq-conf", "rabbitmq.conf", RMQ_TLS
	    "listeners.tcp.ssl_options.enabled = true\n"
	    "listeners.ssl.other = [::1]:5671\n", NULL);
	expect_at(&r, "RMQ002", 6, 1);
	expect_at(&r, "RMQ003", 7, 23);
	assert_int_equal(audit_exit_status(&r, SEV_CRITICAL), 1);
	audit_run_release(&r);
	one(&r, "rabbitmq-conf", "rabbitmq.conf", RMQ_TLS
	    "listeners.ssl.other = ::1:5671\n", NULL);
	expect_none(&r, "RMQ002");
	expect_none(&r, "RMQ003");
	audit_run_release(&r);
}

static void
test_rmq004_005_plugins(void **state)
{
	const struct file plain[] = {
		{ "r/rabbitmq.conf", "rabbitmq-conf", RMQ_TLS },
		{ "r/enabled_plugins", "rabbitmq-plugins",
		    "[rabbitmq_management,rabbitmq_stomp].\n" },
		{ NULL, NULL, NULL },
	};
	const struct file closed[] = {
		{ "r/rabbitmq.conf", "rabbitmq-conf", RMQ_TLS
		    "management.ssl.port = 15671\n"
		    "management.ssl.certfile = /t/s.pem\n"
		    "management.ssl.keyfile = /t/s.key\n"
		    "stomp.listeners.tcp = none\n"
		    "stomp.listeners.ssl.1 = 61614\n" },
		{ "r/enabled_plugins", "rabbitmq-plugins",
		    "[rabbitmq_management,rabbitmq_stomp].\n" },
		{ NULL, NULL, NULL },
	};
	struct audit_run r;

	(void)state;
	audit(&r, plain, NULL);
	expect_at(&r, "RMQ004", 0, 0);
	expect_at(&r, "RMQ005", 0, 0);
	assert_string_equal(find(&r, "RMQ004", NULL, 0)->path, "r/rabbitmq.conf");
	expect_none(&r, "RMQ001");
	assert_int_equal(audit_exit_status(&r, SEV_HIGH), 0);
	assert_int_equal(audit_exit_status(&r, SEV_MEDIUM), 1);
	audit_run_release(&r);
	audit(&r, closed, NULL);
	expect_none(&r, "RMQ004");
	expect_none(&r, "RMQ005");
	audit_run_release(&r);
}

static void
test_rmq006_weak_tls(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "rabbitmq-conf", "rabbitmq.conf", RMQ_TLS
	    "ssl_options.versions.1 = tlsv1.2\nssl_options.versions.2 = tlsv1.1\n",
	    NULL);
	expect_at(&r, "RMQ006", 7, 26);
	assert_null(find(&r, "RMQ006", NULL, 6));
	audit_run_release(&r);
	one(&r, "rabbitmq-conf", "rabbitmq.conf", RMQ_TLS
	    "ssl_options.versions.1 = tlsv1.3\nssl_options.versions.2 = tlsv1.2\n",
	    NULL);
	expect_none(&r, "RMQ006");
	audit_run_release(&r);
}

static void
test_rmq007_conf_ignored(void **state)
{
	const struct file both[] = {
		{ "r/rabbitmq.conf", "rabbitmq-conf", RMQ_TLS },
		{ "r/rabbitmq.config", "rabbitmq-config",
		    "[{rabbit, [{tcp_listeners, [5672]}]}].\n" },
		{ NULL, NULL, NULL },
	};
	struct audit_run r;

	(void)state;
	audit(&r, both, NULL);
	expect_at(&r, "RMQ007", 0, 0);
	assert_string_equal(find(&r, "RMQ007", NULL, 0)->path, "r/rabbitmq.conf");
	/* the legacy file's listener, at its line */
	assert_non_null(find(&r, "RMQ001", "r/rabbitmq.config", 1));
	assert_null(r.fixes[0].after);
	audit_run_release(&r);
	one(&r, "rabbitmq-conf", "r/rabbitmq.conf", RMQ_TLS, NULL);
	expect_none(&r, "RMQ007");
	audit_run_release(&r);
}

static void
test_rmq008_tls_no_cert(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "rabbitmq-conf", "rabbitmq.conf",
	    "listeners.tcp = none\nlisteners.ssl.default = 5671\n", NULL);
	expect_at(&r, "RMQ008", 0, 0);
	audit_run_release(&r);
	one(&r, "rabbitmq-conf", "rabbitmq.conf", RMQ_TLS, NULL);
	expect_none(&r, "RMQ008");
	audit_run_release(&r);
}

static void
test_rmq009_unverified(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "rabbitmq-conf", "rabbitmq.conf", RMQ_TLS "my_plugin.x = 1\n",
	    NULL);
	expect_at(&r, "RMQ009", 6, 1);
	assert_int_equal(audit_exit_status(&r, SEV_LOW), 0);   /* info */
	audit_run_release(&r);
	one(&r, "rabbitmq-conf", "rabbitmq.conf", RMQ_TLS, NULL);
	expect_none(&r, "RMQ009");
	audit_run_release(&r);
}

/* A syntax error is an input error with its position: exit 3. */
static void
test_rmq_syntax_error(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "rabbitmq-conf", "rabbitmq.conf", RMQ_TLS "this is bad\n", NULL);
	assert_int_equal(r.nierr, 1);
	assert_int_equal(r.ierr[0].line, 6);
	assert_int_equal(r.ierr[0].col, 6);     /* "is": no "=" after the key */
	assert_int_equal(audit_exit_status(&r, SEV_CRITICAL), 3);
	audit_run_release(&r);
}

/* --diff comes from rmq_patch: what rabbitmq_tls writes. */
static void
test_rmq_fix(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "rabbitmq-conf", "rabbitmq.conf",
	    "listeners.tcp.1 = 127.0.0.1:5672\n", "rmq_certfile=/x/cert.pem");
	assert_int_equal(r.nfix, 1);
	assert_non_null(r.fixes[0].after);
	assert_non_null(strstr(r.fixes[0].after, "listeners.tcp = none\n"));
	assert_non_null(strstr(r.fixes[0].after,
	    "ssl_options.certfile = /x/cert.pem\n"));
	assert_non_null(strstr(r.fixes[0].after, "# mend: removed (plaintext "
	    "AMQP listener): listeners.tcp.1 = 127.0.0.1:5672\n"));
	audit_run_release(&r);
}


/* ------------------------------------------------------------ ActiveMQ */

#define AMQ_HEAD \
	"<beans xmlns=\"http://www.springframework.org/schema/beans\">\n" \
	"<broker xmlns=\"http://activemq.apache.org/schema/core\">\n"
#define AMQ_SSL \
	"<sslContext><sslContext keyStore=\"/k.p12\" " \
	"keyStorePassword=\"Sekr1tKs\"/></sslContext>\n"
#define AMQ_TAIL "</transportConnectors>\n</broker>\n</beans>\n"

static void
test_amq001_002_connectors(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "activemq-xml", "activemq.xml", AMQ_HEAD AMQ_SSL
	    "<transportConnectors>\n"
	    "  <transportConnector name=\"openwire\" uri=\"tcp://0.0.0.0:61616\"/>\n"
	    "    <transportConnector name=\"x\" uri=\"bogus://0.0.0.0:1\"/>\n"
	    AMQ_TAIL, NULL);
	expect_at(&r, "AMQ001", 5, 3);
	expect_at(&r, "AMQ002", 6, 5);
	audit_run_release(&r);
	one(&r, "activemq-xml", "activemq.xml", AMQ_HEAD AMQ_SSL
	    "<transportConnectors>\n"
	    "  <transportConnector name=\"openwire\" uri=\"ssl://0.0.0.0:61617\"/>\n"
	    AMQ_TAIL, NULL);
	expect_none(&r, "AMQ001");
	expect_none(&r, "AMQ002");
	expect_none(&r, "AMQ004");
	assert_int_equal(r.nf, 0);
	audit_run_release(&r);
}

static void
test_amq003_004_tls(void **state)
{
	struct audit_run r;
	struct audit_outopts o = { SEV_HIGH, 0, 1, 1 };
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	one(&r, "activemq-xml", "activemq.xml", AMQ_HEAD
	    "<transportConnectors>\n"
	    " <transportConnector name=\"s\" uri=\"ssl://0.0.0.0:61617?"
	    "transport.enabledProtocols=TLSv1.2,TLSv1.1\"/>\n" AMQ_TAIL, NULL);
	expect_at(&r, "AMQ003", 4, 2);
	expect_at(&r, "AMQ004", 4, 2);
	assert_non_null(strstr(find(&r, "AMQ003", NULL, 4)->msg, "TLSv1.1"));
	audit_run_release(&r);
	one(&r, "activemq-xml", "activemq.xml", AMQ_HEAD AMQ_SSL
	    "<transportConnectors>\n"
	    " <transportConnector name=\"s\" uri=\"ssl://0.0.0.0:61617?"
	    "transport.enabledProtocols=TLSv1.2,TLSv1.3\"/>\n"
	    " <transportConnector name=\"o\" uri=\"tcp://0.0.0.0:61616\"/>\n"
	    AMQ_TAIL, NULL);
	expect_none(&r, "AMQ003");
	expect_none(&r, "AMQ004");
	/* the fix from amq_patch; the key store password never shown */
	assert_int_equal(r.nfix, 1);
	assert_non_null(r.fixes[0].after);
	assert_non_null(strstr(r.fixes[0].after, "uri=\"ssl://0.0.0.0:61616"));
	audit_out_text(&r, &o, &sb);
	audit_out_sarif(&r, &o, &sb);
	audit_out_json(&r, &o, &sb);
	assert_null(strstr(sb.buf, "Sekr1tKs"));
	strbuf_release(&sb);
	audit_run_release(&r);
}

static void
test_amq_parse_error(void **state)
{
	struct audit_run r;

	(void)state;
	one(&r, "activemq-xml", "activemq.xml", "<beans>\n<broker>\n</beans>\n",
	    NULL);
	assert_int_equal(r.nierr, 1);
	assert_true(r.ierr[0].line >= 2);
	assert_int_equal(audit_exit_status(&r, SEV_CRITICAL), 3);
	audit_run_release(&r);
}

/* ------------------------------------------------------------ scan */

static void
test_scan_cidr(void **state)
{
	char **v = calloc(SCAN_MAX_ADDRS, sizeof(*v));
	size_t n = 0, i;

	(void)state;
	assert_int_equal(scan_cidr("198.51.100.9/30", &v, &n, SCAN_MAX_ADDRS), 0);
	assert_int_equal(n, 4);
	assert_string_equal(v[0], "198.51.100.8");
	assert_string_equal(v[3], "198.51.100.11");
	assert_int_equal(scan_cidr("198.51.100.11/32", &v, &n, SCAN_MAX_ADDRS), 0);
	assert_string_equal(v[4], "198.51.100.11");
	assert_int_equal(scan_cidr("198.51.100.0/19", &v, &n, SCAN_MAX_ADDRS), -1);
	assert_int_equal(scan_cidr("198.51.100.0/33", &v, &n, SCAN_MAX_ADDRS), -1);
	assert_int_equal(scan_cidr("198.51.100.0/", &v, &n, SCAN_MAX_ADDRS), -1);
	assert_int_equal(scan_cidr("example.org/24", &v, &n, SCAN_MAX_ADDRS), -1);
	assert_int_equal(scan_cidr("0.0.0.0/0", &v, &n, SCAN_MAX_ADDRS), -1);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Bad targets and ports are refused before anything is sent (exit 3). */
static void
test_scan_refusals(void **state)
{
	struct audit_run r;
	struct scan_opts o;
	char *t[] = { (char *)"127.0.0.1" };
	char *bad[] = { (char *)"198.51.100.0/16" };

	(void)state;
	scan_opts_init(&o);
	audit_run_init(&r, audit_products, "scan");
	scan_run(&r, t, 1, "3493,9999", &o);
	assert_int_equal(r.nierr, 1);
	assert_non_null(strstr(r.ierr[0].msg, "no probe speaks on port 9999"));
	assert_int_equal(r.nplaces, 0);
	assert_int_equal(audit_exit_status(&r, SEV_HIGH), 3);
	scan_release(&r);
	audit_run_release(&r);
	audit_run_init(&r, audit_products, "scan");
	scan_run(&r, bad, 1, "3493/nut,1/nosuch", &o);
	assert_int_equal(r.nierr, 2);
	scan_release(&r);
	audit_run_release(&r);
}

/* A closed port on loopback: "closed", no finding, exit 0. */
static void
test_scan_closed_loopback(void **state)
{
	struct audit_run r;
	struct scan_opts o;
	char *t[] = { (char *)"127.0.0.1" };
	struct audit_outopts oo = { SEV_HIGH, 0, 0, 0 };
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	scan_opts_init(&o);
	o.timeout_ms = 500;
	audit_run_init(&r, audit_products, "scan");
	scan_run(&r, t, 1, "1/nut,2/amqp,3/amqps,4/rabbitmq-mgmt", &o);
	assert_int_equal(r.nierr, 0);
	assert_int_equal(r.nplaces, 4);
	assert_int_equal(r.nf, 0);
	audit_out_json(&r, &oo, &sb);
	assert_non_null(strstr(sb.buf, "\"port\": 1, \"probe\": \"nut\", "
	    "\"state\": \"closed\""));
	assert_non_null(strstr(sb.buf, "\"probe\": \"rabbitmq-mgmt\""));
	assert_int_equal(audit_exit_status(&r, SEV_INFO), 0);
	strbuf_release(&sb);
	scan_release(&r);
	audit_run_release(&r);
}

/* ------------------------------------------------------------ engine */

static void
test_classify(void **state)
{
	struct audit_run r;
	const struct audit_product *p = NULL;
	const struct audit_type *t;
	static const char upsmon[] = "# x\nMONITOR a@b 1 u p primary\n"
	    "SHUTDOWNCMD \"/sbin/halt\"\n";
	static const char rmq[] = "listeners.tcp.default = 5672\nlog.file = false\n";
	static const char sysctl[] = "net.ipv4.ip_forward = 1\n";
	static const char seed[] = "MONITOR ups@h 1 u p secondary\n"
	    "certverify = yes\nforcssl = yes\n";
	static const char amq[] = "<beans><broker xmlns=\"http://activemq."
	    "apache.org/schema/core\"></broker></beans>\n";

	(void)state;
	audit_run_init(&r, audit_products, "audit");
	t = audit_classify(&r, "etc/nut/upsmon.conf", NULL, 0, &p);
	assert_string_equal(t->id, "nut-upsmon");
	t = audit_classify(&r, "x/rabbitmq/conf.d/10-tls.conf", NULL, 0, &p);
	assert_string_equal(t->id, "rabbitmq-conf");
	t = audit_classify(&r, "ansible/files/client.cfg", upsmon,
	    strlen(upsmon), &p);
	assert_string_equal(t->id, "nut-upsmon");
	t = audit_classify(&r, "roles/mq/files/broker.ini", rmq, strlen(rmq), &p);
	assert_string_equal(t->id, "rabbitmq-conf");
	t = audit_classify(&r, "roles/ups/files/client", seed, strlen(seed), &p);
	assert_string_equal(t->id, "nut-upsmon");
	t = audit_classify(&r, "conf/broker.xml", amq, strlen(amq), &p);
	assert_string_equal(t->id, "activemq-xml");
	assert_null(audit_classify(&r, "etc/sysctl.conf", sysctl,
	    strlen(sysctl), &p));
	assert_null(audit_classify(&r, "README", "hello\n", 6, &p));
	audit_run_release(&r);
}

static void
test_suppress_inline(void **state)
{
	struct audit_run r;

	(void)state;
	/* on the line, on the line above, by name; one without a reason */
	one(&r, "rabbitmq-conf", "rabbitmq.conf", RMQ_TLS
	    "ssl_options.versions.1 = tlsv1.1 # mend: ignore RMQ006 old clients\n"
	    "# mend: ignore rabbitmq-invalid-key,RMQ003 tracked in JIRA-1\n"
	    "listeners.tcp.ssl_options.enabled = true\n"
	    "# mend: ignore RMQ009\n"
	    "my.key = 1\n", NULL);
	assert_true(find(&r, "RMQ006", NULL, 6)->suppressed);
	assert_string_equal(find(&r, "RMQ006", NULL, 6)->supp_reason,
	    "old clients");
	assert_true(find(&r, "RMQ002", NULL, 8)->suppressed);
	assert_false(find(&r, "RMQ009", NULL, 10)->suppressed);
	assert_non_null(strstr(r.warnings.buf, "without a reason"));
	assert_int_equal(audit_exit_status(&r, SEV_LOW), 0);
	assert_int_equal(audit_exit_status(&r, SEV_INFO), 1);
	audit_run_release(&r);
	/* a finding about the whole file: the comment anywhere in it */
	one(&r, "nut-upsmon", "upsmon.conf", "MONITOR ups@h 1 u p secondary\n"
	    "CERTVERIFY 1\nFORCESSL 1\n"
	    "# mend: ignore NUT005 CA comes from the image\n", NULL);
	assert_true(find(&r, "NUT005", NULL, 0)->suppressed);
	audit_run_release(&r);
}

/* Fingerprints ignore line numbers; a baseline hides old findings only. */
static void
test_baseline(void **state)
{
	struct audit_run r;
	struct strbuf err = STRBUF_INIT;
	char path[] = "/tmp/mend-test-baseline-XXXXXX";
	char fp[17];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	one(&r, "nut-upsmon", "upsmon.conf", UPSMON_GOOD "certverify = yes\n",
	    NULL);
	memcpy(fp, find(&r, "NUT001", NULL, 5)->fp, sizeof(fp));
	assert_int_equal(audit_baseline_write(&r, path, &err), 0);
	audit_run_release(&r);

	one(&r, "nut-upsmon", "upsmon.conf", "# new comment\n" UPSMON_GOOD
	    "certverify = yes\nFORCESSL 0\n", NULL);
	assert_string_equal(find(&r, "NUT001", NULL, 6)->fp, fp);
	assert_int_equal(audit_baseline_load(&r, path, &err), 0);
	assert_true(find(&r, "NUT001", NULL, 6)->baseline);
	assert_false(find(&r, "NUT004", NULL, 7)->baseline);
	assert_int_equal(audit_exit_status(&r, SEV_HIGH), 1);
	audit_run_release(&r);

	one(&r, "nut-upsmon", "upsmon.conf", UPSMON_GOOD "certverify = yes\n",
	    NULL);
	assert_int_equal(audit_baseline_load(&r, path, &err), 0);
	assert_int_equal(audit_exit_status(&r, SEV_HIGH), 0);
	audit_run_release(&r);
	assert_int_equal(audit_baseline_load(&r, "/nonexistent/b.json", &err), -1);
	unlink(path);
	strbuf_release(&err);
}

static void
test_rules_catalogue(void **state)
{
	struct audit_run r;
	const struct audit_rule *a, *b;
	size_t i, j;

	(void)state;
	audit_run_init(&r, audit_products, "audit");
	for (i = 0; audit_products[i]; i++)
		for (a = audit_products[i]->rules; a->id; a++) {
			assert_true(a->name && a->title && a->why && a->fix &&
			    a->scope);
			assert_true(strlen(a->why) > 20 && strlen(a->fix) > 10);
			for (j = 0; audit_products[j]; j++)
				for (b = audit_products[j]->rules; b->id; b++)
					if (a != b) {
						assert_true(strcmp(a->id, b->id));
						assert_true(strcmp(a->name, b->name));
					}
			assert_ptr_equal(audit_rule_find(&r, a->id, NULL), a);
			assert_ptr_equal(audit_rule_find(&r, a->name, NULL), a);
		}
	audit_run_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nut001_ignored),
		cmocka_unit_test(test_nut002_misread),
		cmocka_unit_test(test_nut003_004_flags),
		cmocka_unit_test(test_nut005_certpath),
		cmocka_unit_test(test_nut006_certhost),
		cmocka_unit_test(test_nut007_008_upsd),
		cmocka_unit_test(test_nut_secrets),
		cmocka_unit_test(test_nut_fix),
		cmocka_unit_test(test_rmq001_plain_amqp),
		cmocka_unit_test(test_rmq002_003_invalid),
		cmocka_unit_test(test_rmq004_005_plugins),
		cmocka_unit_test(test_rmq006_weak_tls),
		cmocka_unit_test(test_rmq007_conf_ignored),
		cmocka_unit_test(test_rmq008_tls_no_cert),
		cmocka_unit_test(test_rmq009_unverified),
		cmocka_unit_test(test_rmq_syntax_error),
		cmocka_unit_test(test_rmq_fix),
		cmocka_unit_test(test_amq001_002_connectors),
		cmocka_unit_test(test_amq003_004_tls),
		cmocka_unit_test(test_amq_parse_error),
		cmocka_unit_test(test_scan_cidr),
		cmocka_unit_test(test_scan_refusals),
		cmocka_unit_test(test_scan_closed_loopback),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_suppress_inline),
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_rules_catalogue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
