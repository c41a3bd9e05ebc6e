/*
 * activemq_probe.c - does an ActiveMQ listener answer in cleartext, or
 * only over verified TLS?  Detection before the fix, proof and readiness
 * wait after it.
 *
 * Through the host's SSH connection (direct-tcpip to host:port as the HOST
 * sees it) or, with from: controller, from the controller:
 *   plaintext  the protocol's hello (modules/activemq/amqwire.h: OpenWire
 *              WireFormatInfo, STOMP CONNECT -> CONNECTED, MQTT CONNECT ->
 *              CONNACK, AMQP 1.0 header) in clear: an answer = cleartext
 *              accepted; refused, closed or a TLS alert = refused.
 *   tls        an OpenSSL handshake verified against ca_file (a
 *              CONTROLLER file) and the expected name, optionally with a
 *              client certificate, then the same hello inside TLS.  The
 *              server rejecting us = refused; us rejecting the server
 *              (verification) = error.
 * expect: accepted | refused | any.  wait: N retries every 2 s for N s
 * until the expectation holds: the readiness check after a restart.
 * While waiting for accepted, the broker's own signs are read on the host
 * between attempts: pid_file's process gone = the broker exited;
 * "ERROR:" lines in boot_log (its console output, ACTIVEMQ_OUT) after
 * boot_log_offset = it refused its configuration.  Either ends the wait at
 * once; the log's ERROR and "Caused by" lines come back in boot_errors.
 * Never an exit code.  Read-only: runs in check mode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/activemq/amqwire.h"
#include "modules/module.h"
#include "modules/svcprobe.h"
#include "runner/util/clock.h"
#include "runner/transport/tls.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

#define RETRY_MS 2000
#define READ_CAP 16384

struct probe {
	struct modctx *ctx;
	const struct val *args;
	struct svcp_target t;        /* host, port, mode, TLS files */
	enum amqw_proto proto;
	enum svcp_expect expect;
	int expect_arg;              /* -1: by mode */
	struct conn *local;          /* from: controller (owned) */
};

struct attempt {
	struct svcp_attempt s;       /* outcome, detail, TLS (svcprobe.h) */
	enum amqw_proto proto;
	struct amqw_reply reply;
};

struct boot {
	int checked, exited, failed;
	struct strbuf lines;
};

/* ------------------------------------------------------------------ */
/* One attempt                                                         */

static void
classify(struct attempt *a, int tls)
{
	const struct amqw_reply *r = &a->reply;

	if (r->kind == AMQW_HELLO || r->kind == AMQW_REFUSAL)
		svcp_setf(&a->s, SVCP_ACCEPTED, "%s %s", amqw_proto_name(a->proto),
		    r->detail);
	else if (r->kind == AMQW_TLS_ALERT)
		svcp_setf(&a->s, tls ? SVCP_ERROR : SVCP_REFUSED, "%s: cleartext is "
		    "not accepted", r->detail);
	else
		svcp_setf(&a->s, SVCP_ERROR, "%s", r->detail);
}

/* svcprobe's parser: a complete answer of the protocol, classified. */
static int
parse(void *arg, struct svcp_attempt *s, const unsigned char *in, size_t len,
    int tls)
{
	struct attempt *a = arg;

	(void)s;
	amqw_classify(a->proto, in, len, &a->reply);
	if (a->reply.kind == AMQW_INCOMPLETE)
		return 0;
	classify(a, tls);
	return 1;
}

static void
attempt_run(struct probe *p, struct attempt *a, long long deadline)
{
	struct svcp_proto pr = { amqw_proto_name(p->proto), NULL, 0,
	    READ_CAP, parse, a };

	pr.hello = amqw_hello(p->proto, &pr.hello_len);
	memset(&a->reply, 0, sizeof(a->reply));
	a->proto = p->proto;
	svcp_attempt_run(&p->t, &pr, &a->s, deadline);
}

static int
met(const struct probe *p, const struct attempt *a)
{
	return svcp_met(p->expect, &a->s);
}

/* ------------------------------------------------------------------ */
/* The broker's own signs                                              */

static const char boot_script[] =
	"LC_ALL=C; export LC_ALL\n"
	"if [ -n \"$pidf\" ] && p=$(cat \"$pidf\" 2>/dev/null) && "
	"[ -n \"$p\" ]; then\n"
	"  if kill -0 \"$p\" 2>/dev/null; then echo \"$x alive 1\"; "
	"else echo \"$x alive 0\"; fi\n"
	"fi\n"
	"if [ -n \"$log\" ] && [ -f \"$log\" ]; then\n"
	"  z=$(stat -c %s -- \"$log\"); o=$off; [ \"$z\" -ge \"$o\" ] || o=0\n"
	"  tail -c +$((o + 1)) -- \"$log\" | grep -E '^(ERROR: |Caused by: )' "
	"| cut -c1-300 | awk '!s[$0]++' | tail -n 8 | sed \"s/^/$x err /\"\n"
	"fi\n";

static int
read_boot(struct probe *p, struct boot *b)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	char nonce[17];
	const char *o;
	int ret;

	shellcmd_nonce(nonce, sizeof(nonce));
	shellcmd_build(&cmd, "x=%q; pidf=%q; log=%q; off=%d\n", nonce,
	    arg_str(p->args, "pid_file") ? arg_str(p->args, "pid_file") : "",
	    arg_str(p->args, "boot_log") ? arg_str(p->args, "boot_log") : "",
	    (int)arg_int(p->args, "boot_log_offset", 0));
	strbuf_addstr(&cmd, boot_script);
	exec_res_init(&r);
	ret = mod_exec(p->ctx, cmd.buf, NULL, 0, &r);
	strbuf_reset(&b->lines);
	for (o = r.out.buf; ret == 0 && *o != '\0'; ) {
		size_t n = strcspn(o, "\n"), k = strlen(nonce);

		if (n > k + 4 && memcmp(o, nonce, k) == 0) {
			if (strncmp(o + k, " alive 0", 8) == 0)
				b->exited = 1;
			else if (strncmp(o + k, " err ", 5) == 0) {
				b->failed = 1;
				strbuf_addf(&b->lines, "%.*s\n",
				    (int)(n - k - 5), o + k + 5);
			}
		}
		o += n + (o[n] == '\n');
	}
	b->checked = ret == 0;
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

static int
wait_loop(struct probe *p, struct attempt *a, struct boot *b, int *attempts)
{
	long long deadline = mono_ms() + arg_int(p->args, "wait", 0) * 1000;
	int watch = p->expect == SVCP_EXPECT_ACCEPTED &&
	    (arg_str(p->args, "pid_file") || arg_str(p->args, "boot_log"));
	int ret = 0;

	for (;;) {
		attempt_run(p, a, deadline);
		(*attempts)++;
		if (a->s.transport_err)
			return a->s.transport_err;
		if (met(p, a) || a->s.fatal || mono_ms() >= deadline)
			break;
		if (watch && ((ret = read_boot(p, b)) != 0 || b->exited ||
		    b->failed))
			break;
		svcp_pause_until(deadline, RETRY_MS);
	}
	if (ret == 0 && watch && !met(p, a) && !b->checked)
		ret = read_boot(p, b);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Results                                                             */

static struct val *
result_val(struct probe *p, const struct attempt *a, const struct boot *b,
    int attempts, long long ms)
{
	struct val *m = val_map();

	val_map_set(m, "host", val_str(p->t.host));
	val_map_set(m, "port", val_int(p->t.port));
	val_map_set(m, "protocol", val_str(amqw_proto_name(p->proto)));
	val_map_set(m, "mode", val_str(p->t.tls ? "tls" : "plaintext"));
	val_map_set(m, "outcome", val_str(svcp_outcome_names[a->s.out]));
	val_map_set(m, "accepted", val_bool(a->s.out == SVCP_ACCEPTED));
	val_map_set(m, "ok", val_bool(met(p, a)));
	val_map_set(m, "detail", val_str(a->s.detail.buf));
	val_map_set(m, "server", val_str(a->reply.server));
	val_map_set(m, "tls", svcp_tls_val(&p->t, &a->s));
	val_map_set(m, "attempts", val_int(attempts));
	val_map_set(m, "elapsed", val_int((ms + 500) / 1000));
	val_map_set(m, "broker_exited", val_bool(b->exited));
	val_map_set(m, "boot_failed", val_bool(b->failed || b->exited));
	val_map_set(m, "boot_errors", val_list_of_lines(b->lines.buf));
	return m;
}

/* The broker's log in one line: the root cause (the last "Caused by",
 * a Java trace's innermost) first, then the first ERROR line; all lines
 * are in boot_errors. */
static void
log_summary(const struct strbuf *lines, struct strbuf *sb)
{
	const char *s = lines->buf, *root = NULL, *err = NULL;

	for (; *s != '\0'; s += strcspn(s, "\n") + (s[strcspn(s, "\n")] != 0)) {
		if (strncmp(s, "Caused by: ", 11) == 0)
			root = s + 11;
		else if (err == NULL && strncmp(s, "ERROR: ", 7) == 0)
			err = s;
	}
	strbuf_addstr(sb, "; the broker's log:");
	if (root != NULL)
		strbuf_addf(sb, " root cause: %.*s;", (int)strcspn(root, "\n"),
		    root);
	if (err != NULL)
		strbuf_addf(sb, " %.*s", (int)strcspn(err, "\n"), err);
}

static void
message(const struct probe *p, const struct attempt *a, const struct boot *b,
    int attempts, struct strbuf *sb)
{

	strbuf_addf(sb, "%s:%d %s %s: ", p->t.host, p->t.port,
	    amqw_proto_name(p->proto), p->t.tls ? "over TLS" : "in cleartext");
	if (met(p, a) && p->t.tls && a->s.out == SVCP_ACCEPTED) {
		svcp_tls_summary(&p->t, &a->s, sb);
		strbuf_addf(sb, "; %s", a->s.detail.buf);
	} else if (met(p, a)) {
		strbuf_addf(sb, "%s: %s", a->s.out == SVCP_ACCEPTED ?
		    "ACCEPTED" : "refused", a->s.detail.buf);
	} else if (p->expect == SVCP_EXPECT_ANY || a->s.out == SVCP_ERROR) {
		strbuf_addstr(sb, a->s.detail.buf);
	} else {
		strbuf_addf(sb, "expected %s, got %s: %s", p->expect ==
		    SVCP_EXPECT_ACCEPTED ? "accepted" : "refused",
		    svcp_outcome_names[a->s.out], a->s.detail.buf);
	}
	if (!met(p, a) && attempts > 1)
		strbuf_addf(sb, " (%d attempts)", attempts);
	if (!met(p, a) && b->exited)
		strbuf_addstr(sb, "; the broker exited (its pid file's process "
		    "is gone)");
	if (!met(p, a) && b->failed)
		log_summary(&b->lines, sb);
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

static int
setup(struct probe *p, struct modctx *ctx, const struct val *args)
{
	const char *ex;

	p->ctx = ctx;
	p->args = args;
	p->t.tls = strcmp(arg_str(args, "mode"), "tls") == 0;
	p->t.host = arg_str(args, "host");
	p->t.port = (int)arg_int(args, "port", 0);
	p->t.timeout_s = (int)arg_int(args, "timeout", 10);
	p->proto = (enum amqw_proto)(arg_str(args, "protocol") ?
	    amqw_proto_parse(arg_str(args, "protocol")) : -1);
	ex = arg_str(args, "expect");
	p->expect_arg = ex == NULL ? -1 : (int)svcp_parse_expect(ex, 0);
	p->expect = svcp_parse_expect(ex, p->t.tls);
	if (strcmp(arg_str(args, "mode"), "plaintext") != 0 &&
	    arg_str(args, "ca_file") == NULL)
		return mod_fail(ctx, "ca_file is required with mode: tls or "
		    "auto") - 1;
	return svcp_target_setup(&p->t, &p->local, ctx, args);
}

/* One listener: the attempts, its result map and its message line. */
static int
probe_one(struct probe *p, struct val **res, struct strbuf *msg, int *ok)
{
	struct attempt a;
	struct boot b;
	long long t0 = mono_ms();
	int ret, attempts = 0;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	strbuf_init(&a.s.detail, 0);
	strbuf_init(&b.lines, 0);
	ret = wait_loop(p, &a, &b, &attempts);
	if (ret == 0) {
		*res = result_val(p, &a, &b, attempts, mono_ms() - t0);
		message(p, &a, &b, attempts, msg);
		*ok = met(p, &a);
	}
	strbuf_release(&a.s.detail);
	strbuf_release(&b.lines);
	return ret;
}

/* A listener on every address (or on this name): probe `host`. */
static int
wildcard(const char *a)
{
	return *a == '\0' || strcmp(a, "0.0.0.0") == 0 || strcmp(a, "::") == 0 ||
	    strcmp(a, "localhost") == 0 || strcmp(a, "127.0.0.1") == 0;
}

/* A connector of activemq_facts: its protocol and mode, or -1 (not a
 * listener this probe speaks to: vm, ws, http, udp). */
static int
from_connector(struct probe *p, const struct val *c)
{
	static const char *const map[][2] = { { "OpenWire", "openwire" },
	    { "STOMP", "stomp" }, { "MQTT", "mqtt" }, { "AMQP", "amqp" },
	    { "auto", "stomp" } };
	const char *proto = val_map_str(c, "protocol", "");
	const char *addr = val_map_str(c, "address", "");
	const char *mode = arg_str(p->args, "mode");
	const struct val *port = val_map_get(c, "port"), *tls;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (strcmp(proto, map[i][0]) == 0)
			break;
	if (i == ARRAY_SIZE(map) || port == NULL || port->type != V_INT)
		return -1;
	p->proto = (enum amqw_proto)amqw_proto_parse(map[i][1]);
	p->t.port = (int)port->u.i;
	p->t.host = wildcard(addr) ? arg_str(p->args, "host") : addr;
	if ((arg_str(p->args, "verify_name") == NULL ||
	    *arg_str(p->args, "verify_name") == '\0') &&
	    arg_bool(p->args, "verify_hostname"))
		p->t.verify_name = p->t.host;
	tls = val_map_get(c, "tls");
	p->t.tls = strcmp(mode, "auto") == 0 ? tls && tls->type == V_BOOL &&
	    tls->u.b : strcmp(mode, "tls") == 0;
	p->expect = p->expect_arg >= 0 ? (enum svcp_expect)p->expect_arg :
	    p->t.tls ? SVCP_EXPECT_ACCEPTED : SVCP_EXPECT_ANY;
	return 0;
}

static int
run_list(struct probe *p, const struct val *l)
{
	struct val *all = val_list();
	struct strbuf msg = STRBUF_INIT;
	size_t i;
	int ret = 0, bad = 0, n = 0;

	for (i = 0; i < l->u.list.n && ret == 0; i++) {
		struct val *res = NULL;
		int ok = 0;

		if (l->u.list.items[i]->type != V_MAP ||
		    from_connector(p, l->u.list.items[i]) < 0)
			continue;
		strbuf_addstr(&msg, n++ ? "; " : "");
		ret = probe_one(p, &res, &msg, &ok);
		if (ret == 0) {
			val_map_set(res, "name", val_str(val_map_str(
			    l->u.list.items[i], "name", "")));
			val_list_push(all, res);
			bad += !ok;
		}
	}
	mod_set(p->ctx, "listeners", all);
	mod_set(p->ctx, "failed_listeners", val_int(bad));
	if (ret == 0 && n == 0)
		mod_fail(p->ctx, "no OpenWire, STOMP, MQTT or AMQP listener in "
		    "connectors");
	else if (ret == 0 && bad)
		mod_fail(p->ctx, "%d of %d listener%s not as expected: %s", bad,
		    n, n == 1 ? "" : "s", msg.buf);
	else if (ret == 0)
		mod_msg(p->ctx, "%s", msg.buf);
	strbuf_release(&msg);
	return ret;
}

static int
run_single(struct probe *p)
{
	struct val *res = NULL;
	struct strbuf msg = STRBUF_INIT;
	int ok = 0, ret;
	size_t i;

	if (p->t.port < 1 || p->t.port > 65535 || (int)p->proto < 0) {
		ret = mod_fail(p->ctx, "give protocol and port (1-65535), or "
		    "connectors");
		goto out;
	}
	if ((ret = probe_one(p, &res, &msg, &ok)) != 0)
		goto out;
	for (i = 0; i < res->u.map.n; i++) {
		mod_set(p->ctx, res->u.map.items[i].key,
		    res->u.map.items[i].v);
		res->u.map.items[i].v = NULL;
	}
	if (ok)
		mod_msg(p->ctx, "%s", msg.buf);
	else
		mod_fail(p->ctx, "%s", msg.buf);
out:
	val_free(res);
	strbuf_release(&msg);
	return ret;
}

static enum mod_result
activemq_probe_run(struct modctx *ctx, const struct val *args)
{
	struct probe p;
	const struct val *l = arg_get(args, "connectors");
	int ret = 0;

	memset(&p, 0, sizeof(p));
	if (setup(&p, ctx, args) == 0)
		ret = l != NULL ? run_list(&p, l) : run_single(&p);
	svcp_target_release(&p.t, p.local);
	return mod_done(ctx, ret);
}

static const struct module_arg activemq_probe_args[] = {
	{ "connectors", ARG_LIST, 0, NULL, NULL,
	  "activemq_facts' connectors: probe every OpenWire, STOMP, MQTT "
	  "and AMQP listener among them (at its own address, or at host when "
	  "it listens on all addresses or loopback; mode auto = each one's "
	  "own)", NULL },
	{ "protocol", ARG_STR, 0, NULL, "openwire|stomp|mqtt|amqp",
	  "the listener's protocol (its hello: WireFormatInfo, CONNECT -> "
	  "CONNECTED, CONNECT -> CONNACK, AMQP 1.0 header)", NULL },
	{ "mode", ARG_STR, 0, "plaintext", "plaintext|tls|auto",
	  "plaintext: the hello in clear; tls: verified handshake, then the "
	  "hello inside TLS; auto (connectors): as each connector is", NULL },
	{ "host", ARG_STR, 0, "127.0.0.1", NULL,
	  "address as the HOST sees it (from: controller: as the "
	  "controller sees it)", NULL },
	{ "port", ARG_INT, 0, NULL, NULL, "the listener's port", NULL },
	{ "from", ARG_STR, 0, "host", "host|controller",
	  "host: through the host's SSH connection; controller: a socket",
	  NULL },
	{ "expect", ARG_STR, 0, NULL, "accepted|refused|any",
	  "fail unless the outcome is this (default accepted for tls, any "
	  "for plaintext)", NULL },
	{ "ca_file", ARG_STR, 0, NULL, NULL,
	  "tls: the CA (PEM, on the CONTROLLER) the broker's certificate "
	  "must chain to", "cafile" },
	{ "verify_name", ARG_STR, 0, NULL, NULL,
	  "tls: the name the certificate must carry (default: host)", NULL },
	{ "verify_hostname", ARG_BOOL, 0, "true", NULL,
	  "tls: check the name, not only the chain", NULL },
	{ "cert_file", ARG_STR, 0, NULL, NULL,
	  "tls: client certificate (PEM, controller)", NULL },
	{ "key_file", ARG_STR, 0, NULL, NULL, "tls: its key", NULL },
	{ "timeout", ARG_INT, 0, "10", NULL, "seconds per attempt", NULL },
	{ "wait", ARG_INT, 0, "0", NULL,
	  "retry every 2 s for this many seconds until the expectation "
	  "holds", NULL },
	{ "pid_file", ARG_PATH, 0, NULL, NULL,
	  "while waiting for accepted: the broker exited when this pid "
	  "file's process is gone (activemq_service's pid_file)", NULL },
	{ "boot_log", ARG_PATH, 0, NULL, NULL,
	  "while waiting for accepted: the broker's console log "
	  "(ACTIVEMQ_OUT); an 'ERROR:' line ends the wait", NULL },
	{ "boot_log_offset", ARG_INT, 0, "0", NULL,
	  "read boot_log from this byte (activemq_service's log_offset)",
	  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_activemq_probe = {
	.name = "activemq_probe",
	.summary = "does an ActiveMQ listener answer in cleartext, or only "
	    "over verified TLS?  (OpenWire, STOMP, MQTT, AMQP 1.0)",
	.doc = "One listener (protocol, port), or every listener of "
	    "activemq_facts' connectors.  Connects through the host's SSH "
	    "connection (or from the controller) and speaks the protocol's first exchange: OpenWire "
	    "WireFormatInfo, STOMP CONNECT -> CONNECTED, MQTT CONNECT -> "
	    "CONNACK, AMQP 1.0 header -> header.  mode tls first does an "
	    "OpenSSL handshake verified against ca_file and the name "
	    "(optional client certificate).  expect accepted|refused|any; "
	    "wait retries until it holds, and while waiting for accepted "
	    "stops at once when the broker exited (pid_file) or logged "
	    "'ERROR:' (boot_log): readiness from the port and the broker's "
	    "own signs, never an exit code.  Returns outcome, accepted, "
	    "detail, server, tls {version, cipher, subject, issuer, "
	    "not_after, days_left, verified}, attempts, elapsed, "
	    "broker_exited, boot_failed, boot_errors.  Read-only.",
	.args = activemq_probe_args,
	.flags = MOD_SUPPORTS_CHECK,
	.run = activemq_probe_run,
};
