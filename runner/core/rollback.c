/* rollback.c - planning a rollback from a run's journal; see rollback.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/core/rollback.h"
#include "runner/util/banned.h"

static int
wanted_service(const char *action)
{
	static const char *const acts[] = { "restarted", "started",
	    "reloaded", "restart", "start", "reload" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(acts); i++)
		if (strcmp(action, acts[i]) == 0)
			return 1;
	return 0;
}

static struct val *
file_entry(const struct file_change *fc)
{
	struct val *m = val_map();

	val_map_set(m, "path", val_str(fc->path));
	val_map_set(m, "existed", val_bool(fc->existed));
	val_map_set(m, "sha_before", fc->sha_before ? val_str(fc->sha_before)
	    : val_null());
	val_map_set(m, "sha_new", fc->sha_new ? val_str(fc->sha_new)
	    : val_null());
	if (fc->mode)
		val_map_set(m, "mode", val_str(fc->mode));
	if (fc->owner)
		val_map_set(m, "owner", val_str(fc->owner));
	if (fc->group)
		val_map_set(m, "group", val_str(fc->group));
	if (fc->kind)
		val_map_set(m, "kind", val_str(fc->kind));
	if (fc->was)
		val_map_set(m, "was", val_str(fc->was));
	if (fc->now)
		val_map_set(m, "now", val_str(fc->now));
	if (!fc->done && !fc->failed)     /* killed mid-write: temp files */
		val_map_set(m, "unfinished", val_bool(1));
	return m;
}

/* Index of service `name` in the plan's list, or -1. */
static long
plan_service(const struct val *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->u.list.n; i++) {
		const struct val *v = l->u.list.items[i];
		const char *n = v->type == V_MAP ? val_map_str(v, "name", "") :
		    v->u.str.s;

		if (strcmp(n, name) == 0)
			return (long)i;
	}
	return -1;
}

/* A service to restart: its name, or {name, via, prove, mismatch} when a
 * module restarts and proves it (rabbitmq_service, rabbitmq_live) or the
 * run found it serving another configuration than its files. */
static void
add_service(struct val *l, const struct svc_action *s)
{
	int mismatch = strcmp(s->action, "mismatch") == 0;
	long i = plan_service(l, s->name);
	struct val *m;

	if (!mismatch && !wanted_service(s->action))
		return;
	if (i >= 0 && l->u.list.items[i]->type == V_MAP) {
		m = l->u.list.items[i];
		if (mismatch)
			val_map_set(m, "mismatch", val_bool(1));
		if (s->via != NULL && val_map_get(m, "via") == NULL)
			val_map_set(m, "via", val_str(s->via));
		if (s->prove != NULL && val_map_get(m, "prove") == NULL)
			val_map_set(m, "prove", val_str(s->prove));
		return;
	}
	if (s->via == NULL && !mismatch) {
		if (i < 0)
			val_list_push(l, val_str(s->name));
		return;
	}
	m = val_map();
	val_map_set(m, "name", val_str(s->name));
	if (s->via != NULL)
		val_map_set(m, "via", val_str(s->via));
	if (s->prove != NULL)
		val_map_set(m, "prove", val_str(s->prove));
	if (mismatch)
		val_map_set(m, "mismatch", val_bool(1));
	if (i < 0) {
		val_list_push(l, m);
		return;
	}
	val_free(l->u.list.items[i]);
	l->u.list.items[i] = m;
}

static int
host_wanted(const char *host, char *const *only, size_t nonly)
{
	size_t i;

	for (i = 0; only != NULL && i < nonly; i++)
		if (strcmp(only[i], host) == 0)
			return 1;
	return only == NULL;
}

static struct val *
host_plan(struct val *plans, const char *host)
{
	struct val *p = val_map_get(plans, host);

	if (p == NULL) {
		p = val_map();
		val_map_set(p, "files", val_list());
		val_map_set(p, "services", val_list());
		val_map_set(plans, host, p);
	}
	return p;
}

struct val *
rollback_plans(const struct run_info *r, char *const *only, size_t nonly)
{
	struct val *plans = val_map(), *l;
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		if (host_wanted(r->files[i].host, only, nonly) &&
		    !r->files[i].failed)
			val_list_push(val_map_get(host_plan(plans,
			    r->files[i].host), "files"),
			    file_entry(&r->files[i]));
	for (i = 0; i < r->nsvcs; i++) {
		const struct svc_action *s = &r->svcs[i];

		if (!host_wanted(s->host, only, nonly))
			continue;
		l = val_map_get(host_plan(plans, s->host), "services");
		add_service(l, s);
	}
	return plans;
}

struct val *
rollback_host_vars(const struct val *plans)
{
	struct val *wrapped = val_map();
	size_t i;

	for (i = 0; i < plans->u.map.n; i++) {
		struct val *hv = val_map();

		val_map_set(hv, "mend_rollback",
		    val_copy(plans->u.map.items[i].v));
		val_map_set(wrapped, plans->u.map.items[i].key, hv);
	}
	return wrapped;
}

static void
restore_task(struct task *t, const struct run_info *r, int force,
    struct pos pos)
{
	t->name = xstrdup("restore files and services");
	t->mod = module_find("restore");
	if (t->mod == NULL)
		fatal("the module 'restore' is not registered");
	t->become = -1;
	t->check_mode = -1;
	t->pos = pos;
	t->args = val_map();
	val_map_set(t->args, "files", val_str("{{ mend_rollback.files }}"));
	val_map_set(t->args, "services",
	    val_str("{{ mend_rollback.services }}"));
	val_map_set(t->args, "objects", val_str_take(xasprintf("%s/objects",
	    r->dir)));
	val_map_set(t->args, "force", val_bool(force));
}

struct playbook *
rollback_playbook(const struct run_info *r, const struct val *plans,
    int force)
{
	struct playbook *pb = xcalloc(1, sizeof(*pb));
	struct play *p;
	struct strbuf hosts = STRBUF_INIT;
	size_t i;

	pb->path = xasprintf("(rollback of %s)", r->id);
	pb->plays = xcalloc(1, sizeof(*pb->plays));
	pb->nplays = 1;
	p = &pb->plays[0];
	p->name = xasprintf("rollback of run %s", r->id);
	for (i = 0; i < plans->u.map.n; i++)
		strbuf_addf(&hosts, "%s%s", i ? "," : "",
		    plans->u.map.items[i].key);
	p->hosts = strbuf_detach(&hosts, NULL);
	p->hosts_pos.file = pos_intern(pb->path);
	p->vars = val_map();
	p->become = -1;
	p->max_fail_pct = -1;
	p->window_margin = -1;
	p->tasks = xcalloc(1, sizeof(*p->tasks));
	p->ntasks = 1;
	restore_task(&p->tasks[0], r, force, p->hosts_pos);
	return pb;
}

int
rollback_hosts_known(struct inventory *inv, const struct val *plans,
    struct err *e)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < plans->u.map.n; i++)
		if (inventory_find_host(inv, plans->u.map.items[i].key) ==
		    NULL)
			ret = err_set(e, "host '%s' changed by the run is not "
			    "in the inventory", plans->u.map.items[i].key);
	return ret;
}

/* Did run r change anything a rollback would put back? */
static int
run_changed(const struct run_info *r)
{
	struct val *plans = rollback_plans(r, NULL, 0);
	int n = plans->u.map.n > 0;

	val_free(plans);
	return n;
}

/* Why run r cannot be "last", or NULL when it can. */
static const char *
not_last(const struct run_info *r)
{
	if (strcmp(r->status, "running") == 0)
		return "still running";
	if (val_map_get(r->meta, "reason") != NULL)
		return "the automatic rollback of the run before it";
	if (val_map_get(r->meta, "rollback_of") != NULL &&
	    strcmp(r->status, "ok") != 0)
		return "a rollback that did not complete";
	if (!run_changed(r))
		return "changed nothing";
	return NULL;
}

int
rollback_pick_last(const char *state_dir, char **id, struct strbuf *why,
    struct err *e)
{
	struct strbuf passed = STRBUF_INIT;
	char **ids;
	size_t n, i;

	*id = NULL;
	if (runs_ids(state_dir, &ids, &n, e) < 0)
		return -1;
	for (i = n; i-- > 0 && *id == NULL;) {
		struct run_info *r;
		const char *no;

		if (run_load(state_dir, ids[i], &r, e) < 0)
			break;
		if ((no = not_last(r)) == NULL)
			*id = xstrdup(r->id);
		else
			strbuf_addf(&passed, "%s%s: %s", passed.len ? ", " :
			    "", r->id, no);
		run_info_free(r);
	}
	if (*id != NULL)
		strbuf_addf(why, "'last' is run %s, the newest run that "
		    "changed something%s%s%s", *id, passed.len ?
		    " (passed over: " : "", passed.buf, passed.len ? ")" : "");
	else if (e->count == 0)
		err_set(e, "no run in '%s/runs' changed anything that a "
		    "rollback could put back (see 'mend runs')", state_dir);
	strbuf_release(&passed);
	runs_ids_free(ids, n);
	return *id != NULL ? 0 : -1;
}

void
rollback_opts(struct run_opts *dst, const struct run_opts *from)
{
	memset(dst, 0, sizeof(*dst));
	dst->forks = from->forks;
	dst->diff = from->diff;
	dst->verbose = from->verbose;
	dst->user = from->user;
	dst->private_key = from->private_key;
	dst->known_hosts = from->known_hosts;
	dst->ssh_config = from->ssh_config;
	dst->policy = from->policy;
	dst->connect_timeout = from->connect_timeout;
	dst->no_persistent_shell = from->no_persistent_shell;
	dst->task_timeout = from->task_timeout;
	dst->become = from->become;
	dst->become_user = from->become_user;
	dst->become_pass = from->become_pass;
	dst->extra_vars = from->extra_vars;
	dst->color = from->color;
	dst->progress = from->progress;
	dst->out = from->out;
	dst->tz = from->tz;
	dst->clock = from->clock;
}
