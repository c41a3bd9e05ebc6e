/*
 * rabbitmq_facts.c - what a host's RabbitMQ configuration is, and whether
 * the broker takes cleartext AMQP.  Read-only.
 *
 * Gathering (shared with rabbitmq_tls, see rabbitmq.h): rabbitmq-env.conf,
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

#include "modules/rabbitmq/rabbitmq.h"
#include "runner/core/initsys.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const char detect_script[] =
	"LC_ALL=C; export LC_ALL\n"
	"if [ -f \"$base\" ]; then\n"
	"  echo base_file=1\n"
	"  l=$(grep -v '^[[:space:]]*%' \"$base\" 2>/dev/null | "
	"grep -m 1 '[^[:space:]]' | sed 's/^[[:space:]]*//')\n"
	"  case $l in '['*) echo base_erlang=1 ;; esac\n"
	"fi\n"
	"[ -f \"$stem.conf\" ] && echo conf_exists=1\n"
	"[ -f \"$stem.config\" ] && echo config_exists=1\n"
	"IFS=\n"
	"for f in $g; do [ -f \"$f\" ] && echo \"confd=$f\"; done\n"
	"unset IFS\n"
	"v=$(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null)\n"
	"if [ -z \"$v\" ] && command -v rpm >/dev/null 2>&1; then\n"
	"  v=$(rpm -q --qf '%{VERSION}' rabbitmq-server 2>/dev/null) || v=\n"
	"fi\n"
	"[ -n \"$v\" ] && echo \"version=$v\"\n"
	INITSYS_KIND_SH
	"if [ $kind = systemd ]; then\n"
	"  echo init=systemd\n"
	"  systemctl is-active --quiet rabbitmq-server 2>/dev/null && "
	"echo running=1\n"
	"else\n"
	"  echo init=sysv\n"
	"  p=$(cat \"$pidf\" 2>/dev/null) && [ -n \"$p\" ] && "
	"kill -0 \"$p\" 2>/dev/null && echo running=1\n"
	"fi\n"
	"id -u \"$u\" >/dev/null 2>&1 && echo user=1\n"
	"command -v rabbitmq-diagnostics >/dev/null 2>&1 && "
	"echo diagnostics=1\n"
	"command -v openssl >/dev/null 2>&1 && echo openssl=1\n"
	"echo \"hostname=$(hostname -s 2>/dev/null || hostname)\"\n"
	"echo end=1\n";

struct detect {
	struct rmq_main_probe pr;
	struct val *confd;           /* list of paths */
	int end;
};

/* ------------------------------------------------------------------ */
/* Files                                                               */

static void
file_init(struct rmq_file *f, const char *path)
{
	memset(f, 0, sizeof(*f));
	f->path = path ? xstrdup(path) : NULL;
	strbuf_init(&f->text, 0);
}

static void
file_release(struct rmq_file *f)
{
	free(f->path);
	strbuf_release(&f->text);
	file_meta_release(&f->meta);
	if (f->parsed)
		rmq_conf_release(&f->conf);
	memset(f, 0, sizeof(*f));
}

/* 0 (exists or not), -1 (failed, recorded) or a TERR code. */
static int
file_read(struct modctx *ctx, struct rmq_file *f)
{
	int ret;

	if (f->path == NULL)
		return 0;
	ret = mod_read_file(ctx, f->path, &f->text, &f->meta);
	f->exists = ret == 0 && f->meta.exists;
	return ret;
}

static void
file_parse(struct rmq_file *f)
{
	struct err e = ERR_INIT;

	(void)rmq_conf_parse(&f->conf, pos_intern(f->path), f->text.buf,
	    f->text.len, &e);
	f->parsed = 1;
	err_release(&e);
}

/* ------------------------------------------------------------------ */
/* rabbitmq-env.conf and the detect script                             */

static const char *
env_value(struct rmq_host *h, const char *name)
{
	const struct rmq_env_var *v = rmq_env_get(&h->env, name);

	if (v == NULL)
		return NULL;
	if (v->dynamic) {
		val_list_push(h->notes, val_str_take(xasprintf("%s:%d: %s is "
		    "computed by the shell ('%s'): not followed, the default "
		    "is assumed", h->env_file.path, v->line, v->name,
		    v->value)));
		return NULL;
	}
	return v->value[0] ? v->value : NULL;
}

static void
detect_kv(struct rmq_host *h, struct detect *d, const char *k, const char *v)
{
	if (strcmp(k, "base_file") == 0)
		d->pr.base_is_file = 1;
	else if (strcmp(k, "base_erlang") == 0)
		d->pr.base_erlang = 1;
	else if (strcmp(k, "conf_exists") == 0)
		d->pr.conf_exists = 1;
	else if (strcmp(k, "config_exists") == 0)
		d->pr.config_exists = 1;
	else if (strcmp(k, "confd") == 0)
		val_list_push(d->confd, val_str(v));
	else if (strcmp(k, "version") == 0 && h->version == NULL)
		h->version = xstrdup(v);
	else if (strcmp(k, "init") == 0 && h->init == NULL)
		h->init = xstrdup(v);
	else if (strcmp(k, "hostname") == 0 && h->hostname == NULL)
		h->hostname = xstrdup(v);
	else if (strcmp(k, "running") == 0)
		h->running = 1;
	else if (strcmp(k, "user") == 0)
		h->user_exists = 1;
	else if (strcmp(k, "diagnostics") == 0)
		h->diagnostics = 1;
	else if (strcmp(k, "openssl") == 0)
		h->openssl = 1;
	else if (strcmp(k, "end") == 0)
		d->end = 1;
}

static void
detect_parse(struct rmq_host *h, struct detect *d, const char *out)
{
	while (*out != '\0') {
		size_t n = strcspn(out, "\n");
		const char *eq = memchr(out, '=', n);

		if (eq != NULL) {
			char *k = xstrndup(out, (size_t)(eq - out));
			char *v = xstrndup(eq + 1, n - (size_t)(eq - out) - 1);

			detect_kv(h, d, k, v);
			free(k);
			free(v);
		}
		out += n + (out[n] == '\n');
	}
}

/* CONFIG_FILES: a directory (its *.conf) or a glob. */
static char *
confd_glob(const char *dir, const char *cf)
{
	if (cf == NULL)
		return xasprintf("%s/conf.d/*.conf", dir);
	if (strchr(cf, '*') != NULL || strchr(cf, '?') != NULL)
		return xstrdup(cf);
	return xasprintf("%s/*.conf", cf);
}

static int
run_detect(struct modctx *ctx, const struct val *args, struct rmq_host *h,
    struct detect *d)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	char *stem = rmq_main_stem(h->base);
	char *g = confd_glob(h->conf_dir, env_value(h, "CONFIG_FILES"));
	int ret;

	shellcmd_build(&cmd, "base=%q; stem=%q; g=%q; u=%q; pidf=%q\n",
	    h->base, stem, g, arg_str(args, "rabbitmq_user"),
	    arg_str(args, "pid_file"));
	strbuf_addstr(&cmd, detect_script);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0)
		detect_parse(h, d, r.out.buf);
	if (ret == 0 && !d->end)
		ret = mod_fail(ctx, "cannot inspect RabbitMQ on the host: %s",
		    r.err.len ? r.err.buf : "the detect script failed") - 1;
	exec_res_release(&r);
	strbuf_release(&cmd);
	free(stem);
	free(g);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Gathering                                                           */

static char *
in_dir(const char *dir, const char *env, const char *name)
{
	return env ? xstrdup(env) : xasprintf("%s/%s", dir, name);
}

/* Paths of every file, from rabbitmq-env.conf and the detect script. */
static void
set_paths(struct rmq_host *h, struct detect *d, const char *conf_path)
{
	char *stem = rmq_main_stem(h->base), *p;
	size_t i;

	rmq_main_resolve(h->base, &d->pr, &h->main);
	if (conf_path != NULL)
		p = xstrdup(conf_path);
	else if (h->main.format == RMQ_MAIN_CONF)
		p = xstrdup(h->main.path);
	else
		p = xasprintf("%s.conf", stem);
	file_init(&h->conf, p);
	free(p);
	p = h->main.format == RMQ_MAIN_LEGACY ? xstrdup(h->main.path) :
	    xasprintf("%s.config", stem);
	file_init(&h->legacy, p);
	free(p);
	p = in_dir(h->conf_dir, env_value(h, "ADVANCED_CONFIG_FILE"),
	    "advanced.config");
	file_init(&h->advanced, p);
	free(p);
	p = in_dir(h->conf_dir, env_value(h, "ENABLED_PLUGINS_FILE"),
	    "enabled_plugins");
	file_init(&h->plugins_file, p);
	free(p);
	h->nconfd = d->confd->u.list.n;
	h->confd = xcalloc(h->nconfd + 1, sizeof(*h->confd));
	for (i = 0; i < h->nconfd; i++)
		file_init(&h->confd[i], d->confd->u.list.items[i]->u.str.s);
	free(stem);
}

static int
read_files(struct modctx *ctx, struct rmq_host *h)
{
	struct err e = ERR_INIT;
	size_t i;
	int ret;

	if ((ret = file_read(ctx, &h->conf)) != 0 ||
	    (ret = file_read(ctx, &h->legacy)) != 0 ||
	    (ret = file_read(ctx, &h->advanced)) != 0 ||
	    (ret = file_read(ctx, &h->plugins_file)) != 0)
		return ret;
	for (i = 0; i < h->nconfd; i++)
		if ((ret = file_read(ctx, &h->confd[i])) != 0)
			return ret;
	file_parse(&h->conf);
	for (i = 0; i < h->nconfd; i++)
		file_parse(&h->confd[i]);
	if (h->legacy.exists)
		rmq_legacy_scan(h->legacy.text.buf, h->legacy.text.len,
		    &h->legacy_scan);
	if (h->advanced.exists)
		rmq_legacy_scan(h->advanced.text.buf, h->advanced.text.len,
		    &h->advanced_scan);
	if (h->plugins_file.exists && rmq_plugins_parse(&h->plugins,
	    h->plugins_file.path, h->plugins_file.text.buf,
	    h->plugins_file.text.len, &e) < 0) {
		strbuf_rtrim(&e.msg);
		val_list_push(h->notes, val_str(err_text(&e,
		    "enabled_plugins does not parse")));
	}
	err_release(&e);
	return 0;
}

int
rmq_host_gather(struct modctx *ctx, const struct val *args,
    const char *conf_path, struct rmq_host *h)
{
	struct detect d;
	const char *cf;
	int ret;

	memset(h, 0, sizeof(*h));
	memset(&d, 0, sizeof(d));
	d.confd = val_list();
	h->notes = val_list();
	h->conf_dir = xstrdup(arg_str(args, "conf_dir"));
	h->env_file.path = xasprintf("%s/rabbitmq-env.conf", h->conf_dir);
	strbuf_init(&h->env_file.text, 0);
	if ((ret = file_read(ctx, &h->env_file)) != 0)
		goto out;
	rmq_env_parse(&h->env, h->env_file.text.buf, h->env_file.text.len);
	cf = env_value(h, "CONFIG_FILE");
	h->base = cf ? xstrdup(cf) : xasprintf("%s/rabbitmq", h->conf_dir);
	cf = env_value(h, "LOG_BASE");
	h->log_dir = xstrdup(cf ? cf : "/var/log/rabbitmq");
	if ((ret = run_detect(ctx, args, h, &d)) != 0)
		goto out;
	set_paths(h, &d, conf_path);
	ret = read_files(ctx, h);
out:
	val_free(d.confd);
	return ret;
}

void
rmq_host_release(struct rmq_host *h)
{
	size_t i;

	free(h->conf_dir);
	file_release(&h->env_file);
	rmq_env_release(&h->env);
	free(h->base);
	free(h->log_dir);
	rmq_main_release(&h->main);
	file_release(&h->conf);
	for (i = 0; i < h->nconfd; i++)
		file_release(&h->confd[i]);
	free(h->confd);
	file_release(&h->legacy);
	file_release(&h->advanced);
	file_release(&h->plugins_file);
	rmq_plugins_release(&h->plugins);
	free(h->version);
	free(h->init);
	free(h->hostname);
	val_free(h->notes);
	memset(h, 0, sizeof(*h));
}

void
rmq_host_analyze(const struct rmq_host *h, const struct rmq_conf *main,
    struct rmq_analysis *a)
{
	const struct rmq_conf **confs = xcalloc(h->nconfd + 1, sizeof(*confs));
	struct rmq_input in;
	size_t i, n = 0;

	memset(&in, 0, sizeof(in));
	/* a legacy main file replaces the sysctl files altogether */
	if (main != NULL && h->main.format == RMQ_MAIN_CONF)
		confs[n++] = main;
	else if (h->conf.exists && h->main.format == RMQ_MAIN_CONF)
		confs[n++] = &h->conf.conf;
	for (i = 0; i < h->nconfd && h->main.format == RMQ_MAIN_CONF; i++)
		if (h->confd[i].exists)
			confs[n++] = &h->confd[i].conf;
	in.confs = confs;
	in.nconfs = n;
	in.plugins = h->plugins_file.exists ? &h->plugins : NULL;
	in.legacy = h->main.format == RMQ_MAIN_LEGACY && h->legacy.exists ?
	    &h->legacy_scan : NULL;
	in.advanced = h->advanced.exists ? &h->advanced_scan : NULL;
	rmq_analyze(&in, a);
	free(confs);
}

struct val *
rmq_notes_val(const struct rmq_note *n, size_t count)
{
	struct val *l = val_list();
	size_t i;

	for (i = 0; i < count; i++) {
		if (n[i].file != NULL && n[i].line > 0)
			val_list_push(l, val_str_take(xasprintf("%s:%d: %s",
			    n[i].file, n[i].line, n[i].msg)));
		else
			val_list_push(l, val_str(n[i].msg));
	}
	return l;
}

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

/* Where the host reaches a listener bound to addr. */
static const char *
reach(const char *addr)
{
	if (addr[0] == '\0' || strcmp(addr, "0.0.0.0") == 0)
		return "127.0.0.1";
	if (strcmp(addr, "::") == 0)
		return "::1";
	return addr;
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
		val_map_set(m, "host", val_str(reach(x->addr)));
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

static int
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
	return ret == -1 ? 0 : ret;
}

static const struct module_arg rabbitmq_facts_args[] = {
	{ "conf_dir", ARG_PATH, 0, "/etc/rabbitmq", NULL,
	  "RabbitMQ's configuration directory (rabbitmq-env.conf, "
	  "rabbitmq.conf, conf.d, advanced.config, enabled_plugins)", NULL },
	{ "rabbitmq_user", ARG_STR, 0, "rabbitmq", NULL,
	  "user the broker runs as", NULL },
	{ "pid_file", ARG_PATH, 0, "/var/run/rabbitmq/pid", NULL,
	  "without systemd: the init script's pid file", NULL },
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
	    "rmq.running, rmq.init, rmq.files, rmq.notes.  Read-only.",
	.args = rabbitmq_facts_args,
	.flags = MOD_SUPPORTS_CHECK,
	.run = rabbitmq_facts_run,
};
