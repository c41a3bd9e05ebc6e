/*
 * rabbitmq_facts.c - what a host's RabbitMQ configuration is, and whether
 * the broker takes cleartext AMQP.  Read-only.
 *
 * Gathering (shared with rabbitmq_tls, see rmqgather.h): rabbitmq-env.conf,
 * one detect script, then rabbitmq.conf, conf.d/ *.conf, the legacy
 * rabbitmq.config (it WINS over rabbitmq.conf when it exists: a fix
 * written to rabbitmq.conf would be silently ignored), advanced.config and
 * enabled_plugins.  Analysis: modules/rabbitmq/rmqconf.h (cuttlefish's own rules,
 * the 3.10.8 key table): every listener the node opens (AMQP, and the
 * plaintext listeners of enabled plugins: management 15672, STOMP 61613,
 * MQTT 1883, stream 5552...), the effective ssl_options, keys that stop
 * the broker at its next boot (the seed's listeners.tcp.ssl_options.*),
 * and `vulnerable` with one reason per finding.
 *
 * `probe` names the first plaintext AMQP listener as the host reaches it
 * (all interfaces -> 127.0.0.1), for amqp_probe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/rmqgather.h"
#include "runner/util/banned.h"

/* ------------------------------------------------------------------ */
/* Results                                                             */

static struct val *
listeners_val(const struct rmq_analysis *a)
{
	struct val *l = val_list();
	size_t i;

	for (i = 0; i < a->nlisteners; i++) {
		const struct rmq_listener *x = &a->listeners[i];
		struct val *m = val_map();

		val_map_set(m, "protocol", val_str(rmq_proto_name(x->proto,
		    x->tls)));
		val_map_set(m, "tls", val_bool(x->tls));
		val_map_set(m, "address", val_str(x->addr));
		val_map_set(m, "port", val_int(x->port));
		val_map_set(m, "file", x->file ? val_str(x->file) : val_null());
		val_map_set(m, "line", val_int(x->line));
		val_list_push(l, m);
	}
	return l;
}

static struct val *
probe_val(const struct rmq_analysis *a, int tls)
{
	size_t i;

	for (i = 0; i < a->nlisteners; i++) {
		const struct rmq_listener *x = &a->listeners[i];
		struct val *m;

		if (x->proto != RMQ_P_AMQP || x->tls != tls)
			continue;
		m = val_map();
		val_map_set(m, "host", val_str(rmq_listener_reach(x->addr)));
		val_map_set(m, "port", val_int(x->port));
		return m;
	}
	return val_null();
}

static struct val *
opt_val(const char *s)
{
	return s ? val_str(s) : val_null();
}

static struct val *
ssl_val(const struct rmq_analysis *a)
{
	struct val *m = val_map(), *v = val_list();
	size_t i;

	val_map_set(m, "cacertfile", opt_val(a->cacertfile));
	val_map_set(m, "certfile", opt_val(a->certfile));
	val_map_set(m, "keyfile", opt_val(a->keyfile));
	val_map_set(m, "verify", opt_val(a->verify));
	val_map_set(m, "fail_if_no_peer_cert", opt_val(a->fail_if_no_peer_cert));
	for (i = 0; i < a->nversions; i++)
		val_list_push(v, val_str(a->versions[i]));
	val_map_set(m, "versions", v);
	return m;
}

/* Keys of one class in every sysctl file the broker loads. */
static void
keys_of(const struct rmq_file *f, enum rmq_key_class k, struct val *l)
{
	size_t i;

	if (!f->exists)
		return;
	for (i = 0; i < f->conf.n; i++) {
		const struct rmq_entry *en = &f->conf.entries[i];
		struct val *m;

		if (en->include || rmq_key_classify(en->key, NULL) != k)
			continue;
		m = val_map();
		val_map_set(m, "file", val_str(f->path));
		val_map_set(m, "line", val_int(en->line));
		val_map_set(m, "key", val_str(en->key));
		val_list_push(l, m);
	}
}

static struct val *
keys_val(const struct rmq_host *h, enum rmq_key_class k)
{
	struct val *l = val_list();
	size_t i;

	keys_of(&h->conf, k, l);
	for (i = 0; i < h->nconfd; i++)
		keys_of(&h->confd[i], k, l);
	return l;
}

static struct val *
files_val(const struct rmq_host *h)
{
	struct val *m = val_map(), *l = val_list();
	size_t i;

	val_map_set(m, "conf", val_str(h->conf.path));
	val_map_set(m, "conf_exists", val_bool(h->conf.exists));
	for (i = 0; i < h->nconfd; i++)
		val_list_push(l, val_str(h->confd[i].path));
	val_map_set(m, "conf_d", l);
	val_map_set(m, "legacy", val_str(h->legacy.path));
	val_map_set(m, "legacy_exists", val_bool(h->legacy.exists));
	val_map_set(m, "advanced", val_str(h->advanced.path));
	val_map_set(m, "advanced_exists", val_bool(h->advanced.exists));
	val_map_set(m, "enabled_plugins", val_str(h->plugins_file.path));
	val_map_set(m, "env", val_str(h->env_file.path));
	val_map_set(m, "env_exists", val_bool(h->env_file.exists));
	return m;
}

static void
host_results(struct modctx *ctx, const struct rmq_host *h)
{
	struct val *pl = val_list();
	size_t i;

	for (i = 0; i < h->plugins.n; i++)
		val_list_push(pl, val_str(h->plugins.names[i]));
	mod_set(ctx, "conf_file", val_str(h->conf.path));
	mod_set(ctx, "main_config", val_str(h->main.path));
	mod_set(ctx, "main_format", val_str(h->main.format == RMQ_MAIN_CONF ?
	    "conf" : "legacy"));
	mod_set(ctx, "files", files_val(h));
	mod_set(ctx, "plugins", pl);
	mod_set(ctx, "version", opt_val(h->version));
	mod_set(ctx, "init", opt_val(h->init));
	mod_set(ctx, "running", val_bool(h->running));
	mod_set(ctx, "pid", h->broker_pid > 0 ? val_int(h->broker_pid) :
	    val_null());
	mod_set(ctx, "node", h->hostname ? val_str_take(xasprintf("rabbit@%s",
	    h->hostname)) : val_null());
	mod_set(ctx, "user_exists", val_bool(h->user_exists));
	mod_set(ctx, "diagnostics", val_bool(h->diagnostics));
	mod_set(ctx, "openssl", val_bool(h->openssl));
	mod_set(ctx, "log_dir", val_str(h->log_dir ? h->log_dir :
	    "/var/log/rabbitmq"));
}

static void
analysis_results(struct modctx *ctx, const struct rmq_host *h,
    const struct rmq_analysis *a)
{
	struct val *notes = rmq_notes_val(a->notes, a->nnotes);
	size_t i;

	for (i = 0; i < h->notes->u.list.n; i++)
		val_list_push(notes, val_copy(h->notes->u.list.items[i]));
	mod_set(ctx, "legacy_active", val_bool(h->main.format ==
	    RMQ_MAIN_LEGACY));
	mod_set(ctx, "listeners", listeners_val(a));
	mod_set(ctx, "probe", probe_val(a, 0));
	mod_set(ctx, "probe_tls", probe_val(a, 1));
	mod_set(ctx, "plaintext_amqp", val_bool(a->plaintext_amqp));
	mod_set(ctx, "plaintext_plugins", val_bool(a->plaintext_plugins));
	mod_set(ctx, "will_not_boot", val_bool(a->will_not_boot));
	mod_set(ctx, "ssl_options", ssl_val(a));
	mod_set(ctx, "invalid_keys", keys_val(h, RMQ_KEY_INVALID));
	mod_set(ctx, "unverified_keys", keys_val(h, RMQ_KEY_UNVERIFIED));
	mod_set(ctx, "vulnerable", val_bool(a->vulnerable));
	mod_set(ctx, "reasons", rmq_notes_val(a->reasons, a->nreasons));
	mod_set(ctx, "notes", notes);
}

static void
summary(struct modctx *ctx, const struct rmq_analysis *a)
{
	size_t i;

	if (!a->vulnerable) {
		mod_msg(ctx, "not vulnerable: no plaintext AMQP listener%s",
		    a->plaintext_plugins ? " (plaintext plugin listeners: "
		    "see notes)" : "");
		return;
	}
	strbuf_addstr(&ctx->msg, "vulnerable: ");
	for (i = 0; i < a->nreasons; i++)
		strbuf_addf(&ctx->msg, "%s%s", i ? "; " : "", a->reasons[i].msg);
}

static enum mod_result
rabbitmq_facts_run(struct modctx *ctx, const struct val *args)
{
	struct rmq_host h;
	struct rmq_analysis a = RMQ_ANALYSIS_INIT;
	int ret;

	ret = rmq_host_gather(ctx, args, NULL, &h);
	if (ret == 0) {
		host_results(ctx, &h);
		rmq_host_analyze(&h, NULL, &a);
		analysis_results(ctx, &h, &a);
		summary(ctx, &a);
		rmq_analysis_release(&a);
	}
	rmq_host_release(&h);
	return mod_done(ctx, ret == -1 ? 0 : ret);
}

static const struct module_arg rabbitmq_facts_args[] = {
	{ "conf_dir", ARG_PATH, 0, "/etc/rabbitmq", NULL,
	  "RabbitMQ's configuration directory (rabbitmq-env.conf, "
	  "rabbitmq.conf, conf.d, advanced.config, enabled_plugins)", NULL },
	{ "rabbitmq_user", ARG_STR, 0, "rabbitmq", NULL,
	  "user the broker runs as", NULL },
	{ "pid_file", ARG_PATH, 0, "/var/run/rabbitmq/pid", NULL,
	  "without systemd: the init script's pid file (a running broker it "
	  "does not name is a note: the init script cannot stop it)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_rabbitmq_facts = {
	.name = "rabbitmq_facts",
	.summary = "detect RabbitMQ's configuration, listeners and whether it "
	    "accepts cleartext AMQP",
	.doc = "Finds the configuration as the broker does: rabbitmq-env.conf "
	    "(CONFIG_FILE, CONFIG_FILES, ADVANCED_CONFIG_FILE, "
	    "ENABLED_PLUGINS_FILE), rabbitmq.conf, conf.d/*.conf, the legacy "
	    "rabbitmq.config (which wins over rabbitmq.conf when it exists), "
	    "advanced.config and enabled_plugins.  Parses the sysctl format "
	    "with cuttlefish's rules and classifies every key against "
	    "RabbitMQ 3.10.8's settings.  Register it (e.g. as rmq) and use "
	    "rmq.vulnerable, rmq.reasons, rmq.conf_file, rmq.legacy_active, "
	    "rmq.listeners [{protocol, tls, address, port, file, line}], "
	    "rmq.probe {host, port} (first plaintext AMQP listener as the host "
	    "reaches it, or null), rmq.plaintext_amqp, rmq.plaintext_plugins, "
	    "rmq.will_not_boot, rmq.invalid_keys and rmq.unverified_keys "
	    "[{file, line, key}], rmq.ssl_options, rmq.plugins, rmq.version, "
	    "rmq.running (a live beam.smp booting rabbit, whatever the pid "
	    "file says; else the unit is active), rmq.pid (that process), "
	    "rmq.init, rmq.files, rmq.notes.  Read-only.",
	.args = rabbitmq_facts_args,
	.flags = MOD_SUPPORTS_CHECK,
	.run = rabbitmq_facts_run,
};
