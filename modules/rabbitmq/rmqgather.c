/*
 * rmqgather.c - what rabbitmq_facts and rabbitmq_tls read from a host
 * (rmqgather.h): rabbitmq-env.conf, one detect script, then the
 * configuration files, parsed.  Not a module: it exports no mod_ entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/rmqgather.h"
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
	/* the broker that runs: a live beam.smp booting rabbit, whatever its
	 * pid file says (a booting broker has none yet; a lost one hides it
	 * from the init script) */
	"for d in /proc/[0-9]*; do\n"
	"  [ \"$(cat \"$d/comm\" 2>/dev/null)\" = beam.smp ] || continue\n"
	"  tr '\\0' ' ' <\"$d/cmdline\" 2>/dev/null | "
	"grep -q -- '-s rabbit boot' || continue\n"
	"  grep -q '^State:[[:space:]]*Z' \"$d/status\" 2>/dev/null && "
	"continue\n"
	"  echo \"broker_pid=${d#/proc/}\"; break\n"
	"done\n"
	"if [ $kind = systemd ]; then\n"
	"  echo init=systemd\n"
	"  systemctl is-active --quiet rabbitmq-server 2>/dev/null && "
	"echo unit_active=1\n"
	"else\n"
	"  echo init=sysv\n"
	"  p=$(cat \"$pidf\" 2>/dev/null); case $p in ''|*[!0-9]*) ;; *) "
	"[ \"$(cat \"/proc/$p/comm\" 2>/dev/null)\" = beam.smp ] && "
	"echo \"pid_file_pid=$p\" ;; esac\n"
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
	else if (strcmp(k, "broker_pid") == 0)
		h->broker_pid = atol(v);
	else if (strcmp(k, "pid_file_pid") == 0)
		h->pid_file_pid = atol(v);
	else if (strcmp(k, "unit_active") == 0)
		h->unit_active = 1;
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

/* Running = a live broker process; the unit's state or the pid file only
 * when no such process was seen.  A broker the pid file does not name is
 * a note: the init script says "not running" and cannot stop it. */
static void
judge_running(struct rmq_host *h, const char *pidf)
{
	int sysv = h->init != NULL && strcmp(h->init, "sysv") == 0;

	h->running = h->broker_pid > 0 || h->unit_active ||
	    h->pid_file_pid > 0;
	if (sysv && h->broker_pid > 0 && h->pid_file_pid != h->broker_pid)
		val_list_push(h->notes, val_str_take(xasprintf("the broker "
		    "runs (beam.smp pid %ld) but %s does not name it: the "
		    "init script cannot see or stop it", h->broker_pid,
		    pidf)));
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
	if (ret == 0) {
		detect_parse(h, d, r.out.buf);
		judge_running(h, arg_str(args, "pid_file"));
	}
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

const char *
rmq_listener_reach(const char *addr)
{
	if (addr[0] == '\0' || strcmp(addr, "0.0.0.0") == 0)
		return "127.0.0.1";
	if (strcmp(addr, "::") == 0)
		return "::1";
	return addr;
}
