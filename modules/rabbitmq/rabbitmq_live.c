/*
 * rabbitmq_live.c - does the RUNNING broker serve the configuration its
 * files say?  The proof after every restart, and the rollback's.
 *
 * The file side: rabbitmq_facts' reading of the host (rmqgather.h): every
 * AMQP 0-9-1 listener the node would open, plaintext or TLS.  The running
 * side: one AMQP header sent in clear to each of those addresses (as the
 * host reaches them), and to 127.0.0.1:5672 and :5671 when the files have
 * no listener there: Connection.Start = a plaintext listener, a TLS alert
 * = a TLS listener (or, closed without a byte, one that completes a TLS
 * handshake), a refused connection = none (modules/rabbitmq/amqp.h).
 * Every listener must be what the files say, and the two default ports
 * closed when the files do not open them.
 *
 * wait: N retries every 2 s while they differ (a broker that is booting
 * answers nothing yet).  A difference that remains fails the task with
 * each address named ("127.0.0.1:5672: rabbitmq.conf has a plaintext AMQP
 * listener, the broker refuses connections"), and is journaled as a
 * "mismatch" of `service`, so that `mend rollback` restarts the broker
 * even when the restored bytes were already in place.  Read-only
 * otherwise; runs in check mode.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "modules/module.h"
#include "modules/rabbitmq/amqp.h"
#include "modules/rabbitmq/rmqgather.h"
#include "runner/transport/tls.h"
#include "runner/util/clock.h"
#include "runner/util/banned.h"

enum seen { SEEN_NONE, SEEN_PLAIN, SEEN_TLS, SEEN_OTHER };

static const char *const seen_text[] = {
	"refuses connections", "answers plaintext AMQP",
	"answers TLS", "answers something else (not AMQP 0-9-1)"
};

struct want {
	char host[64];
	int port;
	enum seen want, got;
	const char *file;            /* where the file says so (or NULL) */
	int line;
};

struct live {
	struct want w[32];
	size_t n;
};

static void
add_want(struct live *l, const char *host, int port, enum seen s,
    const char *file, int line)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->w[i].port == port && strcmp(l->w[i].host, host) == 0)
			return;
	if (l->n == sizeof(l->w) / sizeof(l->w[0]))
		return;
	snprintf(l->w[l->n].host, sizeof(l->w[l->n].host), "%s", host);
	l->w[l->n].port = port;
	l->w[l->n].want = s;
	l->w[l->n].file = file;
	l->w[l->n].line = line;
	l->n++;
}

/* What the files say, plus the closed default ports. */
static void
wants(const struct rmq_analysis *a, struct live *l)
{
	size_t i;

	l->n = 0;
	for (i = 0; i < a->nlisteners; i++) {
		const struct rmq_listener *x = &a->listeners[i];

		if (x->proto == RMQ_P_AMQP)
			add_want(l, rmq_listener_reach(x->addr), x->port, x->tls ? SEEN_TLS :
			    SEEN_PLAIN, x->file, x->line);
	}
	add_want(l, "127.0.0.1", 5672, SEEN_NONE, NULL, 0);
	add_want(l, "127.0.0.1", 5671, SEEN_NONE, NULL, 0);
}

/* A listener that closed on our clear header without a byte (an Erlang
 * TLS listener may not send an alert): does it complete a TLS handshake?
 * Observed, not verified (tls.h observe): which protocol it speaks is the
 * question here, not whom to trust. */
static int
tls_answers(struct modctx *ctx, struct want *w)
{
	struct tstream *s = NULL;
	struct tls_conn *t = NULL;
	struct tls_opts o;
	struct tls_info ti;
	struct err e = ERR_INIT;
	int ret = conn_tcp_open(mod_conn(ctx), w->host, w->port, 5, &s, &e);

	if (ret == 0) {
		memset(&o, 0, sizeof(o));
		o.observe = 1;
		o.timeout_ms = 5000;
		memset(&ti, 0, sizeof(ti));
		if (tls_client_start(s, &o, &t, &ti, &e) == 0) {
			w->got = SEEN_TLS;
			tls_close(t);
		}
		tstream_close(s);
	}
	err_release(&e);
	return ret == TERR_UNREACHABLE ? ret : 0;
}

/* One header in clear.  0, or TERR_UNREACHABLE. */
static int
observe(struct modctx *ctx, struct want *w)
{
	struct tstream *s = NULL;
	struct amqp_reply r;
	struct err e = ERR_INIT;
	unsigned char buf[4096];
	size_t got = 0;
	ssize_t n;
	int ret = conn_tcp_open(mod_conn(ctx), w->host, w->port, 5, &s, &e);

	err_release(&e);
	w->got = SEEN_NONE;
	if (ret == TERR_UNREACHABLE)
		return ret;
	if (ret != 0)
		return 0;
	memset(&r, 0, sizeof(r));
	w->got = SEEN_OTHER;
	if (tstream_write(s, AMQP_HEADER_091, AMQP_HEADER_LEN) ==
	    AMQP_HEADER_LEN) {
		while (got < sizeof(buf) && (n = tstream_read(s, buf + got,
		    sizeof(buf) - got, 5000)) > 0) {
			got += (size_t)n;
			if (amqp_parse_reply(buf, got, &r) != AMQP_INCOMPLETE)
				break;
		}
	}
	if (r.kind == AMQP_CONNECTION_START)
		w->got = SEEN_PLAIN;
	else if (r.kind == AMQP_TLS_ALERT)
		w->got = SEEN_TLS;
	tstream_close(s);
	if (w->got == SEEN_OTHER && got == 0)
		return tls_answers(ctx, w);
	return 0;
}

/* Observe every address; 1 = all as the files say, 0 = not, <0 TERR. */
static int
round_of(struct modctx *ctx, struct live *l)
{
	size_t i;
	int ret, all = 1;

	for (i = 0; i < l->n; i++) {
		if ((ret = observe(ctx, &l->w[i])) != 0)
			return ret;
		all &= l->w[i].got == l->w[i].want;
	}
	return all;
}

static void
describe(const struct live *l, const char *conf, struct strbuf *sb)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct want *w = &l->w[i];

		if (w->got == w->want)
			continue;
		strbuf_addf(sb, "%s%s:%d: ", sb->len ? "; " : "", w->host,
		    w->port);
		if (w->want == SEEN_NONE)
			strbuf_addf(sb, "%s opens no listener there, the "
			    "broker %s", conf, seen_text[w->got]);
		else
			strbuf_addf(sb, "%s has a %s AMQP listener (%s:%d), "
			    "the broker %s", conf, w->want == SEEN_TLS ? "TLS" :
			    "plaintext", w->file ? w->file : "default",
			    w->line, seen_text[w->got]);
	}
}

static struct val *
listeners_val(const struct live *l)
{
	static const char *const names[] = { "none", "plaintext", "tls",
	    "other" };
	struct val *list = val_list();
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct val *m = val_map();

		val_map_set(m, "address", val_str_take(xasprintf("%s:%d",
		    l->w[i].host, l->w[i].port)));
		val_map_set(m, "file", val_str(names[l->w[i].want]));
		val_map_set(m, "running", val_str(names[l->w[i].got]));
		val_list_push(list, m);
	}
	return list;
}

static int
prove(struct modctx *ctx, const struct val *args, const struct rmq_host *h,
    struct live *l)
{
	long long t0 = mono_ms(), end = t0 + arg_int(args, "wait", 0) * 1000;
	const char *conf = h->main.path ? h->main.path : "rabbitmq.conf";
	struct strbuf why = STRBUF_INIT;
	int ok;

	while ((ok = round_of(ctx, l)) == 0 && mono_ms() < end)
		usleep(2000 * 1000);
	if (ok < 0)
		return ok;
	mod_set(ctx, "listeners", listeners_val(l));
	mod_set(ctx, "matches", val_bool(ok));
	mod_set(ctx, "elapsed", val_int((mono_ms() - t0 + 500) / 1000));
	if (ok) {
		mod_msg(ctx, "the broker runs what %s says (%zu addresses "
		    "checked)", conf, l->n);
	} else {
		describe(l, conf, &why);
		mod_journal_service_via(ctx, arg_str(args, "service"),
		    "mismatch", "rabbitmq_service", "rabbitmq_live");
		mod_fail(ctx, "the running broker does not match %s: %s", conf,
		    why.buf);
	}
	strbuf_release(&why);
	return 0;
}

static enum mod_result
rabbitmq_live_run(struct modctx *ctx, const struct val *args)
{
	struct rmq_host h;
	struct rmq_analysis a = RMQ_ANALYSIS_INIT;
	struct live l;
	int ret;

	ret = rmq_host_gather(ctx, args, NULL, &h);
	if (ret == 0 && h.main.format == RMQ_MAIN_LEGACY) {
		mod_fail(ctx, "the broker loads the legacy rabbitmq.config: "
		    "its listeners are not compared");
	} else if (ret == 0) {
		rmq_host_analyze(&h, NULL, &a);
		wants(&a, &l);
		ret = prove(ctx, args, &h, &l);
		rmq_analysis_release(&a);
	}
	rmq_host_release(&h);
	return mod_done(ctx, ret == -1 ? 0 : ret);
}

static const struct module_arg rabbitmq_live_args[] = {
	{ "conf_dir", ARG_PATH, 0, "/etc/rabbitmq", NULL,
	  "RabbitMQ's configuration directory", NULL },
	{ "service", ARG_STR, 0, "rabbitmq-server", NULL,
	  "the broker's service: a mismatch is journaled under this name "
	  "(mend rollback restarts it)", NULL },
	{ "wait", ARG_INT, 0, "0", NULL,
	  "keep checking every 2 s for this many seconds while they differ",
	  NULL },
	{ "rabbitmq_user", ARG_STR, 0, "rabbitmq", NULL,
	  "user the broker runs as", NULL },
	{ "pid_file", ARG_PATH, 0, "/var/run/rabbitmq/pid", NULL,
	  "without systemd: the init script's pid file", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_rabbitmq_live = {
	.name = "rabbitmq_live",
	.summary = "prove the running broker serves the listeners its "
	    "configuration files say",
	.doc = "Reads the configuration as rabbitmq_facts does and sends "
	    "one AMQP header in clear to every AMQP listener it names (and "
	    "to 127.0.0.1:5672/5671 when the files open nothing there): "
	    "Connection.Start = plaintext listener, TLS alert = TLS listener, "
	    "refused = none.  Fails naming every address where the running "
	    "broker differs from the files, and journals the mismatch so "
	    "that mend rollback restarts the broker even when the files "
	    "already hold the old bytes.  wait retries while they differ.  "
	    "Returns listeners [{address, file, running}], matches, "
	    "elapsed.",
	.args = rabbitmq_live_args,
	.flags = MOD_SUPPORTS_CHECK,
	.run = rabbitmq_live_run,
};
