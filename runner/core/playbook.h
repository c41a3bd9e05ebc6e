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
 *   gather_facts gather_subset gather_timeout serial max_fail_percentage any_errors_fatal tags tasks
 *   handlers remote_user (or its old name user) connection (ssh|local) window
 *   window_margin rollback_on_failure confirm_timeout
 * Supported task keys: name <module> args when register notify changed_when
 *   failed_when ignore_errors tags no_log become become_user check_mode
 *   timeout environment vars listen (handlers), loop with_<lookup>
 *   run_once delegate_to delegate_facts
 *   loop_control until retries delay; ignore_errors, no_log, become and
 *   timeout may be templates (task.*_expr, evaluated per host when the
 *   task runs)
 * Play keys also: environment, force_handlers; serial, max_fail_percentage
 *   and force_handlers may be templates (*_expr: rendered with the play's
 *   vars and -e when the play starts, as Ansible).
 * Blocks: block rescue always, with name when tags become become_user vars
 *   ignore_errors no_log check_mode timeout environment, which every task inside
 *   inherits at run time through task.parent (when: every ancestor's
 *   condition is evaluated before the task's own, as Ansible; tags: the
 *   union; vars: outermost first, the task's own last; the others: the
 *   nearest that sets them).
 * Loops: `loop` takes a list; with_items (one level flattened), with_list,
 *   with_dict, with_indexed_items, with_together, with_nested,
 *   with_sequence, with_fileglob (controller side, sorted) and
 *   with_subelements build the list as Ansible's lookups do (loop.c).
 * Reuse: import_tasks (static: loaded and validated with the playbook;
 *   its when/tags/vars are inherited by each task, as a block's) and
 *   include_tasks (dynamic: its when and tags decide once; vars reach its
 *   tasks; a file name without a template is loaded and validated up
 *   front, a templated one when it runs; `args: {apply:}` as Ansible's old
 *   spelling of apply), each file searched next to the
 *   including file, then in the playbook's directory; import_playbook
 *   (its plays, in place); import_tasks among handlers (flattened into
 *   the section, no keywords on the import); pre_tasks and post_tasks, each section followed
 *   by a flush of the notified handlers as in Ansible.
 * Roles (`roles:`: a name or {role: name, when, tags, vars, become...,
 *   anything else a parameter}): found in <playbook dir>/roles/NAME,
 *   <playbook dir>/NAME, $ANSIBLE_ROLES_PATH, ~/.ansible/roles,
 *   /usr/share/ansible/roles, /etc/ansible/roles; meta/main.yml
 *   dependencies first, each role once per play unless its parameters
 *   differ; tasks/main.yml as one block (vars: the parameters and
 *   role_path), handlers/main.yml after the play's handlers,
 *   defaults/main.yml and vars/main.yml play-wide as Ansible (roles'
 *   variables are not private by default).  Roles run after pre_tasks'
 *   handlers, before tasks.  A role's files: role_path/files first.
 * meta: flush_handlers noop end_host end_play end_batch reset_connection
 *   (the connection closed and opened anew), with name when
 *   (not on flush_handlers) tags; TASK_META.
 * import_role (TASK_BLOCK: a block around the role's blocks) and
 *   include_role (TASK_INCLUDE, role_task set; name when tags vars),
 *   name tasks_from vars_from defaults_from handlers_from; loaded with
 *   the playbook; include_role's defaults/vars private (task.role_*).
 * run_once (task, block, play; a template too) and delegate_to (task,
 *   block; a template), inherited through task.parent; delegate_facts
 *   false only (executor.c runs them, once.h).
 * become_method (play, block, task, role, include): the literal "sudo"
 *   only (mend's one method); another method or a template is an error
 *   naming it.
 * Rejected with a clear error naming the keyword: local_action, action,
 *   async, ...
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

enum task_kind {
	TASK_MODULE = 0,       /* runs t->mod */
	TASK_BLOCK,            /* block / rescue / always; import_tasks (its
	                        * tasks under block, loaded at parse time) */
	TASK_INCLUDE,          /* include_tasks: its own when/tags decide once
	                        * whether it runs; its tasks (block) are loaded
	                        * at parse time, or when it runs if the file
	                        * name is a template */
	TASK_META,             /* meta: t->meta is one of flush_handlers noop
	                        * end_host end_play end_batch (the others are
	                        * rejected when the playbook loads) */
};

/* A task's loop (loop or with_<lookup>) and its loop_control. */
struct loop_spec {
	int set;
	char *lookup;          /* "loop", "items", "dict", "sequence", ... */
	struct val *items;     /* raw value, rendered per host at run time */
	char *var;             /* loop_var, default "item" */
	char *index_var;       /* NULL = none */
	char *label;           /* template, NULL = the item */
	int pause_ms;          /* between items */
	int extended;          /* ansible_loop */
	struct pos pos;
};

struct task {
	enum task_kind kind;
	char *name;            /* may be NULL: the module name is shown */
	const struct module *mod;   /* TASK_MODULE */
	struct val *args;      /* map of raw (unrendered) arguments */
	struct cond when, changed_when, failed_when, until;
	int retries, delay;    /* until: -1 = Ansible's default (3, 5 s) */
	struct loop_spec loop;
	struct val *vars;      /* task/block vars (map, raw), or NULL */
	char *register_;
	char **notify;
	size_t nnotify;
	char **listen;         /* handlers only */
	size_t nlisten;
	int ignore_errors;     /* -1 = inherit (none: false) */
	char **tags;
	size_t ntags;
	int no_log;            /* -1 = inherit (none: false) */
	int become;            /* -1 = inherit */
	char *become_user;     /* NULL = inherit */
	int check_mode;        /* -1 = inherit, 0 = run even in check mode, 1 = always check */
	int timeout;           /* 0 = inherit */
	struct task *block, *rescue, *always;     /* TASK_BLOCK */
	size_t nblock, nrescue, nalways;
	char *role;            /* a role's block: the role's name (its tasks
	                        * show as "role : task", as Ansible's) */
	char *include;         /* import/include_tasks: the file as written */
	char *include_dir;     /* ... the including file's directory */
	char *include_rdir;    /* ... in a role: the role's directory */
	int include_rhandlers; /* ... from the role's handlers/, not tasks/ */
	char *meta;            /* TASK_META: the action */
	struct task *apply;    /* include_tasks/include_role's `apply`: a
	                        * block of keywords, parent of the included
	                        * tasks (its parent: this task), or NULL */
	char *role_task;       /* import_role (TASK_BLOCK) / include_role
	                        * (TASK_INCLUDE): the role; its blocks
	                        * (dependencies first) are the task's block */
	struct val *role_defaults, *role_vars;   /* include_role: the role's
	                        * defaults and vars, seen by its tasks only */
	const struct task *parent;   /* enclosing block, NULL at top level */
	/* Keywords written as a template ("{{ x }}", as Ansible allows):
	 * evaluated per host before the task, as a boolean (Ansible's
	 * |bool) or an integer; NULL = the literal value above applies. */
	char *ignore_errors_expr, *no_log_expr, *become_expr, *timeout_expr,
	    *run_once_expr, *retries_expr, *delay_expr;
	int run_once;          /* -1 = inherit (the play's run_once) */
	char *delegate_to;     /* template: the host the task runs on, or
	                        * NULL (inherit; none: the task's host) */
	struct val *environment;   /* map or template string, or NULL */
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
	int run_once;          /* play keyword: the tasks' default */
	char **tags;
	size_t ntags;
	struct task *pre_tasks;
	size_t npre_tasks;
	struct task *roles;    /* one block per role (dependencies first) */
	size_t nroles;
	struct val *role_defaults;   /* roles' defaults/main.yml (map): below
	                              * the inventory's variables */
	struct val *role_vars;       /* roles' vars/main.yml (map): above the
	                              * play's vars and vars_files */
	struct task *tasks;
	size_t ntasks;
	struct task *post_tasks;
	size_t npost_tasks;
	struct task *handlers;
	size_t nhandlers;
	char *remote_user;
	char *connection;      /* play keyword: "ssh" or "local", or NULL;
	                        * a host's ansible_connection wins */
	char *window;          /* change window as written, or NULL */
	struct window win;     /* ... parsed at load (set when window is) */
	struct pos window_pos;
	int window_margin;     /* minutes, -1 = default */
	int rollback_scope;    /* rollback_on_failure: ROLLBACK_*, parsed */
	int confirm_timeout;   /* seconds, 0 = off */
	char *playbook_dir;    /* directory of the playbook file */
	int gather_facts;      /* 1 (default, as Ansible): setup first */
	struct val *gather_subset;   /* list of strings, or NULL (all) */
	int gather_timeout;    /* seconds, 0 = the task timeout */
	char *serial_expr;     /* serial as a template: rendered with the play
	                        * vars and -e when the play starts */
	char *max_fail_expr;   /* max_fail_percentage as a template (same) */
	int force_handlers;    /* -1 = unset (--force-handlers decides) */
	char *force_handlers_expr;   /* ... as a template (same, |bool) */
	struct val *environment;   /* map or template string, or NULL */
	struct pos pos;
};

struct playbook {
	char *path;
	struct play *plays;
	size_t nplays;
	struct strbuf warnings;  /* "file:line:col: warning: ...\n" each:
	                          * what validates but may not run as in
	                          * Ansible (a task of an Ansible module mend
	                          * lacks fails on the hosts that run it) */
};

/* Parse and validate. Returns 0 or -1 (all errors collected in e). */
int playbook_load(const char *path, struct playbook **out, struct err *e);
void playbook_free(struct playbook *pb);

/* A dynamic include's task file (include_tasks with a templated name),
 * loaded when it runs: `file` (rendered) is searched next to the including
 * file, then in the playbook's directory, parsed and validated as the
 * playbook was (file:line:col; notify against p's handlers).  The tasks
 * are parented to inc.  Returns 0, or -1 with e filled. */
int playbook_load_include(const struct play *p, const struct task *inc,
    const char *file, struct task **out, size_t *n, struct err *e);
void tasks_free(struct task *ts, size_t n);

/* serial from a value (int, "N%", a list of them, or a string of an
 * int): a new list, or NULL with the error in e (at v's position). */
struct val *serial_parse(const struct val *v, struct err *e);

/* Batch sizes for `n` hosts per the play's serial (Ansible's arithmetic:
 * percentages of the play's host count, rounded down, at least 1; the last
 * entry repeats; no serial = one batch). Returns a malloc'ed array. */
size_t *play_batches(const struct play *p, size_t n, size_t *nbatches);

/* Does a task (with its play's tags) run given -t / --skip-tags?  Tags
 * `always` and `never` behave as in Ansible. */
int task_tags_match(const struct play *p, const struct task *t,
    char *const *tags, char *const *skip_tags);

/* The inherited keywords of a task: its own when set, else the nearest
 * enclosing block's (ignore_errors, no_log: 0 when nobody sets them). */
/* The enclosing block whose keywords t inherits: its parent, skipping
 * an include_tasks or include_role (Ansible: their keywords apply to the
 * include only; their `apply` block is inherited), or NULL. */
const struct task *task_inh_parent(const struct task *t);
int task_eff_ignore_errors(const struct task *t);
int task_eff_no_log(const struct task *t);
int task_eff_become(const struct task *t);          /* -1 = unset */
const char *task_eff_become_user(const struct task *t);
int task_eff_check_mode(const struct task *t);      /* -1 = unset */
int task_eff_timeout(const struct task *t);         /* 0 = unset */
const char *task_eff_delegate_to(const struct task *t);   /* NULL: none */
/* The task whose `notify` list t uses: its own, else the nearest block's
 * that has one (2.14: a block's notify is its tasks' default). */
const struct task *task_eff_notify(const struct task *t);

#endif
