/* cli_runs.c - `mend runs`, `mend show RUN`, `mend rollback RUN`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/cli/cli.h"
#include "runner/cli/cli_int.h"
#include "runner/core/journal.h"
#include "runner/core/runs.h"
#include "runner/util/diff.h"
#include "runner/util/banned.h"

static const char runs_usage[] =
"usage: mend runs [--state-dir DIR | --merge DIR...]\n"
"       mend show RUN|last [--state-dir DIR | --merge DIR...]\n"
"\n"
"runs lists the journaled runs (id, playbooks, start, end, hosts, files\n"
"changed, status: ok, failed, unreachable, window-cut, error, interrupted,\n"
"running), and which runs rolled back which.\n"
"show prints what a run changed where, with diffs, its service actions,\n"
"host locks and confirm-or-revert events.\n"
"\n"
"--merge DIR... reads the journals of several state directories (the\n"
"shards of a run: mend run --shard K/N --run-id ID): runs lists the shards\n"
"of one run id as one run (the worst shard's status, hosts and changes\n"
"summed, shards missing named); show ID shows every shard of run id ID.\n"
"RUN may be a run id (--run-id): its shards in the directory (or\n"
"directories), else a journal id.\n";

static const char rollback_usage[] =
"usage: mend rollback RUN|last [--state-dir DIR | --merge DIR...]\n"
"                     [-i INVENTORY] [-l PATTERN] [-f FORKS]\n"
"                     [--check] [--force] [run options]\n"
"\n"
"Put back every file the run changed and restart the services it\n"
"restarted, per host in parallel.  A file is restored only if it still\n"
"holds what the run wrote (or what it held before: nothing to do); a file\n"
"changed since is refused and reported (drift) unless --force.  Files the\n"
"run created are removed.  The originals come from the local journal, so a\n"
"deleted backup directory on the host does not matter.  The rollback is a\n"
"journaled run itself.  Without -i the run's own inventories are used.\n"
"'last' is the newest run that changed something, passing over runs\n"
"still running, automatic rollbacks and rollbacks that did not complete\n"
"(mend says which run it picked and why).\n"
"RUN may be the run id of a sharded run (mend run --shard K/N --run-id\n"
"ID): every shard of it in the state directory, or in each DIR of\n"
"--merge DIR..., is rolled back, one after the other, each as a rollback\n"
"journaled in its shard's state directory; the exit code is the worst.\n"
"Change windows do not apply; each host's run lock is taken as for a run.\n"
"Exit codes as for 'mend run'.  Other options: see 'mend run --help'.\n";

/* `runs`/`show` arguments: --state-dir DIR, or --merge and positionals
 * that are state directories (after the run, for show). */
struct runs_args {
	const char *dir;              /* --state-dir */
	int merge;
	char **pos;                   /* positionals (argv's) */
	size_t npos;
	int help, bad;
};

static void
runs_args(int argc, char **argv, struct runs_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->pos = xcalloc((size_t)argc + 1, sizeof(*a->pos));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--state-dir") == 0 && i + 1 < argc)
			a->dir = argv[++i];
		else if (strncmp(argv[i], "--state-dir=", 12) == 0)
			a->dir = argv[i] + 12;
		else if (strcmp(argv[i], "--merge") == 0)
			a->merge = 1;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			a->help = 1;
		else if (argv[i][0] != '-')
			a->pos[a->npos++] = argv[i];
		else
			a->bad = 1;
	}
	if (a->merge && a->dir != NULL)
		a->bad = 1;           /* one or the other */
}

/* The state directories: --merge's (after `skip` positionals), or the
 * one of --state-dir or the default (malloc'ed in *own). */
static char *const *
runs_dirs(const struct runs_args *a, size_t skip, size_t *n, char **own)
{
	*own = NULL;
	if (a->merge) {
		*n = a->npos - skip;
		return a->pos + skip;
	}
	*own = journal_state_dir(a->dir);
	*n = 1;
	return own;
}

static void
print_run_line(const struct run_info *r)
{
	struct strbuf names = STRBUF_INIT;
	size_t nh;

	free(run_hosts(r, &nh));
	cli_run_text(r, &names);
	cli_run_row(r->id, r->status, r->started, r->finished, nh, r->nfiles,
	    names.buf);
	strbuf_release(&names);
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
	cli_run_row(NULL, NULL, 0, 0, 0, 0, NULL);
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
	struct runs_args a;
	char *own;
	char *const *dirs;
	size_t nd;
	int rc;

	runs_args(argc, argv, &a);
	if (a.help) {
		fputs(runs_usage, stdout);
		free(a.pos);
		return EXIT_OK;
	}
	if (a.bad || (a.merge ? a.npos == 0 : a.npos != 0)) {
		fputs(runs_usage, stderr);
		free(a.pos);
		return EXIT_USAGE;
	}
	dirs = runs_dirs(&a, 0, &nd, &own);
	rc = a.merge ? cli_runs_merged(dirs, nd) : list_runs(dirs[0]);
	free(own);
	free(a.pos);
	return rc;
}

static void
print_object(const struct run_info *r, const char *sha, struct strbuf *sb)
{
	char *path;

	if (sha == NULL)
		return;
	path = run_object_path(r, sha);
	(void)strbuf_read_file(sb, path);   /* a missing object shows empty */
	free(path);
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

/* One run of `mend show` (a shard: its shard and directory first). */
static int
show_one(const char *dir, const char *id, int shard_hdr)
{
	struct err e = ERR_INIT;
	struct run_info *r;
	size_t i;

	if (run_load(dir, id, &r, &e) < 0) {
		err_print(&e, stderr);
		err_release(&e);
		return EXIT_USAGE;
	}
	if (shard_hdr)
		printf("== shard %s of run %s (%s)\n", val_map_str(r->meta,
		    "shard", "-"), val_map_str(r->meta, "run_id", "?"), dir);
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
	return EXIT_OK;
}

int
cmd_show(int argc, char **argv)
{
	struct runs_args a;
	struct run_refs rs;
	struct err e = ERR_INIT;
	char *own = NULL;
	char *const *dirs;
	size_t nd, i;
	int rc = EXIT_USAGE;

	runs_args(argc, argv, &a);
	memset(&rs, 0, sizeof(rs));
	if (a.help) {
		fputs(runs_usage, stdout);
		rc = EXIT_OK;
	} else if (a.bad || a.npos < 1 || (a.merge ? a.npos < 2 :
	    a.npos != 1)) {
		fputs(runs_usage, stderr);
	} else {
		dirs = runs_dirs(&a, 1, &nd, &own);
		if (cli_find_runs(dirs, nd, a.pos[0], &rs, &e) < 0)
			err_print(&e, stderr);
		for (i = 0, rc = rs.n ? EXIT_OK : rc; i < rs.n; i++)
			if (show_one(rs.refs[i].dir, rs.refs[i].id, rs.group))
				rc = EXIT_USAGE;
	}
	run_refs_release(&rs);
	err_release(&e);
	free(own);
	free(a.pos);
	return rc;
}

/* The worse of two exit codes: 1 and 3 (nothing done) over 4 over 2
 * over 5 over 0. */
static int
worse_exit(int a, int b)
{
	static const int order[] = { EXIT_OK, EXIT_WINDOW, EXIT_HOST_FAILED,
	    EXIT_UNREACHABLE, EXIT_INVALID, EXIT_USAGE };
	size_t i, ra = 0, rb = 0;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (order[i] == a)
			ra = i;
		if (order[i] == b)
			rb = i;
	}
	return rb > ra ? b : a;
}

/* Roll back each run of rs in its state directory. */
static int
rollback_refs(const struct cli *c, const struct run_refs *rs)
{
	struct mend_request req;
	int rc = EXIT_OK;
	size_t i;

	for (i = 0; i < rs->n; i++) {
		struct mend_result res;

		mend_result_init(&res);
		cli_request(c, &req);
		req.state_dir = rs->refs[i].dir;
		if (rs->group)
			printf("mend: rolling back run %s (%zu of %zu of run "
			    "id %s, state dir %s)\n", rs->refs[i].id, i + 1,
			    rs->n, c->playbooks[0], rs->refs[i].dir);
		rc = worse_exit(rc, mend_rollback(&req, rs->refs[i].id, &res));
		err_print(&res.errors, stderr);
		mend_result_release(&res);
		fflush(stdout);
	}
	return rc;
}

static int
rollback_runs(const struct cli *c)
{
	struct run_refs rs;
	struct err e = ERR_INIT;
	char *own = NULL;
	char *const *dirs = c->playbooks + 1;
	size_t nd = c->npb - 1;
	int rc = EXIT_USAGE;

	if (!c->merge) {
		own = journal_state_dir(c->state_dir);
		dirs = &own;
		nd = 1;
	}
	if (cli_find_runs(dirs, nd, c->playbooks[0], &rs, &e) < 0)
		err_print(&e, stderr);
	else
		rc = rollback_refs(c, &rs);
	run_refs_release(&rs);
	err_release(&e);
	free(own);
	return rc;
}

int
cmd_rollback(int argc, char **argv)
{
	struct cli c;
	int rc = EXIT_USAGE;

	if (parse_cli(&c, argc, argv) < 0)
		goto out;
	c.ninv = c.ninv_argv;     /* not ansible.cfg's: the run's own */
	if (c.help) {
		fputs(rollback_usage, stdout);
		rc = EXIT_OK;
	} else if (c.merge ? c.npb < 2 || c.state_dir != NULL : c.npb != 1) {
		fputs(rollback_usage, stderr);
	} else if (c.o.shard.n > 0 || c.o.run_id != NULL) {
		fprintf(stderr, "mend: error: --shard and --run-id are options "
		    "of 'mend run': a rollback puts back the hosts its run "
		    "changed (see 'mend rollback --help')\n");
	} else {
		rc = rollback_runs(&c);
	}
out:
	cli_free(&c);
	return rc;
}
