/*
 * once.h - run_once across the hosts of a batch that run independently.
 *
 * Ansible runs a run_once task on the first host of the batch and gives
 * its result (the registered variable, the facts it set) to every host of
 * the batch; a failure fails them all.  mend's hosts run on their own
 * threads, so the n-th time a host reaches a run_once task meets the n-th
 * time the others do (keyed by the task's file:line:col, the same for
 * hosts that loaded the file each for itself, and that count):
 *   - the first host of the batch (lowest index) still running the play
 *     runs it: once_enter() answers ONCE_RUN, and once_done() publishes
 *     its result;
 *   - every other host waits for that result (ONCE_APPLY, *res set);
 *   - a host that leaves the play (once_host_done()) hands the turn to the
 *     next, so nobody waits on a host that never reaches the task.
 * Hosts are started in batch order, so the lowest index still running is
 * always running and never waits on a higher one: no deadlock whatever
 * the forks.  The results live until once_free().
 */
#ifndef MEND_ONCE_H
#define MEND_ONCE_H

#include <stddef.h>

#include "runner/util/value.h"

struct once;

/* What the host that ran the task found: all owned by the once table. */
struct once_result {
	struct val *reg;          /* the registered value, or NULL */
	struct val *facts;        /* list of module answers with ansible_facts
	                           * (each a map), in order, or NULL */
	int failed;               /* failed, not ignored: every host fails */
	int ran;                  /* 0: the host was unreachable */
	char *runner;             /* the host that ran it */
};

enum once_role { ONCE_RUN, ONCE_APPLY };

struct once *once_new(size_t nhosts);
void once_free(struct once *o);
/* Host idx reaches task key: ONCE_RUN (run it, then once_done), or
 * ONCE_APPLY with *res the published result (valid until once_free). */
enum once_role once_enter(struct once *o, size_t idx, const char *key,
    const struct once_result **res);
/* Publish the result of the task key that host idx ran (res is moved in:
 * its values now belong to the table) and wake the waiting hosts. */
void once_done(struct once *o, size_t idx, const char *key,
    struct once_result *res);
/* Host idx has left the play (finished, failed, ended): the turn passes. */
void once_host_done(struct once *o, size_t idx);

#endif
