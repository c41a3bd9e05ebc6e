/*
 * test_amqconf.c - activemq.xml: the byte-preserving tokenizer
 * (modules/activemq/amqxml.h), the broker's semantics and the TLS patch
 * (modules/activemq/amqconf.h) on byte-exact fixtures
 * (tests/unit/fixtures/activemq/: Debian 12's shipped file, upstream's
 * shape, comments and CDATA, placeholders, CRLF, an existing sslContext);
 * each NAME.patched.xml is the exact expected output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/testutil.h"
#include "modules/activemq/amqconf.h"
#include "modules/activemq/amqwire.h"
#include "runner/util/banned.h"

#define KS "/etc/activemq/instances-enabled/main/broker.p12"
#define TS "/etc/activemq/instances-enabled/main/trust.p12"

static char *
fixture(const char *name, size_t *len)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "activemq/%s", name);
	return tu_read_fixture(rel, len);
}

static void
sys_props(struct amq_props *p)
{
	amq_props_set(p, "activemq.conf", "/etc/activemq/instances-enabled/main");
	amq_props_set(p, "activemq.base", "/var/lib/activemq/main");
}

static void
opts(struct amq_patch_opts *o, const char *flags)
{
	memset(o, 0, sizeof(*o));
	o->key_store = KS;
	o->key_store_password = "pw&1";
	o->key_store_type = "pkcs12";
	o->protocols = "TLSv1.2,TLSv1.3";
	o->remove = strchr(flags, 'r') != NULL;
	o->need_client_auth = strchr(flags, 'n') != NULL;
	if (strchr(flags, 't') != NULL) {
		o->trust_store = TS;
		o->trust_store_password = "tpw";
		o->trust_store_type = "pkcs12";
	}
}

/* Patch in -> out, compare with the golden file, patch again: no change. */
static void
golden(const char *in, const char *want, const char *flags,
    struct amq_props *props)
{
	size_t ilen, wlen;
	char *ib = fixture(in, &ilen), *wb = fixture(want, &wlen);
	struct amq_conf c, c2;
	struct amq_patch_opts o;
	struct err e = ERR_INIT;
	struct strbuf out = STRBUF_INIT, ch = STRBUF_INIT, out2 = STRBUF_INIT;

	opts(&o, flags);
	assert_int_equal(amq_conf_parse(&c, in, ib, ilen, props, &e), 0);
	assert_int_equal(amq_patch(&c, &o, &out, &ch, &e), 0);
	assert_int_equal(out.len, wlen);
	assert_memory_equal(out.buf, wb, wlen);
	assert_null(strstr(ch.buf, "pw&1"));
	assert_null(strstr(ch.buf, "tpw"));
	strbuf_reset(&ch);
	assert_int_equal(amq_conf_parse(&c2, want, out.buf, out.len, props,
	    &e), 0);
	assert_int_equal(amq_patch(&c2, &o, &out2, &ch, &e), 0);
	assert_string_equal(ch.buf, "");
	assert_int_equal(out2.len, out.len);
	assert_memory_equal(out2.buf, out.buf, out.len);
	amq_conf_release(&c);
	amq_conf_release(&c2);
	strbuf_release(&out);
	strbuf_release(&out2);
	strbuf_release(&ch);
	err_release(&e);
	free(ib);
	free(wb);
}

static void
test_golden_debian(void **state)
{
	struct amq_props p = { 0 };

	(void)state;
	sys_props(&p);
	golden("debian-5.17.2.xml", "debian-5.17.2.patched.xml", "", &p);
	golden("upstream.xml", "upstream.patched.xml", "", &p);
	golden("comments-cdata.xml", "comments-cdata.patched.xml", "", &p);
	golden("crlf.xml", "crlf.patched.xml", "tn", &p);
	golden("existing-ssl.xml", "existing-ssl.patched.xml", "rtn", &p);
	amq_props_release(&p);
}

static void
test_golden_placeholders(void **state)
{
	struct amq_props p = { 0 };
	size_t n;
	char *pf = fixture("broker.properties", &n);

	(void)state;
	sys_props(&p);
	amq_props_load(&p, pf, n);
	assert_string_equal(amq_props_get(&p, "ssl.password"), "s3cret-more");
	assert_string_equal(amq_props_get(&p, "openwire.port"), "61616");
	golden("placeholders.xml", "placeholders.patched.xml", "", &p);
	amq_props_release(&p);
	free(pf);
}

static void
parse(struct amq_conf *c, const char *name, struct amq_props *p)
{
	size_t n;
	char *b = fixture(name, &n);
	struct err e = ERR_INIT;

	if (amq_conf_parse(c, name, b, n, p, &e) < 0)
		fail_msg("%s", err_text(&e, "?"));
	err_release(&e);
	free(b);
}

static void
test_analysis(void **state)
{
	struct amq_props p = { 0 };
	struct amq_conf c;

	(void)state;
	sys_props(&p);
	parse(&c, "debian-5.17.2.xml", &p);
	assert_int_equal(c.nconns, 1);
	assert_string_equal(c.conns[0].scheme, "tcp");
	assert_string_equal(c.conns[0].host, "127.0.0.1");
	assert_int_equal(c.conns[0].port, 61616);
	assert_true(c.conns[0].cleartext);
	assert_int_equal(c.conns[0].line, 50);
	assert_string_equal(c.conns[0].sch->proto, "OpenWire");
	assert_int_equal(c.ssl_outer, -1);
	assert_true(c.placeholders);
	amq_conf_release(&c);

	parse(&c, "upstream.xml", &p);
	assert_int_equal(c.nconns, 5);
	assert_string_equal(c.conns[1].sch->proto, "AMQP");
	assert_string_equal(c.conns[1].sch->module, "activemq-amqp");
	assert_string_equal(c.conns[3].query,
	    "maximumConnections=1000&wireFormat.maxFrameSize=104857600");
	assert_int_equal(c.nlocations, 1);
	assert_string_equal(c.locations[0], "file:/etc/activemq/instances-"
	    "enabled/main/credentials.properties");
	amq_conf_release(&c);

	parse(&c, "comments-cdata.xml", &p);
	assert_int_equal(c.nconns, 3);          /* the commented one is not */
	assert_string_equal(c.broker_name, "b&1");
	assert_string_equal(c.conns[0].query, "transport.x='y'");
	assert_false(c.conns[2].cleartext);     /* vm:// */
	assert_null(c.conns[2].problem);
	assert_string_equal(c.locations[0],
	    "file:/etc/activemq/instances-enabled/main/a.properties");
	amq_conf_release(&c);

	parse(&c, "existing-ssl.xml", &p);
	assert_string_equal(c.key.path, "/etc/activemq/old.jks");
	assert_string_equal(c.key.password, "oldpass");
	assert_string_equal(c.trust.password, "t&pw");
	assert_null(c.key.type);
	assert_false(c.conns[0].cleartext);
	assert_true(c.conns[2].cleartext);
	amq_conf_release(&c);
	amq_props_release(&p);
}

static void
test_unresolved(void **state)
{
	struct amq_props p = { 0 };
	struct amq_conf c;
	struct amq_patch_opts o;
	struct strbuf out = STRBUF_INIT, ch = STRBUF_INIT;
	struct err e = ERR_INIT;
	char *r;
	int n;

	(void)state;
	sys_props(&p);
	parse(&c, "placeholders.xml", &p);
	assert_string_equal(c.broker_name, "main");    /* ${x:default} */
	assert_non_null(c.conns[0].problem);
	assert_true(c.nnotes >= 2);
	opts(&o, "");
	assert_int_equal(amq_patch(&c, &o, &out, &ch, &e), -1);
	assert_non_null(strstr(err_text(&e, ""), "placeholders.xml:10:13: error: "));
	amq_conf_release(&c);
	r = amq_resolve("${a${b}}/${activemq.base}/${none}", &p, &n);
	assert_string_equal(r, "${a${b}}//var/lib/activemq/main/${none}");
	assert_int_equal(n, 3);
	free(r);
	strbuf_release(&out);
	strbuf_release(&ch);
	err_release(&e);
	amq_props_release(&p);
}

static void
test_udp_refused(void **state)
{
	struct amq_conf c;
	struct amq_patch_opts o;
	struct strbuf out = STRBUF_INIT, ch = STRBUF_INIT;
	struct err e = ERR_INIT;

	(void)state;
	parse(&c, "existing-ssl.xml", NULL);
	opts(&o, "");
	assert_int_equal(amq_patch(&c, &o, &out, &ch, &e), -1);
	assert_non_null(strstr(err_text(&e, ""), "existing-ssl.xml:11:7: error: "
	    "connector 'udp' (udp://0.0.0.0:61618) has no TLS form"));
	amq_conf_release(&c);
	strbuf_release(&out);
	strbuf_release(&ch);
	err_release(&e);
}

/* Each broken document is refused at the right place. */
static void
test_xml_errors(void **state)
{
	static const struct { const char *doc, *want; } cases[] = {
		{ "<a><!-- x -- y --></a>", "t:1:11: error: '--' is not allowed" },
		{ "<a>\n  <b></c></a>", "t:2:6: error: end tag does not match" },
		{ "<a x='&nbsp;'/>", "t:1:7: error: invalid or undefined entity" },
		{ "<a x='1' x='2'/>", "t:1:10: error: duplicate attribute" },
		{ "<a><!-- x </a>", "t:1:4: error: unterminated comment" },
		{ "<!DOCTYPE a [<!ENTITY e 'x'>]><a/>", "t:1:1: error: a DOCTYPE with "
		  "an internal subset" },
		{ "<a/>x", "t:1:5: error: text outside the root element" },
		{ "<a/><b/>", "t:1:5: error: a second root element" },
		{ "<a x='<'/>", "t:1:7: error: '<' is not allowed" },
		{ "<a x=1/>", "t:1:6: error: quoted attribute value expected" },
		{ "<a>", "t:1:1: error: element not closed" },
		{ "<a>&#0;</a>", "t:1:4: error: invalid or undefined entity" },
		{ "<a>]]></a>", "t:1:4: error: ']]>' is not allowed" },
		{ "", "t:1:1: error: no root element" },
		{ "<a xy='1'x='2'/>", "t:1:10: error: blank expected" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ax_doc d;
		struct err e = ERR_INIT;

		assert_int_equal(ax_parse(&d, "t", cases[i].doc,
		    strlen(cases[i].doc), &e), -1);
		if (strstr(err_text(&e, ""), cases[i].want) == NULL)
			fail_msg("case %zu: got '%s', want '%s'", i,
			    err_text(&e, ""), cases[i].want);
		ax_release(&d);
		err_release(&e);
	}
}

/* The tokens cover the input exactly, with the right positions and
 * decoded values. */
static void
test_tokens(void **state)
{
	static const char doc[] = "\xEF\xBB\xBF<?xml version='1.0'?>\r\n"
	    "<a x=\"1&amp;2&#x41;\r\n3\"><![CDATA[<b>]]><!--c--><b/></a>\r\n";
	struct ax_doc d;
	struct err e = ERR_INIT;
	struct strbuf t = STRBUF_INIT;
	size_t i, p = 0;

	(void)state;
	assert_int_equal(ax_parse(&d, "t", doc, sizeof(doc) - 1, &e), 0);
	for (i = 0; i < d.ntoks; i++) {
		assert_int_equal(d.toks[i].off, p);
		p += d.toks[i].len;
	}
	assert_int_equal(p, sizeof(doc) - 1);
	assert_true(d.crlf);
	assert_string_equal(d.attrs[0].value, "1&2A 3");
	assert_int_equal(d.toks[d.root].line, 2);
	assert_int_equal(ax_child(&d, d.root, -1), d.root + 3);
	ax_text(&d, d.root, &t);
	assert_string_equal(t.buf, "<b>");
	ax_release(&d);
	strbuf_release(&t);
	err_release(&e);
}

static void
test_mask(void **state)
{
	static const char in[] = "<s keyStorePassword=\"a b\" trustStore"
	    "Password = 'c\"d' password=x x='keyStorePassword'/>";
	struct strbuf o = STRBUF_INIT;

	(void)state;
	amq_mask(in, sizeof(in) - 1, &o);
	assert_string_equal(o.buf, "<s keyStorePassword=\"********\" "
	    "trustStorePassword = '********' password=x "
	    "x='keyStorePassword'/>");
	strbuf_release(&o);
}

/* Each protocol's first reply, as Debian's broker 5.17.2 sent it, and
 * what is not one. */
static void
test_wire(void **state)
{
	static const unsigned char ow[] = { 0, 0, 1, 0x20, 1, 'A', 'c', 't',
	    'i', 'v', 'e', 'M', 'Q', 0, 0, 0, 12, 0 };
	static const char st[] = "CONNECTED\nserver:ActiveMQ/5.17.2\n"
	    "heart-beat:0,0\nsession:ID:x\nversion:1.2\n\n";
	static const char er[] = "ERROR\nmessage:User name [null] or password "
	    "is invalid.\n\n";
	static const unsigned char ca[] = { 0x20, 2, 0, 0 };
	static const unsigned char cn[] = { 0x20, 2, 0, 5 };
	static const unsigned char alert[] = { 0x15, 3, 3, 0, 2, 2, 70 };
	struct amqw_reply r;
	const unsigned char *h;
	size_t n;

	(void)state;
	amqw_classify(AMQW_OPENWIRE, ow, sizeof(ow), &r);
	assert_int_equal(r.kind, AMQW_HELLO);
	assert_string_equal(r.detail, "WireFormatInfo (OpenWire version 12)");
	amqw_classify(AMQW_OPENWIRE, ow, 9, &r);
	assert_int_equal(r.kind, AMQW_INCOMPLETE);
	amqw_classify(AMQW_OPENWIRE, (const unsigned char *)"HTTP/1.1 400", 12,
	    &r);
	assert_int_equal(r.kind, AMQW_GARBAGE);
	amqw_classify(AMQW_STOMP, (const unsigned char *)st, sizeof(st) - 1,
	    &r);
	assert_int_equal(r.kind, AMQW_HELLO);
	assert_string_equal(r.server, "ActiveMQ/5.17.2");
	assert_string_equal(r.detail, "CONNECTED (STOMP 1.2, server "
	    "ActiveMQ/5.17.2)");
	amqw_classify(AMQW_STOMP, (const unsigned char *)st, 20, &r);
	assert_int_equal(r.kind, AMQW_INCOMPLETE);
	amqw_classify(AMQW_STOMP, (const unsigned char *)er, sizeof(er) - 1,
	    &r);
	assert_int_equal(r.kind, AMQW_REFUSAL);
	amqw_classify(AMQW_MQTT, ca, sizeof(ca), &r);
	assert_int_equal(r.kind, AMQW_HELLO);
	amqw_classify(AMQW_MQTT, cn, sizeof(cn), &r);
	assert_int_equal(r.kind, AMQW_REFUSAL);
	assert_string_equal(r.detail, "CONNACK (return code 5: not authorized)");
	amqw_classify(AMQW_MQTT, alert, sizeof(alert), &r);
	assert_int_equal(r.kind, AMQW_TLS_ALERT);
	amqw_classify(AMQW_AMQP, (const unsigned char *)"AMQP\3\1\0\0", 8, &r);
	assert_int_equal(r.kind, AMQW_HELLO);
	h = amqw_hello(AMQW_STOMP, &n);
	assert_int_equal(h[n - 1], '\0');
	h = amqw_hello(AMQW_MQTT, &n);
	assert_int_equal(h[1], n - 2);
	h = amqw_hello(AMQW_OPENWIRE, &n);
	assert_int_equal(h[3], n - 4);
	assert_int_equal(amqw_proto_parse("mqtt"), AMQW_MQTT);
	assert_int_equal(amqw_proto_parse("ws"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_debian),
		cmocka_unit_test(test_golden_placeholders),
		cmocka_unit_test(test_analysis),
		cmocka_unit_test(test_unresolved),
		cmocka_unit_test(test_udp_refused),
		cmocka_unit_test(test_xml_errors),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_wire),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
