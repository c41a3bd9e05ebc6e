/* executor.c - plays, batches, forks and the per-task pipeline; see
 * executor.h. */
#include <libgen.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/module.h"
#include "runner/core/args.h"
#include "runner/core/executor.h"
#include "runner/core/homepath.h"
#include "runner/core/firstfound.h"
#include "runner/core/loop.h"
#include "runner/core/once.h"
#include "runner/core/sshargs.h"
#include "runner/core/startat.h"
#include "runner/core/step.h"
#include "runner/core/report.h"
#include "runner/core/safety.h"
#include "runner/template/template.h"
#include "runner/core/window.h"
#include "runner/util/clock.h"
#include "runner/util/banned.h"

struct play_run {
	const struct play *play;
	const struct run_opts *opts;
	struct hostctx **batch;
	size_t nbatch;
	atomic_size_t next;
	atomic_size_t done, failed, unreachable;
	atomic_int stop;               /* any_errors_fatal tripped, or
	                                * meta: end_play / end_batch */
	atomic_int meta_end;           /* meta: 1 end_batch, 2 end_play (no
	                                * further batch); no handler runs */
	size_t total;                  /* hosts in the play, for progress */
	size_t done_before;            /* hosts done in earlier batches */
	time_t deadline;               /* change window: no host starts at or
	                                * after it (0 = none) */
	struct once *once;             /* run_once across the batch */
	const struct task *start;      /* --start-at-task: its task in this
	                                * play (hosts skip those before) */
	int last_play;                 /* no play of the run follows */
	int bounded;                   /* more hosts than forks: a host's
	                                * connection closes after its part */
	int shed;                      /* the last play's last batch: a host's
	                                * state goes when its part is done
	                                * (host_shed) */
};

/* The run_once task this thread's host is running for the batch: what
 * its module answers with ansible_facts (once.h), or NULL. */
static _Thread_local struct once_result *once_cap;

/* ---- variables and connection parameters ---- */

static struct val *
render_or_keep(const struct val *v, const struct val *vars, size_t *spent)
{
	struct val *out = NULL;
	struct err e = ERR_INIT;

	if (tmpl_render_val_budget(v, vars, spent, &out, &e) < 0)
		out = val_copy(v);   /* undefined now: reported where used */
	err_release(&e);
	return out;
}

/* The rendered values are kept: they share one size budget, so values
 * that double each other cannot grow past the template cap together. */
static void
merge_rendered(struct val *vars, const struct val *src, size_t *spent)
{
	size_t i;

	if (src == NULL || src->type != V_MAP)
		return;
	for (i = 0; i < src->u.map.n; i++)
		val_map_set(vars, src->u.map.items[i].key,
		    render_or_keep(src->u.map.items[i].v, vars, spent));
}

/*
 * A host's variables are built from layers, lowest precedence first, as
 * Ansible's VariableManager: inventory (host and group vars, magic
 * inventory_hostname, group_names), facts (ansible_facts and each fact
 * as a top-level ansible_* name: INJECT_FACTS_AS_VARS), play vars and
 * vars_files, include_vars, set_fact and register, extra vars (-e), and
 * last the magic variables of the play (ansible_play_hosts, groups,
 * hostvars...).  `groups`, `hostvars` and the play's host lists are
 * shared by every host and read-only: vars_release() hands them back
 * before freeing a host's map (a copy per host made memory grow with the
 * square of the host count: 160 MiB at 400 hosts).  The lists live in
 * exec_state's pool until the run ends; `hostvars` entries leave them out,
 * as Ansible's hostvars (variables without a play).
 */
static const char *const shared_keys[] = { "groups", "hostvars",
    "ansible_play_hosts", "ansible_play_hosts_all", "ansible_play_batch",
    "play_hosts" };
static const char *const magic_keys[] = { "groups", "hostvars",
    "ansible_play_hosts", "ansible_play_hosts_all", "ansible_play_batch",
    "play_hosts", "ansible_check_mode", "ansible_diff_mode",
    "ansible_version", "ansible_play_name", "playbook_dir", "omit",
    "ansible_facts", "inventory_hostname", "inventory_hostname_short",
    "group_names", "ansible_run_tags", "ansible_skip_tags",
    "ansible_verbosity", "ansible_forks", NULL };

static void
vars_release(struct val *vars)
{
	size_t i;

	for (i = 0; vars != NULL && i < ARRAY_SIZE(shared_keys); i++)
		(void)val_map_take(vars, shared_keys[i]);
	val_free(vars);
}

static int
is_magic(const char *k)
{
	size_t i;

	for (i = 0; magic_keys[i] != NULL; i++)
		if (strcmp(magic_keys[i], k) == 0)
			return 1;
	return 0;
}

/* ansible_facts (names without the ansible_ prefix) and each fact as a
 * top-level name, as the module gave it (vars/clean.py namespace_facts) */
static void
inject_facts(struct val *vars, const struct val *facts)
{
	struct val *af = val_map();
	size_t i;

	for (i = 0; facts != NULL && i < facts->u.map.n; i++) {
		const char *k = facts->u.map.items[i].key;
		const struct val *v = facts->u.map.items[i].v;

		val_map_set(vars, k, val_copy(v));
		val_map_set(af, strncmp(k, "ansible_", 8) == 0 &&
		    strcmp(k, "ansible_local") != 0 ? k + 8 : k, val_copy(v));
	}
	val_mark_literal(af);
	val_map_set(vars, "ansible_facts", af);
}

static struct val *
strlist_val(char *const *l)
{
	struct val *v = val_list();

	while (l != NULL && *l != NULL)
		val_list_push(v, val_str(*l++));
	return v;
}

/* ansible_version: the ansible-core release whose behaviour mend follows */
static struct val *
version_val(void)
{
	struct val *v = val_map();

	val_map_set(v, "full", val_str("2.14.18"));
	val_map_set(v, "major", val_int(2));
	val_map_set(v, "minor", val_int(14));
	val_map_set(v, "revision", val_int(18));
	val_map_set(v, "string", val_str("2.14.18"));
	return v;
}

static void
set_magic(struct hostctx *hc, const struct play *p, const struct val *pm)
{
	const struct run_opts *o = hc->opts;
	size_t i;

	val_map_set(hc->vars, "ansible_check_mode", val_bool(o->check));
	val_map_set(hc->vars, "ansible_diff_mode", val_bool(o->diff));
	val_map_set(hc->vars, "ansible_play_name",
	    val_str(p->name ? p->name : p->hosts));
	if (p->playbook_dir != NULL)
		val_map_set(hc->vars, "playbook_dir", val_str(p->playbook_dir));
	val_map_set(hc->vars, "ansible_version", version_val());
	val_map_set(hc->vars, "ansible_run_tags", strlist_val(o->tags));
	if (o->tags == NULL)
		val_list_push(val_map_get(hc->vars, "ansible_run_tags"),
		    val_str("all"));
	val_map_set(hc->vars, "ansible_skip_tags", strlist_val(o->skip_tags));
	val_map_set(hc->vars, "ansible_verbosity", val_int(o->verbose));
	val_map_set(hc->vars, "ansible_forks", val_int(o->forks));
	for (i = 0; pm != NULL && i < pm->u.map.n; i++)
		val_map_set(hc->vars, pm->u.map.items[i].key,
		    pm->u.map.items[i].v);        /* shared: shared_keys */
}

/* (Re)build hc->vars from its layers; pm: the play's magic (lists, and
 * the shared groups and hostvars). */
static void
host_vars_build(struct hostctx *hc, const struct inventory *inv,
    const struct play *p, const struct val *pm)
{
	size_t spent = 0;

	struct val *iv = inventory_host_vars_nogroups(inv, hc->ih);

	vars_release(hc->vars);
	hc->vars = val_map();            /* roles' defaults: lowest */
	merge_rendered(hc->vars, p->role_defaults, &spent);
	val_map_merge(hc->vars, iv);
	val_free(iv);
	inject_facts(hc->vars, hc->facts);
	merge_rendered(hc->vars, p->vars, &spent);
	merge_rendered(hc->vars, p->role_vars, &spent);
	val_map_merge(hc->vars, hc->incvars);
	val_map_merge(hc->vars, hc->setfacts);
	merge_rendered(hc->vars, hc->opts->extra_vars, &spent);
	val_map_merge(hc->vars, val_map_get(hc->opts->host_vars, hc->name));
	set_magic(hc, p, pm);
}

static int scope_relayer(struct hostctx *hc, const char *k);

/* A layer above play vars (include_vars, set_fact, register) changes k:
 * the merged map takes it unless a higher layer (extra vars, magic, a
 * scoped variable above it) or, for include_vars, set_fact holds it. */
static void
host_set_layer(struct hostctx *hc, struct val **layer, const char *k,
    struct val *v)
{
	int hidden = is_magic(k) ||
	    val_map_get(hc->opts->extra_vars, k) != NULL ||
	    val_map_get(val_map_get(hc->opts->host_vars, hc->name), k) ||
	    (layer == &hc->incvars && val_map_get(hc->setfacts, k) != NULL);

	if (*layer == NULL)
		*layer = val_map();
	val_map_set(*layer, k, v);
	if (!hidden && !scope_relayer(hc, k))
		val_map_set(hc->vars, k, val_copy(v));
}

static const char *
var_str(const struct val *vars, const char *key)
{
	const struct val *v = val_map_get(vars, key);

	return (v != NULL && v->type == V_STR) ? v->u.str.s : NULL;
}

/* The connection plugin a host uses: its ansible_connection, else the
 * play's keyword, else -c (Ansible's order), else "ssh". */
static const char *
conn_kind(const struct run_opts *o, const struct play *p,
    const struct val *vars)
{
	const char *conn = var_str(vars, "ansible_connection");

	if (conn == NULL)
		conn = p->connection;
	if (conn == NULL)
		conn = o->connection;
	return conn != NULL ? conn : "ssh";
}

/* One of the connection kinds mend has: ssh (libssh; Ansible's "smart"
 * is ssh too) and local? */
static int
conn_kind_ok(const char *kind)
{
	return strcmp(kind, "ssh") == 0 || strcmp(kind, "smart") == 0 ||
	    strcmp(kind, "local") == 0;
}

/* The connection to host `name` with variables vars (NULL: none). */
static void
conn_params_from(const struct hostctx *hc, const struct play *p,
    const struct val *vars, const char *name, struct conn_params *cp)
{
	const struct run_opts *o = hc->opts;
	const struct val *port = val_map_get(vars, "ansible_port");
	const char *conn = conn_kind(o, p, vars);
	int64_t n = 0;

	memset(cp, 0, sizeof(*cp));
	cp->name = name;
	cp->host = var_str(vars, "ansible_host");
	if (cp->host == NULL)
		cp->host = name;
	if (port != NULL && val_to_int(port, &n) == 0)
		cp->port = (int)n;
	cp->user = var_str(vars, "ansible_user");
	if (cp->user == NULL)
		cp->user = p->remote_user ? p->remote_user : o->user;
	cp->identity = var_str(vars, "ansible_ssh_private_key_file");
	if (cp->identity == NULL)
		cp->identity = o->private_key;
	cp->known_hosts = o->known_hosts;
	cp->ssh_config = o->ssh_config;
	cp->policy = o->policy;
	cp->connect_timeout = o->connect_timeout;
	cp->alive_interval = o->alive_interval;
	cp->alive_count = o->alive_count;
	cp->no_persistent_shell = o->no_persistent_shell;
	cp->verbose = o->verbose;
	cp->local = strcmp(conn, "local") == 0;
	if (hc->sshargs != NULL && vars == hc->vars)
		ssh_args_apply(hc->sshargs, cp);
}

/* A host's ssh arguments, once: ansible_ssh_common_args (else
 * --ssh-common-args), then ansible_ssh_extra_args (else --ssh-extra-args),
 * as Ansible appends them.  -1: one libssh cannot honour (e set). */
static int
host_ssh_args(struct hostctx *hc, struct err *e)
{
	const char *cv = var_str(hc->vars, "ansible_ssh_common_args"),
	    *xv = var_str(hc->vars, "ansible_ssh_extra_args");
	const char *c = cv ? cv : hc->opts->ssh_common_args,
	    *x = xv ? xv : hc->opts->ssh_extra_args;

	if (hc->sshargs != NULL)
		return 0;
	hc->sshargs = xcalloc(1, sizeof(*hc->sshargs));
	ssh_args_init(hc->sshargs);
	if ((c != NULL && ssh_args_parse(c, cv ? "ansible_ssh_common_args" :
	    "--ssh-common-args", hc->sshargs, e) < 0) ||
	    (x != NULL && ssh_args_parse(x, xv ? "ansible_ssh_extra_args" :
	    "--ssh-extra-args", hc->sshargs, e) < 0))
		return -1;
	return 0;
}

void
host_conn_params(struct hostctx *hc, const struct play *p,
    struct conn_params *cp)
{
	conn_params_from(hc, p, hc->vars, hc->name, cp);
}

int
host_connect(struct hostctx *hc, const struct play *p)
{
	/* a reconnection (forks < hosts) keeps the first kind */
	const char *kind = !hc->conn_kind_set ? conn_kind(hc->opts, p,
	    hc->vars) : hc->conn_local ? "local" : "ssh";
	struct conn_params cp;
	struct err e = ERR_INIT;
	int ret;

	if (!conn_kind_ok(kind))
		ret = err_set(&e, "connection '%s' is not supported by mend "
		    "(it has ssh and local)", kind);
	else
		ret = strcmp(kind, "local") == 0 ? 0 : host_ssh_args(hc, &e);
	host_conn_params(hc, p, &cp);
	if (hc->conn_kind_set)
		cp.local = hc->conn_local;
	if (ret == 0)
		ret = conn_open(&hc->conn, &cp, &e);
	hc->conn_local = cp.local;
	hc->conn_kind_set = 1;
	if (ret != 0) {
		strbuf_rtrim(&e.msg);
		report_task(hc, "connect", TS_UNREACHABLE,
		    err_text(&e, "cannot connect"), NULL,
		    NULL, 0, 0);
		hc->unreachable = 1;
		hc->st.unreachable++;
		hc->conn = NULL;
	}
	err_release(&e);
	return ret;
}

/* ---- one task ---- */

static int
eval_cond(struct hostctx *hc, const struct cond *c, int *out,
    struct strbuf *msg)
{
	struct err e = ERR_INIT;
	size_t i;

	*out = 1;
	if (c->literal) {
		*out = c->value;
		return 0;
	}
	for (i = 0; i < c->nexprs && *out; i++) {
		if (tmpl_eval_cond(c->exprs[i], hc->vars, &c->pos, out,
		    &e) < 0) {
			strbuf_rtrim(&e.msg);
			strbuf_addstr(msg, e.msg.buf);
			err_release(&e);
			return -1;
		}
	}
	return 0;
}

static int
effective_become(const struct hostctx *hc, const struct play *p,
    const struct task *t, const char **user)
{
	const struct val *v = val_map_get(hc->vars, "ansible_become");
	int b = hc->opts->become;

	*user = var_str(hc->vars, "ansible_become_user");
	if (*user == NULL)
		*user = task_eff_become_user(t) ? task_eff_become_user(t)
		    : p->become_user ? p->become_user : hc->opts->become_user;
	if (p->become >= 0)
		b = p->become;
	if (task_eff_become(t) >= 0)
		b = task_eff_become(t);
	if (v != NULL && val_to_bool(v) >= 0)
		b = val_to_bool(v);
	return b;
}

void
host_exec_opts(struct hostctx *hc, const struct play *p,
    const struct task *t, struct exec_opts *o)
{
	static const struct task none = { .become = -1 };

	memset(o, 0, sizeof(*o));
	o->become = effective_become(hc, p, t ? t : &none, &o->become_user);
	o->become_pass = hc->opts->become_pass;
	o->timeout = HOST_STEP_TIMEOUT;
}

static struct val *
result_val(const struct modctx *ctx, const struct task *t, double dur,
    enum task_status st)
{
	struct val *r = ctx->data ? val_copy(ctx->data) : val_map();

	val_map_set(r, "changed", val_bool(ctx->changed));
	val_map_set(r, "failed", val_bool(ctx->failed));
	val_map_set(r, "skipped", val_bool(ctx->skipped));
	if (ctx->rc >= 0)
		val_map_set(r, "rc", val_int(ctx->rc));
	val_map_set(r, "msg", val_strn(ctx->msg.buf, ctx->msg.len));
	(void)t;
	(void)dur;
	(void)st;
	val_mark_literal(r);   /* host data is never templated */
	return r;
}

static void
record_json(struct hostctx *hc, const struct play *p, const struct task *t,
    const char *tname, const struct modctx *ctx, double dur,
    enum task_status st)
{
	struct val *r;
	int nolog = ctx->no_log;

	if (hc->opts->json_path == NULL)
		return;
	r = val_map();
	val_map_set(r, "host", val_str(hc->name));
	val_map_set(r, "play", val_str(p->name ? p->name : p->hosts));
	val_map_set(r, "task", val_str(tname));
	val_map_set(r, "module", val_str(t->mod->name));
	val_map_set(r, "changed", val_bool(st == TS_CHANGED));
	val_map_set(r, "failed", val_bool(st == TS_FAILED || st == TS_IGNORED));
	val_map_set(r, "ignored", val_bool(st == TS_IGNORED));
	val_map_set(r, "skipped", val_bool(st == TS_SKIPPED));
	val_map_set(r, "unreachable", val_bool(st == TS_UNREACHABLE));
	val_map_set(r, "rc", ctx->rc >= 0 ? val_int(ctx->rc) : val_null());
	val_map_set(r, "duration", val_int((int64_t)(dur * 1000)));
	val_map_set(r, "message", nolog ? val_str(NO_LOG_TEXT)
	    : val_strn(ctx->msg.buf, ctx->msg.len));
	val_map_set(r, "diff", nolog || !hc->opts->diff ? val_null()
	    : val_strn(ctx->diffs.buf, ctx->diffs.len));
	if (ctx->data != NULL)
		val_map_set(r, "data", nolog ? val_str(NO_LOG_TEXT)
		    : val_copy(ctx->data));
	if (hc->results == NULL)
		hc->results = val_list();
	val_list_push(hc->results, r);
}

static void
notify(struct hostctx *hc, const struct task *t)
{
	size_t i, j;

	t = task_eff_notify(t);
	for (i = 0; i < t->nnotify; i++) {
		for (j = 0; j < hc->nnotified; j++)
			if (strcmp(hc->notified[j], t->notify[i]) == 0)
				break;
		if (j < hc->nnotified)
			continue;
		ALLOC_GROW(hc->notified, hc->nnotified + 1, hc->notified_alloc);
		hc->notified[hc->nnotified++] = t->notify[i];
	}
}

/* Drop arguments that rendered to `omit` (default(omit)). */
static void
drop_omitted(struct val *args)
{
	size_t i = 0;

	while (args != NULL && args->type == V_MAP && i < args->u.map.n) {
		const struct val *v = args->u.map.items[i].v;

		if (v->type == V_STR && strcmp(v->u.str.s, TMPL_OMIT) == 0)
			val_map_del(args, args->u.map.items[i].key);
		else
			i++;
	}
}

static int
args_have_unsafe(const struct val *v)
{
	size_t i;

	if (v == NULL)
		return 0;
	if (v->unsafe)
		return 1;
	if (v->type == V_LIST)
		for (i = 0; i < v->u.list.n; i++)
			if (args_have_unsafe(v->u.list.items[i]))
				return 1;
	if (v->type == V_MAP)
		for (i = 0; i < v->u.map.n; i++)
			if (args_have_unsafe(v->u.map.items[i].v))
				return 1;
	return 0;
}

/* The module's result into ctx's flags (which the conditions, register
 * and the report read).  A value that is not a result is a bug in the
 * module: the task fails, the host stays. */
static enum mod_result
settle(const struct task *t, struct modctx *ctx, enum mod_result res)
{
	switch (res) {
	case MOD_OK:
		ctx->changed = 0;
		/* FALLTHROUGH */
	case MOD_CHANGED:
		ctx->changed |= res == MOD_CHANGED;
		ctx->failed = 0;
		return res;
	case MOD_SKIPPED:
		ctx->skipped = 1;
		return res;
	case MOD_FAILED:
		ctx->failed = 1;
		return res;
	case MOD_UNREACHABLE:
		return res;
	}
	mod_fail(ctx, "internal error: module '%s' returned %d, not a result",
	    t->mod->name, (int)res);
	return MOD_FAILED;
}

/* delegate_to: the module runs over a connection to the delegated host,
 * with that host's connection variables (hostvars), or, for a name not in
 * the inventory, the name itself (localhost: a local connection, as
 * Ansible's implicit localhost); the task's variables stay the task's
 * host's.  The connection lives for the task; the journal names the
 * delegated host (mend rollback restores it there). */
/* The module's run, after `~` in its path arguments is expanded on the
 * host (homepath.h). */
static enum mod_result
run_module(const struct task *t, struct modctx *ctx, struct val *args)
{
	int ret = homepath_expand(ctx, t->mod, args);

	if (ret != 0)
		return ret == TERR_UNREACHABLE ? MOD_UNREACHABLE : MOD_FAILED;
	return t->mod->run(ctx, args);
}

static enum mod_result
call_delegated(struct hostctx *hc, const struct play *p, const struct task *t,
    struct modctx *ctx, struct val *args)
{
	struct val *in = val_str(task_eff_delegate_to(t)), *name = NULL;
	const struct val *dv;
	struct err e = ERR_INIT;
	struct conn_params cp;
	struct conn *saved = hc->conn, *dc = NULL;
	const char *host_name = ctx->host_name;
	enum mod_result ret = MOD_FAILED;

	in->pos = t->pos;
	if (tmpl_render_val(in, hc->vars, &name, &e) < 0 ||
	    name->type != V_STR || name->u.str.len == 0) {
		strbuf_rtrim(&e.msg);
		mod_fail(ctx, "delegate_to: %s", e.count ? e.msg.buf :
		    "not a host name");
		goto out;
	}
	dv = val_map_get(val_map_get(hc->vars, "hostvars"), name->u.str.s);
	conn_params_from(hc, p, dv, name->u.str.s, &cp);
	if (dv == NULL && (strcmp(name->u.str.s, "localhost") == 0 ||
	    strcmp(name->u.str.s, "127.0.0.1") == 0))
		cp.local = 1;
	if (conn_open(&dc, &cp, &e) != 0) {
		strbuf_rtrim(&e.msg);
		mod_fail(ctx, "delegate_to %s: %s", name->u.str.s,
		    err_text(&e, "cannot connect"));
		ret = MOD_UNREACHABLE;
		goto out;
	}
	hc->conn = dc;
	ctx->host_name = name->u.str.s;
	ret = settle(t, ctx, run_module(t, ctx, args));
	ctx->host_name = host_name;
	hc->conn = saved;
	conn_close(dc);
out:
	val_free(in);
	val_free(name);
	err_release(&e);
	return ret;
}

/* A host keeps the kind of its first connection for the run (also when
 * it is reconnected, forks < hosts): a play whose `connection` keyword
 * asks for the other kind fails its tasks, named. */
static int
conn_switch(struct hostctx *hc, const struct play *p, struct modctx *ctx)
{
	struct conn_params cp;

	host_conn_params(hc, p, &cp);
	if (cp.local == hc->conn_local)
		return 0;
	mod_fail(ctx, "this play asks for a%s connection to %s, an earlier "
	    "play opened a%s one: mend keeps one connection per host for "
	    "the run (set ansible_connection in the inventory)",
	    cp.local ? " local" : "n ssh", hc->name, hc->conn_local ?
	    " local" : "n ssh");
	return -1;
}

/* Render the arguments and call the module. Returns its result. */
static enum mod_result
call_module(struct hostctx *hc, const struct play *p, const struct task *t,
    struct modctx *ctx)
{
	struct val *rendered = NULL, *args = NULL;
	struct err e = ERR_INIT;
	enum mod_result ret = MOD_FAILED;

	if (tmpl_render_val(t->args, hc->vars, &rendered, &e) == 0)
		drop_omitted(rendered);
	if (rendered == NULL || e.count > 0 ||
	    args_coerce(t->mod, rendered, &t->pos, &args, &e) < 0) {
		strbuf_rtrim(&e.msg);
		mod_fail(ctx, "%s", e.msg.buf);
		goto out;
	}
	if (args_have_unsafe(args))
		ctx->no_log = 1;
	if (task_eff_delegate_to(t) != NULL && !(t->mod->flags & MOD_NO_HOST)) {
		ret = call_delegated(hc, p, t, ctx, args);
		goto out;
	}
	if (!(t->mod->flags & MOD_NO_HOST) && hc->conn == NULL &&
	    host_connect(hc, p) != 0) {
		ret = MOD_UNREACHABLE;
		goto out;
	}
	if (!(t->mod->flags & MOD_NO_HOST) && conn_switch(hc, p, ctx) < 0)
		goto out;
	ret = settle(t, ctx, run_module(t, ctx, args));
out:
	val_free(rendered);
	val_free(args);
	err_release(&e);
	return ret;
}

static int
check_skip(const struct hostctx *hc, const struct task *t)
{
	int check = task_eff_check_mode(t) == 1 || (task_eff_check_mode(t) != 0 &&
	    hc->opts->check);

	return check && (t->mod->flags & MOD_CHANGES_HOST) &&
	    !(t->mod->flags & MOD_SUPPORTS_CHECK);
}

static void
modctx_init(struct modctx *ctx, struct hostctx *hc, const struct play *p,
    const struct task *t, const char *tname)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->host = hc;
	ctx->host_name = hc->name;
	ctx->task_name = tname;
	ctx->vars = hc->vars;
	ctx->check = task_eff_check_mode(t) == 1 || (task_eff_check_mode(t) != 0 &&
	    hc->opts->check);
	ctx->diff = hc->opts->diff || hc->opts->json_path != NULL;
	ctx->become = effective_become(hc, p, t, &ctx->become_user);
	ctx->timeout = task_eff_timeout(t) ? task_eff_timeout(t) :
	    hc->opts->task_timeout;
	ctx->verbosity = hc->opts->verbose;
	ctx->no_log = task_eff_no_log(t);
	ctx->rc = -1;
	strbuf_init(&ctx->msg, 0);
	strbuf_init(&ctx->diffs, 0);
}

/* register: the result (with `attempts` under until) as the variable */
static void
register_result(struct hostctx *hc, const struct task *t,
    const struct modctx *ctx, int attempts)
{
	struct val *r;

	if (t->register_ == NULL)
		return;
	r = result_val(ctx, t, 0, TS_OK);
	if (attempts > 0)
		val_map_set(r, "attempts", val_int(attempts));
	if (ctx->no_log)
		val_mark_unsafe(r);
	host_set_layer(hc, &hc->setfacts, t->register_, r);
}

static void
apply_result_conds(struct hostctx *hc, const struct task *t,
    struct modctx *ctx, int attempts)
{
	struct strbuf msg = STRBUF_INIT;
	int v;

	register_result(hc, t, ctx, attempts);
	if (t->changed_when.set) {
		if (eval_cond(hc, &t->changed_when, &v, &msg) < 0)
			mod_fail(ctx, "changed_when: %s", msg.buf);
		else
			ctx->changed = v;
	}
	strbuf_reset(&msg);
	if (t->failed_when.set) {
		if (eval_cond(hc, &t->failed_when, &v, &msg) < 0) {
			mod_fail(ctx, "failed_when: %s", msg.buf);
		} else {
			ctx->failed = v;
			if (v && ctx->msg.len == 0)
				mod_msg(ctx, "failed_when condition is true");
		}
	}
	if (t->changed_when.set || t->failed_when.set)
		register_result(hc, t, ctx, attempts);
	strbuf_release(&msg);
}

static enum task_status
classify(struct hostctx *hc, const struct task *t, struct modctx *ctx)
{
	if (ctx->skipped) {
		hc->st.skipped++;
		return TS_SKIPPED;
	}
	if (ctx->failed && task_eff_ignore_errors(t)) {
		hc->st.ignored++;
		hc->st.ok++;
		hc->st.changed += ctx->changed != 0;   /* as Ansible's stats */
		return TS_IGNORED;
	}
	if (ctx->failed) {
		hc->st.failed++;
		hc->failed = 1;
		return TS_FAILED;
	}
	hc->st.ok++;
	if (ctx->changed) {
		hc->st.changed++;
		notify(hc, t);
		return TS_CHANGED;
	}
	return TS_OK;
}

static void
task_name(const struct hostctx *hc, const struct task *t, struct strbuf *sb)
{
	struct strbuf r = STRBUF_INIT;
	struct err e = ERR_INIT;
	const struct task *a;

	for (a = t->parent; a != NULL && a->role == NULL; a = a->parent)
		;
	if (a != NULL)       /* a role's task: "role : name", as Ansible */
		strbuf_addf(sb, "%s : ", a->role);
	if (t->name == NULL || tmpl_render(t->name, hc->vars, &t->pos, &r,
	    &e) < 0) {
		strbuf_reset(&r);
		strbuf_addstr(&r, t->name ? t->name : t->mod->name);
	}
	strbuf_addbuf(sb, &r);
	strbuf_release(&r);
	err_release(&e);
}

static void scope_rebase(struct hostctx *hc, const char *k,
    const struct val *v);

/* A fact changed: the merged map takes it unless a layer above facts
 * holds k (or, when k is scoped, as the value the scope hides). */
static void
host_set_fact(struct hostctx *hc, const struct play *p, const char *k,
    const struct val *v)
{
	if (is_magic(k) || val_map_get(p->vars, k) ||
	    val_map_get(p->role_vars, k) || val_map_get(hc->incvars, k) ||
	    val_map_get(hc->setfacts, k) ||
	    val_map_get(hc->opts->extra_vars, k) ||
	    val_map_get(val_map_get(hc->opts->host_vars, hc->name), k))
		return;
	scope_rebase(hc, k, v);
}

/* A module's answer with ansible_facts (setup, *_facts modules): into
 * the host's facts and its variables, unless a higher layer holds the
 * name; set_fact's into the set_fact layer (and the facts when
 * cacheable), include_vars' into its own (strategy/__init__.py). */
static void
apply_facts(struct hostctx *hc, const struct play *p, const struct task *t,
    const struct val *data)
{
	const struct val *af = val_map_get(data, "ansible_facts");
	struct val *nsf;
	size_t i;
	int setfact = strcmp(t->mod->name, "set_fact") == 0;

	if (af == NULL || af->type != V_MAP)
		return;
	if (once_cap != NULL) {
		if (once_cap->facts == NULL)
			once_cap->facts = val_list();
		val_list_push(once_cap->facts, val_copy(data));
	}
	for (i = 0; i < af->u.map.n; i++) {
		const char *k = af->u.map.items[i].key;
		const struct val *v = af->u.map.items[i].v;

		if (strcmp(t->mod->name, "include_vars") == 0) {
			host_set_layer(hc, &hc->incvars, k, val_copy(v));
			continue;
		}
		if (setfact)
			host_set_layer(hc, &hc->setfacts, k, val_copy(v));
		if (setfact && val_truthy(val_map_get(data,
		    "_ansible_facts_cacheable")) == 0)
			continue;
		if (hc->facts == NULL)
			hc->facts = val_map();
		val_map_set(hc->facts, k, val_copy(v));
		nsf = val_map_get(hc->vars, "ansible_facts");
		if (nsf != NULL)
			val_map_set(nsf, strncmp(k, "ansible_", 8) == 0 ?
			    k + 8 : k, val_copy(v));
		if (!setfact)
			host_set_fact(hc, p, k, v);
	}
}

/* ---- keywords written as templates, environment ---- */

static int
kw_render(struct hostctx *hc, const struct task *t, const char *kw,
    const char *expr, struct val **out, struct strbuf *err)
{
	struct err e = ERR_INIT;
	struct val *in = val_str(expr);
	int ret;

	in->pos = t->pos;
	ret = tmpl_render_val(in, hc->vars, out, &e);
	if (ret < 0) {
		strbuf_rtrim(&e.msg);
		strbuf_addf(err, "%s: %s", kw, err_text(&e, "cannot render"));
	}
	val_free(in);
	err_release(&e);
	return ret;
}

static void
kw_bool(struct hostctx *hc, const struct task *t, const char *kw,
    const char *expr, int *out, struct strbuf *err)
{
	struct val *v = NULL;

	if (expr == NULL || err->len > 0 ||
	    kw_render(hc, t, kw, expr, &v, err) < 0)
		return;
	if (val_to_bool(v) < 0)
		strbuf_addf(err, "%s: '%s' is not a boolean", kw,
		    v->type == V_STR ? v->u.str.s : val_type_name(v->type));
	else
		*out = val_to_bool(v);
	val_free(v);
}

/* retries, delay written as templates: an integer from 0 to max */
static void
kw_int(struct hostctx *hc, const struct task *t, const char *kw,
    const char *expr, int max, int *out, struct strbuf *err)
{
	struct val *v = NULL;
	int64_t n;

	if (expr == NULL || err->len > 0 ||
	    kw_render(hc, t, kw, expr, &v, err) < 0)
		return;
	if (val_to_int(v, &n) < 0 || n < 0 || n > max)
		strbuf_addf(err, "%s: not an integer from 0 to %d", kw, max);
	else
		*out = (int)n;
	val_free(v);
}

/* play then task environment, rendered, names checked (they reach the
 * remote shell unquoted: export NAME='value') */
static int
env_render(struct hostctx *hc, const struct task *t, const struct val *src,
    struct val **env, struct strbuf *err)
{
	struct err e = ERR_INIT;
	struct val *r = NULL;
	size_t i, j;

	if (src == NULL || err->len > 0)
		return 0;
	if (tmpl_render_val(src, hc->vars, &r, &e) < 0 || r->type != V_MAP) {
		strbuf_rtrim(&e.msg);
		strbuf_addf(err, "environment: %s", e.msg.len ? e.msg.buf :
		    "must be a mapping");
		err_release(&e);
		val_free(r);
		return -1;
	}
	for (i = 0; i < r->u.map.n; i++) {
		const char *k = r->u.map.items[i].key;

		for (j = 0; k[j] != '\0' && (k[j] == '_' || (k[j] >= 'a' &&
		    k[j] <= 'z') || (k[j] >= 'A' && k[j] <= 'Z') ||
		    (j > 0 && k[j] >= '0' && k[j] <= '9')); j++)
			;
		if (j == 0 || k[j] != '\0') {
			strbuf_addf(err, "environment: '%s' is not a valid "
			    "variable name", k);
			break;
		}
	}
	if (*env == NULL)
		*env = val_map();
	val_map_merge(*env, r);
	val_free(r);
	(void)t;
	return 0;
}

/* The nearest of t and its enclosing blocks that sets a keyword decides
 * it: its template, or NULL when it is written as a literal (or unset). */
#define KW_EXPR(t, lit, unset, expr, out) do {				\
	const struct task *a_;						\
	(out) = NULL;							\
	for (a_ = (t); a_ != NULL && (out) == NULL;			\
	    a_ = task_inh_parent(a_)) {					\
		if (a_->expr != NULL)					\
			(out) = a_;					\
		else if (a_->lit != (unset))				\
			break;						\
	}								\
} while (0)

static void
env_chain(struct hostctx *hc, const struct task *t, struct val **env,
    struct strbuf *err)
{
	if (t == NULL)
		return;
	env_chain(hc, task_inh_parent(t), env, err);
	env_render(hc, t, t->environment, env, err);
}

/* The task as this host runs it: keywords written as templates (on the
 * task or a block around it) get their values (Ansible templates them
 * after `when`: an error is reported only for a task that runs); the
 * play's, then the blocks', then the task's environment. */
static int
task_resolve(struct hostctx *hc, const struct play *p, const struct task *t,
    struct task *eff, struct val **env, struct strbuf *err)
{
	const struct task *a;
	struct val *v = NULL;
	int64_t n;

	*eff = *t;
	KW_EXPR(t, ignore_errors, -1, ignore_errors_expr, a);
	if (a != NULL)
		kw_bool(hc, a, "ignore_errors", a->ignore_errors_expr,
		    &eff->ignore_errors, err);
	KW_EXPR(t, no_log, -1, no_log_expr, a);
	if (a != NULL)
		kw_bool(hc, a, "no_log", a->no_log_expr, &eff->no_log, err);
	KW_EXPR(t, become, -1, become_expr, a);
	if (a != NULL)
		kw_bool(hc, a, "become", a->become_expr, &eff->become, err);
	KW_EXPR(t, timeout, 0, timeout_expr, a);
	if (a != NULL && err->len == 0 &&
	    kw_render(hc, a, "timeout", a->timeout_expr, &v, err) == 0) {
		if (val_to_int(v, &n) < 0 || n < 0 || n > 86400)
			strbuf_addstr(err, "timeout: not an integer from 0 to "
			    "86400");
		else
			eff->timeout = (int)n;
		val_free(v);
	}
	kw_int(hc, t, "retries", t->retries_expr, 100000, &eff->retries, err);
	kw_int(hc, t, "delay", t->delay_expr, 86400, &eff->delay, err);
	env_render(hc, t, p->environment, env, err);
	env_chain(hc, t, env, err);
	return err->len > 0 ? -1 : 0;
}

/* A task as this host runs it now: its templated keywords' values (or
 * the error rendering them, which fails the task once `when` holds). */
struct task_eff {
	struct task t;
	struct val *env;
	struct strbuf err;
};

static const struct task *
teff_begin(struct hostctx *hc, const struct play *p, const struct task *t,
    struct task_eff *te)
{
	te->env = NULL;
	strbuf_init(&te->err, 0);
	return task_resolve(hc, p, t, &te->t, &te->env, &te->err) == 0 ?
	    &te->t : t;
}

static void
teff_end(struct task_eff *te)
{
	val_free(te->env);
	strbuf_release(&te->err);
}

/* ---- task-scoped variables: a layer of the host's variables ---- */

/*
 * Block and task vars, role parameters, include parameters and the loop
 * variables hold while their task (or include) runs.  Each is a layer at
 * Ansible's precedence (VariableManager.get_vars; TaskExecutor sets the
 * loop variables over the task's variables):
 *   include_role's defaults (1: only where nothing else is set) <
 *   role vars (15) < include_role's vars (16) < block and task vars
 *   (17) < include_vars (18) <
 *   set_fact and register (19) < role parameters (20) < include
 *   parameters (21) < extra vars (22) < loop variables < magic.
 * hc->vars shows the highest of a name's scoped values and its
 * persistent value.  The first scoped entry of a name keeps the value it
 * hid (`base`, the layers up to role vars: they do not change under it,
 * the higher ones are read from their own maps); the last entry to end
 * puts it back.
 */
enum {
	LV_RDEFAULTS = 1, LV_BASE = 15, LV_RVARS = 16, LV_TASK = 17, LV_INCVARS = 18, LV_SETFACT = 19,
	LV_ROLE = 20, LV_INCLUDE = 21, LV_EXTRA = 22, LV_LOOP = 23
};

struct scoped {
	char *key;
	int level;
	struct val *v;
	struct val *base;    /* the first entry of key: the value it hid */
	int first;
};

struct scope {
	size_t mark;         /* hc->nscoped when the scope began */
};

#define SCOPE_INIT(hc) { (hc)->nscoped }

static const struct scoped *
scope_first(const struct hostctx *hc, const char *k)
{
	size_t i;

	for (i = 0; i < hc->nscoped; i++)
		if (strcmp(hc->scoped[i].key, k) == 0)
			return &hc->scoped[i];
	return NULL;
}

/* k's value in the persistent layers; base: what they showed when k was
 * first scoped (the layers up to role vars, or extra vars). */
static const struct val *
persistent_val(const struct hostctx *hc, const char *k,
    const struct val *base, int *lvl)
{
	const struct val *v;

	*lvl = LV_EXTRA;
	if (val_map_get(hc->opts->extra_vars, k) != NULL ||
	    val_map_get(val_map_get(hc->opts->host_vars, hc->name), k))
		return base;
	*lvl = LV_SETFACT;
	if ((v = val_map_get(hc->setfacts, k)) != NULL)
		return v;
	*lvl = LV_INCVARS;
	if ((v = val_map_get(hc->incvars, k)) != NULL)
		return v;
	*lvl = base != NULL ? LV_BASE : -1;
	return base;
}

/* hc->vars[k] from k's scoped entries (hc->scoped[0..n)) and its
 * persistent layers; first: k's first entry (its base). */
static void
scope_show(struct hostctx *hc, const char *k, const struct scoped *first,
    size_t n)
{
	const struct scoped *top = NULL;
	const struct val *v;
	size_t i;
	int lvl;

	for (i = 0; i < n; i++)
		if (strcmp(hc->scoped[i].key, k) == 0 &&
		    (top == NULL || hc->scoped[i].level >= top->level))
			top = &hc->scoped[i];
	v = persistent_val(hc, k, first->base, &lvl);
	if (top != NULL && top->level > lvl)
		v = top->v;
	if (v != NULL)
		val_map_set(hc->vars, k, val_copy(v));
	else
		val_map_del(hc->vars, k);
}

static void
scope_set_level(struct hostctx *hc, const char *key, struct val *v,
    int level)
{
	const struct scoped *first = scope_first(hc, key);
	const struct val *old = val_map_get(hc->vars, key);
	size_t fi = first ? (size_t)(first - hc->scoped) : hc->nscoped;
	struct scoped *s;

	if (is_magic(key)) {          /* magic variables win over all */
		val_free(v);
		return;
	}
	ALLOC_GROW(hc->scoped, hc->nscoped + 1, hc->scoped_alloc);
	s = &hc->scoped[hc->nscoped++];
	s->key = xstrdup(key);
	s->level = level;
	s->v = v;
	s->first = first == NULL;
	s->base = first == NULL && old != NULL ? val_copy(old) : NULL;
	scope_show(hc, key, &hc->scoped[fi], hc->nscoped);
}

static void
scope_set(struct hostctx *hc, struct scope *sc, const char *key,
    struct val *v)
{
	(void)sc;
	scope_set_level(hc, key, v, LV_LOOP);
}

/* End a scope: each of its variables as the remaining layers show it,
 * newest first. */
static void
scope_end(struct hostctx *hc, struct scope *sc)
{
	while (hc->nscoped > sc->mark) {
		struct scoped *s = &hc->scoped[--hc->nscoped];
		const struct scoped *first = s->first ? s :
		    scope_first(hc, s->key);

		scope_show(hc, s->key, first, hc->nscoped);
		free(s->key);
		val_free(s->v);
		val_free(s->base);
	}
}

/* A change of layer k (include_vars, set_fact, register) when k is
 * scoped: hc->vars shows the winner again.  Returns 0 when k is not. */
static int
scope_relayer(struct hostctx *hc, const char *k)
{
	const struct scoped *first = scope_first(hc, k);

	if (first == NULL)
		return 0;
	scope_show(hc, k, first, hc->nscoped);
	return 1;
}

/* A layer below the scoped ones (facts) changes k: the scope's base, or
 * hc->vars when k is not scoped. */
static void
scope_rebase(struct hostctx *hc, const char *k, const struct val *v)
{
	size_t i;

	for (i = 0; i < hc->nscoped; i++)
		if (strcmp(hc->scoped[i].key, k) == 0)
			break;
	if (i == hc->nscoped) {
		val_map_set(hc->vars, k, val_copy(v));
		return;
	}
	val_free(hc->scoped[i].base);
	hc->scoped[i].base = val_copy(v);
	scope_show(hc, k, &hc->scoped[i], hc->nscoped);
}

static int
scope_level(const struct task *t)
{
	if (t->include != NULL)
		return LV_INCLUDE;    /* include_tasks/import_tasks vars */
	return t->role != NULL ? LV_ROLE : LV_TASK;
}

/* The vars of t's enclosing blocks, outermost first, then t's own. */
static void
scope_task_vars(struct hostctx *hc, struct scope *sc, const struct task *t)
{
	size_t i;

	if (t == NULL)
		return;
	scope_task_vars(hc, sc, t->parent);
	for (i = 0; t->role_defaults && i < t->role_defaults->u.map.n; i++)
		scope_set_level(hc, t->role_defaults->u.map.items[i].key,
		    val_copy(t->role_defaults->u.map.items[i].v), LV_RDEFAULTS);
	for (i = 0; t->role_vars != NULL && i < t->role_vars->u.map.n; i++)
		scope_set_level(hc, t->role_vars->u.map.items[i].key,
		    val_copy(t->role_vars->u.map.items[i].v), LV_RVARS);
	for (i = 0; t->vars != NULL && i < t->vars->u.map.n; i++)
		scope_set_level(hc, t->vars->u.map.items[i].key,
		    val_copy(t->vars->u.map.items[i].v), scope_level(t));
}

/* when: every enclosing block's condition, outermost first, then t's (an
 * include_tasks' own condition decided once, when it ran: not again for
 * each of its tasks). */
static int
when_chain_from(struct hostctx *hc, const struct task *t, int self,
    int *cond, struct strbuf *msg)
{
	*cond = 1;
	if (t->parent != NULL && (when_chain_from(hc, t->parent, 0, cond,
	    msg) < 0 || !*cond))
		return *cond ? -1 : 0;
	if (!t->when.set || (!self && t->kind == TASK_INCLUDE))
		return 0;
	return eval_cond(hc, &t->when, cond, msg);
}

static int
when_chain(struct hostctx *hc, const struct task *t, int *cond,
    struct strbuf *msg)
{
	return when_chain_from(hc, t, 1, cond, msg);
}

/* ---- one task: when, check mode, the module (until), conditions ---- */

static void
ctx_reset(struct modctx *ctx)
{
	ctx->changed = ctx->failed = ctx->skipped = 0;
	ctx->rc = -1;
	strbuf_reset(&ctx->msg);
	strbuf_reset(&ctx->diffs);
	val_free(ctx->data);
	ctx->data = NULL;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (ms > 0 && nanosleep(&ts, &ts) != 0)
		;
}

/* until/retries/delay as ansible-core 2.14: retries + 1 attempts (3 when
 * unset, no retry at all when 0); until is not evaluated without retries;
 * out of attempts: failed, with attempts = retries (Ansible's count). */
static enum mod_result
attempt_loop(struct hostctx *hc, const struct play *p, const struct task *t,
    struct modctx *ctx, int *attempts)
{
	int max = !t->until.set ? 1 : t->retries < 0 ? 4 : t->retries == 0 ?
	    1 : t->retries + 1;
	struct strbuf msg = STRBUF_INIT;
	enum mod_result r;
	int a, ok;

	for (a = 1;; a++) {
		if ((r = call_module(hc, p, t, ctx)) == MOD_UNREACHABLE)
			break;
		*attempts = t->until.set ? a : 0;
		apply_result_conds(hc, t, ctx, *attempts);
		if (max <= 1)
			break;
		if (eval_cond(hc, &t->until, &ok, &msg) < 0) {
			mod_fail(ctx, "until: %s", msg.buf);
			break;
		}
		if (ok)
			break;
		if (a >= max) {
			*attempts = max - 1;
			ctx->failed = 1;
			register_result(hc, t, ctx, *attempts);
			break;
		}
		strbuf_addf(&hc->out, "%s | %s | FAILED - RETRYING (%d "
		    "retries left)\n", hc->name, ctx->task_name, max - a);
		sleep_ms((long)(t->delay < 0 ? 5 : t->delay) * 1000);
		ctx_reset(ctx);
	}
	strbuf_release(&msg);
	return r;
}

/* The host's ansible_become_method when it is not sudo (the only method
 * mend has: the playbook keyword and --become-method are checked when
 * they are read), else NULL. */
static const char *
become_method_bad(const struct hostctx *hc)
{
	const char *m = var_str(hc->vars, "ansible_become_method");

	return m != NULL && strcmp(m, "sudo") != 0 ? m : NULL;
}

static enum mod_result
exec_task(struct hostctx *hc, const struct play *p, const struct task *t,
    struct modctx *ctx, int *attempts, const struct task_eff *te)
{
	struct strbuf msg = STRBUF_INIT;
	enum mod_result r = MOD_OK;
	int cond = 1;

	*attempts = 0;
	if (when_chain(hc, t, &cond, &msg) < 0) {
		mod_fail(ctx, "when: %s", msg.buf);
	} else if (!cond) {
		ctx->skipped = 1;
		mod_msg(ctx, "conditional result was false");
	} else if (te->err.len > 0) {
		mod_fail(ctx, "%s", te->err.buf);
	} else if (ctx->become && become_method_bad(hc) != NULL) {
		mod_fail(ctx, "ansible_become_method '%s' is not supported by "
		    "mend (it escalates with sudo only)", become_method_bad(hc));
	} else if (check_skip(hc, t)) {
		ctx->skipped = 1;
		mod_msg(ctx, "skipped in check mode (module '%s' does not "
		    "support it)", t->mod->name);
	} else {
		r = attempt_loop(hc, p, t, ctx, attempts);
	}
	strbuf_release(&msg);
	return r;
}

static void
task_unreachable(struct hostctx *hc, const struct play *p,
    const struct task *t, struct modctx *ctx, double t0)
{
	if (!hc->unreachable) {
		report_task(hc, ctx->task_name, TS_UNREACHABLE, ctx->msg.buf,
		    NULL, NULL, ctx->no_log, 0);
		hc->unreachable = 1;
		hc->st.unreachable++;
	}
	record_json(hc, p, t, ctx->task_name, ctx, mono_now() - t0,
	    TS_UNREACHABLE);
}

static void
ctx_release(struct modctx *ctx)
{
	strbuf_release(&ctx->msg);
	strbuf_release(&ctx->diffs);
	val_free(ctx->data);
}

/* A failed task's result, for a rescue (ansible_failed_task/_result). */
static void
note_failure(struct hostctx *hc, const struct task *t, struct val *result,
    const char *name)
{
	struct val *ft = val_map();

	val_map_set(ft, "name", val_str(t->name ? name : ""));
	val_map_set(ft, "action", val_str(t->mod->name));
	val_mark_literal(ft);
	host_set_layer(hc, &hc->setfacts, "ansible_failed_task", ft);
	host_set_layer(hc, &hc->setfacts, "ansible_failed_result", result);
}

static void
run_single(struct hostctx *hc, const struct play *p, const struct task *t,
    const char *name)
{
	struct task_eff te;
	struct modctx ctx;
	enum task_status st;
	double t0 = mono_now();
	int attempts;

	t = teff_begin(hc, p, t, &te);
	modctx_init(&ctx, hc, p, t, name);
	ctx.environment = te.env;
	if (exec_task(hc, p, t, &ctx, &attempts, &te) == MOD_UNREACHABLE) {
		task_unreachable(hc, p, t, &ctx, t0);
		goto out;
	}
	if (ctx.skipped && t->register_ != NULL)
		register_result(hc, t, &ctx, 0);
	else if (!ctx.failed && !ctx.skipped)
		apply_facts(hc, p, t, ctx.data);
	st = classify(hc, t, &ctx);
	if (st == TS_FAILED)
		note_failure(hc, t, result_val(&ctx, t, 0, st), name);
	report_task(hc, name, st, ctx.msg.buf, ctx.diffs.buf, ctx.data,
	    ctx.no_log, ctx.show_msg);
	record_json(hc, p, t, name, &ctx, mono_now() - t0, st);
out:
	ctx_release(&ctx);
	teff_end(&te);
}

/* ---- loops ---- */

struct loop_run {
	struct val *items;        /* the list */
	struct val *results;      /* one result per item */
	int changed, failed, all_skipped;
	int unreachable;
};

/* with_first_found: the terms are rendered one by one (an undefined
 * variable passes a candidate over); searched in the role, the task's
 * file's directory, then the playbook's. */
static int
ff_items(struct hostctx *hc, const struct play *p, const struct task *t,
    struct val **items, struct strbuf *msg)
{
	const char *dirs[4];
	char *tdir = t->pos.file != NULL ? xstrdup(t->pos.file) : NULL;
	struct val *terms = NULL;
	struct err e = ERR_INIT;
	size_t n = 0;
	int ret = -1;

	if ((dirs[n] = var_str(hc->vars, "role_path")) != NULL)
		n++;
	if (tdir != NULL)
		dirs[n++] = dirname(tdir);
	if ((dirs[n] = p->playbook_dir) != NULL)
		n++;
	dirs[n] = NULL;
	if (t->loop.items->type == V_STR && tmpl_has(t->loop.items->u.str.s) &&
	    tmpl_render_val(t->loop.items, hc->vars, &terms, &e) < 0) {
		strbuf_rtrim(&e.msg);
		strbuf_addstr(msg, err_text(&e, "cannot render the loop"));
	} else {
		ret = first_found(terms ? terms : t->loop.items, hc->vars,
		    first_found_subdir(t->mod ? t->mod->name : ""), dirs,
		    items, msg);
	}
	err_release(&e);
	val_free(terms);
	free(tdir);
	return ret;
}

static int
loop_build(struct hostctx *hc, const struct play *p, const struct task *t,
    struct val **items, struct strbuf *msg)
{
	struct val *rendered = NULL;
	struct err e = ERR_INIT;
	int ret;

	*items = NULL;
	if (strcmp(t->loop.lookup, "first_found") == 0)
		return ff_items(hc, p, t, items, msg);
	if (tmpl_render_val(t->loop.items, hc->vars, &rendered, &e) < 0) {
		strbuf_rtrim(&e.msg);
		strbuf_addstr(msg, err_text(&e, "cannot render the loop"));
		err_release(&e);
		return -1;
	}
	err_release(&e);
	ret = loop_items(t->loop.lookup, rendered, p->playbook_dir, items,
	    msg);
	val_free(rendered);
	return ret;
}

/* The loop variables of item i (scoped: gone after the task); names:
 * also ansible_loop_var and ansible_index_var (an include's tasks get
 * only the variables themselves and ansible_loop, as Ansible's). */
static void
loop_vars(struct hostctx *hc, struct scope *sc, const struct task *t,
    const struct val *items, size_t i, int names)
{
	const struct loop_spec *l = &t->loop;
	const char *var = l->var ? l->var : "item";
	size_t n = items->u.list.n;

	scope_set(hc, sc, var, val_copy(items->u.list.items[i]));
	if (names)
		scope_set(hc, sc, "ansible_loop_var", val_str(var));
	if (l->index_var != NULL) {
		scope_set(hc, sc, l->index_var, val_int((int64_t)i));
		if (names)
			scope_set(hc, sc, "ansible_index_var",
			    val_str(l->index_var));
	}
	if (l->extended) {
		struct val *al = val_map();

		val_map_set(al, "index", val_int((int64_t)i + 1));
		val_map_set(al, "index0", val_int((int64_t)i));
		val_map_set(al, "first", val_bool(i == 0));
		val_map_set(al, "last", val_bool(i + 1 == n));
		val_map_set(al, "length", val_int((int64_t)n));
		val_map_set(al, "revindex", val_int((int64_t)(n - i)));
		val_map_set(al, "revindex0", val_int((int64_t)(n - i - 1)));
		val_map_set(al, "allitems", val_copy(items));
		if (i + 1 < n)
			val_map_set(al, "nextitem",
			    val_copy(items->u.list.items[i + 1]));
		if (i > 0)
			val_map_set(al, "previtem",
			    val_copy(items->u.list.items[i - 1]));
		scope_set(hc, sc, "ansible_loop", al);
	}
}

static void
item_label(struct hostctx *hc, const struct task *t, const struct val *item,
    int no_log, const char *name, struct strbuf *out)
{
	struct strbuf lb = STRBUF_INIT;
	struct err e = ERR_INIT;

	if (no_log)
		strbuf_addstr(&lb, "None");
	else if (t->loop.label == NULL || tmpl_render(t->loop.label, hc->vars,
	    &t->loop.pos, &lb, &e) < 0) {
		strbuf_reset(&lb);
		if (item->type == V_STR)
			strbuf_addstr(&lb, item->u.str.s);
		else
			val_to_str_py(item, &lb);
	}
	strbuf_addf(out, "%s (item=%s)", name, lb.buf);
	strbuf_release(&lb);
	err_release(&e);
}

static enum task_status
item_status(const struct task *t, const struct modctx *ctx)
{
	if (ctx->skipped)
		return TS_SKIPPED;
	if (ctx->failed)
		return task_eff_ignore_errors(t) ? TS_IGNORED : TS_FAILED;
	return ctx->changed ? TS_CHANGED : TS_OK;
}

/* One item: run it, report its line, keep its result. */
static void
loop_item(struct hostctx *hc, const struct play *p, const struct task *t,
    struct loop_run *lr, size_t i, const char *name)
{
	const struct val *item = lr->items->u.list.items[i];
	struct strbuf iname = STRBUF_INIT;
	struct task_eff te;
	struct modctx ctx;
	struct val *r;
	double t0 = mono_now();
	int attempts;
	enum task_status st;

	t = teff_begin(hc, p, t, &te);
	item_label(hc, t, item, task_eff_no_log(t), name, &iname);
	modctx_init(&ctx, hc, p, t, iname.buf);
	ctx.environment = te.env;
	if (exec_task(hc, p, t, &ctx, &attempts, &te) == MOD_UNREACHABLE) {
		task_unreachable(hc, p, t, &ctx, t0);
		lr->unreachable = 1;
		goto out;
	}
	r = result_val(&ctx, t, 0, TS_OK);
	if (attempts > 0)
		val_map_set(r, "attempts", val_int(attempts));
	val_map_set(r, t->loop.var ? t->loop.var : "item", val_copy(item));
	val_map_set(r, "ansible_loop_var", val_str(t->loop.var ?
	    t->loop.var : "item"));
	if (t->loop.index_var != NULL) {
		val_map_set(r, t->loop.index_var, val_int((int64_t)i));
		val_map_set(r, "ansible_index_var", val_str(t->loop.index_var));
	}
	val_list_push(lr->results, r);
	if (!ctx.failed && !ctx.skipped)   /* the next item sees them */
		apply_facts(hc, p, t, ctx.data);
	lr->changed |= ctx.changed && !ctx.skipped;
	lr->failed |= ctx.failed && !ctx.skipped;
	lr->all_skipped &= ctx.skipped;
	st = item_status(t, &ctx);
	report_task(hc, iname.buf, st, ctx.msg.buf, ctx.diffs.buf, ctx.data,
	    ctx.no_log, ctx.show_msg);
	record_json(hc, p, t, iname.buf, &ctx, mono_now() - t0, st);
out:
	ctx_release(&ctx);
	strbuf_release(&iname);
	teff_end(&te);
}

/* The loop's own result (Ansible's): changed/failed if any item was,
 * skipped if every item was, `results` in item order. */
static void
loop_finish(struct hostctx *hc, const struct task *t, struct modctx *agg,
    struct loop_run *lr)
{
	struct val *r = val_map();

	agg->changed = lr->changed;
	agg->failed = lr->failed;
	agg->skipped = lr->all_skipped;
	val_map_set(r, "changed", val_bool(lr->changed));
	if (lr->failed)
		val_map_set(r, "failed", val_bool(1));
	val_map_set(r, "msg", val_str(lr->failed ? "One or more items failed"
	    : lr->all_skipped ? "All items skipped" : "All items completed"));
	val_map_set(r, "results", lr->results);
	lr->results = NULL;
	val_map_set(r, "skipped", val_bool(lr->all_skipped));
	val_mark_literal(r);
	if (agg->no_log)
		val_mark_unsafe(r);
	if (t->register_ != NULL)
		host_set_layer(hc, &hc->setfacts, t->register_, val_copy(r));
	if (lr->failed)
		mod_msg(agg, "One or more items failed");
	val_free(agg->data);
	agg->data = r;
}

/* No items (or none could be built): one line for the task. */
static void
loop_empty(struct hostctx *hc, const struct play *p, const struct task *t,
    struct modctx *agg, const char *err)
{
	int cond = 1;
	struct strbuf msg = STRBUF_INIT;

	if (err != NULL && when_chain(hc, t, &cond, &msg) == 0 && !cond)
		err = NULL;      /* as Ansible: a false when skips first */
	if (err != NULL) {
		mod_fail(agg, "%s", err);
	} else {
		agg->skipped = 1;
		mod_msg(agg, "%s", cond ? "No items in the list" :
		    "conditional result was false");
		if (t->register_ != NULL) {
			struct val *r = val_map();

			val_map_set(r, "changed", val_bool(0));
			val_map_set(r, "results", val_list());
			val_map_set(r, "skipped", val_bool(1));
			val_map_set(r, "skipped_reason", val_str(cond ?
			    "No items in the list" : "Conditional result was "
			    "False"));
			val_mark_literal(r);
			host_set_layer(hc, &hc->setfacts, t->register_, r);
		}
	}
	(void)p;
	strbuf_release(&msg);
}

static void
run_loop(struct hostctx *hc, const struct play *p, const struct task *t,
    const char *name)
{
	struct loop_run lr = { .all_skipped = 1 };
	struct strbuf msg = STRBUF_INIT;
	struct modctx agg;
	enum task_status st;
	double t0 = mono_now();
	struct task_eff te;
	const struct task *ta = teff_begin(hc, p, t, &te);   /* the loop's */
	size_t i;

	modctx_init(&agg, hc, p, ta, name);
	lr.results = val_list();
	if (loop_build(hc, p, t, &lr.items, &msg) < 0 ||
	    lr.items->u.list.n == 0) {
		loop_empty(hc, p, t, &agg, lr.items ? NULL : msg.buf);
		st = classify(hc, ta, &agg);
		report_task(hc, name, st, agg.msg.buf, NULL, NULL, agg.no_log, 0);
		record_json(hc, p, t, name, &agg, mono_now() - t0, st);
		goto out;
	}
	for (i = 0; i < lr.items->u.list.n && !lr.unreachable; i++) {
		struct scope isc = SCOPE_INIT(hc);

		if (i > 0 && t->loop.pause_ms > 0)
			sleep_ms(t->loop.pause_ms);
		loop_vars(hc, &isc, t, lr.items, i, 1);
		loop_item(hc, p, t, &lr, i, name);
		scope_end(hc, &isc);
	}
	if (lr.unreachable)
		goto out;
	loop_finish(hc, t, &agg, &lr);
	if (classify(hc, ta, &agg) == TS_FAILED)
		note_failure(hc, t, val_copy(agg.data), name);
out:
	val_free(lr.items);
	val_free(lr.results);
	strbuf_release(&msg);
	ctx_release(&agg);
	teff_end(&te);
}

static void
run_task(struct hostctx *hc, const struct play *p, const struct task *t)
{
	struct strbuf name = STRBUF_INIT;
	struct scope sc = SCOPE_INIT(hc);

	scope_task_vars(hc, &sc, t);
	task_name(hc, t, &name);
	if (t->loop.set)
		run_loop(hc, p, t, name.buf);
	else
		run_single(hc, p, t, name.buf);
	scope_end(hc, &sc);
	strbuf_release(&name);
}

/* ---- one host through a play ---- */

static int
handler_notified(const struct hostctx *hc, const struct task *h)
{
	size_t i, j;

	for (i = 0; i < hc->nnotified; i++) {
		if (strcmp(hc->notified[i], h->name) == 0)
			return 1;
		for (j = 0; j < h->nlisten; j++)
			if (strcmp(hc->notified[i], h->listen[j]) == 0)
				return 1;
	}
	return 0;
}

static void run_list(struct play_run *pr, struct hostctx *hc,
    const struct task *ts, size_t n);

/* block, then rescue if a task of the block failed (the failure counts as
 * rescued, not failed, as Ansible's stats), then always in any case. */
static void
run_block(struct play_run *pr, struct hostctx *hc, const struct task *b)
{
	int failed;

	run_list(pr, hc, b->block, b->nblock);
	if (hc->failed && !hc->unreachable && b->nrescue > 0) {
		hc->failed = 0;
		if (hc->st.failed > 0)
			hc->st.failed--;
		hc->st.rescued++;
		run_list(pr, hc, b->rescue, b->nrescue);
	}
	if (hc->unreachable || b->nalways == 0)
		return;
	failed = hc->failed;
	hc->failed = 0;
	run_list(pr, hc, b->always, b->nalways);
	hc->failed |= failed;
}

/* One include_tasks (or one item of a looped one): its when, the file
 * (loaded now when its name is a template, validated before its first
 * task runs), then its tasks.  sc: the include's own scope, ended before
 * them (they take its vars through their parent), or NULL.  Returns 1
 * when it ran, 0 when its when was false (reported; counted as skipped
 * when count_skip), -1 when it failed. */
static int
include_run(struct play_run *pr, struct hostctx *hc, const struct task *t,
    const char *name, struct scope *sc, int count_skip)
{
	struct strbuf msg = STRBUF_INIT, file = STRBUF_INIT;
	struct err e = ERR_INIT;
	struct task *ts = NULL;
	size_t n = 0;
	int cond = 1, ret = -1;

	if (when_chain(hc, t, &cond, &msg) < 0 || !cond) {
		report_task(hc, name, msg.len ? TS_FAILED : TS_SKIPPED,
		    msg.len ? msg.buf : "conditional result was false", NULL,
		    NULL, 0, 0);
		if (msg.len > 0 || count_skip)
			*(msg.len ? &hc->st.failed : &hc->st.skipped) += 1;
		hc->failed |= msg.len > 0;
		ret = msg.len > 0 ? -1 : 0;
		goto out;
	}
	if (t->block == NULL && (tmpl_render(t->include, hc->vars, &t->pos,
	    &file, &e) < 0 || playbook_load_include(pr->play, t, file.buf,
	    &ts, &n, &e) < 0)) {
		strbuf_rtrim(&e.msg);
		report_task(hc, name, TS_FAILED, err_text(&e, "cannot "
		    "load the task file"), NULL, NULL, 0, 0);
		hc->st.failed++;
		hc->failed = 1;
		goto out;
	}
	if (t->role_task == NULL) {   /* include_role: no line, no count */
		report_task(hc, name, TS_OK, t->include, NULL, NULL, 0, 0);
		hc->st.ok++;
	}
	if (sc != NULL)
		scope_end(hc, sc);
	run_list(pr, hc, ts ? ts : t->block, ts ? n : t->nblock);
	ret = 1;
out:
	tasks_free(ts, n);
	err_release(&e);
	strbuf_release(&msg);
	strbuf_release(&file);
	return ret;
}

/* include_tasks with a loop: each item in turn (its loop variables
 * reach the included tasks); as Ansible, an item whose when is false
 * is shown, not counted, and the include counts as skipped only when no
 * item ran (or there were none). */
static void
include_loop(struct play_run *pr, struct hostctx *hc, const struct task *t,
    const char *name)
{
	struct strbuf msg = STRBUF_INIT, iname = STRBUF_INIT;
	struct val *items = NULL;
	size_t i;
	int ran = 0;

	if (loop_build(hc, pr->play, t, &items, &msg) < 0) {
		report_task(hc, name, TS_FAILED, msg.buf, NULL, NULL, 0, 0);
		hc->st.failed++;
		hc->failed = 1;
		goto out;
	}
	for (i = 0; i < items->u.list.n && !hc->failed && !hc->unreachable &&
	    !hc->ended && !atomic_load(&pr->stop); i++) {
		struct scope isc = SCOPE_INIT(hc);

		if (i > 0 && t->loop.pause_ms > 0)
			sleep_ms(t->loop.pause_ms);
		loop_vars(hc, &isc, t, items, i, 0);
		strbuf_reset(&iname);
		item_label(hc, t, items->u.list.items[i], task_eff_no_log(t),
		    name, &iname);
		ran |= include_run(pr, hc, t, iname.buf, NULL, 0) != 0;
		scope_end(hc, &isc);
	}
	if (!ran) {
		report_task(hc, name, TS_SKIPPED, items->u.list.n ? "All items "
		    "skipped" : "No items in the list", NULL, NULL, 0, 0);
		hc->st.skipped++;
	}
out:
	val_free(items);
	strbuf_release(&msg);
	strbuf_release(&iname);
}

static void
run_include(struct play_run *pr, struct hostctx *hc, const struct task *t)
{
	struct strbuf name = STRBUF_INIT;
	struct scope sc = SCOPE_INIT(hc);

	scope_task_vars(hc, &sc, t);
	task_name(hc, t, &name);
	if (t->loop.set)
		include_loop(pr, hc, t, name.buf);
	else
		(void)include_run(pr, hc, t, name.buf, &sc, 1);
	scope_end(hc, &sc);
	strbuf_release(&name);
}

static void flush_handlers(struct play_run *pr, struct hostctx *hc);

/* meta: its when (flush_handlers takes none), then the action; Ansible
 * counts none of them in the recap, and prints only a skip. */
/* meta: reset_connection: the host's connection is closed and opened
 * anew now (Ansible's next task reconnects: a new login sees new group
 * memberships); a host not yet connected is left so. */
static void
meta_reset(struct hostctx *hc, const struct play *p)
{
	if (hc->conn == NULL)
		return;
	conn_close(hc->conn);
	hc->conn = NULL;
	host_connect(hc, p);
}

static void
run_meta(struct play_run *pr, struct hostctx *hc, const struct task *t)
{
	struct strbuf msg = STRBUF_INIT;
	int cond = 1;

	if (when_chain(hc, t, &cond, &msg) < 0) {
		report_task(hc, "meta", TS_FAILED, msg.buf, NULL, NULL, 0, 0);
		hc->st.failed++;
		hc->failed = 1;
	} else if (!cond) {
		report_task(hc, "meta", TS_SKIPPED, "conditional result was "
		    "false", NULL, NULL, 0, 0);
	} else if (strcmp(t->meta, "flush_handlers") == 0) {
		flush_handlers(pr, hc);
	} else if (strcmp(t->meta, "end_host") == 0) {
		hc->ended = 1;
	} else if (strcmp(t->meta, "reset_connection") == 0) {
		meta_reset(hc, pr->play);
	} else if (strcmp(t->meta, "end_play") == 0 ||
	    strcmp(t->meta, "end_batch") == 0) {
		hc->ended = 1;
		atomic_store(&pr->meta_end, strcmp(t->meta, "end_play") == 0 ?
		    2 : 1);
		atomic_store(&pr->stop, 1);
	}
	strbuf_release(&msg);
}

/* The host lock and confirm-or-revert (safety.h) guard the task's host:
 * a delegated task changes another host, and takes neither. */
static int
task_safety(struct hostctx *hc, const struct play *p, const struct task *t)
{
	if (task_eff_delegate_to(t) != NULL)
		return 0;
	return safety_before_task(hc, p, t);
}

/* ---- run_once ---- */

/* Is t run_once for this host (its own, its blocks' or the play's
 * run_once; a template rendered with the host's variables)?  A template
 * that does not render runs the task normally, where it fails. */
static int
once_wanted(struct play_run *pr, struct hostctx *hc, const struct task *t)
{
	const struct task *a;
	struct strbuf err = STRBUF_INIT;
	int v = -1;

	if (pr->once == NULL)
		return 0;
	KW_EXPR(t, run_once, -1, run_once_expr, a);
	if (a != NULL)
		kw_bool(hc, a, "run_once", a->run_once_expr, &v, &err);
	for (a = t; a != NULL && v < 0 && err.len == 0; a = task_inh_parent(a))
		if (a->run_once >= 0)
			v = a->run_once;
	strbuf_release(&err);
	return v < 0 ? pr->play->run_once : v;
}

static size_t
batch_index(const struct play_run *pr, const struct hostctx *hc)
{
	size_t i;

	for (i = 0; i < pr->nbatch && pr->batch[i] != hc; i++)
		;
	return i;
}

/* Another host ran the task: its registered value and facts are this
 * host's too, its failure fails this host (Ansible counts it on the host
 * that ran the task only). */
static void
once_apply(struct hostctx *hc, const struct play *p, const struct task *t,
    const struct once_result *r, const char *runner)
{
	size_t i;

	if (r->reg != NULL && t->register_ != NULL)
		host_set_layer(hc, &hc->setfacts, t->register_,
		    val_copy(r->reg));
	for (i = 0; r->facts != NULL && i < r->facts->u.list.n; i++)
		apply_facts(hc, p, t, r->facts->u.list.items[i]);
	if (r->failed) {
		strbuf_addf(&hc->out, "%s | %s | stopped: the run_once task "
		    "failed on %s\n", hc->name, t->name ? t->name :
		    t->mod->name, runner);
		hc->failed = 1;
	}
}

/* run_once: the first host of the batch still in the play runs the task,
 * the others take its result (once.h). */
static void
run_once_task(struct play_run *pr, struct hostctx *hc, const struct task *t)
{
	const struct play *p = pr->play;
	size_t idx = batch_index(pr, hc);
	const struct once_result *got;
	struct once_result res;
	char *key = xasprintf("%s:%d:%d", t->pos.file ? t->pos.file : "",
	    t->pos.line, t->pos.col);

	if (once_enter(pr->once, idx, key, &got) == ONCE_APPLY) {
		if (got->ran)
			once_apply(hc, p, t, got, got->runner);
		free(key);
		return;
	}
	memset(&res, 0, sizeof(res));
	if (task_safety(hc, p, t) == 0) {
		once_cap = &res;
		run_task(hc, p, t);
		once_cap = NULL;
		res.ran = !hc->unreachable;
		res.failed = hc->failed;
		if (t->register_ != NULL && val_map_get(hc->setfacts,
		    t->register_) != NULL)
			res.reg = val_copy(val_map_get(hc->setfacts,
			    t->register_));
	}
	res.runner = xstrdup(hc->name);
	once_done(pr->once, idx, key, &res);
	free(key);
}

/* --step: run this task on this host? (step.h; 1 without --step) */
static int
step_wanted(struct hostctx *hc, const struct task *t)
{
	struct strbuf name = STRBUF_INIT;
	int run;

	if (!hc->opts->step)
		return 1;
	task_name(hc, t, &name);
	run = step_ask(name.buf, hc->name, stdin, stderr);
	strbuf_release(&name);
	return run;
}

static void
run_list(struct play_run *pr, struct hostctx *hc, const struct task *ts,
    size_t n)
{
	const struct play *p = pr->play;
	size_t i;

	for (i = 0; i < n && !hc->failed && !hc->unreachable && !hc->ended;
	    i++) {
		if (atomic_load(&pr->stop))
			break;
		if (ts[i].kind == TASK_BLOCK) {
			run_block(pr, hc, &ts[i]);
			continue;
		}
		if (hc->start_at != NULL && hc->start_at != &ts[i])
			continue;         /* before --start-at-task's task */
		hc->start_at = NULL;
		if (!task_tags_match(p, &ts[i], pr->opts->tags,
		    pr->opts->skip_tags))
			continue;
		if (ts[i].kind == TASK_META)
			run_meta(pr, hc, &ts[i]);
		else if (!step_wanted(hc, &ts[i]))
			continue;
		else if (ts[i].kind == TASK_INCLUDE)
			run_include(pr, hc, &ts[i]);
		else if (once_wanted(pr, hc, &ts[i]))
			run_once_task(pr, hc, &ts[i]);
		else if (task_safety(hc, p, &ts[i]) == 0)
			run_task(hc, p, &ts[i]);
		if ((hc->failed || hc->unreachable) && p->any_errors_fatal)
			atomic_store(&pr->stop, 1);
	}
}

/* The notified handlers, in the order of the handlers section (Ansible's
 * flush at the end of pre_tasks, tasks and post_tasks). */
static void
flush_handlers(struct play_run *pr, struct hostctx *hc)
{
	const struct play *p = pr->play;
	size_t i;

	int failed = hc->failed, force = p->force_handlers > 0 ||
	    (p->force_handlers < 0 && pr->opts->force_handlers);

	if (hc->ended || atomic_load(&pr->meta_end))
		return;           /* meta: end_host, end_play */
	if (force)            /* force_handlers: a failed host's too, until
	                       * a handler fails (as Ansible) */
		hc->failed = 0;
	for (i = 0; i < p->nhandlers && !hc->failed && !hc->unreachable; i++)
		if (!handler_notified(hc, &p->handlers[i]) ||
		    !step_wanted(hc, &p->handlers[i]))
			continue;
		else if (p->handlers[i].kind == TASK_INCLUDE)  /* its tasks */
			run_include(pr, hc, &p->handlers[i]);
		else if (task_safety(hc, p, &p->handlers[i]) == 0)
			run_task(hc, p, &p->handlers[i]);
	hc->failed |= failed;
	hc->nnotified = 0;
}

static void
run_host(struct play_run *pr, struct hostctx *hc)
{
	const struct play *p = pr->play;

	hc->start_at = pr->start;
	run_list(pr, hc, p->pre_tasks, p->npre_tasks);
	flush_handlers(pr, hc);
	run_list(pr, hc, p->roles, p->nroles);
	run_list(pr, hc, p->tasks, p->ntasks);
	flush_handlers(pr, hc);
	run_list(pr, hc, p->post_tasks, p->npost_tasks);
	flush_handlers(pr, hc);
	safety_host_done(hc, p);
	hc->nnotified = 0;
}

/*
 * Open connections stay at most forks: a host's connection is closed
 * when its part of a play is done if the play has more hosts than forks
 * (a later play connects again) and in the run's last play, where its
 * lock is released first when no other host of the run may share it
 * (lock_alone_mark(); else at the end of the run, safety.c).
 */
static void
host_disconnect(struct hostctx *hc, int release)
{
	if (release && hc->lock_alone)
		safety_run_end(&hc, 1);
	conn_close(hc->conn);
	hc->conn = NULL;
}

/*
 * A host whose part of the run is over (its part of the run's last play
 * done) keeps only what the recap, --json, the outcome and the exit code
 * read (st, results, the flags): its variables, facts, registered results,
 * ssh arguments and output buffer go, so that the controller's memory is
 * bounded by forks, not by the number of hosts (issue 15: ~20 KB a host
 * stayed for the run, ~40 MiB of heap at 2,000 hosts).  Other hosts read
 * it through hostvars, a copy.  A host still holding its lock keeps
 * everything: the lock is released at the end of the run over a new
 * connection, whose parameters come from its variables.
 */
static void
host_shed(struct hostctx *hc)
{
	if (safety_lock_held(hc))
		return;
	vars_release(hc->vars);
	hc->vars = NULL;
	val_free(hc->facts);
	val_free(hc->setfacts);
	val_free(hc->incvars);
	hc->facts = hc->setfacts = hc->incvars = NULL;
	if (hc->sshargs != NULL)
		ssh_args_release(hc->sshargs);
	free(hc->sshargs);
	hc->sshargs = NULL;
	strbuf_release(&hc->out);
	free(hc->notified);
	hc->notified = NULL;
	hc->nnotified = hc->notified_alloc = 0;
}

static void *
worker(void *arg)
{
	struct play_run *pr = arg;
	size_t i;

	while ((i = atomic_fetch_add(&pr->next, 1)) < pr->nbatch) {
		struct hostctx *hc = pr->batch[i];

		if (!safety_window_skip(hc, pr->play, pr->deadline))
			run_host(pr, hc);
		once_host_done(pr->once, i);
		if (pr->last_play || pr->bounded)
			host_disconnect(hc, pr->last_play);
		report_flush_host(hc);
		if (pr->shed)
			host_shed(hc);
		if (hc->failed)
			atomic_fetch_add(&pr->failed, 1);
		if (hc->unreachable)
			atomic_fetch_add(&pr->unreachable, 1);
		report_progress(pr->opts, pr->done_before +
		    atomic_fetch_add(&pr->done, 1) + 1, pr->total,
		    atomic_load(&pr->failed), atomic_load(&pr->unreachable));
	}
	return NULL;
}

/* Run fn (a worker taking hosts from the batch) on min(forks, batch)
 * threads; one runs on the calling thread. */
static void
run_threads(struct play_run *pr, void *(*fn)(void *))
{
	size_t nthreads = (size_t)pr->opts->forks, i;
	pthread_t *th;
	pthread_attr_t attr;

	if (nthreads > pr->nbatch)
		nthreads = pr->nbatch;
	if (nthreads <= 1) {
		fn(pr);
		return;
	}
	th = xcalloc(nthreads, sizeof(*th));
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], &attr, fn, pr) != 0)
			fatal("pthread_create failed");
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	pthread_attr_destroy(&attr);
	free(th);
}

/* The end of the run: release the host locks, one remote command per host,
 * in parallel (forks threads): one after the other this took ~25 ms a host
 * after the last task, 5 s at 200 hosts. */
struct release_run {
	struct hostctx **hosts;
	size_t n;
	atomic_size_t next;
};

static void *
release_worker(void *arg)
{
	struct release_run *rr = arg;
	size_t i;

	while ((i = atomic_fetch_add(&rr->next, 1)) < rr->n)
		if (rr->hosts[i] != NULL)
			safety_run_end(&rr->hosts[i], 1);
	return NULL;
}

static void
release_hosts(struct hostctx **hosts, size_t n, int forks)
{
	struct release_run rr = { hosts, n, 0 };
	size_t nthreads = forks > 0 ? (size_t)forks : 1, i;
	pthread_t *th;
	pthread_attr_t attr;

	if (nthreads > n)
		nthreads = n;
	if (nthreads <= 1) {
		release_worker(&rr);
		return;
	}
	th = xcalloc(nthreads, sizeof(*th));
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], &attr, release_worker, &rr) != 0)
			fatal("pthread_create failed");
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	pthread_attr_destroy(&attr);
	free(th);
}

/* ---- plays ---- */

struct exec_state {
	struct inventory *inv;
	const struct run_opts *opts;
	struct hostctx **hosts;      /* by inventory index, NULL until used */
	size_t nhosts;
	int abort;                   /* stop the run: no further play */
	int kw_error;                /* a play keyword's template failed */
	int started;                 /* --start-at-task: its play reached */
	struct val *hostvars;        /* host name -> its variables (shared
	                              * by every host's `hostvars`; changed
	                              * only between batches) */
	struct val *all_names;       /* the play's hosts with the limit,
	                              * ansible_play_hosts_all */
	struct val *pool;            /* the hosts' shared play lists */
	int last_play;               /* run_play() runs the run's last play */
	char *lock_alone;            /* by inventory index: no other host of
	                              * the run may share its lock */
};

static struct hostctx *
host_get(struct exec_state *es, struct inv_host *ih)
{
	struct hostctx *hc = es->hosts[ih->index];

	if (hc == NULL) {
		hc = xcalloc(1, sizeof(*hc));
		hc->ih = ih;
		hc->name = ih->name;
		hc->opts = es->opts;
		hc->lock_alone = es->lock_alone[ih->index];
		strbuf_init(&hc->out, 0);
		es->hosts[ih->index] = hc;
	}
	return hc;
}

static int
select_play_hosts(struct exec_state *es, const struct play *p,
    struct hostctx ***out, size_t *nout)
{
	struct inv_host **sel = NULL, **lim = NULL;
	size_t nsel = 0, nlim = 0, i, j;
	struct err e = ERR_INIT;

	*out = NULL;
	*nout = 0;
	if (inventory_select(es->inv, p->hosts, &p->hosts_pos, &sel, &nsel,
	    &e) < 0 || (es->opts->limit != NULL && inventory_select(es->inv,
	    es->opts->limit, NULL, &lim, &nlim, &e) < 0)) {
		err_print(&e, stderr);
		err_release(&e);
		free(sel);
		return -1;
	}
	*out = xcalloc(nsel ? nsel : 1, sizeof(**out));
	for (i = 0; i < nsel; i++) {
		if (es->opts->limit != NULL) {
			for (j = 0; j < nlim && lim[j] != sel[i]; j++)
				;
			if (j == nlim)
				continue;
		}
		if (!shard_has(&es->opts->shard, sel[i]->name))
			continue;     /* another controller's (shard.h) */
		val_list_push(es->all_names, val_str(sel[i]->name));
		if (host_get(es, sel[i])->unreachable ||
		    host_get(es, sel[i])->failed)
			continue;     /* as Ansible: out for the rest of the run */
		(*out)[(*nout)++] = host_get(es, sel[i]);
	}
	free(sel);
	free(lim);
	return 0;
}

static int
batch_breached(const struct play *p, struct play_run *pr)
{
	size_t failed = atomic_load(&pr->failed) +
	    atomic_load(&pr->unreachable);

	if (p->any_errors_fatal && failed > 0)
		return 1;
	if (p->max_fail_pct >= 0 && pr->nbatch > 0 &&
	    (double)failed * 100.0 / (double)pr->nbatch >
	    (double)p->max_fail_pct)
		return 1;
	return 0;
}

/* After a batch: stop the run (no further batch, play or playbook, as
 * ansible-playbook) when it breached any_errors_fatal or
 * max_fail_percentage, or when every host of the batch failed.  Says so
 * when hosts or plays are left. */
static int
batch_stop(struct exec_state *es, const struct play *p, struct play_run *pr,
    size_t b, size_t nb, size_t left)
{
	size_t failed = atomic_load(&pr->failed) +
	    atomic_load(&pr->unreachable);
	int all = pr->nbatch > 0 && failed == pr->nbatch;

	if (!batch_breached(p, pr) && !all)
		return 0;
	es->abort = 1;
	if (left > 0 || !all)
		fprintf(es->opts->out, "mend: play '%s': stopping after batch "
		    "%zu of %zu (%s); %zu host(s) not started, no later play "
		    "runs\n", p->name ? p->name : p->hosts, b, nb,
		    p->any_errors_fatal && failed > 0 ? "any_errors_fatal" :
		    batch_breached(p, pr) ? "max_fail_percentage exceeded" :
		    "every host of the batch failed", left);
	return 1;
}

/* ---- facts gathering and the play's magic variables ---- */

/* hostvars[h]: h's variables without the shared maps (they would hold
 * hostvars itself). */
static struct val *
hostvars_entry(const struct hostctx *hc)
{
	struct val *v = val_map();
	size_t i, j;

	for (i = 0; i < hc->vars->u.map.n; i++) {
		const char *k = hc->vars->u.map.items[i].key;

		for (j = 0; j < ARRAY_SIZE(shared_keys); j++)
			if (strcmp(k, shared_keys[j]) == 0)
				break;
		if (j == ARRAY_SIZE(shared_keys))
			val_map_set(v, k, val_copy(hc->vars->u.map.items[i].v));
	}
	return v;
}

/* hostvars holds every inventory host (its inventory variables until it
 * runs in a play); the hosts of a batch are refreshed after their facts
 * and again after their tasks. */
static void
hostvars_refresh(struct exec_state *es, struct hostctx **hosts, size_t n)
{
	size_t i;

	if (es->hostvars == NULL) {
		es->hostvars = val_map();
		for (i = 0; i < es->inv->nhosts; i++)
			val_map_set(es->hostvars, es->inv->hosts[i]->name,
			    inventory_host_vars_nogroups(es->inv,
			    es->inv->hosts[i]));
	}
	for (i = 0; i < n; i++)
		if (hosts[i]->vars != NULL)
			val_map_set(es->hostvars, hosts[i]->name,
			    hostvars_entry(hosts[i]));
}

static int
host_out(const struct hostctx *hc)
{
	return hc->failed || hc->unreachable;
}

/* v, or an equal list the pool already holds (v freed): a play's host
 * lists rarely change from one batch to the next. */
static struct val *
pooled(struct exec_state *es, struct val *v)
{
	size_t i, n = es->pool->u.list.n;

	for (i = n > 8 ? n - 8 : 0; i < n; i++)
		if (val_equal(es->pool->u.list.items[i], v)) {
			val_free(v);
			return es->pool->u.list.items[i];
		}
	val_list_push(es->pool, v);
	return v;
}

/* The play's magic for a batch (lists by name), and the shared maps:
 * every value is shared by the batch's hosts (shared_keys). */
static struct val *
play_magic(struct exec_state *es, struct hostctx **play, size_t nplay,
    struct hostctx **batch, size_t nbatch)
{
	struct val *m = val_map(), *ph = val_list(), *pb = val_list();
	size_t i;

	for (i = 0; i < nplay; i++)
		if (!host_out(play[i]))
			val_list_push(ph, val_str(play[i]->name));
	for (i = 0; i < nbatch; i++)
		if (!host_out(batch[i]))
			val_list_push(pb, val_str(batch[i]->name));
	val_map_set(m, "ansible_play_hosts_all",
	    pooled(es, val_copy(es->all_names)));
	val_map_set(m, "ansible_play_hosts", pooled(es, ph));
	val_map_set(m, "play_hosts", pooled(es, val_copy(pb)));
	val_map_set(m, "ansible_play_batch", pooled(es, pb));
	val_map_set(m, "groups", (struct val *)inventory_groups_var(es->inv));
	val_map_set(m, "hostvars", es->hostvars);
	return m;
}

static void
play_magic_free(struct val *m)
{
	vars_release(m);
}

/* gather_facts: the setup module as the play's first task ("Gathering
 * Facts"), on every host of the batch before any other task, so that
 * hostvars holds the batch's facts.  Runs in check mode too, whatever
 * the tags (Ansible tags it `always`). */
static void
gather_task(const struct play *p, struct task *t)
{
	memset(t, 0, sizeof(*t));
	t->name = (char *)"Gathering Facts";
	t->mod = module_find("setup");
	t->args = val_map();
	t->args->pos = p->pos;
	if (p->gather_subset != NULL)
		val_map_set(t->args, "gather_subset",
		    val_copy(p->gather_subset));
	if (p->gather_timeout > 0)
		val_map_set(t->args, "gather_timeout",
		    val_int(p->gather_timeout));
	t->become = -1;
	t->check_mode = 0;
	t->pos = p->pos;
}

static void *
gather_worker(void *arg)
{
	struct play_run *pr = arg;
	struct task t;
	size_t i;

	gather_task(pr->play, &t);
	while ((i = atomic_fetch_add(&pr->next, 1)) < pr->nbatch) {
		struct hostctx *hc = pr->batch[i];

		if (pr->deadline != 0 && mend_clock_now(pr->opts->clock) >=
		    pr->deadline)
			continue;    /* not started: the task workers say why */
		if (!host_out(hc) && !atomic_load(&pr->stop))
			run_task(hc, pr->play, &t);
		if (host_out(hc) && pr->play->any_errors_fatal)
			atomic_store(&pr->stop, 1);
		/* more hosts than forks: every host's tasks connect again
		 * (keeping some open while the others gather would make
		 * more than forks at once) */
		if (pr->bounded) {
			conn_close(hc->conn);
			hc->conn = NULL;
		}
	}
	val_free(t.args);
	return NULL;
}

static int
gather_wanted(const struct play *p, const struct run_opts *o)
{
	char *const *s;

	for (s = o->skip_tags; s != NULL && *s != NULL; s++)
		if (strcmp(*s, "always") == 0)
			return 0;
	return p->gather_facts && module_find("setup") != NULL;
}

/* Variables, facts and hostvars for a batch, before its tasks. */
static void
batch_prepare(struct exec_state *es, struct play_run *pr,
    struct hostctx **play, size_t nplay)
{
	const struct play *p = pr->play;
	struct val *pm;
	size_t i;

	hostvars_refresh(es, NULL, 0);
	pm = play_magic(es, play, nplay, pr->batch, pr->nbatch);
	for (i = 0; i < pr->nbatch; i++) {
		pr->batch[i]->started = 1;
		pr->batch[i]->ended = 0;
		host_vars_build(pr->batch[i], es->inv, p, pm);
	}
	play_magic_free(pm);
	if (!gather_wanted(p, es->opts))
		goto out;
	run_threads(pr, gather_worker);
	pr->next = 0;
	pm = play_magic(es, play, nplay, pr->batch, pr->nbatch);
	for (i = 0; i < pr->nbatch; i++)
		if (!host_out(pr->batch[i]))
			host_vars_build(pr->batch[i], es->inv, p, pm);
	play_magic_free(pm);
out:
	hostvars_refresh(es, pr->batch, pr->nbatch);
}

/* After a batch: hostvars takes its hosts' variables; in the run's last
 * play its hosts are then done (host_shed: the final batch's went in the
 * workers). */
static void
batch_finish(struct exec_state *es, struct play_run *pr)
{
	size_t i;

	hostvars_refresh(es, pr->batch, pr->nbatch);
	for (i = 0; pr->last_play && i < pr->nbatch; i++)
		host_shed(pr->batch[i]);
}

/* A play keyword written as a template, rendered with the play's vars
 * and -e (Ansible templates play keywords with the play's variables, no
 * host's): the value in *r (free it), or -1 with the error printed. */
static int
play_kw_render(struct exec_state *es, const struct play *p,
    const char *expr, struct val **r, struct err *e)
{
	struct val *vars = val_map(), *in = val_str(expr);
	size_t spent = 0;
	int ret;

	*r = NULL;
	merge_rendered(vars, p->vars, &spent);
	merge_rendered(vars, es->opts->extra_vars, &spent);
	in->pos = p->pos;
	ret = tmpl_render_val(in, vars, r, e);
	val_free(in);
	val_free(vars);
	return ret;
}

/* max_fail_percentage's rendered value: an integer 0..100 (or "N%"). */
static int
max_fail_value(const struct val *v, const struct play *p, int *out,
    struct err *e)
{
	struct val *t = NULL;
	int64_t n;
	int ret = -1;

	if (v->type == V_STR && v->u.str.len > 0 &&
	    v->u.str.s[v->u.str.len - 1] == '%') {
		t = val_str(v->u.str.s);
		t->u.str.s[--t->u.str.len] = '\0';
		v = t;
	}
	if (v->type != V_BOOL && val_to_int(v, &n) == 0 && n >= 0 &&
	    n <= 100) {
		*out = (int)n;
		ret = 0;
	} else {
		err_setpos(e, &p->pos, "max_fail_percentage must render to an "
		    "integer from 0 to 100");
	}
	val_free(t);
	return ret;
}

/* The play with its templated keywords (serial, max_fail_percentage,
 * force_handlers) rendered into *sp, a shallow copy of p (sp->serial is
 * its own when serial is a template: free it).  -1: an error, printed. */
static int
play_resolve(struct exec_state *es, const struct play *p, struct play *sp)
{
	struct err e = ERR_INIT;
	struct val *r = NULL;
	int ret = 0;

	*sp = *p;
	sp->serial = NULL;
	if (p->serial_expr != NULL && (play_kw_render(es, p, p->serial_expr,
	    &r, &e) < 0 || (sp->serial = serial_parse(r, &e)) == NULL))
		ret = -1;
	val_free(r);
	r = NULL;
	if (ret == 0 && p->max_fail_expr != NULL &&
	    (play_kw_render(es, p, p->max_fail_expr, &r, &e) < 0 ||
	    max_fail_value(r, p, &sp->max_fail_pct, &e) < 0))
		ret = -1;
	val_free(r);
	r = NULL;
	if (ret == 0 && p->force_handlers_expr != NULL) {
		if (play_kw_render(es, p, p->force_handlers_expr, &r, &e) < 0)
			ret = -1;
		else     /* Ansible's bool: what is not true is false */
			sp->force_handlers = val_to_bool(r) > 0;
	}
	val_free(r);
	if (p->serial_expr == NULL)
		sp->serial = p->serial;
	if (ret < 0)
		err_print(&e, stderr);
	err_release(&e);
	return ret;
}

/* --start-at-task: until the play holding its task, plays run nothing (as
 * ansible-playbook: not even facts); *start: the task in this play, or
 * NULL (the play runs whole).  1: skip this play. */
static int
start_at_skip(struct exec_state *es, const struct play *p,
    const struct task **start)
{
	*start = NULL;
	if (es->opts->start_at_task == NULL || es->started)
		return 0;
	if ((*start = start_at_find(p, es->opts->start_at_task)) == NULL) {
		fprintf(es->opts->out, "PLAY [%s]: skipped (before the task "
		    "of --start-at-task)\n", p->name ? p->name : p->hosts);
		return 1;
	}
	es->started = 1;
	return 0;
}

/* Before a play: close the connections it will not use (hosts not in
 * it; all of them when it has more hosts than forks), so that open
 * connections stay at most forks across plays. */
static void
close_idle(struct exec_state *es, struct hostctx **hosts, size_t n,
    int all)
{
	char *in = xcalloc(es->nhosts ? es->nhosts : 1, 1);
	size_t i;

	for (i = 0; i < n && !all; i++)
		in[hosts[i]->ih->index] = 1;
	for (i = 0; i < es->nhosts; i++) {
		if (es->hosts[i] == NULL || es->hosts[i]->conn == NULL ||
		    in[i])
			continue;
		conn_close(es->hosts[i]->conn);
		es->hosts[i]->conn = NULL;
	}
	free(in);
}

static void
run_play(struct exec_state *es, const struct play *p)
{
	const struct task *start;
	struct hostctx **hosts;
	size_t nhosts, nb, *sizes, b, off = 0;
	struct play sp = { .serial = NULL };
	struct play_run pr;
	time_t deadline;

	val_free(es->all_names);
	es->all_names = val_list();
	if (start_at_skip(es, p, &start))
		return;
	if (select_play_hosts(es, p, &hosts, &nhosts) < 0)
		return;
	report_play(es->opts, p->name ? p->name : p->hosts, nhosts);
	if (play_resolve(es, p, &sp) < 0) {
		if (p->serial_expr != NULL)
			val_free(sp.serial);
		es->abort = es->kw_error = 1;
		free(hosts);
		return;
	}
	sizes = play_batches(&sp, nhosts, &nb);
	if (p->serial_expr != NULL)
		val_free(sp.serial);
	sp.serial = NULL;
	p = &sp;
	deadline = safety_play_deadline(p, es->opts);
	close_idle(es, hosts, nhosts, nhosts > (size_t)es->opts->forks);
	for (b = 0; b < nb; b++) {
		memset(&pr, 0, sizeof(pr));
		pr.play = p;
		pr.opts = es->opts;
		pr.batch = hosts + off;
		pr.nbatch = sizes[b];
		pr.total = nhosts;
		pr.done_before = off;
		pr.deadline = deadline;
		pr.start = start;
		pr.last_play = es->last_play;
		pr.bounded = nhosts > (size_t)es->opts->forks;
		pr.shed = es->last_play && b + 1 == nb;
		batch_prepare(es, &pr, hosts, nhosts);
		pr.once = once_new(pr.nbatch);
		run_threads(&pr, worker);
		once_free(pr.once);
		batch_finish(es, &pr);
		off += sizes[b];
		if ((batch_breached(p, &pr) || safety_breached(p, es->opts,
		    atomic_load(&pr.failed) + atomic_load(&pr.unreachable))) &&
		    safety_breach(p, es->opts, es->hosts, es->nhosts, b + 1,
		    nb)) {
			es->abort = 1;
			break;
		}
		if (batch_stop(es, p, &pr, b + 1, nb, nhosts - off))
			break;
		if (atomic_load(&pr.meta_end) == 2)
			break;            /* meta: end_play */
	}
	free(sizes);
	free(hosts);
}

static void
host_free(struct hostctx *hc)
{
	if (hc == NULL)
		return;
	safety_host_free(hc);
	if (hc->conn != NULL)
		conn_close(hc->conn);
	if (hc->sshargs != NULL)
		ssh_args_release(hc->sshargs);
	free(hc->sshargs);
	vars_release(hc->vars);
	val_free(hc->facts);
	val_free(hc->setfacts);
	val_free(hc->incvars);
	free(hc->scoped);             /* empty: every scope has ended */
	val_free(hc->results);
	strbuf_release(&hc->out);
	free(hc->notified);
	free(hc);
}

static void
utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Where a host's lock lives, for lock_alone_mark(): "L" (the controller:
 * a local connection or a loopback address) or "A" and the address, then
 * the lock directory; NULL if a template could make it anything. */
static char *
lock_key(const struct val *v, const char *name, int any_local)
{
	const char *conn = var_str(v, "ansible_connection");
	const char *addr = var_str(v, "ansible_host");
	const char *dir = var_str(v, "mend_lock_dir");
	int local;

	addr = addr ? addr : name;
	dir = dir ? dir : "";
	if (strstr(addr, "{{") || strstr(dir, "{{") || (conn &&
	    strstr(conn, "{{")) || strstr(addr, "{%") || strstr(dir, "{%"))
		return NULL;
	local = any_local || (conn && strcmp(conn, "local") == 0) ||
	    strncmp(addr, "127.", 4) == 0 || strcmp(addr, "localhost") == 0 ||
	    strcmp(addr, "::1") == 0;
	return local ? xasprintf("L\n%s", dir) :
	    xasprintf("A\n%s\n%s", addr, dir);
}

struct lock_key {
	char *key;             /* lock_key(); NULL: may be any */
	size_t host;           /* inventory index */
};

static int
lock_key_cmp(const void *a, const void *b)
{
	const struct lock_key *x = a, *y = b;

	if (x->key == NULL || y->key == NULL)
		return (x->key == NULL) - (y->key == NULL);
	return strcmp(x->key, y->key);
}

static int
any_local_play(struct playbook **pbs, size_t npbs)
{
	size_t i, j;

	for (i = 0; i < npbs; i++)
		for (j = 0; j < pbs[i]->nplays; j++)
			if (pbs[i]->plays[j].connection != NULL &&
			    strcmp(pbs[i]->plays[j].connection, "local") == 0)
				return 1;
	return 0;
}

/*
 * A host's lock is released as soon as its part of the run's last play is
 * done only when no other inventory host may be the same machine with the
 * same lock directory (same address; every local or loopback host is the
 * controller; every host is, when a play or -c asks for local): two
 * names of one machine share its lock, and the first release would free
 * it under the other.  Such hosts, hosts under a templated address and
 * every host when -e sets a connection variable keep their lock until the
 * end of the run.  (Two DNS names of one machine cannot be told apart.)
 */
static void
lock_alone_mark(struct exec_state *es, struct playbook **pbs, size_t npbs)
{
	const struct val *ev = es->opts->extra_vars;
	size_t i, n = es->inv->nhosts;
	struct lock_key *k = xcalloc(n ? n : 1, sizeof(*k));
	int local = any_local_play(pbs, npbs) || (es->opts->connection &&
	    strcmp(es->opts->connection, "local") == 0);

	es->lock_alone = xcalloc(n ? n : 1, 1);
	if (val_map_get(ev, "ansible_host") || val_map_get(ev,
	    "ansible_connection") || val_map_get(ev, "mend_lock_dir"))
		n = 0;
	if (n > 0)
		hostvars_refresh(es, NULL, 0);
	for (i = 0; i < n; i++) {
		const char *name = es->inv->hosts[i]->name;

		k[i].key = lock_key(val_map_get(es->hostvars, name), name,
		    local);
		k[i].host = i;
	}
	qsort(k, n, sizeof(*k), lock_key_cmp);
	for (i = 0; i < n && k[i].key != NULL; i++)
		es->lock_alone[k[i].host] =
		    !(i > 0 && strcmp(k[i - 1].key, k[i].key) == 0) &&
		    !(i + 1 < n && k[i + 1].key != NULL &&
		    strcmp(k[i + 1].key, k[i].key) == 0);
	for (i = 0; i < n; i++)
		free(k[i].key);
	free(k);
}

int
executor_run(struct playbook **pbs, size_t npbs, struct inventory *inv,
    const struct run_opts *opts)
{
	struct exec_state es;
	struct hostctx **used;
	size_t i, j, nused = 0;
	char started[32];
	double t0 = mono_now();
	int rc = 0;

	utc_now(started, sizeof(started));
	es.inv = inv;
	es.opts = opts;
	es.nhosts = inv->nhosts;
	es.hosts = xcalloc(inv->nhosts ? inv->nhosts : 1, sizeof(*es.hosts));
	es.abort = es.kw_error = es.started = 0;
	es.hostvars = NULL;
	es.all_names = NULL;
	es.pool = val_list();
	lock_alone_mark(&es, pbs, npbs);
	for (i = 0; i < npbs && !es.abort; i++)
		for (j = 0; j < pbs[i]->nplays && !es.abort; j++) {
			es.last_play = i + 1 == npbs &&
			    j + 1 == pbs[i]->nplays;
			run_play(&es, &pbs[i]->plays[j]);
		}
	close_idle(&es, NULL, 0, 1);
	release_hosts(es.hosts, es.nhosts, opts->forks);
	if (opts->verbose >= 2)
		fprintf(opts->out, "mend: at most %d SSH connection(s) were "
		    "open at once (forks %d)\n", conn_peak_open(),
		    opts->forks);
	used = xcalloc(es.nhosts ? es.nhosts : 1, sizeof(*used));
	for (i = 0; i < es.nhosts; i++) {
		if (es.hosts[i] == NULL || !es.hosts[i]->started)
			continue;
		used[nused++] = es.hosts[i];
		if (es.hosts[i]->st.unreachable)
			rc = 4;
		else if (es.hosts[i]->st.failed && rc == 0)
			rc = 2;
	}
	if (es.kw_error && rc == 0)
		rc = 1;           /* the run stopped at a play it could not
		                   * start (ansible-playbook: an ERROR) */
	report_recap(opts, used, nused);
	run_outcome_results(opts->outcome, used, nused);
	rc = safety_exit_code(opts, used, nused, rc);
	if (opts->json_path != NULL &&
	    report_json(opts, used, nused, started, mono_now() - t0, rc) < 0)
		rc = rc ? rc : 1;
	for (i = 0; i < es.nhosts; i++)
		host_free(es.hosts[i]);
	free(es.hosts);
	free(es.lock_alone);
	val_free(es.hostvars);
	val_free(es.all_names);
	val_free(es.pool);
	free(used);
	return rc;
}
