/* test_rmqconf.c - rabbitmq.conf parser, validation, analysis, patcher. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/rmqconf.h"

/* ------------------------------------------------------------- helpers */

static char *
fixture(const char *name, size_t *len)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "%s/%s", "rabbitmq", name);
	return tu_read_fixture(rel, len);
}

static int
parse(struct rmq_conf *c, const char *text, struct err *e)
{
	return rmq_conf_parse(c, "t.conf", text, strlen(text), e);
}

static void
parse_ok(struct rmq_conf *c, const char *text)
{
	struct err e = ERR_INIT;

	if (parse(c, text, &e) < 0)
		fail_msg("unexpected parse error: %s", e.msg.buf);
	err_release(&e);
}

/* Parse text expecting exactly one error, whose message contains want. */
static void
parse_bad(const char *text, int line, int col, const char *want)
{
	struct rmq_conf c;
	struct err e = ERR_INIT;
	char pos[64];

	assert_int_equal(parse(&c, text, &e), -1);
	assert_int_equal(c.nerrors, 1);
	assert_int_equal(c.errors[0].line, line);
	assert_int_equal(c.errors[0].col, col);
	snprintf(pos, sizeof(pos), "t.conf:%d:%d: error: ", line, col);
	if (strstr(e.msg.buf, pos) == NULL || strstr(e.msg.buf, want) == NULL)
		fail_msg("error '%s' lacks '%s' / '%s'", e.msg.buf, pos, want);
	rmq_conf_release(&c);
	err_release(&e);
}

static const struct rmq_patch_opts base_opts = {
	.cacertfile = "/etc/rabbitmq/tls/ca.pem",
	.certfile = "/etc/rabbitmq/tls/server.pem",
	.keyfile = "/etc/rabbitmq/tls/server.key",
};

/* Patch text with o; returns the output (caller frees), *changed set. */
static char *
patch_str(const char *text, size_t len, const struct rmq_patch_opts *o,
	  int *changed, size_t *outlen)
{
	struct rmq_conf c;
	struct err e = ERR_INIT;
	struct strbuf out = STRBUF_INIT, ch = STRBUF_INIT;

	if (rmq_conf_parse(&c, "t.conf", text, len, &e) < 0)
		fail_msg("parse: %s", e.msg.buf);
	if (rmq_patch(&c, o, &out, &ch, changed, &e) < 0)
		fail_msg("patch: %s", e.msg.buf);
	assert_int_equal(*changed, ch.len > 0);
	rmq_conf_release(&c);
	strbuf_release(&ch);
	err_release(&e);
	return strbuf_detach(&out, outlen);
}

/* Expect rmq_patch to fail with an error containing want. */
static void
patch_fails(const char *text, const struct rmq_patch_opts *o, const char *want)
{
	struct rmq_conf c;
	struct err e = ERR_INIT;
	struct strbuf out = STRBUF_INIT;
	int changed = 7;

	rmq_conf_parse(&c, "t.conf", text, strlen(text), &e);
	err_release(&e);
	assert_int_equal(rmq_patch(&c, o, &out, NULL, &changed, &e), -1);
	if (strstr(e.msg.buf, want) == NULL)
		fail_msg("error '%s' lacks '%s'", e.msg.buf, want);
	assert_int_equal(changed, 0);
	rmq_conf_release(&c);
	strbuf_release(&out);
	err_release(&e);
}

/* Analyse one conf text with optional plugins. */
static void
analyze_str(const char *text, const struct rmq_plugins *pl,
	    struct rmq_analysis *a, struct rmq_conf *c)
{
	const struct rmq_conf *cs[1];
	struct rmq_input in = { cs, 1, pl, NULL, NULL };
	struct err e = ERR_INIT;

	parse(c, text, &e);
	err_release(&e);
	cs[0] = c;
	rmq_analyze(&in, a);
}

static int
has_msg(const struct rmq_note *v, size_t n, const char *want)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(v[i].msg, want))
			return 1;
	return 0;
}

/* Number of listeners of proto/tls, and the first one's port. */
static size_t
count_listeners(const struct rmq_analysis *a, enum rmq_proto p, int tls,
		int *port)
{
	size_t i, n = 0;

	for (i = 0; i < a->nlisteners; i++) {
		if (a->listeners[i].proto != p || a->listeners[i].tls != tls)
			continue;
		if (n++ == 0 && port)
			*port = a->listeners[i].port;
	}
	return n;
}

/* -------------------------------------------------------------- parser */

static void
test_parse_basic(void **state)
{
	struct rmq_conf c;

	(void)state;
	parse_ok(&c, "# comment\n\n  listeners.tcp.default = 5672\n"
		 "\tssl_options.verify\t=\tverify_peer\t\n"
		 "a=b\n" "  # indented comment\n   \t\n" "x.y = 1 2  3");
	assert_int_equal(c.n, 4);
	assert_int_equal(c.nlines, 8);
	assert_string_equal(c.entries[0].key, "listeners.tcp.default");
	assert_string_equal(c.entries[0].value, "5672");
	assert_int_equal(c.entries[0].line, 3);
	assert_int_equal(c.entries[0].col, 3);
	assert_int_equal(c.entries[0].value_col, 27);
	assert_string_equal(c.entries[1].key, "ssl_options.verify");
	assert_string_equal(c.entries[1].value, "verify_peer");
	assert_int_equal(c.entries[1].col, 2);
	assert_string_equal(c.entries[2].key, "a");
	assert_string_equal(c.entries[2].value, "b");
	assert_string_equal(c.entries[3].value, "1 2  3");
	assert_int_equal(c.entries[3].line, 8);
	assert_int_equal(c.lines[0].kind, RMQ_COMMENT);
	assert_int_equal(c.lines[1].kind, RMQ_BLANK);
	assert_int_equal(c.lines[5].kind, RMQ_COMMENT);
	assert_int_equal(c.lines[6].kind, RMQ_BLANK);
	assert_int_equal(c.lines[7].eol, 0);
	assert_int_equal(c.crlf, 0);
	assert_memory_equal(c.buf + c.entries[0].val_off, "5672", 4);
	assert_int_equal(c.entries[0].val_len, 4);
	rmq_conf_release(&c);
}

static void
test_parse_crlf(void **state)
{
	struct rmq_conf c;

	(void)state;
	parse_ok(&c, "# w\r\nlisteners.tcp = none \r\nb = x\ry\r\n\r\nc = d");
	assert_int_equal(c.crlf, 1);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.entries[0].value, "none");
	assert_string_equal(c.entries[1].value, "x\ry");  /* lone CR: a byte */
	assert_string_equal(c.entries[2].value, "d");
	assert_int_equal(c.lines[0].eol, 2);
	assert_int_equal(c.lines[0].len, 3);
	assert_int_equal(c.lines[3].kind, RMQ_BLANK);
	assert_int_equal(c.lines[4].eol, 0);
	rmq_conf_release(&c);
	/* CR before the LF of a value that ends in CR + blank */
	parse_ok(&c, "a = x\r \n");
	assert_string_equal(c.entries[0].value, "x\r");
	assert_int_equal(c.crlf, 0);
	rmq_conf_release(&c);
}

static void
test_parse_comments_and_values(void **state)
{
	struct rmq_conf c;

	(void)state;
	parse_ok(&c, "a = b # trailing\n" "b = c#no space\n" "c = d=e\n"
		 "d = 'q#r'\n" "e = x\\\n" "f = /p a t h/  # c\n");
	assert_string_equal(c.entries[0].value, "b");
	assert_string_equal(c.entries[1].value, "c");
	assert_string_equal(c.entries[2].value, "d=e");
	assert_string_equal(c.entries[3].value, "'q");   /* no quoting in 3.10 */
	assert_string_equal(c.entries[4].value, "x\\");
	assert_string_equal(c.entries[5].value, "/p a t h/");
	rmq_conf_release(&c);
}

static void
test_parse_trailing_blank_at_eof(void **state)
{
	struct rmq_conf c;

	(void)state;
	/* cuttlefish keeps blanks before EOF but strips them before "\n" */
	parse_ok(&c, "a = none  \nb = none  ");
	assert_string_equal(c.entries[0].value, "none");
	assert_string_equal(c.entries[1].value, "none  ");
	rmq_conf_release(&c);
	parse_ok(&c, "b = none # c");
	assert_string_equal(c.entries[0].value, "none");
	rmq_conf_release(&c);
}

static void
test_parse_keys(void **state)
{
	struct rmq_conf c;

	(void)state;
	parse_ok(&c, "a\\.b.c = v\nA-b_C.9 = w\nlisteners.ssl.1 = 5671\n");
	assert_string_equal(c.entries[0].key, "a\\.b.c");
	assert_string_equal(c.entries[1].key, "A-b_C.9");
	assert_string_equal(c.entries[2].key, "listeners.ssl.1");
	rmq_conf_release(&c);
}

static void
test_parse_duplicates(void **state)
{
	struct rmq_conf c;

	(void)state;
	parse_ok(&c, "a.1 = x\nb = y\na.1 = z\n");
	assert_int_equal(c.n, 3);
	assert_string_equal(rmq_conf_get(&c, "a.1")->value, "z");
	assert_int_equal(rmq_conf_get(&c, "a.1")->line, 3);
	assert_null(rmq_conf_get(&c, "a"));
	rmq_conf_release(&c);
}

static void
test_parse_include(void **state)
{
	struct rmq_conf c;

	(void)state;
	parse_ok(&c, "include conf.d/*.conf\n  include\ta.conf # x\n"
		 "include = value\n");
	assert_int_equal(c.n, 3);
	assert_int_equal(c.entries[0].include, 1);
	assert_string_equal(c.entries[0].value, "conf.d/*.conf");
	assert_int_equal(c.lines[0].kind, RMQ_INCLUDE);
	assert_string_equal(c.entries[1].value, "a.conf");
	assert_int_equal(c.entries[2].include, 0);   /* a setting named include */
	assert_null(rmq_conf_get(&c, "nothing"));
	rmq_conf_release(&c);
}

static void
test_parse_empty(void **state)
{
	struct rmq_conf c;

	(void)state;
	parse_ok(&c, "");
	assert_int_equal(c.n, 0);
	assert_int_equal(c.nlines, 0);
	rmq_conf_release(&c);
	parse_ok(&c, "\n\n");
	assert_int_equal(c.nlines, 2);
	assert_int_equal(c.n, 0);
	rmq_conf_release(&c);
}

static void
test_parse_errors(void **state)
{
	(void)state;
	parse_bad("a = 1\nlisteners.tcp.default\n", 2, 22, "missing '=' after "
		  "'listeners.tcp.default'");
	parse_bad(" = x\n", 1, 2, "missing setting name before '='");
	parse_bad("a b = x\n", 1, 3, "expected '=' after 'a', found 'b'");
	parse_bad("a..b = x\n", 1, 3, "empty segment in setting name 'a.'");
	parse_bad("a. = x\n", 1, 3, "empty segment");
	parse_bad("a =\n", 1, 4, "missing value for 'a'");
	parse_bad("a =   # comment\n", 1, 7, "missing value for 'a'");
	parse_bad("x = 1\n\xc3\xa9 = x\n", 2, 1, "non-ASCII character");
	parse_bad("a = caf\xe9\n", 1, 8, "invalid UTF-8");
	parse_bad("# caf\xe9\n", 1, 6, "invalid UTF-8");
	parse_bad("a = \xed\xa0\x80\n", 1, 5, "invalid UTF-8");   /* surrogate */
	parse_bad("a = \xc0\xaf\n", 1, 5, "invalid UTF-8");       /* overlong */
	parse_bad("\xef\xbb\xbf" "a = x\n", 1, 1, "byte order mark");
	parse_bad("include a.conf  \n", 1, 9, "malformed include");
	parse_bad("include a b\n", 1, 9, "malformed include");
	parse_bad("[section]\n", 1, 1, "expected a setting name, found '['");
	parse_bad("key: value\n", 1, 4, "found ':'");
}

static void
test_parse_nul_and_multiple_errors(void **state)
{
	static const char text[] = "a = x\0y\nb c\nok = 1\n=\n";
	struct rmq_conf c;
	struct err e = ERR_INIT;

	(void)state;
	assert_int_equal(rmq_conf_parse(&c, NULL, text, sizeof(text) - 1, &e), -1);
	assert_int_equal(c.nerrors, 3);
	assert_int_equal(e.count, 3);
	assert_non_null(strstr(c.errors[0].msg, "NUL byte"));
	assert_int_equal(c.errors[1].line, 2);
	assert_int_equal(c.errors[2].line, 4);
	assert_int_equal(c.n, 1);                 /* the good line is kept */
	assert_string_equal(c.entries[0].key, "ok");
	assert_int_equal(c.lines[0].kind, RMQ_BAD);
	assert_non_null(strstr(e.msg.buf, "error: NUL byte"));  /* no file name */
	rmq_conf_release(&c);
	err_release(&e);
}

/* ---------------------------------------------------------- validation */

static void
test_classify_valid(void **state)
{
	static const char *const valid[] = {
		"listeners.tcp", "listeners.tcp.default", "listeners.tcp.default_port",
		"listeners.ssl", "listeners.ssl.1", "ssl_options",
		"ssl_options.versions.1", "ssl_options.cacertfile",
		"ssl_options.key.RSAPrivateKey", "management.tcp.port",
		"management.ssl.certfile", "management.ssl.versions.1",
		"management.listener.ssl_opts.cacertfile", "stomp.listeners.tcp",
		"stomp.listeners.tcp.1", "mqtt.listeners.tcp.default",
		"mqtt.listeners.ssl.default", "stream.listeners.tcp.x",
		"vm_memory_high_watermark.relative", "log.file.level",
		"auth_backends.1", "auth_backends.1.authn", "erlang.K",
		"management.sample_retention_policies.global.minute",
		"cluster_formation.classic_config.nodes.1", "default_user",
		"management.tcp.max_connections", "web_stomp.ssl.port",
		"prometheus.tcp.port", "auth_ldap.servers.1", "loopback_users.guest",
		"listeners.tcp.a\\.b",
	};
	const char *pat;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		if (rmq_key_classify(valid[i], &pat) != RMQ_KEY_VALID)
			fail_msg("'%s' should be valid", valid[i]);
		assert_non_null(pat);
	}
	assert_int_equal(rmq_key_classify("listeners.ssl.default", &pat),
			 RMQ_KEY_VALID);
	assert_string_equal(pat, "listeners.ssl.$name");
	assert_int_equal(rmq_key_classify("ssl_options.verify", NULL),
			 RMQ_KEY_VALID);
	assert_string_equal(rmq_key_class_name(RMQ_KEY_VALID), "valid");
}

static void
test_classify_invalid_and_unverified(void **state)
{
	static const char *const invalid[] = {
		"listeners.tcp.ssl_options.enabled", "listeners.tcp.ssl_options.certfile",
		"listeners.tcp.ssl_options.keyfile", "listeners", "listeners.foo",
		"listeners.tcp.a.b", "ssl_options.foo", "ssl_options.versions",
		"ssl_options.versions.1.x", "management.tcp", "management.tcp.foo",
		"management.ssl.enabled", "management.listener.tls",
		"stomp.listeners.tcp.a.b", "mqtt.listeners", "stream.listeners.x",
		"listeners.ssl.", "listeners..ssl",
	};
	static const char *const unverified[] = {
		"erlang.async_threads", "vm_memory_high_watermark.relativ",
		"foo.bar", "delayed_message.x", "Listeners.tcp", "management.foo",
		"stomp.foo", "a\\.b", "", ".", "listenersx.tcp",
	};
	const char *pat = "x";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		if (rmq_key_classify(invalid[i], &pat) != RMQ_KEY_INVALID)
			fail_msg("'%s' should be invalid", invalid[i]);
	assert_null(pat);
	for (i = 0; i < sizeof(unverified) / sizeof(unverified[0]); i++)
		if (rmq_key_classify(unverified[i], NULL) != RMQ_KEY_UNVERIFIED)
			fail_msg("'%s' should be unverified", unverified[i]);
	assert_string_equal(rmq_key_class_name(RMQ_KEY_INVALID), "invalid");
	assert_string_equal(rmq_key_class_name(RMQ_KEY_UNVERIFIED), "unverified");
}

static void
check_value(const char *key, const char *value, int ok)
{
	const char *why = "unset";
	int rc = rmq_value_check(key, value, &why);

	if ((rc == 0) != ok)
		fail_msg("'%s = %s' should be %s", key, value, ok ? "ok" : "bad");
	if (ok)
		assert_null(why);
	else
		assert_non_null(why);
}

static void
test_value_check(void **state)
{
	(void)state;
	check_value("listeners.tcp", "none", 1);
	check_value("listeners.tcp", "5672", 0);
	check_value("listeners.tcp", "None", 0);
	check_value("listeners.tcp", "none  ", 0);
	check_value("listeners.ssl.default", "5671", 1);
	check_value("listeners.ssl.default", "05671", 1);
	check_value("listeners.ssl.1", "127.0.0.1:5671", 1);
	check_value("listeners.ssl.1", "::1:5671", 1);
	check_value("listeners.ssl.1", ":::5671", 1);
	check_value("listeners.ssl.1", "fe80::1%eth0:5671", 1);
	check_value("listeners.ssl.1", "0.0.0.0:5671", 1);
	check_value("listeners.ssl.1", "[::1]:5671", 0);
	check_value("listeners.ssl.1", "localhost:5671", 0);
	check_value("listeners.ssl.1", "1.2.3.4: 5671", 0);
	check_value("listeners.ssl.1", "256.1.1.1:5671", 0);
	check_value("listeners.ssl.1", ":5671", 0);
	check_value("listeners.ssl.1", "1.2.3.4:", 0);
	check_value("listeners.ssl.1", "70000", 0);
	check_value("listeners.ssl.1", "65535", 1);
	check_value("listeners.ssl.1", "-1", 0);
	check_value("listeners.ssl.1", "abc", 0);
	check_value("listeners.ssl.1", "", 0);
	check_value("listeners.tcp.default", "none", 0);
	check_value("stomp.listeners.tcp", "none", 1);
	check_value("mqtt.listeners.tcp.1", "1883", 1);
	check_value("stream.listeners.ssl.x", "x:1", 0);
	check_value("ssl_options.verify", "verify_peer", 1);
	check_value("ssl_options.verify", "verify_none", 1);
	check_value("ssl_options.verify", "Verify_peer", 0);
	check_value("ssl_options.fail_if_no_peer_cert", "true", 1);
	check_value("ssl_options.fail_if_no_peer_cert", "false", 1);
	check_value("ssl_options.fail_if_no_peer_cert", "True", 0);
	check_value("ssl_options.fail_if_no_peer_cert", "yes", 0);
	check_value("ssl_options.versions.1", "tlsv1.3", 1);
	check_value("ssl_options.versions.2", "tlsv1.2", 1);
	check_value("ssl_options.versions.3", "tlsv1.1", 1);
	check_value("ssl_options.versions.4", "tlsv1", 1);
	check_value("ssl_options.versions.5", "tlsv1.4", 0);
	check_value("ssl_options.versions.6", "sslv3", 0);
	check_value("ssl_options.certfile", "/etc/x.pem", 1);
	check_value("ssl_options.certfile", "/etc/x.pem ", 0);
	check_value("ssl_options.crl_check", "best_effort", 1);
	check_value("ssl_options.crl_check", "maybe", 0);
	check_value("ssl_options", "none", 1);
	check_value("management.ssl.port", "15671", 1);
	check_value("management.ssl.port", "1567x", 0);
	check_value("management.tcp.ip", "127.0.0.1", 1);
	check_value("management.tcp.ip", "localhost", 0);
	check_value("management.listener.ssl", "true", 1);
	check_value("management.ssl.versions.1", "tlsv1.9", 0);
	check_value("vm_memory_high_watermark.relative", "whatever", 1);
	check_value("unknown.key", "", 1);
}

/* ------------------------------------------------------------- plugins */

static void
test_plugins_parse(void **state)
{
	static const char text[] = "%% enabled plugins\n[rabbitmq_management,\n"
		"  'rabbitmq_stomp' , % comment\n rabbitmq_web_mqtt]. \n";
	struct rmq_plugins p;
	struct err e = ERR_INIT;
	size_t len;
	char *buf;

	(void)state;
	assert_int_equal(rmq_plugins_parse(&p, "ep", text, strlen(text), &e), 0);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.names[1], "rabbitmq_stomp");
	assert_true(rmq_plugins_enabled(&p, "rabbitmq_management"));
	assert_true(rmq_plugins_enabled(&p, "rabbitmq_stomp"));
	assert_true(rmq_plugins_enabled(&p, "rabbitmq_mqtt"));  /* via web_mqtt */
	assert_false(rmq_plugins_enabled(&p, "rabbitmq_stream"));
	assert_false(rmq_plugins_enabled(NULL, "rabbitmq_stomp"));
	rmq_plugins_release(&p);

	buf = fixture("enabled_plugins", &len);
	assert_int_equal(rmq_plugins_parse(&p, "ep", buf, len, &e), 0);
	assert_int_equal(p.n, 2);
	rmq_plugins_release(&p);
	free(buf);

	assert_int_equal(rmq_plugins_parse(&p, "ep", "[].", 3, &e), 0);
	assert_int_equal(p.n, 0);
	rmq_plugins_release(&p);
	assert_int_equal(rmq_plugins_parse(&p, "ep", " \n% x\n", 6, &e), 0);
	assert_int_equal(p.n, 0);
	rmq_plugins_release(&p);
	assert_int_equal(e.count, 0);
	err_release(&e);

	assert_int_equal(rmq_plugins_parse(&p, "ep", "[rabbitmq_stream_management].",
					   29, &e), 0);
	assert_true(rmq_plugins_enabled(&p, "rabbitmq_stream"));
	assert_true(rmq_plugins_enabled(&p, "rabbitmq_management"));
	rmq_plugins_release(&p);
}

static void
plugins_bad(const char *text, const char *want)
{
	struct rmq_plugins p;
	struct err e = ERR_INIT;

	assert_int_equal(rmq_plugins_parse(&p, "ep", text, strlen(text), &e), -1);
	if (strstr(e.msg.buf, want) == NULL)
		fail_msg("error '%s' lacks '%s'", e.msg.buf, want);
	rmq_plugins_release(&p);
	err_release(&e);
}

static void
test_plugins_errors(void **state)
{
	(void)state;
	plugins_bad("[a,].", "ep:1:4: error: malformed enabled_plugins: "
		    "expected a plugin name");
	plugins_bad("[a", "expected ',' or ']'");
	plugins_bad("[a]", "expected '.' after the list");
	plugins_bad("a.", "ep:1:1: error: malformed enabled_plugins: expected '['");
	plugins_bad("[a].\nx", "ep:2:1: error: malformed enabled_plugins: "
		    "unexpected text after '.'");
	plugins_bad("['unterminated].", "expected a plugin name");
	plugins_bad("[Rabbit].", "expected a plugin name");
	plugins_bad("[a b].", "expected ',' or ']'");
	plugins_bad("[''].", "expected a plugin name");
}

/* -------------------------------------------------------------- legacy */

static void
test_legacy_scan(void **state)
{
	struct rmq_legacy lg;
	size_t len;
	char *buf = fixture("legacy.config", &len);
	const char *t;

	(void)state;
	rmq_legacy_scan(buf, len, &lg);
	assert_true(lg.has_term);
	assert_true(lg.tcp.present);
	assert_true(lg.tcp.empty);
	assert_int_equal(lg.tcp.line, 5);
	assert_int_equal(lg.tcp.nports, 0);
	assert_true(lg.ssl.present);
	assert_false(lg.ssl.empty);
	assert_int_equal(lg.ssl.nports, 3);
	assert_int_equal(lg.ssl.ports[0], 5671);
	assert_int_equal(lg.ssl.ports[1], 5681);
	assert_int_equal(lg.ssl.ports[2], 5691);
	assert_true(lg.ssl_options);
	assert_int_equal(lg.ssl_options_line, 7);
	free(buf);

	rmq_legacy_scan("% {tcp_listeners, [5672]}\n\n", 27, &lg);
	assert_false(lg.has_term);
	assert_false(lg.tcp.present);

	t = "[{rabbit, [{tcp_listeners, [5672, {\"::1\", 5673}, {'any', 5674}]},"
	    " {\"tcp_listeners\", [1]}, [ssl_listeners, [2]]]}].";
	rmq_legacy_scan(t, strlen(t), &lg);
	assert_true(lg.tcp.present);
	assert_false(lg.tcp.empty);
	assert_int_equal(lg.tcp.nports, 3);
	assert_int_equal(lg.tcp.ports[2], 5674);
	assert_false(lg.ssl.present);        /* not the first element of a tuple */

	t = "[{rabbit, [{tcp_listeners, [ip6, 99999]}]}";   /* no port, truncated */
	rmq_legacy_scan(t, strlen(t), &lg);
	assert_true(lg.tcp.present);
	assert_int_equal(lg.tcp.nports, 0);
	assert_false(lg.tcp.empty);

	rmq_legacy_scan("{''", 3, &lg);            /* empty quoted atom at EOF */
	assert_true(lg.has_term);
	rmq_legacy_scan("{'tcp_listeners', [{\"h\", 1}]}", 29, &lg);
	assert_true(lg.tcp.present);
	assert_int_equal(lg.tcp.ports[0], 1);
	rmq_legacy_scan("{tcp_listeners, [", 17, &lg);
	assert_true(lg.tcp.present);
	assert_true(lg.tcp.empty);
	rmq_legacy_scan("", 0, &lg);
	assert_false(lg.has_term);
}

/* ------------------------------------------------------------ analysis */

static void
test_analyze_default_plaintext(void **state)
{
	struct rmq_analysis a;
	struct rmq_conf c;
	int port = 0;

	(void)state;
	analyze_str("# nothing\n", NULL, &a, &c);
	assert_true(a.vulnerable);
	assert_true(a.plaintext_amqp);
	assert_false(a.will_not_boot);
	assert_int_equal(count_listeners(&a, RMQ_P_AMQP, 0, &port), 1);
	assert_int_equal(port, 5672);
	assert_int_equal(a.listeners[0].line, 0);
	assert_null(a.listeners[0].file);
	assert_true(has_msg(a.reasons, a.nreasons, "plaintext AMQP listener on "
			    "5672 (built-in default)"));
	rmq_analysis_release(&a);
	rmq_conf_release(&c);
}

static void
test_analyze_tls_only(void **state)
{
	struct rmq_analysis a;
	struct rmq_conf c;
	size_t len;
	char *buf = fixture("seed.patched.conf", &len);
	int port = 0;

	(void)state;
	analyze_str(buf, NULL, &a, &c);
	assert_false(a.vulnerable);
	assert_false(a.plaintext_amqp);
	assert_int_equal(a.nreasons, 0);
	assert_int_equal(count_listeners(&a, RMQ_P_AMQP, 0, NULL), 0);
	assert_int_equal(count_listeners(&a, RMQ_P_AMQP, 1, &port), 1);
	assert_int_equal(port, 5671);
	assert_string_equal(a.certfile, "/etc/rabbitmq/tls/server.pem");
	assert_string_equal(a.keyfile, "/etc/rabbitmq/tls/server.key");
	assert_string_equal(a.cacertfile, "/etc/rabbitmq/tls/ca.pem");
	assert_string_equal(a.verify, "verify_peer");
	assert_string_equal(a.fail_if_no_peer_cert, "false");
	assert_int_equal(a.nversions, 2);
	assert_string_equal(a.versions[0], "tlsv1.3");
	rmq_analysis_release(&a);
	rmq_conf_release(&c);
	free(buf);

	/* "none" wins over named listeners, whatever the order */
	analyze_str("listeners.tcp.default = 5672\nlisteners.tcp = none\n"
		    "listeners.ssl.a = 127.0.0.1:5671\n", NULL, &a, &c);
	assert_false(a.plaintext_amqp);
	assert_int_equal(count_listeners(&a, RMQ_P_AMQP, 1, &port), 1);
	assert_string_equal(a.listeners[0].addr, "127.0.0.1");
	assert_int_equal(a.listeners[0].line, 3);
	assert_true(has_msg(a.notes, a.nnotes, "ssl_options.certfile or "
			    "ssl_options.keyfile is not set"));
	rmq_analysis_release(&a);
	rmq_conf_release(&c);
}

static void
test_analyze_seed(void **state)
{
	struct rmq_analysis a;
	struct rmq_conf c;
	size_t len;
	char *buf = fixture("seed.conf", &len);
	int port = 0;

	(void)state;
	analyze_str(buf, NULL, &a, &c);
	assert_true(a.vulnerable);
	assert_true(a.will_not_boot);
	assert_true(has_msg(a.reasons, a.nreasons, "invalid key "
			    "'listeners.tcp.ssl_options.enabled' at line 2: the "
			    "broker will refuse to boot"));
	assert_true(has_msg(a.reasons, a.nreasons,
			    "'listeners.tcp.ssl_options.certfile' at line 3"));
	assert_true(has_msg(a.reasons, a.nreasons,
			    "'listeners.tcp.ssl_options.keyfile' at line 4"));
	/* listeners.tcp.default_port is a (plaintext) listener named default_port */
	assert_int_equal(count_listeners(&a, RMQ_P_AMQP, 0, &port), 1);
	assert_int_equal(port, 5671);
	assert_true(has_msg(a.reasons, a.nreasons, "plaintext AMQP listener on 5671"));
	assert_int_equal(a.reasons[0].line, 2);
	assert_int_equal(a.reasons[0].col, 1);
	assert_string_equal(a.reasons[0].file, "t.conf");
	rmq_analysis_release(&a);
	rmq_conf_release(&c);
	free(buf);
}

static void
test_analyze_bad_config(void **state)
{
	struct rmq_analysis a;
	struct rmq_conf c;

	(void)state;
	analyze_str("listeners.tcp = none\nlisteners.ssl.1 = [::1]:5671\n"
		    "oops\nmy_plugin.setting = 1\ninclude x.conf\n", NULL, &a, &c);
	assert_true(a.will_not_boot);
	assert_true(a.vulnerable);
	assert_false(a.plaintext_amqp);
	assert_true(has_msg(a.reasons, a.nreasons, "invalid value '[::1]:5671' "
			    "for 'listeners.ssl.1' at line 2"));
	assert_true(has_msg(a.reasons, a.nreasons, "syntax error at line 3: "
			    "missing '=' after 'oops'"));
	assert_true(has_msg(a.notes, a.nnotes, "unverified key "
			    "'my_plugin.setting' at line 4"));
	assert_true(has_msg(a.notes, a.nnotes, "include 'x.conf'"));
	assert_int_equal(count_listeners(&a, RMQ_P_AMQP, 1, NULL), 0);
	rmq_analysis_release(&a);
	rmq_conf_release(&c);

	/* an unverified key alone does not make the node vulnerable */
	analyze_str("listeners.tcp = none\nlisteners.ssl.1 = 5671\n"
		    "ssl_options.certfile = /c\nssl_options.keyfile = /k\n"
		    "ssl_options.verify = verify_none\nx.y = 1\n", NULL, &a, &c);
	assert_false(a.vulnerable);
	assert_true(has_msg(a.notes, a.nnotes, "verify_none"));
	assert_true(has_msg(a.notes, a.nnotes, "unverified key 'x.y'"));
	rmq_analysis_release(&a);
	rmq_conf_release(&c);
}

static void
test_analyze_plugins(void **state)
{
	struct rmq_plugins p;
	struct rmq_analysis a;
	struct rmq_conf c;
	struct err e = ERR_INIT;
	static const char pl[] = "[rabbitmq_management,rabbitmq_web_stomp,"
		"rabbitmq_mqtt,rabbitmq_stream,rabbitmq_prometheus,rabbitmq_web_mqtt].";
	int port = 0;

	(void)state;
	assert_int_equal(rmq_plugins_parse(&p, "ep", pl, strlen(pl), &e), 0);
	analyze_str("listeners.tcp = none\nmqtt.listeners.tcp = none\n"
		    "stream.listeners.tcp.1 = 127.0.0.1:5552\n"
		    "stream.listeners.ssl.1 = 5551\n", &p, &a, &c);
	assert_false(a.vulnerable);
	assert_true(a.plaintext_plugins);
	assert_int_equal(count_listeners(&a, RMQ_P_MGMT, 0, &port), 1);
	assert_int_equal(port, 15672);
	assert_int_equal(count_listeners(&a, RMQ_P_STOMP, 0, &port), 1);
	assert_int_equal(port, 61613);
	assert_int_equal(count_listeners(&a, RMQ_P_MQTT, 0, NULL), 0);
	assert_int_equal(count_listeners(&a, RMQ_P_STREAM, 0, &port), 1);
	assert_int_equal(port, 5552);
	assert_int_equal(count_listeners(&a, RMQ_P_STREAM, 1, &port), 1);
	assert_int_equal(port, 5551);
	assert_int_equal(count_listeners(&a, RMQ_P_WEB_STOMP, 0, &port), 1);
	assert_int_equal(port, 15674);
	assert_int_equal(count_listeners(&a, RMQ_P_WEB_MQTT, 0, &port), 1);
	assert_int_equal(count_listeners(&a, RMQ_P_PROMETHEUS, 0, &port), 1);
	assert_int_equal(port, 15692);
	assert_true(has_msg(a.notes, a.nnotes, "plaintext management HTTP "
			    "listener on 15672 (built-in default)"));
	assert_true(has_msg(a.notes, a.nnotes, "plaintext stream listener on "
			    "127.0.0.1:5552"));
	rmq_analysis_release(&a);
	rmq_conf_release(&c);
	rmq_plugins_release(&p);
	err_release(&e);
}

static void
mgmt_case(const char *conf, size_t http, size_t https, int port)
{
	struct rmq_plugins p;
	struct rmq_analysis a;
	struct rmq_conf c;
	struct err e = ERR_INIT;
	int got = -1;

	assert_int_equal(rmq_plugins_parse(&p, "ep", "[rabbitmq_management].",
					   22, &e), 0);
	analyze_str(conf, &p, &a, &c);
	assert_int_equal(count_listeners(&a, RMQ_P_MGMT, 0, &got), http);
	if (http)
		assert_int_equal(got, port);
	assert_int_equal(count_listeners(&a, RMQ_P_MGMT, 1, &got), https);
	if (https && !http)
		assert_int_equal(got, port);
	assert_int_equal(a.plaintext_plugins, http > 0);
	rmq_analysis_release(&a);
	rmq_conf_release(&c);
	rmq_plugins_release(&p);
}

static void
test_analyze_management(void **state)
{
	(void)state;
	mgmt_case("", 1, 0, 15672);
	mgmt_case("management.tcp.port = 8080\n", 1, 0, 8080);
	mgmt_case("management.ssl.port = 15671\n", 0, 1, 15671);
	mgmt_case("management.ssl.certfile = /c\n", 0, 1, 15671);
	mgmt_case("management.tcp.ip = 127.0.0.1\nmanagement.ssl.port = 443\n",
		  1, 1, 15672);
	mgmt_case("management.listener.port = 9000\n", 1, 0, 9000);
	mgmt_case("management.listener.port = 9000\nmanagement.listener.ssl = true\n",
		  0, 1, 9000);
	mgmt_case("management.listener.port = 9000\nmanagement.ssl.port = 9001\n",
		  1, 1, 9000);
	mgmt_case("management.listener.port = 9000\nmanagement.tcp.port = 9001\n",
		  2, 0, 9000);
	mgmt_case("management.listener.port = 9000\nmanagement.tcp.port = 9001\n"
		  "management.ssl.port = 9002\n", 1, 1, 9001);
}

static void
test_analyze_multiple_files(void **state)
{
	struct rmq_conf c1, c2;
	const struct rmq_conf *cs[2] = { &c1, &c2 };
	struct rmq_input in = { cs, 2, NULL, NULL, NULL };
	struct rmq_analysis a;
	int port = 0;

	(void)state;
	parse_ok(&c1, "listeners.tcp.default = 5672\nssl_options.certfile = /a\n");
	parse_ok(&c2, "listeners.tcp.default = 127.0.0.1:5674\n"
		 "ssl_options.certfile = /b\n");
	rmq_analyze(&in, &a);
	assert_int_equal(count_listeners(&a, RMQ_P_AMQP, 0, &port), 1);
	assert_int_equal(port, 5674);                /* conf.d wins */
	assert_string_equal(a.certfile, "/b");
	rmq_analysis_release(&a);
	rmq_conf_release(&c2);
	parse_ok(&c2, "listeners.tcp = none\n");
	rmq_analyze(&in, &a);
	assert_false(a.plaintext_amqp);
	rmq_analysis_release(&a);
	rmq_conf_release(&c1);
	rmq_conf_release(&c2);
}

static void
test_analyze_legacy(void **state)
{
	struct rmq_conf c;
	const struct rmq_conf *cs[1] = { &c };
	struct rmq_legacy lg, adv;
	struct rmq_input in = { cs, 1, NULL, &lg, NULL };
	struct rmq_analysis a;
	size_t len;
	char *buf = fixture("legacy.config", &len);
	const char *advtext = "[{rabbit, [{tcp_listeners, [5672]}]}].";
	int port = 0;

	(void)state;
	parse_ok(&c, "listeners.tcp.default = 5672\nbad.key.x = 1\n");
	rmq_legacy_scan(buf, len, &lg);
	rmq_analyze(&in, &a);
	assert_true(a.conf_ignored);
	assert_false(a.plaintext_amqp);              /* tcp_listeners = [] */
	assert_int_equal(count_listeners(&a, RMQ_P_AMQP, 1, &port), 3);
	assert_int_equal(port, 5671);
	assert_true(has_msg(a.notes, a.nnotes, "rabbitmq.conf are ignored"));
	assert_false(has_msg(a.notes, a.nnotes, "bad.key.x"));
	rmq_analysis_release(&a);

	rmq_legacy_scan(advtext, strlen(advtext), &adv);
	in.legacy = NULL;
	in.advanced = &adv;
	rmq_conf_release(&c);
	parse_ok(&c, "listeners.tcp = none\n");
	rmq_analyze(&in, &a);
	assert_true(a.plaintext_amqp);               /* advanced.config wins */
	assert_true(has_msg(a.reasons, a.nreasons, "plaintext AMQP listener on 5672"));
	assert_string_equal(a.listeners[0].file, "advanced.config");
	rmq_analysis_release(&a);

	rmq_legacy_scan("% only comments\n", 16, &lg);
	in.legacy = &lg;
	in.advanced = NULL;
	rmq_analyze(&in, &a);
	assert_false(a.conf_ignored);
	assert_false(a.plaintext_amqp);
	rmq_analysis_release(&a);
	rmq_conf_release(&c);
	free(buf);
}

static void
test_proto_names(void **state)
{
	(void)state;
	assert_string_equal(rmq_proto_name(RMQ_P_AMQP, 0), "AMQP");
	assert_string_equal(rmq_proto_name(RMQ_P_AMQP, 1), "AMQP/TLS");
	assert_string_equal(rmq_proto_name(RMQ_P_MGMT, 1), "management HTTPS");
	assert_string_equal(rmq_proto_name((enum rmq_proto)99, 0), "?");
}

/* ------------------------------------------------------------- patcher */

static void
golden(const char *in, const char *want, const struct rmq_patch_opts *o)
{
	size_t ilen, wlen, olen, o2len;
	char *ibuf = fixture(in, &ilen), *wbuf = fixture(want, &wlen);
	char *out, *out2;
	int changed;

	out = patch_str(ibuf, ilen, o, &changed, &olen);
	assert_true(changed);
	if (olen != wlen || memcmp(out, wbuf, wlen) != 0)
		fail_msg("%s: output differs from %s:\n%s", in, want, out);
	out2 = patch_str(out, olen, o, &changed, &o2len);   /* idempotent */
	assert_false(changed);
	assert_int_equal(o2len, olen);
	assert_memory_equal(out2, out, olen);
	free(out);
	free(out2);
	free(ibuf);
	free(wbuf);
}

static void
test_patch_golden(void **state)
{
	struct rmq_patch_opts o = base_opts;

	(void)state;
	golden("seed.conf", "seed.patched.conf", &o);
	golden("crlf.conf", "crlf.patched.conf", &o);
	o.close_plugins = RMQ_CLOSE_MGMT | RMQ_CLOSE_STOMP | RMQ_CLOSE_MQTT |
			  RMQ_CLOSE_STREAM;
	golden("complex.conf", "complex.patched.conf", &o);
}

/* The patched complex fixture: only valid keys were written, the result
 * is not vulnerable, and every untouched line is byte-identical. */
static void
test_patch_result_is_sound(void **state)
{
	struct rmq_patch_opts o = base_opts;
	struct rmq_plugins p;
	struct rmq_analysis a;
	struct rmq_conf in, outc;
	struct err e = ERR_INIT;
	size_t ilen, olen, i;
	char *ibuf = fixture("complex.conf", &ilen), *out;
	int changed;

	(void)state;
	o.close_plugins = RMQ_CLOSE_MGMT | RMQ_CLOSE_STOMP | RMQ_CLOSE_MQTT |
			  RMQ_CLOSE_STREAM;
	out = patch_str(ibuf, ilen, &o, &changed, &olen);
	parse_ok(&in, ibuf);
	assert_int_equal(rmq_conf_parse(&outc, "o", out, olen, &e), 0);
	for (i = 0; i < outc.n; i++) {
		const struct rmq_entry *en = &outc.entries[i];
		const struct rmq_entry *old = rmq_conf_get(&in, en->key);
		if (old && strcmp(old->value, en->value) == 0)
			continue;         /* untouched user setting */
		if (rmq_key_classify(en->key, NULL) != RMQ_KEY_VALID)
			fail_msg("patch wrote '%s'", en->key);
	}
	/* the kept lines, byte for byte */
	assert_non_null(strstr(out, "\n\t# indented comment\n"));
	assert_non_null(strstr(out, "\nssl_options.verify = verify_peer # TODO "
			       "require client certificates\n"));
	assert_non_null(strstr(out, "\nssl_options.cacertfile=/etc/rabbitmq/tls/ca.pem\n"));
	assert_non_null(strstr(out, "\ndelayed_message.some_setting = 1\n"));
	assert_non_null(strstr(out, "\nlog.file.level = info\n\n# mend: "));
	assert_int_equal(rmq_plugins_parse(&p, "ep", "[rabbitmq_management,"
		"rabbitmq_stomp,rabbitmq_mqtt,rabbitmq_stream].", 67, &e), 0);
	rmq_conf_release(&outc);
	analyze_str(out, &p, &a, &outc);
	assert_false(a.vulnerable);
	assert_false(a.plaintext_plugins);
	assert_int_equal(count_listeners(&a, RMQ_P_MGMT, 1, NULL), 1);
	assert_int_equal(count_listeners(&a, RMQ_P_STOMP, 1, NULL), 1);
	rmq_analysis_release(&a);
	rmq_conf_release(&outc);
	rmq_conf_release(&in);
	rmq_plugins_release(&p);
	err_release(&e);
	free(out);
	free(ibuf);
}

static void
expect_patch(const char *text, const struct rmq_patch_opts *o, const char *want)
{
	size_t olen;
	int changed;
	char *out = patch_str(text, strlen(text), o, &changed, &olen);

	if (strcmp(out, want) != 0)
		fail_msg("patch of:\n%s\ngave:\n%s\nwanted:\n%s", text, out, want);
	assert_int_equal(changed, strcmp(text, want) != 0);
	free(out);
}

#define TLS_BLOCK \
	"ssl_options.cacertfile = /etc/rabbitmq/tls/ca.pem\n" \
	"ssl_options.certfile = /etc/rabbitmq/tls/server.pem\n" \
	"ssl_options.keyfile = /etc/rabbitmq/tls/server.key\n" \
	"ssl_options.verify = verify_peer\n" \
	"ssl_options.fail_if_no_peer_cert = false\n" \
	"ssl_options.versions.1 = tlsv1.3\n" \
	"ssl_options.versions.2 = tlsv1.2\n"
#define HEADER "# mend: TLS-only listeners (AMQP 0-9-1 has no STARTTLS: " \
	"plaintext disabled)\n"

static void
test_patch_layout(void **state)
{
	struct rmq_patch_opts o = base_opts;

	(void)state;
	/* empty file: the block only, no blank line before it */
	expect_patch("", &o, HEADER "listeners.tcp = none\n"
		     "listeners.ssl.default = 5671\n" TLS_BLOCK);
	/* no final newline: one is added, then a blank separator */
	expect_patch("a = b", &o, "a = b\n\n" HEADER "listeners.tcp = none\n"
		     "listeners.ssl.default = 5671\n" TLS_BLOCK);
	/* last line already blank: no second blank line */
	expect_patch("a = b\n\n", &o, "a = b\n\n" HEADER "listeners.tcp = none\n"
		     "listeners.ssl.default = 5671\n" TLS_BLOCK);
	/* value at EOF with blanks, set in place, the line ending is kept (none) */
	expect_patch("listeners.ssl.default = 5671\n" TLS_BLOCK
		     "listeners.tcp = none  ", &o,
		     "listeners.ssl.default = 5671\n" TLS_BLOCK
		     "listeners.tcp = none");
	/* already fixed: nothing changes */
	expect_patch("listeners.tcp = none\nlisteners.ssl.default = 5671\n"
		     TLS_BLOCK, &o, "listeners.tcp = none\n"
		     "listeners.ssl.default = 5671\n" TLS_BLOCK);
}

static void
test_patch_listeners(void **state)
{
	static const char *const two[] = { "127.0.0.1:5671", "::1:5671" };
	struct rmq_patch_opts o = base_opts;

	(void)state;
	/* default mode keeps existing usable TLS listeners, drops "= none" */
	expect_patch("listeners.ssl = none\nlisteners.ssl.other = 5679\n"
		     "listeners.ssl.bad = [::1]:5671\n" "listeners.tcp = none\n"
		     TLS_BLOCK, &o,
		     "# mend: removed (TLS listeners must stay enabled): "
		     "listeners.ssl = none\nlisteners.ssl.other = 5679\n"
		     "# mend: removed (invalid TLS listener value, the broker "
		     "refuses to boot with it): listeners.ssl.bad = [::1]:5671\n"
		     "listeners.tcp = none\n" TLS_BLOCK);
	/* an explicit list owns listeners.ssl.* */
	o.ssl_listeners = two;
	o.nssl_listeners = 2;
	expect_patch("listeners.ssl.default = 5671\nlisteners.ssl.2 = 1.2.3.4:5671\n"
		     "listeners.tcp = none\n" TLS_BLOCK, &o,
		     "# mend: removed (replaced by mend's TLS listener list): "
		     "listeners.ssl.default = 5671\nlisteners.ssl.2 = ::1:5671\n"
		     "listeners.tcp = none\n" TLS_BLOCK "\n" HEADER
		     "listeners.ssl.1 = 127.0.0.1:5671\n");
}

static void
test_patch_duplicates_and_options(void **state)
{
	static const char *const vers[] = { "tlsv1.2" };
	struct rmq_patch_opts o = base_opts;

	(void)state;
	o.verify = "verify_none";
	o.fail_if_no_peer_cert = 1;
	o.versions = vers;
	o.nversions = 1;
	expect_patch("listeners.tcp = none\nlisteners.tcp = none\n"
		     "ssl_options = none\nlisteners.ssl.default = 5671\n"
		     "ssl_options.versions.1 = tlsv1.2\n"
		     "ssl_options.versions.2 = tlsv1.3\n", &o,
		     "# mend: removed (duplicate, overridden by a later line): "
		     "listeners.tcp = none\nlisteners.tcp = none\n"
		     "# mend: removed ('ssl_options = none' discards the TLS "
		     "options): ssl_options = none\n"
		     "listeners.ssl.default = 5671\nssl_options.versions.1 = tlsv1.2\n"
		     "# mend: removed (replaced by mend's TLS version list): "
		     "ssl_options.versions.2 = tlsv1.3\n\n" HEADER
		     "ssl_options.cacertfile = /etc/rabbitmq/tls/ca.pem\n"
		     "ssl_options.certfile = /etc/rabbitmq/tls/server.pem\n"
		     "ssl_options.keyfile = /etc/rabbitmq/tls/server.key\n"
		     "ssl_options.verify = verify_none\n"
		     "ssl_options.fail_if_no_peer_cert = true\n");
}

static void
test_patch_plugins(void **state)
{
	struct rmq_patch_opts o = base_opts;
	const char *base = "listeners.tcp = none\nlisteners.ssl.default = 5671\n"
		TLS_BLOCK;
	char in[1024], want[2048];

	(void)state;
	/* legacy TLS management listener: kept, nothing added */
	o.close_plugins = RMQ_CLOSE_MGMT;
	snprintf(in, sizeof(in), "%smanagement.listener.port = 15671\n"
		 "management.listener.ssl = true\nmanagement.tcp.port = 15672\n", base);
	snprintf(want, sizeof(want), "%smanagement.listener.port = 15671\n"
		 "management.listener.ssl = true\n# mend: removed (plaintext "
		 "management (HTTP) listener): management.tcp.port = 15672\n", base);
	expect_patch(in, &o, want);
	/* legacy plaintext management listener: removed; an existing valid
	 * management.ssl.port is kept; ip and port options */
	snprintf(in, sizeof(in), "%smanagement.listener.port = 80\n"
		 "management.ssl.port = 443\n", base);
	snprintf(want, sizeof(want), "%s# mend: removed (plaintext legacy "
		 "management (HTTP) listener): management.listener.port = 80\n"
		 "management.ssl.port = 443\n\n" HEADER
		 "management.ssl.cacertfile = /etc/rabbitmq/tls/ca.pem\n"
		 "management.ssl.certfile = /etc/rabbitmq/tls/server.pem\n"
		 "management.ssl.keyfile = /etc/rabbitmq/tls/server.key\n", base);
	expect_patch(in, &o, want);
	o.mgmt_ssl_port = "8443";
	o.mgmt_ssl_ip = "127.0.0.1";
	snprintf(want, sizeof(want), "%s# mend: removed (plaintext legacy "
		 "management (HTTP) listener): management.listener.port = 80\n"
		 "management.ssl.port = 8443\n\n" HEADER "management.ssl.ip = 127.0.0.1\n"
		 "management.ssl.cacertfile = /etc/rabbitmq/tls/ca.pem\n"
		 "management.ssl.certfile = /etc/rabbitmq/tls/server.pem\n"
		 "management.ssl.keyfile = /etc/rabbitmq/tls/server.key\n", base);
	expect_patch(in, &o, want);
	/* STOMP with an existing TLS listener and a custom MQTT TLS listener */
	o = base_opts;
	o.close_plugins = RMQ_CLOSE_STOMP | RMQ_CLOSE_MQTT;
	o.mqtt_ssl_listener = "127.0.0.1:8883";
	snprintf(in, sizeof(in), "%sstomp.listeners.ssl.1 = 61614\n"
		 "stomp.listeners.tcp.1 = 61613\n", base);
	snprintf(want, sizeof(want), "%sstomp.listeners.ssl.1 = 61614\n"
		 "# mend: removed (plaintext plugin listener): "
		 "stomp.listeners.tcp.1 = 61613\n\n" HEADER
		 "stomp.listeners.tcp = none\nmqtt.listeners.tcp = none\n"
		 "mqtt.listeners.ssl.default = 127.0.0.1:8883\n", base);
	expect_patch(in, &o, want);
}

static void
test_patch_errors(void **state)
{
	static const char *const badver[] = { "tlsv1.4" };
	static const char *const badl[] = { "[::1]:5671" };
	struct rmq_patch_opts o = base_opts;

	(void)state;
	patch_fails("a = 1\nbroken line\n", &o, "refusing to patch 't.conf': "
		    "1 syntax error(s), the first at line 2");
	o.certfile = NULL;
	patch_fails("", &o, "cacertfile, certfile and keyfile are required");
	o = base_opts;
	o.keyfile = "/etc/key#1.pem";
	patch_fails("", &o, "invalid value '/etc/key#1.pem' for 'ssl_options.keyfile'");
	o.keyfile = " /k";
	patch_fails("", &o, "invalid value ' /k'");
	o.keyfile = "'/k'";
	patch_fails("", &o, "invalid value");
	o.keyfile = "/k\n";
	patch_fails("", &o, "invalid value");
	o.keyfile = "";
	patch_fails("", &o, "invalid value");
	o = base_opts;
	o.verify = "verify_maybe";
	patch_fails("", &o, "invalid value 'verify_maybe' for 'ssl_options.verify': "
		    "expected 'verify_peer' or 'verify_none'");
	o = base_opts;
	o.versions = badver;
	o.nversions = 1;
	patch_fails("", &o, "'tlsv1.4' for 'ssl_options.versions.1'");
	o.nversions = 0;
	patch_fails("", &o, "at least one TLS version");
	o = base_opts;
	o.ssl_listeners = badl;
	o.nssl_listeners = 1;
	patch_fails("", &o, "'[::1]:5671' for 'listeners.ssl.1'");
	o = base_opts;
	o.close_plugins = RMQ_CLOSE_MGMT;
	o.mgmt_ssl_port = "https";
	patch_fails("", &o, "for 'management.ssl.port'");
	o = base_opts;
	o.close_plugins = RMQ_CLOSE_STREAM;
	o.stream_ssl_listener = "localhost:5551";
	patch_fails("", &o, "for 'stream.listeners.ssl.default'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_basic),
		cmocka_unit_test(test_parse_crlf),
		cmocka_unit_test(test_parse_comments_and_values),
		cmocka_unit_test(test_parse_trailing_blank_at_eof),
		cmocka_unit_test(test_parse_keys),
		cmocka_unit_test(test_parse_duplicates),
		cmocka_unit_test(test_parse_include),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_nul_and_multiple_errors),
		cmocka_unit_test(test_classify_valid),
		cmocka_unit_test(test_classify_invalid_and_unverified),
		cmocka_unit_test(test_value_check),
		cmocka_unit_test(test_plugins_parse),
		cmocka_unit_test(test_plugins_errors),
		cmocka_unit_test(test_legacy_scan),
		cmocka_unit_test(test_analyze_default_plaintext),
		cmocka_unit_test(test_analyze_tls_only),
		cmocka_unit_test(test_analyze_seed),
		cmocka_unit_test(test_analyze_bad_config),
		cmocka_unit_test(test_analyze_plugins),
		cmocka_unit_test(test_analyze_management),
		cmocka_unit_test(test_analyze_multiple_files),
		cmocka_unit_test(test_analyze_legacy),
		cmocka_unit_test(test_proto_names),
		cmocka_unit_test(test_patch_golden),
		cmocka_unit_test(test_patch_result_is_sound),
		cmocka_unit_test(test_patch_layout),
		cmocka_unit_test(test_patch_listeners),
		cmocka_unit_test(test_patch_duplicates_and_options),
		cmocka_unit_test(test_patch_plugins),
		cmocka_unit_test(test_patch_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
