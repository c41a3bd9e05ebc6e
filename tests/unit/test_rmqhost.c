/* test_rmqhost.c - RabbitMQ host facts: rabbitmq-env.conf, the main config
 * rule, the TLS pre-flight script's output (captured from the real script
 * on Debian 12 with openssl 3.0) and the broker's boot logs (captured from
 * RabbitMQ 3.10.8 in the lab). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/rmqhost.h"

static char *
fixture(const char *name, size_t *len)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "%s/%s", "rmqhost", name);
	return tu_read_fixture(rel, len);
}

/* ------------------------------------------------------ env file */

static void
test_env_debian_default(void **state)
{
	struct rmq_env env;
	char *buf;
	size_t len;

	(void)state;
	buf = fixture("rabbitmq-env.conf", &len);
	rmq_env_parse(&env, buf, len);
	assert_int_equal(env.n, 0);      /* only comments */
	assert_null(rmq_env_get(&env, "CONFIG_FILE"));
	rmq_env_release(&env);
	free(buf);
}

static void
test_env_assignments(void **state)
{
	static const char text[] =
	    "# comment\n"
	    "CONFIG_FILE=/etc/rabbitmq/custom\n"
	    "export RABBITMQ_NODENAME='rabbit@node 1'  # trailing\n"
	    "  NODE_PORT=\"5673\"\n"
	    "LOG_BASE=$HOME/log\n"
	    "ADVANCED_CONFIG_FILE=\"/etc/x/$(hostname).config\"\n"
	    "ENABLED_PLUGINS_FILE=/a\\ b;echo hi\n"
	    "if [ -n \"$X\" ]; then CONFIG_FILE=/nope; fi\n"
	    "NOTANASSIGN = x\n"
	    "CONFIG_FILE=/etc/rabbitmq/second\r\n"
	    "UNCLOSED='abc\n"
	    "EMPTY=";
	const struct rmq_env_var *v;
	struct rmq_env env;

	(void)state;
	rmq_env_parse(&env, text, sizeof(text) - 1);
	v = rmq_env_get(&env, "CONFIG_FILE");
	assert_non_null(v);
	assert_string_equal(v->value, "/etc/rabbitmq/second");  /* last wins, \r dropped */
	assert_int_equal(v->line, 10);
	v = rmq_env_get(&env, "RABBITMQ_NODENAME");          /* prefix optional */
	assert_non_null(v);
	assert_string_equal(v->value, "rabbit@node 1");
	assert_int_equal(v->dynamic, 0);
	v = rmq_env_get(&env, "NODE_PORT");
	assert_string_equal(v->value, "5673");
	v = rmq_env_get(&env, "LOG_BASE");
	assert_int_equal(v->dynamic, 1);
	v = rmq_env_get(&env, "ADVANCED_CONFIG_FILE");
	assert_int_equal(v->dynamic, 1);
	v = rmq_env_get(&env, "ENABLED_PLUGINS_FILE");
	assert_string_equal(v->value, "/a b");                /* escaped blank, ; ends */
	assert_int_equal(v->dynamic, 0);
	v = rmq_env_get(&env, "UNCLOSED");
	assert_int_equal(v->dynamic, 1);
	v = rmq_env_get(&env, "EMPTY");
	assert_string_equal(v->value, "");
	assert_null(rmq_env_get(&env, "NOTANASSIGN"));
	rmq_env_release(&env);
}

static void
test_env_empty_and_binary(void **state)
{
	static const char text[] = "A=\"x\\\"y\"\nB='it''s'\n\0C=1\n";
	struct rmq_env env;

	(void)state;
	rmq_env_parse(&env, "", 0);
	assert_int_equal(env.n, 0);
	rmq_env_release(&env);
	rmq_env_parse(&env, text, sizeof(text) - 1);
	assert_string_equal(rmq_env_get(&env, "A")->value, "x\"y");
	assert_string_equal(rmq_env_get(&env, "B")->value, "its");
	assert_null(rmq_env_get(&env, "C"));           /* NUL starts the line */
	rmq_env_release(&env);
}

/* ------------------------------------------------------ main file */

static void
check_main(const char *base, int is_file, int erl, int conf, int config,
    const char *want, enum rmq_main_format fmt, const char *ignored)
{
	struct rmq_main_probe pr = { is_file, erl, conf, config };
	struct rmq_main m;

	rmq_main_resolve(base, &pr, &m);
	assert_string_equal(m.path, want);
	assert_int_equal(m.format, fmt);
	if (ignored == NULL)
		assert_null(m.ignored);
	else
		assert_string_equal(m.ignored, ignored);
	rmq_main_release(&m);
}

static void
test_main_rule(void **state)
{
	const char *b = "/etc/rabbitmq/rabbitmq";

	(void)state;
	/* Debian default: nothing exists -> rabbitmq.conf (to be created) */
	check_main(b, 0, 0, 0, 0, "/etc/rabbitmq/rabbitmq.conf", RMQ_MAIN_CONF,
	    NULL);
	check_main(b, 0, 0, 1, 0, "/etc/rabbitmq/rabbitmq.conf", RMQ_MAIN_CONF,
	    NULL);
	/* the legacy file wins, rabbitmq.conf is ignored */
	check_main(b, 0, 0, 1, 1, "/etc/rabbitmq/rabbitmq.config",
	    RMQ_MAIN_LEGACY, "/etc/rabbitmq/rabbitmq.conf");
	check_main(b, 0, 0, 0, 1, "/etc/rabbitmq/rabbitmq.config",
	    RMQ_MAIN_LEGACY, NULL);
	/* CONFIG_FILE names an existing file: its extension decides */
	check_main("/srv/r.conf", 1, 0, 0, 1, "/srv/r.conf", RMQ_MAIN_CONF,
	    NULL);
	check_main("/srv/r.config", 1, 0, 0, 0, "/srv/r.config",
	    RMQ_MAIN_LEGACY, NULL);
	check_main("/srv/r", 1, 1, 0, 0, "/srv/r", RMQ_MAIN_LEGACY, NULL);
	check_main("/srv/r", 1, 0, 0, 0, "/srv/r", RMQ_MAIN_CONF, NULL);
	/* a missing "x.conf" is taken without its extension */
	check_main("/srv/r.conf", 0, 0, 0, 1, "/srv/r.config", RMQ_MAIN_LEGACY,
	    NULL);
	check_main("/srv/r.config", 0, 0, 0, 0, "/srv/r.conf", RMQ_MAIN_CONF,
	    NULL);
}

static void
test_main_stem(void **state)
{
	char *s;

	(void)state;
	s = rmq_main_stem("/a/b.conf");
	assert_string_equal(s, "/a/b");
	free(s);
	s = rmq_main_stem("/a/b.config");
	assert_string_equal(s, "/a/b");
	free(s);
	s = rmq_main_stem(".conf");      /* nothing before the extension */
	assert_string_equal(s, ".conf");
	free(s);
	s = rmq_main_stem("/a/b.cnf");
	assert_string_equal(s, "/a/b.cnf");
	free(s);
}

/* ------------------------------------------------------ pre-flight */

static size_t
problems_of(const char *name, struct rmq_preflight *p, struct strbuf *pr,
    struct strbuf *no, const char *ca, const char *cert, const char *key)
{
	char *buf = fixture(name, NULL);
	size_t n;

	assert_int_equal(rmq_preflight_parse(buf, p), 0);
	n = rmq_preflight_problems(p, "rabbitmq", ca, cert, key, pr, no);
	free(buf);
	return n;
}

static void
test_preflight_ok(void **state)
{
	struct strbuf pr = STRBUF_INIT, no = STRBUF_INIT;
	struct rmq_preflight p;

	(void)state;
	assert_int_equal(problems_of("preflight-ok.txt", &p, &pr, &no, "/c",
	    "/s", "/k"), 0);
	assert_string_equal(pr.buf, "");
	assert_string_equal(no.buf, "");
	assert_int_equal(p.user_exists, 1);
	assert_int_equal(p.as_root, 1);
	assert_int_equal(p.key_match, 1);
	assert_int_equal(p.expired, 0);
	assert_int_equal(p.chain_ok, 1);
	assert_int_equal(p.have_days, 1);
	assert_int_equal(p.days_left, 824);
	assert_string_equal(p.subject, "CN=srv,O=mend test lab");
	assert_string_equal(p.not_after, "Feb 24 13:35:24 2029 GMT");
	assert_string_equal(p.key.mode, "644");
	assert_string_equal(p.key.owner, "root");
	strbuf_release(&pr);
	strbuf_release(&no);
}

static void
test_preflight_root_key_mismatch(void **state)
{
	struct strbuf pr = STRBUF_INIT, no = STRBUF_INIT;
	struct rmq_preflight p;

	(void)state;
	assert_int_equal(problems_of("preflight-rootkey-mismatch.txt", &p, &pr,
	    &no, "/tls/ca.pem", "/tls/srv.pem", "/tls/other.key"), 2);
	assert_string_equal(pr.buf,
	    "ssl_options.keyfile: /tls/other.key is not readable by user "
	    "'rabbitmq' (mode 600, owner root:root): the broker would refuse "
	    "to boot ('ssl_options.keyfile invalid, file does not exist or "
	    "cannot be read by the node')\n"
	    "ssl_options.keyfile: the key in /tls/other.key does not belong to "
	    "the certificate in /tls/srv.pem (their public keys differ)\n");
	assert_int_equal(p.key.readable, 0);
	assert_int_equal(p.key_ok, 1);          /* root can read it */
	assert_int_equal(p.key_match, 0);
	strbuf_release(&pr);
	strbuf_release(&no);
}

static void
test_preflight_missing(void **state)
{
	struct strbuf pr = STRBUF_INIT, no = STRBUF_INIT;
	struct rmq_preflight p;

	(void)state;
	assert_int_equal(problems_of("preflight-missing.txt", &p, &pr, &no,
	    "/tls/srv.pem", "/tls/nonexist.pem", "/tls/srv.key"), 1);
	assert_string_equal(pr.buf, "ssl_options.certfile: /tls/nonexist.pem "
	    "does not exist\n");
	assert_int_equal(p.cert.exists, 0);
	assert_int_equal(p.cert_ok, -1);        /* not checked */
	assert_int_equal(p.key_match, -1);
	strbuf_release(&pr);
	strbuf_release(&no);
}

static void
test_preflight_expired_encrypted(void **state)
{
	struct strbuf pr = STRBUF_INIT, no = STRBUF_INIT;
	struct rmq_preflight p;

	(void)state;
	assert_int_equal(problems_of("preflight-expired-encrypted.txt", &p, &pr,
	    &no, "/c", "/e.pem", "/e.key"), 2);
	assert_non_null(strstr(pr.buf, "ssl_options.certfile: the certificate "
	    "in /e.pem (CN=expired) expired on Nov 22 13:35:36 2026 GMT\n"));
	assert_non_null(strstr(pr.buf, "ssl_options.keyfile: /e.key is not a "
	    "PEM private key readable without a passphrase\n"));
	assert_string_equal(no.buf, "the certificate in /e.pem does not verify "
	    "against /c: certificate has expired: clients that trust only "
	    "that CA will refuse it\n");
	strbuf_release(&pr);
	strbuf_release(&no);
}

static void
test_preflight_truncated_and_odd(void **state)
{
	struct strbuf pr = STRBUF_INIT, no = STRBUF_INIT;
	struct rmq_preflight p;

	(void)state;
	/* cut short: no end marker, not root, no openssl */
	assert_int_equal(rmq_preflight_parse("user=1\nroot=0\nca_exists=1\n"
	    "ca_regular=1\nca_readable=-1\n", &p), -1);
	assert_int_equal(rmq_preflight_problems(&p, "rabbitmq", "/c", "/s",
	    "/k", &pr, &no), 3);
	assert_non_null(strstr(pr.buf, "did not finish"));
	assert_non_null(strstr(pr.buf, "ssl_options.certfile: /s does not "
	    "exist"));
	assert_non_null(strstr(no.buf, "ssl_options.cacertfile: whether user "
	    "'rabbitmq' can read /c was not checked"));
	strbuf_reset(&pr);
	strbuf_reset(&no);
	/* no openssl on the host, a directory as key; CRLF; unknown keys;
	 * an over-long subject is truncated */
	assert_int_equal(rmq_preflight_parse("user=0\r\nroot=1\r\n"
	    "ca_exists=1\nca_regular=1\nca_readable=1\ncert_exists=1\n"
	    "cert_regular=1\ncert_readable=1\nkey_exists=1\nkey_regular=0\n"
	    "bogus=7\nnoequals\nopenssl=0\nend=1\n", &p), 0);
	assert_int_equal(rmq_preflight_problems(&p, "rmq", "/c", "/s", "/k",
	    &pr, NULL), 3);
	assert_string_equal(pr.buf, "user 'rmq' does not exist on the host\n"
	    "ssl_options.keyfile: /k is not a regular file\n"
	    "openssl is not installed on the host: cannot check that the key "
	    "matches the certificate\n");
	strbuf_release(&pr);
	strbuf_release(&no);
}

static void
test_preflight_cmd_quotes(void **state)
{
	struct strbuf cmd = STRBUF_INIT;

	(void)state;
	rmq_preflight_cmd(&cmd, "rabbit'mq", "/a b/ca.pem", "/x;rm -rf /",
	    "/$(id)");
	assert_non_null(strstr(cmd.buf, "u='rabbit'\\''mq'; ca='/a b/ca.pem'; "
	    "cert='/x;rm -rf /'; key='/$(id)'\n"));
	assert_non_null(strstr(cmd.buf, "echo end=1\n"));
	strbuf_release(&cmd);
}

/* ------------------------------------------------------ boot logs */

static void
test_boot_seed_key(void **state)
{
	struct strbuf lines = STRBUF_INIT;
	size_t len;
	char *buf = fixture("startup_log-seed", &len);
	int done = -1;

	(void)state;
	assert_int_equal(rmq_boot_scan(buf, len, &lines, 20, &done), 1);
	assert_int_equal(done, 0);
	assert_string_equal(lines.buf,
	    "You've tried to set listeners.tcp.ssl_options.enabled, but there "
	    "is no setting with that name.\n"
	    "Error preparing configuration in phase transform_datatypes:\n"
	    "- Conf file attempted to set unknown variable: "
	    "listeners.tcp.ssl_options.enabled\n"
	    "BOOT FAILED\n"
	    "Error during startup: {error,failed_to_prepare_configuration}\n");
	strbuf_release(&lines);
	free(buf);
}

static void
test_boot_keyfile(void **state)
{
	struct strbuf lines = STRBUF_INIT;
	size_t len;
	char *buf = fixture("startup_log-keyfile", &len);
	char *err = fixture("startup_err-keyfile", NULL);

	(void)state;
	assert_int_equal(rmq_boot_scan(buf, len, &lines, 20, NULL), 1);
	/* startup_err repeats BOOT FAILED and the startup error: no dups */
	assert_int_equal(rmq_boot_scan(err, strlen(err), &lines, 20, NULL), 1);
	assert_string_equal(lines.buf,
	    "ssl_options.keyfile invalid, file does not exist or cannot be "
	    "read by the node\n"
	    "Error preparing configuration in phase validation:\n"
	    "- ssl_options.keyfile invalid, file does not exist or cannot be "
	    "read by the node\n"
	    "BOOT FAILED\n"
	    "Error during startup: {error,failed_to_prepare_configuration}\n");
	strbuf_release(&lines);
	free(buf);
	free(err);
}

static void
test_boot_ok_and_limits(void **state)
{
	struct strbuf lines = STRBUF_INIT;
	size_t len;
	char *buf = fixture("startup_log-ok", &len);
	char longline[700];
	int done = 0;

	(void)state;
	assert_int_equal(rmq_boot_scan(buf, len, &lines, 20, &done), 0);
	assert_int_equal(done, 1);
	assert_string_equal(lines.buf, "");
	/* max lines, over-long lines cut, CRLF, "BOOT FAILED" with blanks,
	 * a lone prefix without message, a non-error level ignored */
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "2026-01-01 00:00:00.0+00:00 [error] <0.1.0> ", 44);
	longline[sizeof(longline) - 1] = '\0';
	assert_int_equal(rmq_boot_scan("a\r\n  BOOT FAILED  \r\n", 20, &lines,
	    5, &done), 1);
	assert_int_equal(done, 0);
	assert_int_equal(rmq_boot_scan(longline, strlen(longline), &lines, 5,
	    NULL), 0);
	assert_int_equal(rmq_boot_scan("2026-01-01 00:00:00 [error]", 27,
	    &lines, 5, NULL), 0);
	assert_int_equal(rmq_boot_scan("2026-01-01 00:00:00 [info] <0.1.0> "
	    "BOOT FAILED\n", 47, &lines, 5, NULL), 0);
	assert_int_equal(rmq_boot_scan("Error during startup: 1\nError "
	    "during startup: 2\nError during startup: 3\n", 72, &lines, 3,
	    NULL), 0);
	memset(longline, 'x', 300);
	memcpy(longline + 300, "...", 4);
	assert_int_equal(strncmp(lines.buf, "BOOT FAILED\n", 12), 0);
	assert_int_equal(strncmp(lines.buf + 12, longline, 303), 0);
	assert_string_equal(lines.buf + 12 + 303, "\nError during startup: 1\n");
	strbuf_release(&lines);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_debian_default),
		cmocka_unit_test(test_env_assignments),
		cmocka_unit_test(test_env_empty_and_binary),
		cmocka_unit_test(test_main_rule),
		cmocka_unit_test(test_main_stem),
		cmocka_unit_test(test_preflight_ok),
		cmocka_unit_test(test_preflight_root_key_mismatch),
		cmocka_unit_test(test_preflight_missing),
		cmocka_unit_test(test_preflight_expired_encrypted),
		cmocka_unit_test(test_preflight_truncated_and_odd),
		cmocka_unit_test(test_preflight_cmd_quotes),
		cmocka_unit_test(test_boot_seed_key),
		cmocka_unit_test(test_boot_keyfile),
		cmocka_unit_test(test_boot_ok_and_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
