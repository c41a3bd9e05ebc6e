/* run.c - check, run and roll back below argv; see run.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runner/core/journal.h"
#include "runner/core/rollback.h"
#include "runner/core/run.h"
#include "runner/core/runs.h"
#include "runner/core/safety.h"
#include "runner/core/startat.h"
#include "runner/inventory/inventory.h"
#include "runner/transport/transport.h"
#include "runner/util/banned.h"

/* One journaled run in progress (a run, a rollback, or an automatic
 * rollback inside a run). */
struct run_ctx {
	struct run_opts o;            /* the request's, with journal,
	                               * host_vars and outcome set here */
	const char *const *invs;      /* inventory sources used */
	size_t ninv;
	const char *const *pb_paths;  /* for meta.json (none: a rollback) */
	size_t npb_paths;
	const char *state_dir;        /* absolute */
	int force;
	const char *rollback_of;      /* the run being reversed, or NULL */
	const struct val *rollback_meta;  /* ... its meta.json */
	const char *rollback_reason;  /* meta.json "reason" of a rollback */
	struct run_outcome outcome;   /* what the executor reports back */
	struct mend_result *res;
};

void
mend_result_init(struct mend_result *res)
{
	struct err e = ERR_INIT;

	memset(res, 0, sizeof(*res));
	res->errors = e;
}

void
mend_result_release(struct mend_result *res)
{
	size_t i;

	err_release(&res->errors);
	free(res->run_id);
	free(res->run_dir);
	for (i = 0; i < res->nhosts; i++)
		free(res->hosts[i].name);
	free(res->hosts);
	free(res->rollback_of);
	free(res->rollback_run);
	mend_result_init(res);
}

static void
ctx_init(struct run_ctx *c, const struct mend_request *req,
    const char *state_dir, struct mend_result *res)
{
	memset(c, 0, sizeof(*c));
	c->o = req->opts;
	c->o.journal = NULL;
	c->o.host_vars = NULL;
	c->o.outcome = NULL;
	c->invs = req->inventories;
	c->ninv = req->ninventories;
	c->pb_paths = req->playbooks;
	c->npb_paths = req->nplaybooks;
	c->state_dir = state_dir;
	c->force = req->force;
	c->res = res;
}

static struct inventory *
load_inventories(const char *const *srcs, size_t n, struct err *e)
{
	struct inventory *inv = inventory_new();
	size_t i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		if (strchr(srcs[i], ',') != NULL && access(srcs[i], F_OK) != 0)
			ret |= inventory_add_list(inv, srcs[i], e);
		else
			ret |= inventory_load(inv, srcs[i], e);
	}
	if (ret != 0) {
		inventory_free(inv);
		return NULL;
	}
	return inv;
}

/* Ansible's warning for each pattern that matched no group and no host;
 * frees um. */
static void
warn_unmatched(char **um, const struct pos *p)
{
	size_t i;

	for (i = 0; um != NULL && um[i] != NULL; i++) {
		if (p != NULL && p->file != NULL)
			fprintf(stderr, "%s:%d:%d: ", p->file, p->line, p->col);
		fprintf(stderr, "warning: could not match supplied host "
		    "pattern, ignoring: '%s'\n", um[i]);
		free(um[i]);
	}
	free(um);
}

/* Does pattern select (errors for unknown hosts and groups; warnings for
 * parts that match nothing)?  Returns the number of hosts, or -1. */
static long
pattern_ok(struct inventory *inv, const char *pattern, const struct pos *pos,
    struct err *e)
{
	struct inv_host **sel = NULL;
	char **um = NULL;
	size_t n = 0;
	int ret = inventory_select_ex(inv, pattern, pos, &sel, &n, &um, e);

	warn_unmatched(um, pos);
	free(sel);
	return ret < 0 ? -1 : (long)n;
}

/* Load the inventories and playbooks; check every play's host pattern.
 * Returns 0 or -1 (errors in e). */
static int
load_all(const struct mend_request *req, struct inventory **inv,
    struct playbook ***pbs, struct err *e)
{
	size_t i, j;
	int ret = 0;

	*pbs = xcalloc(req->nplaybooks ? req->nplaybooks : 1, sizeof(**pbs));
	if ((*inv = load_inventories(req->inventories, req->ninventories,
	    e)) == NULL)
		ret = -1;
	for (i = 0; i < req->nplaybooks; i++) {
		if (playbook_load(req->playbooks[i], &(*pbs)[i], e) < 0)
			ret = -1;
		else
			fputs((*pbs)[i]->warnings.buf, stderr);
	}
	for (i = 0; ret == 0 && i < req->nplaybooks; i++)
		for (j = 0; j < (*pbs)[i]->nplays; j++)
			if (pattern_ok(*inv, (*pbs)[i]->plays[j].hosts,
			    &(*pbs)[i]->plays[j].hosts_pos, e) < 0)
				ret = -1;
	return ret;
}

/* --limit: a limit that leaves no host is a usage error, as
 * ansible-playbook's "Specified inventory, host pattern and/or --limit
 * leaves us with no hosts to target". */
static int
check_limit(const struct mend_request *req, struct inventory *inv,
    struct err *e)
{
	long n;

	if (req->opts.limit == NULL)
		return 0;
	n = pattern_ok(inv, req->opts.limit, NULL, e);
	if (n == 0 && inv->nhosts > 0)
		return err_set(e, "--limit '%s' leaves no hosts to target",
		    req->opts.limit);
	return n < 0 ? -1 : 0;
}

/* --start-at-task: a name no task of the playbooks has is an error
 * before anything runs (ansible-playbook runs every play doing nothing,
 * then says "No matching task"). */
static int
check_start_at(const struct mend_request *req, struct playbook **pbs,
    struct err *e)
{
	size_t i, j;

	if (req->opts.start_at_task == NULL)
		return 0;
	for (i = 0; i < req->nplaybooks; i++)
		for (j = 0; j < pbs[i]->nplays; j++)
			if (start_at_find(&pbs[i]->plays[j],
			    req->opts.start_at_task) != NULL)
				return 0;
	return err_set(e, "no task matches --start-at-task '%s' (as in "
	    "Ansible, a task of the playbooks, their static imports or "
	    "roles, not of an include_tasks/include_role)",
	    req->opts.start_at_task);
}

void
mend_unload(const struct mend_request *req, struct inventory *inv,
    struct playbook **pbs)
{
	size_t i;

	for (i = 0; pbs != NULL && i < req->nplaybooks; i++)
		playbook_free(pbs[i]);
	free(pbs);
	inventory_free(inv);
}

static struct val *
run_meta(const struct run_ctx *c)
{
	struct val *m = val_map(), *l = val_list();
	char host[256];
	size_t i;

	for (i = 0; i < c->npb_paths; i++)
		val_list_push(l, val_str(c->pb_paths[i]));
	val_map_set(m, "playbooks", l);
	l = val_list();
	for (i = 0; i < c->ninv; i++)
		val_list_push(l, val_str(c->invs[i]));
	val_map_set(m, "inventories", l);
	val_map_set(m, "limit", c->o.limit ? val_str(c->o.limit) : val_null());
	if (c->o.run_id != NULL)
		val_map_set(m, "run_id", val_str(c->o.run_id));
	if (c->o.shard.n > 0) {
		char shard[32];

		snprintf(shard, sizeof(shard), "%d/%d", c->o.shard.k,
		    c->o.shard.n);
		val_map_set(m, "shard", val_str(shard));
	}
	val_map_set(m, "pid", val_int(getpid()));
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		val_map_set(m, "controller", val_str(host));
	}
	val_map_set(m, "started", val_int((int64_t)time(NULL)));
	if (c->rollback_of != NULL)
		val_map_set(m, "rollback_of", val_str(c->rollback_of));
	if (c->rollback_meta != NULL &&
	    val_map_get(c->rollback_meta, "run_id") != NULL) {
		val_map_set(m, "rollback_of_run_id", val_copy(val_map_get(
		    c->rollback_meta, "run_id")));
		if (val_map_get(c->rollback_meta, "shard") != NULL)
			val_map_set(m, "shard", val_copy(val_map_get(
			    c->rollback_meta, "shard")));
	}
	if (c->rollback_reason != NULL)
		val_map_set(m, "reason", val_str(c->rollback_reason));
	return m;
}

static int run_journaled(struct run_ctx *c, struct inventory *inv,
    struct playbook **pbs, size_t npbs);

/* Roll back run r on its hosts (only those in `only` when not NULL) as a
 * new journaled run.  inv NULL: load c's inventory sources. */
static int
rollback_with(struct run_ctx *c, struct inventory *inv,
    const struct run_info *r, char *const *only, size_t nonly)
{
	struct inventory *own = NULL;
	struct playbook *pb = NULL;
	struct val *plans = rollback_plans(r, only, nonly), *vars = NULL;
	struct err *e = &c->res->errors;
	int rc = EXIT_OK;

	if (plans->u.map.n == 0) {
		fprintf(c->o.out, "run %s changed nothing%s: nothing to roll "
		    "back\n", r->id, only ? " on those hosts" : "");
		goto out;
	}
	rc = EXIT_INVALID;
	if (inv == NULL && (inv = own = load_inventories(c->invs, c->ninv,
	    e)) == NULL)
		goto out;
	if (rollback_hosts_known(inv, plans, e) < 0)
		goto out;
	pb = rollback_playbook(r, plans, c->force);
	vars = rollback_host_vars(plans);
	c->o.host_vars = vars;
	c->rollback_of = r->id;
	c->rollback_meta = r->meta;
	rc = run_journaled(c, inv, &pb, 1);
	c->o.host_vars = NULL;
out:
	playbook_free(pb);
	inventory_free(own);
	val_free(plans);
	val_free(vars);
	return rc;
}

/* rollback_on_failure tripped in the run journaled in j: roll the hosts
 * the executor named back as a new run, with the options rollback_opts()
 * keeps.  Returns its exit code; *id: its run id (or NULL). */
static int
rollback_after_failure(const struct run_ctx *c, struct inventory *inv,
    const char *run_dir, char **id)
{
	struct run_ctx nc;
	struct mend_result nres;
	struct run_info *r = NULL;
	int rc;

	*id = NULL;
	mend_result_init(&nres);
	memset(&nc, 0, sizeof(nc));
	rollback_opts(&nc.o, &c->o);
	nc.invs = c->invs;
	nc.ninv = c->ninv;
	nc.state_dir = c->state_dir;
	nc.rollback_reason = "rollback_on_failure";
	nc.res = &nres;
	if (run_load_dir(run_dir, &r, &nres.errors) < 0)
		rc = EXIT_USAGE;
	else
		rc = rollback_with(&nc, inv, r, c->outcome.hosts,
		    c->outcome.nhosts);
	err_print(&nres.errors, stderr);
	*id = nres.run_id;
	nres.run_id = NULL;
	run_outcome_release(&nc.outcome);
	run_info_free(r);
	mend_result_release(&nres);
	return rc;
}

/* rollback_on_failure tripped: roll back as a new run; note it in rec. */
static void
auto_rollback(struct run_ctx *c, struct inventory *inv, struct journal *j,
    struct val *rec)
{
	const struct run_outcome *oc = &c->outcome;
	struct val *rb = val_map(), *hosts = val_list();
	char *id = NULL;
	size_t i;
	int rc;

	fprintf(c->o.out, "\nmend: rolling back %zu host(s) of run %s "
	    "(rollback_on_failure, %s)\n", oc->nhosts, journal_run_id(j),
	    oc->reason ? oc->reason : "");
	rc = rollback_after_failure(c, inv, journal_dir(j), &id);
	for (i = 0; i < oc->nhosts; i++)
		val_list_push(hosts, val_str(oc->hosts[i]));
	val_map_set(rb, "hosts", hosts);
	val_map_set(rb, "scope", val_str(oc->rollback == ROLLBACK_RUN ? "run"
	    : "host"));
	val_map_set(rb, "reason", val_str(oc->reason ? oc->reason : ""));
	val_map_set(rb, "run", id ? val_str(id) : val_null());
	val_map_set(rb, "exit_code", val_int(rc));
	val_map_set(rec, "rollback", rb);
	if (rc != EXIT_OK)
		fprintf(c->o.out, "mend: THE ROLLBACK DID NOT COMPLETE (exit %d"
		    "%s%s): see 'mend show %s'\n", rc, id ? ", run " : "",
		    id ? id : "", id ? id : journal_run_id(j));
	c->res->rollback_run = id;
	c->res->rollback_exit = rc;
}

static const char *
end_status(int rc)
{
	switch (rc) {
	case EXIT_OK: return "ok";
	case EXIT_HOST_FAILED: return "failed";
	case EXIT_UNREACHABLE: return "unreachable";
	case EXIT_WINDOW: return "window-cut";
	default: return "error";
	}
}

/* The hosts that took part, into the result. */
static void
take_results(struct run_ctx *c)
{
	struct mend_result *res = c->res;

	res->hosts = c->outcome.results;
	res->nhosts = c->outcome.nresults;
	c->outcome.results = NULL;      /* transferred */
	c->outcome.nresults = 0;
}

static int
open_journal(struct run_ctx *c, struct journal **j)
{
	struct val *meta = run_meta(c);
	int ret = journal_open(j, c->state_dir, meta, &c->res->errors);

	if (ret == 0) {
		journal_append(*j, "start", meta);
		fprintf(c->o.out, "run %s (journal %s)\n", journal_run_id(*j),
		    journal_dir(*j));
		c->res->run_id = xstrdup(journal_run_id(*j));
		c->res->run_dir = xstrdup(journal_dir(*j));
	}
	val_free(meta);
	return ret;
}

/* Journal (unless check mode), run, end record; with rollback_on_failure
 * tripped, the automatic rollback (a new run) before the end record.
 * Returns the exit code. */
static int
run_journaled(struct run_ctx *c, struct inventory *inv, struct playbook **pbs,
    size_t npbs)
{
	struct journal *j = NULL;
	struct val *end;
	int rc;

	if (!c->o.check && open_journal(c, &j) < 0) {
		err_print(&c->res->errors, stderr);
		err_release(&c->res->errors);
		fprintf(stderr, "mend: nothing was run: no journal\n");
		return EXIT_USAGE;
	}
	c->o.journal = j;
	c->o.outcome = &c->outcome;
	if (transport_init() < 0)
		fatal("cannot initialise the SSH library");
	rc = executor_run(pbs, npbs, inv, &c->o);
	transport_shutdown();
	take_results(c);
	end = val_map();
	if (j != NULL && c->outcome.rollback != ROLLBACK_NONE)
		auto_rollback(c, inv, j, end);
	val_map_set(end, "exit_code", val_int(rc));
	val_map_set(end, "status", val_str(end_status(rc)));
	val_map_set(end, "finished", val_int((int64_t)time(NULL)));
	journal_close(j, end);
	val_free(end);
	c->o.journal = NULL;
	return rc;
}

/* ---- the entry points ---- */

int
mend_load(const struct mend_request *req, struct mend_result *res,
    struct inventory **inv, struct playbook ***pbs)
{
	res->exit_code = EXIT_OK;
	if (load_all(req, inv, pbs, &res->errors) < 0)
		res->exit_code = EXIT_INVALID;
	else if (check_limit(req, *inv, &res->errors) < 0 ||
	    check_start_at(req, *pbs, &res->errors) < 0)
		res->exit_code = EXIT_USAGE;
	else
		res->inventory_hosts = (*inv)->nhosts;
	return res->exit_code;
}

int
mend_check(const struct mend_request *req, struct mend_result *res)
{
	struct inventory *inv = NULL;
	struct playbook **pbs = NULL;

	mend_load(req, res, &inv, &pbs);
	mend_unload(req, inv, pbs);
	return res->exit_code;
}

int
mend_run(const struct mend_request *req, struct mend_result *res)
{
	struct inventory *inv = NULL;
	struct playbook **pbs = NULL;
	struct run_ctx c;
	char *dir = journal_state_dir(req->state_dir);

	ctx_init(&c, req, dir, res);
	if (mend_load(req, res, &inv, &pbs) != EXIT_OK)
		;                     /* invalid: nothing runs */
	else if (c.o.window != NULL && window_parse(c.o.window, &c.o.win,
	    &res->errors) < 0)
		res->exit_code = EXIT_INVALID;
	else if (!req->opts.check && safety_window_gate(pbs, req->nplaybooks,
	    &c.o) < 0)
		res->exit_code = EXIT_WINDOW;
	else
		res->exit_code = run_journaled(&c, inv, pbs, req->nplaybooks);
	run_outcome_release(&c.outcome);
	mend_unload(req, inv, pbs);
	free(dir);
	return res->exit_code;
}

/* Load the run `which` names ("last": see rollback_pick_last). */
static int
rollback_target(const char *dir, const char *which, FILE *out,
    struct run_info **r, struct err *e)
{
	struct strbuf why = STRBUF_INIT;
	char *id = NULL;
	int ret;

	if (strcmp(which, "last") == 0) {
		if (rollback_pick_last(dir, &id, &why, e) < 0)
			return -1;
		fprintf(out, "mend: %s\n", why.buf);
		strbuf_release(&why);
	}
	ret = run_load(dir, id ? id : which, r, e);
	free(id);
	if (ret == 0 && strcmp((*r)->status, "running") == 0)
		ret = err_set(e, "run %s is still running", (*r)->id);
	return ret;
}

static void
inventories_of(struct run_ctx *c, const struct run_info *r,
    const char ***own)
{
	const struct val *invs = val_map_get(r->meta, "inventories");
	size_t i;

	if (c->ninv > 0 || invs == NULL || invs->type != V_LIST)
		return;
	*own = xcalloc(invs->u.list.n + 1, sizeof(**own));
	for (i = 0; i < invs->u.list.n; i++)
		if (invs->u.list.items[i]->type == V_STR)
			(*own)[c->ninv++] = invs->u.list.items[i]->u.str.s;
	c->invs = *own;
}

int
mend_rollback(const struct mend_request *req, const char *which,
    struct mend_result *res)
{
	struct run_info *r = NULL;
	struct run_ctx c;
	const char **own = NULL;
	char *dir = journal_state_dir(req->state_dir);

	ctx_init(&c, req, dir, res);
	c.pb_paths = NULL;
	c.npb_paths = 0;
	c.o.window = NULL;            /* a rollback is never held back */
	c.o.rollback_on_failure = ROLLBACK_NONE;
	c.o.shard.n = 0;              /* the plan names the hosts */
	c.o.run_id = NULL;
	if (rollback_target(dir, which, c.o.out, &r, &res->errors) < 0) {
		res->exit_code = EXIT_USAGE;
		goto out;
	}
	res->rollback_of = xstrdup(r->id);
	inventories_of(&c, r, &own);
	res->exit_code = rollback_with(&c, NULL, r, NULL, 0);
out:
	run_outcome_release(&c.outcome);
	run_info_free(r);
	free(own);
	free(dir);
	return res->exit_code;
}
