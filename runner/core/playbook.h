/*
 * playbook.h - Ansible-shaped playbooks: parse and validate.
 *
 * playbook_load() parses a YAML playbook into plays and tasks and checks
 * everything that can be checked without a host: keywords (unknown or
 * unsupported keywords are errors, with "did you mean"), exactly one module
 * per task, the module's argument table (names, types of literal values,
 * required arguments, choices, the module's own validate hook), template and
 * expression syntax, handler names in `notify`, serial and
 * max_fail_percentage values, the change window and rollback_on_failure
 * (parsed into the play here, once: the run never re-parses them).  All
 * errors are collected (up to ERR_MAX) with file:line:col.  Nothing is
 * contacted.  The play keywords are one table in playbook.c.
 *
 * Supported play keys: name hosts vars vars_files become become_user
 *   gather_facts serial max_fail_percentage any_errors_fatal tags tasks
 *   handlers remote_user connection(ignored values: ssh|local only) window
 *   window_margin rollback_on_failure confirm_timeout
 * Supported task keys: name <module> args when register notify changed_when
 *   failed_when ignore_errors tags no_log become become_user check_mode
 *   timeout vars(none: error) listen (handlers)
 * Rejected with a clear error: loop, with_*, block/rescue/always, roles,
 *   import_* and include_*, delegate_to, local_action, action, async, until...
 */
#ifndef MEND_PLAYBOOK_H
#define MEND_PLAYBOOK_H

#include <stddef.h>

#include "runner/core/window.h"
#include "runner/util/err.h"
#include "runner/util/value.h"

struct module;

/* rollback_on_failure scopes (play key, or --rollback-on-failure) */
#define ROLLBACK_NONE 0
#define ROLLBACK_HOST 1
#define ROLLBACK_RUN  2

/* A condition: either a literal bool or an expression string. */
struct cond {
	int set;
	int literal;           /* 1 = value is fixed */
	int value;
	char **exprs;          /* list of expressions, ANDed (when: [a, b]) */
	size_t nexprs;
	struct pos pos;
};

struct task {
	char *name;            /* may be NULL: the module name is shown */
	const struct module *mod;
	struct val *args;      /* map of raw (unrendered) arguments */
	struct cond when, changed_when, failed_when;
	char *register_;
	char **notify;
	size_t nnotify;
	char **listen;         /* handlers only */
	size_t nlisten;
	int ignore_errors;
	char **tags;
	size_t ntags;
	int no_log;
	int become;            /* -1 = inherit */
	char *become_user;     /* NULL = inherit */
	int check_mode;        /* -1 = inherit, 0 = run even in check mode, 1 = always check */
	int timeout;           /* 0 = inherit */
	struct pos pos;
};

struct play {
	char *name;
	char *hosts;
	struct pos hosts_pos;
	struct val *vars;      /* play vars, then vars_files (map) */
	int become;            /* -1 = inherit */
	char *become_user;
	struct val *serial;    /* list of V_INT or "N%" strings, or NULL */
	int max_fail_pct;      /* -1 = unset */
	int any_errors_fatal;
	char **tags;
	size_t ntags;
	struct task *tasks;
	size_t ntasks;
	struct task *handlers;
	size_t nhandlers;
	char *remote_user;
	char *window;          /* change window as written, or NULL */
	struct window win;     /* ... parsed at load (set when window is) */
	struct pos window_pos;
	int window_margin;     /* minutes, -1 = default */
	int rollback_scope;    /* rollback_on_failure: ROLLBACK_*, parsed */
	int confirm_timeout;   /* seconds, 0 = off */
	char *playbook_dir;    /* directory of the playbook file */
	struct pos pos;
};

struct playbook {
	char *path;
	struct play *plays;
	size_t nplays;
};

/* Parse and validate. Returns 0 or -1 (all errors collected in e). */
int playbook_load(const char *path, struct playbook **out, struct err *e);
void playbook_free(struct playbook *pb);

/* Batch sizes for `n` hosts per the play's serial (Ansible's arithmetic:
 * percentages of the play's host count, rounded down, at least 1; the last
 * entry repeats; no serial = one batch). Returns a malloc'ed array. */
size_t *play_batches(const struct play *p, size_t n, size_t *nbatches);

/* Does a task (with its play's tags) run given -t / --skip-tags?  Tags
 * `always` and `never` behave as in Ansible. */
int task_tags_match(const struct play *p, const struct task *t,
    char *const *tags, char *const *skip_tags);

#endif
