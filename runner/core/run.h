/*
 * run.h - the engine's entry points: check, run and roll back, below argv.
 *
 * A front end (runner/cli, or a test) fills a struct mend_request and calls
 * one of the functions below; the engine loads and validates the inventory
 * and playbooks, runs them (journaled unless check mode), rolls back on
 * failure when asked, and fills a struct mend_result.  The engine prints
 * the run's normal output to req->opts.out (the per-host blocks, recap,
 * "run ID (journal DIR)", rollback notices) and its diagnostics to stderr,
 * exactly as `mend run` shows them; validation errors come back in
 * res->errors (file:line:col) for the caller to print.
 *
 * The pipeline of mend_run():
 *   1. the state dir is made absolute, once (a relative --state-dir means
 *      the directory under the current one at start: the journal, its
 *      objects and any rollback use that absolute path from then on)
 *   2. load and validate: inventories, every playbook, every play's host
 *      pattern and the limit; nothing is contacted unless all of it is valid
 *   3. the change-window gate (not in check mode): outside it, nothing runs
 *   4. journal (not in check mode), executor, and when a batch trips
 *      rollback_on_failure the automatic rollback of the named hosts as a
 *      NEW journaled run (meta.json rollback_of, reason
 *      "rollback_on_failure"); then the run's end record
 *
 * mend_rollback() puts back what a journaled run changed (see
 * runner/core/rollback.h for the plan); it is a journaled run itself.
 * Change windows and rollback_on_failure do not apply to it.
 *
 * The exit classes below are mend's exit codes: the CLI returns them as
 * they are.
 */
#ifndef MEND_RUN_H
#define MEND_RUN_H

#include <stddef.h>

#include "runner/core/executor.h"
#include "runner/core/safety.h"
#include "runner/core/window.h"
#include "runner/util/err.h"

#define EXIT_OK           0   /* all ok */
#define EXIT_USAGE        1   /* usage or internal error (no journal...) */
#define EXIT_HOST_FAILED  2   /* at least one host failed */
#define EXIT_INVALID      3   /* playbook or inventory invalid: nothing run */
#define EXIT_UNREACHABLE  4   /* a host unreachable (takes precedence
                               * over 2) */
#define EXIT_WINDOW       5   /* outside the change window (nothing run,
                               * nothing contacted), or hosts not started
                               * because it was closing (only when no host
                               * failed or was unreachable) */

struct mend_request {
	const char *const *playbooks;     /* paths (mend_check, mend_run) */
	size_t nplaybooks;
	const char *const *inventories;   /* files, directories, "h1,h2," */
	size_t ninventories;              /* rollback: 0 = the run's own */
	const char *state_dir;            /* NULL: $XDG_STATE_HOME/mend or
	                                   * ~/.local/state/mend */
	int force;                        /* rollback: restore drifted files */
	/* Everything else a run takes: limit, extra vars, check, diff, forks,
	 * tags, connection options, output (out, color, progress), --json,
	 * window and tz, the clock, rollback_on_failure, confirm_timeout,
	 * verbosity.  The engine sets journal, host_vars, outcome and win (it
	 * parses window: an invalid one is EXIT_INVALID) itself. */
	struct run_opts opts;
};

struct mend_result {
	int exit_code;                /* EXIT_* */
	struct err errors;            /* validation errors (EXIT_INVALID) */
	size_t inventory_hosts;       /* hosts in the loaded inventory */
	char *run_id;                 /* the journaled run, or NULL (check
	                               * mode, or nothing was run) */
	char *run_dir;                /* its absolute directory, or NULL */
	struct host_result *hosts;    /* the hosts that started, in
	                               * inventory order: name, recap
	                               * counts (runner/core/safety.h) */
	size_t nhosts;
	char *rollback_of;            /* mend_rollback: the run reversed */
	char *rollback_run;           /* automatic rollback: its run id */
	int rollback_exit;            /* ... and its exit class */
};

/* Load and validate; nothing is contacted.  Returns res->exit_code:
 * EXIT_OK, EXIT_INVALID (errors in res->errors) or EXIT_USAGE (a --limit
 * that leaves no host to target).  Patterns that match nothing are
 * warned about on stderr, as Ansible does. */
int mend_check(const struct mend_request *req, struct mend_result *res);
/* mend_check() that hands the loaded inventory and playbooks to the caller
 * (listings: --list-hosts...); free them with mend_unload() whatever it
 * returned. */
int mend_load(const struct mend_request *req, struct mend_result *res,
    struct inventory **inv, struct playbook ***pbs);
void mend_unload(const struct mend_request *req, struct inventory *inv,
    struct playbook **pbs);
/* Validate, then run (journaled unless req->opts.check).  Returns
 * res->exit_code. */
int mend_run(const struct mend_request *req, struct mend_result *res);
/* Roll back run `which`: an id, a unique prefix, or "last": the newest
 * run that changed something, passing over runs still running, automatic
 * rollbacks and rollbacks that did not complete (rollback_pick_last() in
 * rollback.h; the
 * engine says on req->opts.out which run it picked and why).  Returns
 * res->exit_code. */
int mend_rollback(const struct mend_request *req, const char *which,
    struct mend_result *res);
/* Initialise a result before use (all zero, errors empty). */
void mend_result_init(struct mend_result *res);
void mend_result_release(struct mend_result *res);

#endif
