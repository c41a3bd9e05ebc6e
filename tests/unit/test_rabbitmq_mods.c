/*
 * test_rabbitmq_mods.c - amqp_probe, rabbitmq_facts and rabbitmq_tls run
 * whole, through the local transport (ansible_connection=local) with the
 * runner's own argument handling:
 *  - amqp_probe against a local fake server that answers with the bytes a
 *    real RabbitMQ 3.10.8 sent (tests/unit/fixtures/rabbitmq/): every
 *    outcome (accepted, refused, error), expect, from: controller, and the
 *    readiness wait with BOOT FAILED in a (captured) startup_log;
 *  - rabbitmq_facts and rabbitmq_tls on a configuration directory made in
 *    a temporary directory (conf_dir), pre-flight off (it is tested on
 *    captured output in test_rmqhost.c and for real in tests/e2e/t42).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "modules/module.h"
#include "runner/core/args.h"
#include "runner/core/executor.h"
#include "runner/util/yamlload.h"
#include "runner/util/banned.h"

/* ------------------------------------------------------------ helpers */

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		fail_msg("cannot open %s (run from the repository root)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

static char *
fixture(const char *name, size_t *len)
{
	char path[512];

	snprintf(path, sizeof(path), "tests/unit/fixtures/%s", name);
	return slurp(path, len);
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

/* ------------------------------------------------------------ fake broker */

enum fake_mode { FAKE_REPLY, FAKE_CLOSE };

struct fake {
	int fd, port;
	enum fake_mode mode;
	char *reply;
	size_t len;
	int stop;
	pthread_t th;
};

static void *
serve(void *arg)
{
	struct fake *f = arg;
	char buf[64];

	for (;;) {
		struct pollfd p;
		int c = accept(f->fd, NULL, NULL);

		if (c < 0 || f->stop) {
			if (c >= 0)
				close(c);
			break;
		}
		p.fd = c;
		p.events = POLLIN;
		if (poll(&p, 1, 2000) == 1 && read(c, buf, sizeof(buf)) > 0 &&
		    f->mode == FAKE_REPLY)
			(void)!write(c, f->reply, f->len);
		close(c);
	}
	return NULL;
}

static void
fake_start(struct fake *f, enum fake_mode mode, char *reply, size_t len)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->reply = reply;
	f->len = len;
	f->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(f->fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(f->fd, 8), 0);
	assert_int_equal(getsockname(f->fd, (struct sockaddr *)&a, &al), 0);
	f->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&f->th, NULL, serve, f), 0);
}

static void
fake_stop(struct fake *f)
{
	f->stop = 1;
	shutdown(f->fd, SHUT_RDWR);
	pthread_join(f->th, NULL);
	close(f->fd);
	free(f->reply);
}

/* A port nothing listens on (bound, then closed). */
static int
closed_port(void)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* ------------------------------------------------------------ modules */

struct run {
	struct run_opts opts;
	struct hostctx host;
	struct modctx ctx;
	enum mod_result ret;
};

static void
run_mod(struct run *r, const char *mod, const char *yaml)
{
	const struct module *m = module_find(mod);
	struct val *raw = NULL, *args = NULL;
	struct conn_params cp;
	struct err e = ERR_INIT;
	struct pos p = { "test", 1, 1 };

	assert_non_null(m);
	memset(r, 0, sizeof(*r));
	assert_int_equal(yaml_load_string("args", yaml, strlen(yaml), &raw,
	    &e), 0);
	if (args_normalize(m, raw, &e) < 0 ||
	    args_coerce(m, raw, &p, &args, &e) < 0)
		fail_msg("invalid arguments: %s", e.msg.buf);
	r->host.opts = &r->opts;
	r->host.name = "local";
	strbuf_init(&r->host.out, 0);
	memset(&cp, 0, sizeof(cp));
	cp.name = cp.host = "localhost";
	cp.local = 1;
	assert_int_equal(conn_open(&r->host.conn, &cp, &e), 0);
	r->ctx.host = &r->host;
	r->ctx.host_name = "local";
	r->ctx.task_name = mod;
	r->ctx.rc = -1;
	strbuf_init(&r->ctx.msg, 0);
	strbuf_init(&r->ctx.diffs, 0);
	r->ret = m->run(&r->ctx, args);
	assert_true(r->ret != MOD_UNREACHABLE && r->ret >= MOD_OK &&
	    r->ret <= MOD_UNREACHABLE);
	assert_int_equal(r->ret == MOD_FAILED, r->ctx.failed != 0);
	val_free(raw);
	val_free(args);
	err_release(&e);
}

static void
run_free(struct run *r)
{
	conn_close(r->host.conn);
	strbuf_release(&r->host.out);
	strbuf_release(&r->ctx.msg);
	strbuf_release(&r->ctx.diffs);
	val_free(r->ctx.data);
}

static const char *
dstr(const struct run *r, const char *path)
{
	const struct val *v = val_map_getpath(r->ctx.data, path);

	assert_non_null(v);
	assert_int_equal(v->type, V_STR);
	return v->u.str.s;
}

static int64_t
dint(const struct run *r, const char *path)
{
	const struct val *v = val_map_getpath(r->ctx.data, path);
	int64_t i;

	assert_non_null(v);
	assert_int_equal(val_to_int(v, &i), 0);
	return i;
}

static int
dbool(const struct run *r, const char *path)
{
	const struct val *v = val_map_getpath(r->ctx.data, path);

	assert_non_null(v);
	assert_int_equal(v->type, V_BOOL);
	return v->u.b;
}

static void
probe_fake(struct run *r, const char *fix, enum fake_mode mode,
    const char *extra)
{
	struct fake f;
	char *reply = NULL, yaml[512];
	size_t len = 0;

	if (fix != NULL && fix[0] == '=') {
		reply = strdup(fix + 1);
		len = strlen(reply);
	} else if (fix != NULL) {
		reply = fixture(fix, &len);
	}
	fake_start(&f, mode, reply, len);
	snprintf(yaml, sizeof(yaml), "{port: %d%s%s}", f.port,
	    extra ? ", " : "", extra ? extra : "");
	run_mod(r, "amqp_probe", yaml);
	fake_stop(&f);
}

/* ------------------------------------------------------------ amqp_probe */

static void
probe_accepted(void **state)
{
	struct run r;

	(void)state;
	probe_fake(&r, "rabbitmq/connection_start.bin", FAKE_REPLY, NULL);
	assert_false(r.ctx.failed);
	assert_string_equal(dstr(&r, "outcome"), "accepted");
	assert_true(dbool(&r, "accepted"));
	assert_string_equal(dstr(&r, "server.product"), "RabbitMQ");
	assert_string_equal(dstr(&r, "server.version"), "3.10.8");
	assert_string_equal(dstr(&r, "server.amqp"), "0-9");
	assert_string_equal(dstr(&r, "expect"), "any");
	assert_non_null(strstr(r.ctx.msg.buf, "cleartext AMQP ACCEPTED: "
	    "Connection.Start (AMQP 0-9) from RabbitMQ 3.10.8"));
	run_free(&r);
	/* the same, expected refused: the task fails, the facts stay */
	probe_fake(&r, "rabbitmq/connection_start.bin", FAKE_REPLY,
	    "expect: refused");
	assert_true(r.ctx.failed);
	assert_string_equal(dstr(&r, "outcome"), "accepted");
	assert_non_null(strstr(r.ctx.msg.buf, "expected refused, got "
	    "accepted"));
	run_free(&r);
	/* straight from the controller */
	probe_fake(&r, "rabbitmq/connection_start.bin", FAKE_REPLY,
	    "from: controller, expect: accepted");
	assert_false(r.ctx.failed);
	assert_string_equal(dstr(&r, "from"), "controller");
	assert_non_null(strstr(r.ctx.msg.buf, "(from the controller)"));
	run_free(&r);
}

static void
probe_refusals(void **state)
{
	struct run r;
	char yaml[128];

	(void)state;
	probe_fake(&r, "rabbitmq/tls_alert.bin", FAKE_REPLY, "expect: refused");
	assert_false(r.ctx.failed);
	assert_string_equal(dstr(&r, "outcome"), "refused");
	assert_non_null(strstr(dstr(&r, "detail"), "TLS alert"));
	run_free(&r);
	probe_fake(&r, "rabbitmq/starttls_reply.bin", FAKE_REPLY, NULL);
	assert_false(r.ctx.failed);      /* expect any */
	assert_string_equal(dstr(&r, "outcome"), "refused");
	assert_non_null(strstr(dstr(&r, "detail"), "protocol header AMQP "
	    "0-0-9-1"));
	run_free(&r);
	probe_fake(&r, NULL, FAKE_CLOSE, "expect: accepted");
	assert_true(r.ctx.failed);
	assert_string_equal(dstr(&r, "outcome"), "refused");
	assert_string_equal(dstr(&r, "detail"), "the server closed the "
	    "connection without a reply");
	run_free(&r);
	snprintf(yaml, sizeof(yaml), "{port: %d, expect: refused}",
	    closed_port());
	run_mod(&r, "amqp_probe", yaml);
	assert_false(r.ctx.failed);
	assert_string_equal(dstr(&r, "detail"), "connection refused");
	assert_int_equal(dint(&r, "attempts"), 1);
	run_free(&r);
}

static void
probe_errors(void **state)
{
	struct run r;

	(void)state;
	/* not AMQP: an error fails even with expect: any */
	probe_fake(&r, "=HTTP/1.1 400 Bad Request\r\n\r\n", FAKE_REPLY, NULL);
	assert_true(r.ctx.failed);
	assert_string_equal(dstr(&r, "outcome"), "error");
	assert_non_null(strstr(dstr(&r, "detail"), "not an AMQP 0-9-1 reply"));
	run_free(&r);
	/* tls without a CA: refused before connecting */
	run_mod(&r, "amqp_probe", "{mode: tls}");
	assert_true(r.ctx.failed);
	assert_non_null(strstr(r.ctx.msg.buf, "ca_file is required"));
	run_free(&r);
	/* a CA file that cannot be loaded: error, not retried */
	probe_fake(&r, "rabbitmq/tls_alert.bin", FAKE_REPLY,
	    "mode: tls, ca_file: /nonexistent/ca.pem, wait: 30");
	assert_true(r.ctx.failed);
	assert_string_equal(dstr(&r, "outcome"), "error");
	assert_int_equal(dint(&r, "attempts"), 1);
	assert_non_null(strstr(dstr(&r, "detail"), "cannot load CA file"));
	run_free(&r);
	run_mod(&r, "amqp_probe", "{cert_file: /a.pem}");
	assert_true(r.ctx.failed);
	assert_non_null(strstr(r.ctx.msg.buf, "go together"));
	run_free(&r);
}

static void
probe_boot_failed(void **state)
{
	char dir[] = "/tmp/mend-test-rmq.XXXXXX", log[256], yaml[512];
	char *text;
	struct run r;
	time_t t0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/startup_log", dir);
	text = fixture("rmqhost/startup_log-keyfile", NULL);
	put(log, text);
	free(text);
	/* BOOT FAILED in the log ends a 60 s wait at once */
	t0 = time(NULL);
	snprintf(yaml, sizeof(yaml), "{port: %d, expect: accepted, wait: 60, "
	    "boot_log: [%s, {path: %s/missing}]}", closed_port(), log, dir);
	run_mod(&r, "amqp_probe", yaml);
	assert_true(time(NULL) - t0 < 20);
	assert_true(r.ctx.failed);
	assert_true(dbool(&r, "boot_failed"));
	assert_false(dbool(&r, "boot_completed"));
	assert_string_equal(dstr(&r, "boot_logs"), log);
	assert_string_equal(dstr(&r, "boot_errors.0"), "ssl_options.keyfile "
	    "invalid, file does not exist or cannot be read by the node");
	assert_non_null(strstr(r.ctx.msg.buf, "the broker did not boot "
	    "(BOOT FAILED in "));
	run_free(&r);
	/* a log older than boot_log_since (the restart) does not count: the
	 * wait runs out (3 s) instead */
	snprintf(yaml, sizeof(yaml), "{port: %d, expect: accepted, wait: 3, "
	    "boot_log: [{path: %s, offset: 0, since: %lld}]}", closed_port(),
	    log, (long long)time(NULL) + 3600);
	run_mod(&r, "amqp_probe", yaml);
	assert_true(r.ctx.failed);
	assert_false(dbool(&r, "boot_failed"));
	assert_true(dint(&r, "attempts") >= 2);
	assert_int_equal(val_map_getpath(r.ctx.data, "boot_errors")->u.list.n,
	    0);
	run_free(&r);
	/* an offset past the old content skips it; a file now shorter than
	 * the offset (rewritten) is read from its start */
	snprintf(yaml, sizeof(yaml), "{port: %d, expect: accepted, "
	    "boot_log: [{path: %s, offset: 100000}]}", closed_port(), log);
	run_mod(&r, "amqp_probe", yaml);
	assert_true(dbool(&r, "boot_failed"));
	run_free(&r);
	text = fixture("rmqhost/startup_log-ok", NULL);
	put(log, text);
	free(text);
	snprintf(yaml, sizeof(yaml), "{port: %d, expect: accepted, wait: 30, "
	    "grace: 1, boot_log: [%s]}", closed_port(), log);
	t0 = time(NULL);
	run_mod(&r, "amqp_probe", yaml);
	assert_true(time(NULL) - t0 < 20);       /* completed + grace */
	assert_true(r.ctx.failed);
	assert_true(dbool(&r, "boot_completed"));
	assert_non_null(strstr(r.ctx.msg.buf, "the broker started but does "
	    "not answer here"));
	run_free(&r);
	unlink(log);
	rmdir(dir);
}

/* ------------------------------------------------------ facts and patch */

struct confdir {
	char dir[64];
	char path[128];
};

static void
confdir_make(struct confdir *c, const char *conf)
{
	char p[256];

	snprintf(c->dir, sizeof(c->dir), "/tmp/mend-test-rmqc.XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	snprintf(p, sizeof(p), "%s/conf.d", c->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(c->path, sizeof(c->path), "%s/rabbitmq.conf", c->dir);
	if (conf != NULL)
		put(c->path, conf);
}

static void
confdir_put(const struct confdir *c, const char *name, const char *text)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", c->dir, name);
	put(p, text);
}

static void
confdir_free(struct confdir *c)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c->dir);
	assert_int_equal(system(cmd), 0);
}

static const char seed_conf[] =
	"# broker\n"
	"listeners.tcp.1 = 127.0.0.1:5672\n"
	"listeners.tcp.ssl_options.enabled = true\n"
	"vm_memory_high_watermark.relative = 0.6\n";

static void
facts_seed(void **state)
{
	struct confdir c;
	struct run r;
	char yaml[256];

	(void)state;
	confdir_make(&c, seed_conf);
	confdir_put(&c, "conf.d/10-mgmt.conf", "management.tcp.port = 15672\n");
	confdir_put(&c, "enabled_plugins", "[rabbitmq_management].\n");
	snprintf(yaml, sizeof(yaml), "{conf_dir: %s}", c.dir);
	run_mod(&r, "rabbitmq_facts", yaml);
	assert_false(r.ctx.failed);
	assert_true(dbool(&r, "vulnerable"));
	assert_true(dbool(&r, "plaintext_amqp"));
	assert_true(dbool(&r, "will_not_boot"));
	assert_true(dbool(&r, "plaintext_plugins"));
	assert_false(dbool(&r, "legacy_active"));
	assert_string_equal(dstr(&r, "conf_file"), c.path);
	assert_string_equal(dstr(&r, "main_format"), "conf");
	assert_string_equal(dstr(&r, "invalid_keys.0.key"),
	    "listeners.tcp.ssl_options.enabled");
	assert_int_equal(dint(&r, "invalid_keys.0.line"), 3);
	assert_string_equal(dstr(&r, "probe.host"), "127.0.0.1");
	assert_int_equal(dint(&r, "probe.port"), 5672);
	assert_string_equal(dstr(&r, "plugins.0"), "rabbitmq_management");
	assert_string_equal(dstr(&r, "listeners.1.protocol"), "management HTTP");
	assert_non_null(strstr(r.ctx.msg.buf, "vulnerable: "));
	run_free(&r);
	/* the legacy file wins: rabbitmq.conf is ignored */
	confdir_put(&c, "rabbitmq.config", "[{rabbit, [{tcp_listeners, "
	    "[5673]}]}].\n");
	run_mod(&r, "rabbitmq_facts", yaml);
	assert_true(dbool(&r, "legacy_active"));
	assert_string_equal(dstr(&r, "main_format"), "legacy");
	assert_int_equal(dint(&r, "probe.port"), 5673);
	assert_false(dbool(&r, "will_not_boot"));
	run_free(&r);
	confdir_free(&c);
}

static void
facts_env_config_file(void **state)
{
	struct confdir c;
	struct run r;
	char yaml[256], env[256];

	(void)state;
	confdir_make(&c, NULL);
	snprintf(env, sizeof(env), "CONFIG_FILE=%s/custom\n"
	    "LOG_BASE=\"$HOME/x\"\n", c.dir);
	confdir_put(&c, "rabbitmq-env.conf", env);
	confdir_put(&c, "custom.conf", "listeners.tcp = none\n"
	    "listeners.ssl.default = 5671\n");
	snprintf(yaml, sizeof(yaml), "{conf_dir: %s}", c.dir);
	run_mod(&r, "rabbitmq_facts", yaml);
	assert_false(r.ctx.failed);
	assert_false(dbool(&r, "vulnerable"));
	assert_non_null(strstr(dstr(&r, "conf_file"), "/custom.conf"));
	assert_true(val_map_getpath(r.ctx.data, "probe")->type == V_NULL);
	assert_int_equal(dint(&r, "probe_tls.port"), 5671);
	assert_string_equal(dstr(&r, "log_dir"), "/var/log/rabbitmq");
	assert_non_null(strstr(dstr(&r, "notes.1"), "LOG_BASE is computed by "
	    "the shell"));
	run_free(&r);
	confdir_free(&c);
}

static char *
tls_yaml(const struct confdir *c, const char *extra)
{
	return xasprintf("{conf_dir: %s, cacertfile: /etc/r/ca.pem, certfile: "
	    "/etc/r/s.pem, keyfile: /etc/r/s.key, preflight: false%s%s}",
	    c->dir, extra ? ", " : "", extra ? extra : "");
}

static void
tls_patch_and_restore(void **state)
{
	struct confdir c;
	struct run r;
	char *yaml, *after, bk[512];

	(void)state;
	confdir_make(&c, seed_conf);
	confdir_put(&c, "orig.conf", seed_conf);
	/* preflight state: nothing written, would_change */
	yaml = tls_yaml(&c, "state: preflight");
	run_mod(&r, "rabbitmq_tls", yaml);
	free(yaml);
	assert_false(r.ctx.failed);
	assert_false(r.ctx.changed);
	assert_true(dbool(&r, "would_change"));
	after = slurp(c.path, NULL);
	assert_string_equal(after, seed_conf);
	free(after);
	run_free(&r);
	/* the patch */
	yaml = tls_yaml(&c, "fail_if_no_peer_cert: true");
	run_mod(&r, "rabbitmq_tls", yaml);
	assert_false(r.ctx.failed);
	assert_true(r.ctx.changed);
	assert_string_equal(dstr(&r, "invalid_removed.0"),
	    "listeners.tcp.ssl_options.enabled");
	assert_true(dbool(&r, "existed_before"));
	assert_int_equal(val_map_getpath(r.ctx.data, "reasons_after")->u.list.n,
	    0);
	run_free(&r);
	after = slurp(c.path, NULL);
	assert_non_null(strstr(after, "# broker\n# mend: removed (plaintext "
	    "AMQP listener): listeners.tcp.1 = 127.0.0.1:5672\n# mend: removed "
	    "(not a RabbitMQ setting, the broker refuses to boot with it): "
	    "listeners.tcp.ssl_options.enabled = true\n"
	    "vm_memory_high_watermark.relative = 0.6\n"));
	assert_non_null(strstr(after, "\nlisteners.tcp = none\n"
	    "listeners.ssl.default = 5671\n"));
	assert_non_null(strstr(after, "\nssl_options.fail_if_no_peer_cert = "
	    "true\n"));
	free(after);
	/* idempotent */
	run_mod(&r, "rabbitmq_tls", yaml);
	free(yaml);
	assert_false(r.ctx.failed);
	assert_false(r.ctx.changed);
	assert_non_null(strstr(r.ctx.msg.buf, "already makes AMQP TLS-only"));
	run_free(&r);
	/* restored from a copy */
	snprintf(bk, sizeof(bk), "{state: restored, path: %s, backup_file: "
	    "%s/orig.conf}", c.path, c.dir);
	run_mod(&r, "rabbitmq_tls", bk);
	assert_false(r.ctx.failed);
	assert_true(r.ctx.changed);
	run_free(&r);
	after = slurp(c.path, NULL);
	assert_string_equal(after, seed_conf);
	free(after);
	/* restored without a copy: the file did not exist, it goes */
	snprintf(bk, sizeof(bk), "{state: restored, path: %s}", c.path);
	run_mod(&r, "rabbitmq_tls", bk);
	assert_true(r.ctx.changed);
	assert_int_equal(access(c.path, F_OK), -1);
	run_free(&r);
	run_mod(&r, "rabbitmq_tls", bk);
	assert_false(r.ctx.changed);
	run_free(&r);
	confdir_free(&c);
}

static void
tls_refusals(void **state)
{
	struct confdir c;
	struct run r;
	char *yaml, *after;

	(void)state;
	confdir_make(&c, seed_conf);
	yaml = tls_yaml(&c, NULL);
	/* conf.d overrides the certificate: refused, nothing written */
	confdir_put(&c, "conf.d/90-tls.conf", "ssl_options.certfile = "
	    "/other.pem\n");
	run_mod(&r, "rabbitmq_tls", yaml);
	assert_true(r.ctx.failed);
	assert_non_null(strstr(r.ctx.msg.buf, "a conf.d file overrides the "
	    "TLS files (effective certfile '/other.pem'"));
	run_free(&r);
	/* an invalid key in conf.d: the broker would not boot */
	confdir_put(&c, "conf.d/90-tls.conf", "listeners.ssl.ssl_options.x = "
	    "1\n");
	run_mod(&r, "rabbitmq_tls", yaml);
	assert_true(r.ctx.failed);
	assert_non_null(strstr(r.ctx.msg.buf, "invalid key "
	    "'listeners.ssl.ssl_options.x'"));
	run_free(&r);
	confdir_put(&c, "conf.d/90-tls.conf", "# nothing\n");
	/* the legacy file: refused with the explanation */
	confdir_put(&c, "rabbitmq.config", "[].\n");
	run_mod(&r, "rabbitmq_tls", yaml);
	assert_true(r.ctx.failed);
	assert_non_null(strstr(r.ctx.msg.buf, "rabbitmq.config exists and "
	    "RabbitMQ loads it INSTEAD of rabbitmq.conf"));
	run_free(&r);
	free(yaml);
	after = slurp(c.path, NULL);
	assert_string_equal(after, seed_conf);
	free(after);
	confdir_free(&c);
}

static void
tls_plugins_close(void **state)
{
	struct confdir c;
	struct run r;
	char *yaml, *after;
	const struct val *notes;
	size_t i;

	(void)state;
	confdir_make(&c, "listeners.tcp.default = 5672\n"
	    "management.tcp.port = 15672\n");
	confdir_put(&c, "enabled_plugins", "[rabbitmq_management,"
	    "rabbitmq_stomp,rabbitmq_mqtt].\n");
	/* keep (default): AMQP fixed, the plugin listeners stay, noted */
	yaml = tls_yaml(&c, "state: preflight");
	run_mod(&r, "rabbitmq_tls", yaml);
	free(yaml);
	assert_false(r.ctx.failed);
	notes = val_map_getpath(r.ctx.data, "notes_after");
	assert_int_equal(notes->u.list.n, 3);
	assert_non_null(strstr(notes->u.list.items[1]->u.str.s,
	    "plaintext STOMP listener on 61613"));
	run_free(&r);
	/* close: STOMP/MQTT TLS-only, management on HTTPS */
	yaml = tls_yaml(&c, "plaintext_plugins: close");
	run_mod(&r, "rabbitmq_tls", yaml);
	free(yaml);
	assert_false(r.ctx.failed);
	assert_true(r.ctx.changed);
	notes = val_map_getpath(r.ctx.data, "notes_after");
	for (i = 0; i < notes->u.list.n; i++)
		assert_null(strstr(notes->u.list.items[i]->u.str.s,
		    "plaintext"));
	run_free(&r);
	after = slurp(c.path, NULL);
	assert_non_null(strstr(after, "# mend: removed (plaintext management "
	    "(HTTP) listener): management.tcp.port = 15672\n"));
	assert_non_null(strstr(after, "\nstomp.listeners.tcp = none\n"));
	assert_non_null(strstr(after, "\nmqtt.listeners.tcp = none\n"));
	assert_non_null(strstr(after, "\nmanagement.ssl.port = 15671\n"));
	assert_non_null(strstr(after, "\nmanagement.ssl.certfile = "
	    "/etc/r/s.pem\n"));
	assert_null(strstr(after, "stream."));    /* not enabled */
	free(after);
	confdir_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_accepted),
		cmocka_unit_test(probe_refusals),
		cmocka_unit_test(probe_errors),
		cmocka_unit_test(probe_boot_failed),
		cmocka_unit_test(facts_seed),
		cmocka_unit_test(facts_env_config_file),
		cmocka_unit_test(tls_patch_and_restore),
		cmocka_unit_test(tls_refusals),
		cmocka_unit_test(tls_plugins_close),
	};

	assert_int_equal(transport_init(), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
