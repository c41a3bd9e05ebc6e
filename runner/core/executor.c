/* executor.c - plays, batches, forks and the per-task pipeline; see
 * executor.h. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/module.h"
#include "runner/core/args.h"
#include "runner/core/executor.h"
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
	atomic_int stop;               /* any_errors_fatal tripped */
	size_t total;                  /* hosts in the play, for progress */
	size_t done_before;            /* hosts done in earlier batches */
	time_t deadline;               /* change window: no host starts at or
	                                * after it (0 = none) */
};

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

static void
host_vars_for_play(struct hostctx *hc, const struct inventory *inv,
    const struct play *p)
{
	size_t spent = 0;

	val_free(hc->vars);
	hc->vars = inventory_host_vars(inv, hc->ih);
	merge_rendered(hc->vars, p->vars, &spent);
	merge_rendered(hc->vars, hc->opts->extra_vars, &spent);
	val_map_merge(hc->vars, val_map_get(hc->opts->host_vars, hc->name));
	val_map_set(hc->vars, "ansible_check_mode", val_bool(hc->opts->check));
	val_map_set(hc->vars, "ansible_play_name",
	    val_str(p->name ? p->name : p->hosts));
	if (p->playbook_dir != NULL)
		val_map_set(hc->vars, "playbook_dir", val_str(p->playbook_dir));
}

static const char *
var_str(const struct val *vars, const char *key)
{
	const struct val *v = val_map_get(vars, key);

	return (v != NULL && v->type == V_STR) ? v->u.str.s : NULL;
}

void
host_conn_params(struct hostctx *hc, const struct play *p,
    struct conn_params *cp)
{
	const struct run_opts *o = hc->opts;
	const struct val *port = val_map_get(hc->vars, "ansible_port");
	const char *conn = var_str(hc->vars, "ansible_connection");
	int64_t n = 0;

	memset(cp, 0, sizeof(*cp));
	cp->name = hc->name;
	cp->host = var_str(hc->vars, "ansible_host");
	if (cp->host == NULL)
		cp->host = hc->name;
	if (port != NULL && val_to_int(port, &n) == 0)
		cp->port = (int)n;
	cp->user = var_str(hc->vars, "ansible_user");
	if (cp->user == NULL)
		cp->user = p->remote_user ? p->remote_user : o->user;
	cp->identity = var_str(hc->vars, "ansible_ssh_private_key_file");
	if (cp->identity == NULL)
		cp->identity = o->private_key;
	cp->known_hosts = o->known_hosts;
	cp->ssh_config = o->ssh_config;
	cp->policy = o->policy;
	cp->connect_timeout = o->connect_timeout;
	cp->alive_interval = o->alive_interval;
	cp->alive_count = o->alive_count;
	cp->local = conn != NULL && strcmp(conn, "local") == 0;
}

int
host_connect(struct hostctx *hc, const struct play *p)
{
	struct conn_params cp;
	struct err e = ERR_INIT;
	int ret;

	host_conn_params(hc, p, &cp);
	ret = conn_open(&hc->conn, &cp, &e);
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
		*user = t->become_user ? t->become_user
		    : p->become_user ? p->become_user : hc->opts->become_user;
	if (p->become >= 0)
		b = p->become;
	if (t->become >= 0)
		b = t->become;
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
	if (!(t->mod->flags & MOD_NO_HOST) && hc->conn == NULL &&
	    host_connect(hc, p) != 0) {
		ret = MOD_UNREACHABLE;
		goto out;
	}
	ret = settle(t, ctx, t->mod->run(ctx, args));
out:
	val_free(rendered);
	val_free(args);
	err_release(&e);
	return ret;
}

static int
check_skip(const struct hostctx *hc, const struct task *t)
{
	int check = t->check_mode == 1 || (t->check_mode != 0 &&
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
	ctx->check = t->check_mode == 1 || (t->check_mode != 0 &&
	    hc->opts->check);
	ctx->diff = hc->opts->diff || hc->opts->json_path != NULL;
	ctx->become = effective_become(hc, p, t, &ctx->become_user);
	ctx->timeout = t->timeout ? t->timeout : hc->opts->task_timeout;
	ctx->verbosity = hc->opts->verbose;
	ctx->no_log = t->no_log;
	ctx->rc = -1;
	strbuf_init(&ctx->msg, 0);
	strbuf_init(&ctx->diffs, 0);
}

static void
apply_result_conds(struct hostctx *hc, const struct task *t,
    struct modctx *ctx)
{
	struct strbuf msg = STRBUF_INIT;
	int v;

	if (t->register_ != NULL) {
		struct val *r = result_val(ctx, t, 0, TS_OK);

		if (ctx->no_log)
			val_mark_unsafe(r);
		val_map_set(hc->vars, t->register_, r);
	}
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
	if (t->register_ != NULL && (t->changed_when.set ||
	    t->failed_when.set)) {
		struct val *r = result_val(ctx, t, 0, TS_OK);

		if (ctx->no_log)
			val_mark_unsafe(r);
		val_map_set(hc->vars, t->register_, r);
	}
	strbuf_release(&msg);
}

static enum task_status
classify(struct hostctx *hc, const struct task *t, struct modctx *ctx)
{
	if (ctx->skipped) {
		hc->st.skipped++;
		return TS_SKIPPED;
	}
	if (ctx->failed && t->ignore_errors) {
		hc->st.ignored++;
		hc->st.ok++;
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
	struct err e = ERR_INIT;

	if (t->name == NULL || tmpl_render(t->name, hc->vars, &t->pos, sb,
	    &e) < 0) {
		strbuf_reset(sb);
		strbuf_addstr(sb, t->name ? t->name : t->mod->name);
	}
	err_release(&e);
}

static void
run_task(struct hostctx *hc, const struct play *p, const struct task *t)
{
	struct strbuf name = STRBUF_INIT, msg = STRBUF_INIT;
	struct modctx ctx;
	enum task_status st;
	double t0 = mono_now();
	int cond = 1;

	task_name(hc, t, &name);
	modctx_init(&ctx, hc, p, t, name.buf);
	if (t->when.set && eval_cond(hc, &t->when, &cond, &msg) < 0) {
		mod_fail(&ctx, "when: %s", msg.buf);
	} else if (!cond) {
		ctx.skipped = 1;
		mod_msg(&ctx, "conditional result was false");
	} else if (check_skip(hc, t)) {
		ctx.skipped = 1;
		mod_msg(&ctx, "skipped in check mode (module '%s' does not "
		    "support it)", t->mod->name);
	} else if (call_module(hc, p, t, &ctx) == MOD_UNREACHABLE) {
		if (!hc->unreachable) {
			report_task(hc, name.buf, TS_UNREACHABLE, ctx.msg.buf,
			    NULL, NULL, ctx.no_log, 0);
			hc->unreachable = 1;
			hc->st.unreachable++;
		}
		record_json(hc, p, t, name.buf, &ctx, mono_now() - t0,
		    TS_UNREACHABLE);
		goto out;
	} else {
		apply_result_conds(hc, t, &ctx);
	}
	if (ctx.skipped && t->register_ != NULL)
		val_map_set(hc->vars, t->register_, result_val(&ctx, t, 0,
		    TS_SKIPPED));
	st = classify(hc, t, &ctx);
	report_task(hc, name.buf, st, ctx.msg.buf, ctx.diffs.buf, ctx.data,
	    ctx.no_log, ctx.show_msg);
	record_json(hc, p, t, name.buf, &ctx, mono_now() - t0, st);
out:
	strbuf_release(&name);
	strbuf_release(&msg);
	strbuf_release(&ctx.msg);
	strbuf_release(&ctx.diffs);
	val_free(ctx.data);
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

static void
run_host(struct play_run *pr, struct hostctx *hc)
{
	const struct play *p = pr->play;
	size_t i;

	for (i = 0; i < p->ntasks && !hc->failed && !hc->unreachable; i++) {
		if (atomic_load(&pr->stop))
			break;
		if (!task_tags_match(p, &p->tasks[i], pr->opts->tags,
		    pr->opts->skip_tags))
			continue;
		if (safety_before_task(hc, p, &p->tasks[i]) == 0)
			run_task(hc, p, &p->tasks[i]);
		if ((hc->failed || hc->unreachable) && p->any_errors_fatal)
			atomic_store(&pr->stop, 1);
	}
	for (i = 0; i < p->nhandlers && !hc->failed && !hc->unreachable; i++)
		if (handler_notified(hc, &p->handlers[i]) &&
		    safety_before_task(hc, p, &p->handlers[i]) == 0)
			run_task(hc, p, &p->handlers[i]);
	safety_host_done(hc, p);
	hc->nnotified = 0;
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
		report_flush_host(hc);
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

static void
run_batch(struct play_run *pr)
{
	size_t nthreads = (size_t)pr->opts->forks, i;
	pthread_t *th;
	pthread_attr_t attr;

	if (nthreads > pr->nbatch)
		nthreads = pr->nbatch;
	if (nthreads <= 1) {
		worker(pr);
		return;
	}
	th = xcalloc(nthreads, sizeof(*th));
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], &attr, worker, pr) != 0)
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
	int abort;                   /* rollback_on_failure: stop the run */
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

static void
run_play(struct exec_state *es, const struct play *p)
{
	struct hostctx **hosts;
	size_t nhosts, nb, *sizes, b, off = 0, i;
	struct play_run pr;
	time_t deadline;

	if (select_play_hosts(es, p, &hosts, &nhosts) < 0)
		return;
	report_play(es->opts, p->name ? p->name : p->hosts, nhosts);
	sizes = play_batches(p, nhosts, &nb);
	deadline = safety_play_deadline(p, es->opts);
	for (b = 0; b < nb; b++) {
		memset(&pr, 0, sizeof(pr));
		pr.play = p;
		pr.opts = es->opts;
		pr.batch = hosts + off;
		pr.nbatch = sizes[b];
		pr.total = nhosts;
		pr.done_before = off;
		pr.deadline = deadline;
		for (i = 0; i < pr.nbatch; i++) {
			pr.batch[i]->started = 1;
			host_vars_for_play(pr.batch[i], es->inv, p);
		}
		run_batch(&pr);
		off += sizes[b];
		if ((batch_breached(p, &pr) || safety_breached(p, es->opts,
		    atomic_load(&pr.failed) + atomic_load(&pr.unreachable))) &&
		    safety_breach(p, es->opts, es->hosts, es->nhosts, b + 1,
		    nb)) {
			es->abort = 1;
			break;
		}
		if (batch_breached(p, &pr) && off < nhosts) {
			fprintf(es->opts->out, "mend: play '%s': stopping "
			    "after batch %zu of %zu (%s); %zu host(s) not "
			    "started\n", p->name ? p->name : p->hosts, b + 1,
			    nb, p->any_errors_fatal ? "any_errors_fatal" :
			    "max_fail_percentage exceeded", nhosts - off);
			break;
		}
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
	val_free(hc->vars);
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
	es.abort = 0;
	for (i = 0; i < npbs && !es.abort; i++)
		for (j = 0; j < pbs[i]->nplays && !es.abort; j++)
			run_play(&es, &pbs[i]->plays[j]);
	release_hosts(es.hosts, es.nhosts, opts->forks);
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
	report_recap(opts, used, nused);
	run_outcome_results(opts->outcome, used, nused);
	rc = safety_exit_code(opts, used, nused, rc);
	if (opts->json_path != NULL &&
	    report_json(opts, used, nused, started, mono_now() - t0, rc) < 0)
		rc = rc ? rc : 1;
	for (i = 0; i < es.nhosts; i++)
		host_free(es.hosts[i]);
	free(es.hosts);
	free(used);
	return rc;
}
