/* test_rmqschema.c - the broker's accepted keys from its schema files: the
 * parser and matcher on edge values, and the real script run against the
 * schema files of the RabbitMQ installed on this machine (Debian 12:
 * 3.10.8) when it is there. */
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

#include "modules/rabbitmq/rmqschema.h"

static void
test_parse_and_match(void **state)
{
	struct rmq_schema s = RMQ_SCHEMA_INIT;

	(void)state;
	rmq_schema_parse(&s, "N files 3\nN ez 1\nN key listeners.tcp\n"
	    "N key listeners.ssl.$name\nX key not.ours\nN key\n"
	    "N key ssl_options.versions.$version\nnoise\nN keyless\n"
	    "N key management.ssl.port", "N");
	assert_int_equal(s.nfiles, 3);
	assert_int_equal(s.nez, 1);
	assert_int_equal(s.n, 4);
	assert_true(rmq_schema_accepts(&s, "listeners.tcp"));
	assert_true(rmq_schema_accepts(&s, "listeners.ssl.default"));
	assert_true(rmq_schema_accepts(&s, "listeners.ssl.1"));
	assert_true(rmq_schema_accepts(&s, "ssl_options.versions.2"));
	assert_true(rmq_schema_accepts(&s, "management.ssl.port"));
	/* one $ segment is one key segment */
	assert_false(rmq_schema_accepts(&s, "listeners.ssl"));
	assert_false(rmq_schema_accepts(&s, "listeners.ssl.a.b"));
	assert_false(rmq_schema_accepts(&s, "listeners.tcp.ssl_options.enabled"));
	assert_false(rmq_schema_accepts(&s, "not.ours"));
	assert_false(rmq_schema_accepts(&s, ""));
	assert_false(rmq_schema_accepts(&s, "listeners..tcp"));
	assert_false(rmq_schema_accepts(&s, "listeners.tcp."));
	rmq_schema_release(&s);
	assert_int_equal(s.n, 0);
}

static void
test_empty(void **state)
{
	struct rmq_schema s = RMQ_SCHEMA_INIT;

	(void)state;
	rmq_schema_parse(&s, "", "N");
	assert_int_equal(s.n, 0);
	assert_false(rmq_schema_accepts(&s, "listeners.tcp"));
	rmq_schema_release(&s);
}

/* The real script against the real schema files of this machine. */
static void
test_real_broker(void **state)
{
	const char *lib = "/usr/lib/rabbitmq/lib";
	struct rmq_schema s = RMQ_SCHEMA_INIT;
	struct strbuf cmd = STRBUF_INIT, out = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f;

	(void)state;
	if (access(lib, R_OK) != 0)
		skip();
	rmq_schema_cmd(&cmd, "NONCE42", lib);
	f = popen(cmd.buf, "r");
	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&out, buf, n);
	assert_int_equal(pclose(f), 0);
	rmq_schema_parse(&s, out.buf, "NONCE42");
	assert_true(s.nfiles > 10);
	assert_true(s.n > 100);
	assert_true(rmq_schema_accepts(&s, "listeners.tcp"));
	assert_true(rmq_schema_accepts(&s, "listeners.ssl.default"));
	assert_true(rmq_schema_accepts(&s, "ssl_options.fail_if_no_peer_cert"));
	assert_true(rmq_schema_accepts(&s, "ssl_options.versions.1"));
	assert_true(rmq_schema_accepts(&s, "management.ssl.port"));
	assert_true(rmq_schema_accepts(&s, "stomp.listeners.tcp"));
	assert_false(rmq_schema_accepts(&s, "listeners.tcp.ssl_options.enabled"));
	assert_false(rmq_schema_accepts(&s, "listeners.tcp.ssl_options.certfile"));
	rmq_schema_release(&s);
	strbuf_release(&cmd);
	strbuf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_match),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_real_broker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
