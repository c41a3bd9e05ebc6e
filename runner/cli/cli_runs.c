/* cli_runs.c - `mend runs`, `mend show RUN`, `mend rollback RUN`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/module.h"
#include "runner/cli/cli.h"
#include "runner/cli/cli_int.h"
#include "runner/core/journal.h"
#include "runner/core/runs.h"
#include "runner/util/diff.h"
#include "runner/util/banned.h"

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
"'last' is the newest run that changed something, passing over runs\n"
"still running, automatic rollbacks and rollbacks that did not complete\n"
"(mend says which run it picked and why).\n"
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

int
cmd_rollback(int argc, char **argv)
{
	struct cli c;
	struct mend_request req;
	struct mend_result res;
	int rc = EXIT_USAGE;

	mend_result_init(&res);
	if (parse_cli(&c, argc, argv) < 0)
		goto out;
	if (c.help) {
		fputs(rollback_usage, stdout);
		rc = EXIT_OK;
	} else if (c.npb != 1) {
		fputs(rollback_usage, stderr);
	} else if (c.o.shard.n > 0 || c.o.run_id != NULL) {
		fprintf(stderr, "mend: error: --shard and --run-id are options "
		    "of 'mend run': a rollback puts back the hosts its run "
		    "changed (see 'mend rollback --help')\n");
	} else {
		cli_request(&c, &req);
		rc = mend_rollback(&req, c.playbooks[0], &res);
		err_print(&res.errors, stderr);
	}
out:
	mend_result_release(&res);
	cli_free(&c);
	return rc;
}
