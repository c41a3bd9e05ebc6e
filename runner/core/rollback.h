/*
 * rollback.h - planning a rollback from a run's journal (runs.h), for
 * run.c: which files and services to put back on which host, the one-task
 * playbook that does it (module `restore`, reached through the registry),
 * which run "last" means, and the options a rollback run takes over from
 * the run that asked for it.
 *
 * A plan is a map  host -> {files: [...], services: [...]}:  every file
 * change of the run whose last write did not fail (path, existed,
 * sha_before, sha_new, and mode/owner/group when known), and every service
 * the run restarted, started or reloaded (once per name).  The playbook
 * reads each host's plan from the host variable mend_rollback (see
 * rollback_host_vars), and the originals from the run's journal objects
 * (an absolute path: the restore module refuses a relative one).
 */
#ifndef MEND_ROLLBACK_H
#define MEND_ROLLBACK_H

#include <stddef.h>

#include "runner/core/executor.h"
#include "runner/core/playbook.h"
#include "runner/core/runs.h"
#include "runner/util/err.h"
#include "runner/util/strbuf.h"
#include "runner/util/value.h"

/* The plans of run r; only the hosts in `only` when it is not NULL. */
struct val *rollback_plans(const struct run_info *r, char *const *only,
    size_t nonly);
/* host -> {mend_rollback: plan}, for run_opts.host_vars. */
struct val *rollback_host_vars(const struct val *plans);
/* The playbook that restores the plans' hosts (one play, one task). */
struct playbook *rollback_playbook(const struct run_info *r,
    const struct val *plans, int force);
/* Are all the plans' hosts in the inventory?  Returns 0, or -1 with one
 * error per missing host in e. */
int rollback_hosts_known(struct inventory *inv, const struct val *plans,
    struct err *e);
/* Which run "last" means for a rollback: the newest run that changed
 * something (a file write that did not fail, or a service restarted,
 * started or reloaded), passing over runs still running, automatic
 * rollbacks (rollback_on_failure: part of the run that asked for them, so
 * "last" is that run and never re-applies what it reversed) and rollback
 * runs that did not complete (a failed rollback never becomes "last": the
 * next `rollback last` retries the run it was rolling back).  A `mend
 * rollback` that completed is a run like any other: rolling it back
 * re-applies what it reversed.  *id: malloc'ed; why: one line naming the run picked and
 * the runs passed over, with the reason of each.  Returns 0, or -1 with e
 * set. */
int rollback_pick_last(const char *state_dir, char **id, struct strbuf *why,
    struct err *e);
/* The options of an automatic rollback: the connection, output and
 * variables of the run `from`, and nothing that selects or limits
 * (limit, tags, check, --json, window, rollback_on_failure, confirm):
 * copied field by field into a zeroed struct, so a new run option is
 * left out until someone decides it belongs here. */
void rollback_opts(struct run_opts *dst, const struct run_opts *from);

#endif
