/*
 * executor.h - runs plays on hosts: batches, forks, per-host state.
 *
 * Strategy: within a batch, up to `forks` hosts run at once; each host runs
 * its tasks in order over its one connection, independently of the other
 * hosts (Ansible's `free` strategy: a slow host never holds up a fast one),
 * then its notified handlers in the order of the handlers section.  A failed
 * or unreachable host stops only itself.  Between batches (serial) the
 * runner checks max_fail_percentage (must be exceeded, per batch) and
 * any_errors_fatal: a breach, or a batch whose every host failed, stops
 * the run (no later batch or play, as ansible-playbook).  Play keywords
 * written as templates (serial, max_fail_percentage, force_handlers) are
 * rendered with the play's vars and -e when the play starts.  With
 * force_handlers (or --force-handlers) a failed host still runs the
 * handlers it notified, at the end of the section where it failed.  With any_errors_fatal, the first failure sets a stop
 * flag: every host of the play stops before its next task.
 *
 * Each host's output is collected in its own buffer and printed as one
 * block when the host finishes the play, so lines never interleave.
 */
#ifndef MEND_EXECUTOR_H
#define MEND_EXECUTOR_H

#include <stdio.h>

#include "runner/inventory/inventory.h"
#include "runner/core/playbook.h"
#include "runner/core/shard.h"
#include "runner/transport/transport.h"
#include "runner/util/value.h"

struct report;
struct journal;
struct mend_clock;
struct run_outcome;
struct safety_host;
struct scoped;
struct ssh_args;

struct run_opts {
	int forks;                    /* default 20 */
	int check;                    /* -C */
	int diff;                     /* -D */
	int verbose;                  /* -v count */
	const char *limit;            /* -l */
	struct shard shard;           /* --shard K/N (n 0: all hosts) */
	const char *run_id;           /* --run-id: the shards' common id */
	char **tags, **skip_tags;     /* NULL-terminated, or NULL */
	const char *user;             /* -u */
	const char *connection;       /* -c: ssh, smart or local (below the
	                               * play keyword and ansible_connection) */
	const char *private_key;      /* --private-key */
	const char *known_hosts;      /* --known-hosts */
	const char *ssh_config;       /* --ssh-config */
	enum hostkey_policy policy;   /* --host-key-policy */
	int connect_timeout;          /* -T, default 10 */
	int alive_interval;           /* --server-alive-interval: 0 = 15 s,
	                               * -1 = off (transport.h) */
	int alive_count;              /* --server-alive-count-max: 0 = 3 */
	int no_persistent_shell;      /* --no-persistent-shell */
	int task_timeout;             /* --task-timeout, default 0 = none */
	int force_handlers;           /* --force-handlers (a play's
	                               * force_handlers wins) */
	const char *start_at_task;    /* --start-at-task (startat.h) */
	int step;                     /* --step (step.h) */
	const char *ssh_common_args;  /* --ssh-common-args (sshargs.h) */
	const char *ssh_extra_args;   /* --ssh-extra-args */
	int become;                   /* -b */
	const char *become_user;      /* --become-user */
	char *become_pass;            /* -K (never printed) */
	struct val *extra_vars;       /* -e, map */
	const char *json_path;        /* --json */
	int color;                    /* colour output */
	int progress;                 /* live progress line on stderr */
	FILE *out;                    /* normal output (stdout) */
	struct journal *journal;      /* NULL in check mode */
	const struct val *host_vars;  /* host name -> map merged last (used by
	                               * rollback for per-host plans) */
	/* rollout safety (runner/core/safety.h) */
	const char *window;           /* --window: replaces every play's */
	struct window win;            /* ... parsed (set when window is) */
	const char *tz;               /* --tz: the windows' zone (NULL: local) */
	const struct mend_clock *clock;   /* NULL = real time */
	int rollback_on_failure;      /* --rollback-on-failure: ROLLBACK_HOST
	                               * or _RUN; 0 = the play key decides */
	int confirm_timeout;          /* --confirm-timeout; 0 = play key */
	struct run_outcome *outcome;  /* filled in by the executor, or NULL */
};

struct host_stats {
	int ok, changed, unreachable, failed, skipped, rescued, ignored;
};

/* Per-host state for one run (one struct per host, owned by the run). */
struct hostctx {
	struct inv_host *ih;
	const char *name;
	struct conn *conn;            /* opened on first use; closed after the
	                               * host's part of a play when the play
	                               * has more hosts than forks */
	int conn_failed;              /* connection could not be opened */
	int conn_kind_set;            /* a connection was opened: */
	int conn_local;               /* its kind (local), kept for the run */
	struct ssh_args *sshargs;     /* its ssh arguments, read at the first
	                               * connection (sshargs.h), or NULL */
	int lock_alone;               /* no other host of the run may share
	                               * its lock: released right after its
	                               * part of the run's last play */
	struct val *vars;             /* merged variables for the current play
	                               * (built by the executor from the layers
	                               * below; `groups` and `hostvars` in it
	                               * are shared, read-only) */
	struct val *facts;            /* ansible_facts as modules returned them
	                               * (ansible_distribution...), for the run */
	struct val *setfacts;         /* set_fact and register, for the run */
	struct val *incvars;          /* include_vars, for the run */
	struct scoped *scoped;        /* block/task vars, role and include
	                               * parameters, loop variables of the
	                               * running task (executor.c, a stack) */
	size_t nscoped, scoped_alloc;
	int unreachable;              /* for the rest of the run */
	int failed;                   /* failed: out for the rest of the run */
	int ended;                    /* meta: end_host/end_play: out for the
	                               * rest of the play */
	const struct task *start_at;  /* --start-at-task: tasks before this
	                               * one are passed over, or NULL */
	struct host_stats st;
	struct strbuf out;            /* buffered output */
	char **notified;              /* handler names notified (this play) */
	size_t nnotified, notified_alloc;
	struct val *results;          /* list of task results (for --json) */
	const struct run_opts *opts;
	int started;                  /* ran in some play (for the recap) */
	struct safety_host *safety;   /* lock, confirm job (runner/core/safety.c) */
};

/* For the rollout-safety hooks (runner/core/safety.c): a host's connection
 * parameters in a play, opening its connection (a failure is reported and
 * makes the host unreachable; a host connected before gets the kind,
 * local or ssh, of its first connection again), and the exec options of mend's own steps on
 * the host (the lock, arming confirm-or-revert) for a task, or for the play
 * when t is NULL: the task's become, and HOST_STEP_TIMEOUT.  The user's
 * task timeout (--task-timeout, `timeout:`) bounds the user's commands
 * only: under load a 3 s task timeout must not fail the lock step. */
#define HOST_STEP_TIMEOUT 120   /* seconds */
void host_conn_params(struct hostctx *hc, const struct play *p,
    struct conn_params *cp);
int host_connect(struct hostctx *hc, const struct play *p);
void host_exec_opts(struct hostctx *hc, const struct play *p,
    const struct task *t, struct exec_opts *o);

/* Run every play of the playbooks on the inventory. Returns mend's exit
 * code (0, 2, 4, or 5 when hosts were not started because the change
 * window closes; 1 for internal errors). */
int executor_run(struct playbook **pbs, size_t npbs, struct inventory *inv,
    const struct run_opts *opts);

#endif
