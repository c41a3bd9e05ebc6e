/*
 * safety.h - the executor's hooks for rollout safety: change windows
 * (window.h), the per-host run lock (hostlock.h), confirm-or-revert
 * (confirm.h) and rollback_on_failure.  All of it applies only to runs
 * with a journal (not check mode).
 *
 * Order for one host in a play (executor.c):
 *   worker picks the host   safety_window_skip(): past the play's deadline
 *                           (window end - window_margin) the host is not
 *                           started: "skipped for the change window"
 *   before each task        safety_before_task(): the host's lock at its
 *                           first task that touches the host; before a
 *                           `service` task with state restarted, started,
 *                           reloaded or stopped, when confirm_timeout is set
 *                           and the run changed files on the host: arm the
 *                           revert job
 *   after the handlers      safety_host_done(): confirm over a new
 *                           connection (the play succeeded), or make the
 *                           job revert now (it failed and the host is
 *                           reachable), or leave it to the deadline
 *   after the host's part   safety_run_end(): release the lock, when
 *   of the run's last play  no later play needs it (executor.c)
 *   end of the run          safety_run_end() for the other hosts, over
 *                           a new connection where the host's was closed
 *                           (the lock is a directory naming the run: it
 *                           needs no open connection)
 *
 * rollback_on_failure (play key: true, or {scope: host|run}; CLI
 * --rollback-on-failure[=host|run] overrides): when a batch breaches the
 * threshold (max_fail_percentage; unset counts as 0 here: any failed or
 * unreachable host), the run stops (no further batch or play) and
 * outcome->rollback names the hosts: every failed/unreachable host of the
 * run (scope host) or every host that started (scope run).  The CLI then
 * rolls them back as a NEW journaled run (meta.json rollback_of, reason
 * "rollback_on_failure"), from this run's journal, as `mend rollback`.
 */
#ifndef MEND_SAFETY_H
#define MEND_SAFETY_H

#include <time.h>

#include "runner/core/executor.h"
#include "runner/core/playbook.h"
#include "runner/util/err.h"

struct hostctx;
struct play;
struct playbook;
struct run_opts;
struct task;

#define WINDOW_MARGIN_DEFAULT 10     /* minutes */

/* One host that took part in a run, as in the recap. */
struct host_result {
	char *name;
	struct host_stats st;
};

/* What the executor tells the engine (runner/core/run.c) after a run. */
struct run_outcome {
	size_t window_skipped;        /* hosts not started: window closing */
	int rollback;                 /* ROLLBACK_*: roll back `hosts` */
	char **hosts;                 /* malloc'ed names */
	size_t nhosts;
	char *reason;                 /* why, one line */
	struct host_result *results;  /* every host that started */
	size_t nresults;
};
void run_outcome_release(struct run_outcome *o);
/* Record the hosts that started (after the recap). */
void run_outcome_results(struct run_outcome *o, struct hostctx **hosts,
    size_t n);

/* ---- before the run (cli.c) ---- */

/* rollback_on_failure of a play, after the CLI override (ROLLBACK_*). */
int safety_rollback_scope(const struct play *p, const struct run_opts *o);
/* Are all windows open now with more than their margin left?  Returns 0,
 * or -1 after printing why not and when the window opens. */
int safety_window_gate(struct playbook **pbs, size_t npbs,
    const struct run_opts *o);

/* ---- the executor's hooks ---- */

/* The play's deadline: no host starts at or after it (0 = none). */
time_t safety_play_deadline(const struct play *p, const struct run_opts *o);
/* Past the deadline?  Then report the host as skipped for the window and
 * return 1. */
int safety_window_skip(struct hostctx *hc, const struct play *p,
    time_t deadline);
/* 0 = run the task; -1 = the host failed or became unreachable. */
int safety_before_task(struct hostctx *hc, const struct play *p,
    const struct task *t);
void safety_host_done(struct hostctx *hc, const struct play *p);
/* A batch breached the threshold; record the rollback if the play wants
 * one.  Returns 1 when the run must stop for a rollback. */
int safety_breach(const struct play *p, const struct run_opts *o,
    struct hostctx **hosts, size_t nhosts, size_t batch, size_t nbatches);
/* Does rollback_on_failure make this batch a breach (no
 * max_fail_percentage: any failed host)? */
int safety_breached(const struct play *p, const struct run_opts *o,
    size_t failed);
/* Release the locks (hosts may hold NULL entries), each over the host's
 * connection, or over a new one (closed again) where it has none. */
void safety_run_end(struct hostctx **hosts, size_t n);
/* Does the host hold its run lock (not released yet)? */
int safety_lock_held(const struct hostctx *hc);
/* After the recap: list the hosts skipped for the window; the exit code
 * becomes 5 (EXIT_WINDOW) if it was 0 and some were. */
int safety_exit_code(const struct run_opts *o, struct hostctx **hosts,
    size_t n, int rc);
void safety_host_free(struct hostctx *hc);

#endif
