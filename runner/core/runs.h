/*
 * runs.h - reading run journals back: `mend runs`, `mend show`, and the
 * plan for `mend rollback`.
 *
 * A run's status: "ok", "failed", "unreachable", "error" (from its end
 * record), "interrupted" (no end record: the controller died), or
 * "running" (no end record and the pid in meta.json is alive).
 *
 * File changes are folded per (host, path): the FIRST intent says what the
 * file was before the run (existed, sha_before, mode, owner, group); the
 * LAST intent says what the run meant it to be (sha_new) and whether that
 * write is known to have happened (done) or failed.
 */
#ifndef MEND_RUNS_H
#define MEND_RUNS_H

#include <stddef.h>

#include "runner/util/err.h"
#include "runner/util/value.h"

struct file_change {
	char *host, *path, *task;
	int existed;              /* before the run */
	char *sha_before;         /* NULL when !existed */
	char *mode, *owner, *group;   /* before the run; NULL = not known
	                               * (the write kept them: leave as is) */
	char *sha_new;            /* what the run wrote last (NULL: removal) */
	int done;                 /* the last write completed */
	int failed;               /* the last write failed (file untouched) */
	int nwrites;
	int no_log;               /* a write came from a no_log task: never
	                           * show the contents */
	long seq;                 /* seq of the last intent (for done/fail) */
	char *kind;               /* NULL: a regular file's bytes; "dir",
	                           * "link", "tree", "package" (mod_journal_fs) */
	char *was, *now;          /* link targets or package versions before
	                           * the run (first intent) and after (last) */
};

struct svc_action {
	char *host, *name, *action;
	char *via, *prove;        /* restarting and proving modules, or NULL */
};

/* Rollout-safety events: lock and confirm records (type "lock" or
 * "confirm", action as journaled: taken, broke-stale, refused, released;
 * armed, confirmed, reverted-now, revert-failed, too-late, unconfirmed). */
struct run_event {
	char *host, *type, *action, *msg;
};

struct run_info {
	char *id, *dir;
	struct val *meta;         /* meta.json */
	char *status;
	long long started, finished;
	int exit_code;
	struct file_change *files;
	size_t nfiles, files_alloc;
	struct svc_action *svcs;
	size_t nsvcs, svcs_alloc;
	struct run_event *events;
	size_t nevents, events_alloc;
	char *rolled_back_by;     /* rollback_on_failure: the rollback run */
	size_t nrecords;
	int torn;                 /* the last line was incomplete */
};

/* Run ids in the state dir, oldest first (malloc'ed array of malloc'ed
 * strings). */
int runs_ids(const char *state_dir, char ***ids, size_t *n, struct err *e);
void runs_ids_free(char **ids, size_t n);
/* Load one run; id may be "last" (the newest run) or a unique prefix. */
int run_load(const char *state_dir, const char *id, struct run_info **out,
    struct err *e);
/* Load the run in directory dir (STATE/runs/<id>). */
int run_load_dir(const char *dir, struct run_info **out, struct err *e);
void run_info_free(struct run_info *r);
/* meta.json of run `id` in state_dir (an empty map when it cannot be
 * read).  Free with val_free(). */
struct val *run_meta_load(const char *state_dir, const char *id);
/* The shards of a sharded run (runner/core/shard.h): the runs in state_dir
 * whose meta.json has "run_id" `run_id`, rollbacks left out, oldest first
 * (as runs_ids; free with runs_ids_free).  *n 0: none here. */
int runs_of_run_id(const char *state_dir, const char *run_id, char ***ids,
    size_t *n, struct err *e);
/* Hosts with file changes or service actions, in journal order. */
char **run_hosts(const struct run_info *r, size_t *n);
/* The object path for a sha (inside the run dir). Malloc'ed. */
char *run_object_path(const struct run_info *r, const char *sha);

#endif
