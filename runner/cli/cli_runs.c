/* cli_runs.c - `mend runs`, `mend show RUN`, `mend rollback RUN`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/module.h"
#include "runner/cli/cli.h"
#include "runner/cli/cli_int.h"
#include "runner/util/diff.h"
#include "runner/core/journal.h"
#include "runner/core/runs.h"
#include "runner/util/banned.h"

extern const struct module mod_restore;

static const char runs_usage[] =
"usage: mend runs [--state-dir DIR]\n"
"       mend show RUN|last [--state-dir DIR]\n"
"\n"
"runs lists the journaled runs (id, playbooks, start, end, hosts, files\n"
"changed, status: ok, failed, unreachable, window-cut, error, interrupted,\n"
"running), and which runs rolled back which.\n"
"show prints what a run changed where, with diffs, its service actions,\n"
"host locks and confirm-or-revert events.\n";

static const char rollback_usage[] =
"usage: mend rollback RUN|last [-i INVENTORY] [-l PATTERN] [-f FORKS]\n"
"                     [--check] [--force] [run options]\n"
"\n"
"Put back every file the run changed and restart the services it\n"
"restarted, per host in parallel.  A file is restored only if it still\n"
"holds what the run wrote (or what it held before: nothing to do); a file\n"
"changed since is refused and reported (drift) unless --force.  Files the\n"
"run created are removed.  The originals come from the local journal, so a\n"
"deleted backup directory on the host does not matter.  The rollback is a\n"
"journaled run itself.  Without -i the run's own inventories are used.\n"
"Change windows do not apply; each host's run lock is taken as for a run.\n"
"Exit codes as for 'mend run'.  Other options: see 'mend run --help'.\n";

static const char *
state_dir_arg(int argc, char **argv, const char **id, int *bad)
{
	const char *dir = NULL;
	int i;

	*id = NULL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--state-dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strncmp(argv[i], "--state-dir=", 12) == 0)
			dir = argv[i] + 12;
		else if (argv[i][0] != '-' && *id == NULL)
			*id = argv[i];
		else
			*bad = 1;
	}
	return dir;
}

static void
fmt_time(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0) {
		snprintf(buf, len, "-");
		return;
	}
	localtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static void
print_run_line(const struct run_info *r)
{
	const struct val *pbs = val_map_get(r->meta, "playbooks");
	char s[32], e[32];
	size_t nh;
	char **hosts = run_hosts(r, &nh);
	struct strbuf names = STRBUF_INIT;
	size_t i;

	for (i = 0; pbs && pbs->type == V_LIST && i < pbs->u.list.n; i++) {
		if (i)
			strbuf_addch(&names, ',');
		val_to_str(pbs->u.list.items[i], &names);
	}
	if (val_map_get(r->meta, "rollback_of") != NULL)
		strbuf_addf(&names, "rollback of %s%s",
		    val_map_str(r->meta, "rollback_of", "?"),
		    val_map_get(r->meta, "reason") ? " (rollback_on_failure)"
		    : "");
	if (r->rolled_back_by != NULL)
		strbuf_addf(&names, " (rolled back by %s)", r->rolled_back_by);
	fmt_time(r->started, s, sizeof(s));
	fmt_time(r->finished, e, sizeof(e));
	printf("%-24s %-12s %-19s %-19s %5zu %7zu  %s\n", r->id, r->status, s,
	    e, nh, r->nfiles, names.buf);
	strbuf_release(&names);
	free(hosts);
}

static int
list_runs(const char *dir)
{
	struct err e = ERR_INIT;
	char **ids;
	size_t n, i;

	if (runs_ids(dir, &ids, &n, &e) < 0) {
		err_print(&e, stderr);
		err_release(&e);
		return EXIT_USAGE;
	}
	printf("%-24s %-12s %-19s %-19s %5s %7s  %s\n", "RUN", "STATUS",
	    "START", "END", "HOSTS", "CHANGED", "PLAYBOOKS");
	for (i = 0; i < n; i++) {
		struct run_info *r;

		if (run_load(dir, ids[i], &r, &e) == 0)
			print_run_line(r);
		run_info_free(r);
	}
	err_print(&e, stderr);
	err_release(&e);
	runs_ids_free(ids, n);
	return EXIT_OK;
}

int
cmd_runs(int argc, char **argv)
{
	const char *id;
	int bad = 0;
	const char *opt = state_dir_arg(argc, argv, &id, &bad);
	char *dir;
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(runs_usage, stdout);
		return EXIT_OK;
	}
	if (bad || id != NULL) {
		fputs(runs_usage, stderr);
		return EXIT_USAGE;
	}
	dir = journal_state_dir(opt);
	rc = list_runs(dir);
	free(dir);
	return rc;
}

static void
print_object(const struct run_info *r, const char *sha, struct strbuf *sb)
{
	char *path;
	FILE *f;
	char buf[65536];
	size_t n;

	if (sha == NULL)
		return;
	path = run_object_path(r, sha);
	f = fopen(path, "rb");
	free(path);
	if (f == NULL)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(sb, buf, n);
	fclose(f);
}

/* The journal keeps the real bytes (rollback needs them); what is shown
 * has the secrets mend knows masked, as the run's --diff did, and a
 * binary file (an NSS database) is summarised, never printed. */
static void
show_diff(const char *path, const struct strbuf *a, const struct strbuf *b,
    struct strbuf *d)
{
	struct strbuf ma = STRBUF_INIT, mb = STRBUF_INIT;

	if (diff_is_binary(a->buf, a->len) || diff_is_binary(b->buf, b->len)) {
		diff_file(d, path, a->buf, a->len, b->buf, b->len);
		return;
	}
	mod_mask_secrets(path, a->buf, a->len, &ma);
	mod_mask_secrets(path, b->buf, b->len, &mb);
	diff_file(d, path, ma.buf, ma.len, mb.buf, mb.len);
	strbuf_release(&ma);
	strbuf_release(&mb);
}

static void
show_file(const struct run_info *r, const struct file_change *fc)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, d = STRBUF_INIT;

	printf("%s | %s | %s%s (task '%s'; before: %s %s:%s %s)\n", fc->host,
	    fc->path, !fc->existed ? "created" : fc->sha_new ? "changed"
	    : "removed", fc->failed ? ", write FAILED" : fc->done ? "" :
	    ", outcome unknown (interrupted)", fc->task ? fc->task : "",
	    fc->mode ? fc->mode : "-", fc->owner ? fc->owner : "-",
	    fc->group ? fc->group : "-", fc->sha_before ? fc->sha_before :
	    "(none)");
	if (fc->no_log) {
		printf("(no_log: the contents are not shown)\n");
		return;
	}
	print_object(r, fc->sha_before, &a);
	print_object(r, fc->sha_new, &b);
	show_diff(fc->path, &a, &b, &d);
	fwrite(d.buf, 1, d.len, stdout);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&d);
}

int
cmd_show(int argc, char **argv)
{
	const char *id;
	int bad = 0;
	const char *opt = state_dir_arg(argc, argv, &id, &bad);
	struct err e = ERR_INIT;
	struct run_info *r;
	char *dir;
	size_t i;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(runs_usage, stdout);
		return EXIT_OK;
	}
	if (bad || id == NULL) {
		fputs(runs_usage, stderr);
		return EXIT_USAGE;
	}
	dir = journal_state_dir(opt);
	if (run_load(dir, id, &r, &e) < 0) {
		err_print(&e, stderr);
		err_release(&e);
		free(dir);
		return EXIT_USAGE;
	}
	printf("run %s: %s, %zu file change(s), %zu service action(s)%s\n",
	    r->id, r->status, r->nfiles, r->nsvcs, r->torn ?
	    " (last journal line torn: the controller was killed)" : "");
	for (i = 0; i < r->nfiles; i++)
		show_file(r, &r->files[i]);
	for (i = 0; i < r->nsvcs; i++)
		printf("%s | service %s | %s\n", r->svcs[i].host,
		    r->svcs[i].name, r->svcs[i].action);
	for (i = 0; i < r->nevents; i++)
		printf("%s | %s | %s%s%s\n", r->events[i].host,
		    strcmp(r->events[i].type, "confirm") == 0 ?
		    "confirm-or-revert" : r->events[i].type,
		    r->events[i].action, r->events[i].msg &&
		    *r->events[i].msg ? ": " : "", r->events[i].msg ?
		    r->events[i].msg : "");
	if (r->rolled_back_by != NULL)
		printf("rolled back by run %s (rollback_on_failure)\n",
		    r->rolled_back_by);
	run_info_free(r);
	free(dir);
	return EXIT_OK;
}

/* ---- rollback ---- */

static int
wanted_service(const char *action)
{
	return strcmp(action, "restarted") == 0 ||
	    strcmp(action, "started") == 0 || strcmp(action, "reloaded") == 0 ||
	    strcmp(action, "restart") == 0 || strcmp(action, "start") == 0 ||
	    strcmp(action, "reload") == 0;
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
	return m;
}

static int
list_has_str(const struct val *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->u.list.n; i++)
		if (strcmp(l->u.list.items[i]->u.str.s, s) == 0)
			return 1;
	return 0;
}

/* host -> {files: [...], services: [...]} */
static struct val *
rollback_plans(const struct run_info *r)
{
	struct val *plans = val_map();
	size_t i;

	for (i = 0; i < r->nfiles + r->nsvcs; i++) {
		const char *host = i < r->nfiles ? r->files[i].host
		    : r->svcs[i - r->nfiles].host;
		struct val *p = val_map_get(plans, host);

		if (p == NULL) {
			p = val_map();
			val_map_set(p, "files", val_list());
			val_map_set(p, "services", val_list());
			val_map_set(plans, host, p);
		}
		if (i < r->nfiles && !r->files[i].failed)
			val_list_push(val_map_get(p, "files"),
			    file_entry(&r->files[i]));
		if (i >= r->nfiles) {
			const struct svc_action *s = &r->svcs[i - r->nfiles];
			struct val *l = val_map_get(p, "services");

			if (wanted_service(s->action) &&
			    !list_has_str(l, s->name))
				val_list_push(l, val_str(s->name));
		}
	}
	return plans;
}

static struct playbook *
rollback_playbook(const struct run_info *r, const struct val *plans,
    int force)
{
	struct playbook *pb = xcalloc(1, sizeof(*pb));
	struct play *p;
	struct task *t;
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
	t = &p->tasks[0];
	t->name = xstrdup("restore files and services");
	t->mod = &mod_restore;
	t->become = -1;
	t->check_mode = -1;
	t->pos = p->hosts_pos;
	t->args = val_map();
	val_map_set(t->args, "files", val_str("{{ mend_rollback.files }}"));
	val_map_set(t->args, "services",
	    val_str("{{ mend_rollback.services }}"));
	val_map_set(t->args, "objects", val_str_take(xasprintf("%s/objects",
	    r->dir)));
	val_map_set(t->args, "force", val_bool(force));
	return pb;
}

static int
rollback_hosts_known(struct inventory *inv, const struct val *plans)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < plans->u.map.n; i++)
		if (inventory_find_host(inv, plans->u.map.items[i].key) ==
		    NULL) {
			fprintf(stderr, "mend: error: host '%s' changed by the "
			    "run is not in the inventory\n",
			    plans->u.map.items[i].key);
			ret = -1;
		}
	return ret;
}

static struct inventory *
rollback_inventory(struct cli *c, const struct run_info *r)
{
	const struct val *invs = val_map_get(r->meta, "inventories");
	struct inventory *inv;
	struct err e = ERR_INIT;
	size_t i;

	if (c->ninv == 0 && invs != NULL && invs->type == V_LIST)
		for (i = 0; i < invs->u.list.n; i++) {
			ALLOC_GROW(c->inventories, c->ninv + 1, c->inv_alloc);
			c->inventories[c->ninv++] =
			    invs->u.list.items[i]->u.str.s;
		}
	inv = load_inventories(c, &e);
	if (inv == NULL)
		err_print(&e, stderr);
	err_release(&e);
	return inv;
}

/* Keep only the plans of `only` (NULL: all). */
static void
plans_only(struct val *plans, char **only, size_t nonly)
{
	size_t i = 0, j;

	while (only != NULL && i < plans->u.map.n) {
		for (j = 0; j < nonly; j++)
			if (strcmp(only[j], plans->u.map.items[i].key) == 0)
				break;
		if (j == nonly)
			val_map_del(plans, plans->u.map.items[i].key);
		else
			i++;
	}
}

/* host -> {mend_rollback: plan} */
static struct val *
wrap_plans(const struct val *plans)
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

/* Roll back run r on its hosts (only those in `only` when not NULL) as a
 * new journaled run.  inv NULL: load the run's inventories. */
static int
rollback_with(struct cli *c, struct inventory *inv, const struct run_info *r,
    char **only, size_t nonly)
{
	struct inventory *own = NULL;
	struct playbook *pb = NULL;
	struct val *plans = rollback_plans(r), *wrapped = NULL;
	int rc = EXIT_OK;

	plans_only(plans, only, nonly);
	if (plans->u.map.n == 0) {
		printf("run %s changed nothing%s: nothing to roll back\n",
		    r->id, only ? " on those hosts" : "");
		goto out;
	}
	rc = EXIT_INVALID;
	if (inv == NULL && (inv = own = rollback_inventory(c, r)) == NULL)
		goto out;
	if (rollback_hosts_known(inv, plans) < 0)
		goto out;
	pb = rollback_playbook(r, plans, c->force);
	wrapped = wrap_plans(plans);
	c->o.host_vars = wrapped;
	c->rollback_of = r->id;
	rc = run_journaled(c, inv, &pb);
	c->o.host_vars = NULL;
out:
	playbook_free(pb);
	inventory_free(own);
	val_free(plans);
	val_free(wrapped);
	return rc;
}

int
rollback_after_failure(const struct cli *c, struct inventory *inv,
    const char *run_dir, char **hosts, size_t nhosts, char **id)
{
	struct cli nc;
	struct run_info *r = NULL;
	struct err e = ERR_INIT;
	int rc;

	*id = NULL;
	if (run_load_dir(run_dir, &r, &e) < 0) {
		err_print(&e, stderr);
		err_release(&e);
		return EXIT_USAGE;
	}
	memset(&nc, 0, sizeof(nc));
	nc.o = c->o;                  /* same connections, forks, output */
	nc.o.check = 0;
	nc.o.tags = nc.o.skip_tags = NULL;
	nc.o.limit = NULL;
	nc.o.json_path = NULL;
	nc.o.journal = NULL;
	nc.o.window = NULL;
	nc.o.rollback_on_failure = ROLLBACK_NONE;
	nc.o.confirm_timeout = 0;
	nc.inventories = c->inventories;
	nc.ninv = c->ninv;
	nc.npb = 1;                   /* run_journaled runs one playbook */
	nc.state_dir = c->state_dir;
	nc.rollback_reason = "rollback_on_failure";
	rc = rollback_with(&nc, inv, r, hosts, nhosts);
	*id = nc.run_id;
	nc.run_id = NULL;
	run_outcome_release(&nc.outcome);
	run_info_free(r);
	return rc;
}

int
cmd_rollback(int argc, char **argv)
{
	struct cli c;
	struct run_info *r = NULL;
	struct err e = ERR_INIT;
	char *dir = NULL;
	int rc = EXIT_USAGE;

	if (parse_cli(&c, argc, argv) < 0)
		goto out;
	if (c.help) {
		fputs(rollback_usage, stdout);
		rc = EXIT_OK;
		goto out;
	}
	if (c.npb != 1) {
		fputs(rollback_usage, stderr);
		goto out;
	}
	dir = journal_state_dir(c.state_dir);
	if (run_load(dir, c.playbooks[0], &r, &e) < 0) {
		err_print(&e, stderr);
		goto out;
	}
	if (strcmp(r->status, "running") == 0) {
		fprintf(stderr, "mend: error: run %s is still running\n", r->id);
		goto out;
	}
	c.o.window = NULL;            /* a rollback is never held back */
	c.o.rollback_on_failure = ROLLBACK_NONE;
	rc = rollback_with(&c, NULL, r, NULL, 0);
out:
	run_info_free(r);
	err_release(&e);
	free(dir);
	cli_free(&c);
	return rc;
}
