/*
 * module.h - the contract between the runner and a built-in module.
 *
 * One module = one file modules/<folder>/<name>.c exporting exactly one
 *     const struct module mod_<name> = { .name, .summary, .args, .flags, .run };
 * with everything else static, and one line in modules/registry.c.
 *
 * Before any host is contacted the runner validates every task's arguments
 * against the module's argument table (unknown argument, wrong type,
 * missing required argument, value not in `choices`), then, if the module
 * has one, calls .validate for cross-argument rules (mutually exclusive
 * arguments...).  Arguments that contain templates ({{ }}) are type-checked
 * after rendering, on the host, just before .run.
 *
 * At run time the runner renders the arguments, coerces each to its declared
 * type (a "yes" string for an ARG_BOOL becomes V_BOOL 1, "0640" for ARG_MODE
 * stays a string, "30" for ARG_INT becomes V_INT), fills in defaults, and
 * calls .run with a map that holds exactly the declared arguments that are
 * set.  .run reports through the modctx helpers below (message, data,
 * diffs) and returns the task's result, an enum mod_result: MOD_OK,
 * MOD_CHANGED, MOD_FAILED, MOD_SKIPPED, or MOD_UNREACHABLE, which only a
 * lost connection gives.  A command that timed out, a refused probe, a
 * file that cannot be read are failed tasks on a live host: Ansible fails
 * them, honours ignore_errors and goes on.  Modules end .run with
 * `return mod_done(ctx, code)`, which turns what they recorded and their
 * internal code (0, -1, TERR_*) into the result.  Any other value is an
 * internal error, reported as a failed task.
 *
 * A module that needs another calls it through the registry, mod_call(),
 * so its argument table, flags and check mode apply; never its struct
 * module directly.  Run facts (verbosity, check, diff...) come from the
 * modctx, never from the engine's headers.
 *
 * Flags, checked once by the runner, never by modules:
 *   MOD_CHANGES_HOST     may change the host (journaled; check mode matters)
 *   MOD_SUPPORTS_CHECK   understands check mode (ctx->check): reports what it
 *                        would change and changes nothing.  A module with
 *                        MOD_CHANGES_HOST but without this flag is skipped
 *                        in check mode.
 *   MOD_FREE_FORM        accepts Ansible's free-form string
 *                        (`command: ls -l`), stored as argument "_raw_params"
 *   MOD_NO_HOST          runs on the controller only (debug, assert, fail)
 *   MOD_ANY_ARGS         also takes arguments of any other name, passed
 *                        through rendered and uncoerced (set_fact's
 *                        variables); the module checks them itself
 */
#ifndef MEND_MODULE_H
#define MEND_MODULE_H

#include <stddef.h>

#include "runner/util/err.h"
#include "runner/util/strbuf.h"
#include "runner/transport/transport.h"
#include "runner/util/value.h"

enum arg_type {
	ARG_STR,     /* string (scalars are converted to their text) */
	ARG_INT,     /* integer */
	ARG_BOOL,    /* yes/no/true/false/1/0 */
	ARG_LIST,    /* list (a scalar becomes a one-element list) */
	ARG_MAP,     /* mapping */
	ARG_PATH,    /* string, must be absolute after rendering */
	ARG_MODE,    /* file mode: octal string "0640" or int; stored as string */
	ARG_RAW,     /* anything (no coercion) */
};

struct module_arg {
	const char *name;
	enum arg_type type;
	int required;
	const char *def;        /* default as text, NULL = unset */
	const char *choices;    /* "present|absent", NULL = any */
	const char *help;
	const char *aliases;    /* "dest|destfile", NULL = none */
};

#define MOD_CHANGES_HOST    0x01
#define MOD_SUPPORTS_CHECK  0x02
#define MOD_FREE_FORM       0x04
#define MOD_NO_HOST         0x08
#define MOD_ANY_ARGS        0x10

struct modctx;

/* What a task did (numbered from 1: 0 and the negative TERR_* codes are
 * not results). */
enum mod_result {
	MOD_OK = 1,        /* ran; nothing changed */
	MOD_CHANGED,       /* ran and changed the host */
	MOD_FAILED,        /* failed; the host is still reachable */
	MOD_SKIPPED,       /* did not run (creates/removes, check mode...) */
	MOD_UNREACHABLE,   /* the connection to the host was lost */
};

struct module {
	const char *name;
	const char *summary;             /* one line */
	const char *doc;                 /* longer text for `mend modules NAME` */
	const struct module_arg *args;   /* terminated by { NULL } */
	unsigned flags;
	/* Optional: cross-argument checks at validation time; args are the
	 * raw (unrendered) task arguments. Return -1 after err_setpos(). */
	int (*validate)(const struct val *args, struct err *e);
	enum mod_result (*run)(struct modctx *ctx, const struct val *args);
};

/* registry.c */
const struct module *module_find(const char *name);
/* The closest registered name within edit distance 2, or NULL. */
const char *module_suggest(const char *name);
extern const struct module *const module_table[];  /* NULL-terminated */

/* ---- the per-task context a module runs in (runner/core/modctx.c) ---- */

struct hostctx;   /* the runner's per-host state (runner/core/executor.h) */

struct modctx {
	struct hostctx *host;
	const char *host_name;       /* inventory name */
	const char *task_name;
	const struct val *vars;      /* the host's variables (read-only) */
	int check;                   /* check mode: change nothing */
	int diff;                    /* diff mode: produce diffs */
	int become;
	const char *become_user;
	int timeout;                 /* per-command timeout, seconds */
	int verbosity;               /* -v count */
	int no_log;
	int show_msg;                /* print msg even without -v (debug) */
	const struct val *environment;   /* the play's and task's
	                              * `environment` (rendered map) or NULL:
	                              * mod_exec exports it before each command */

	/* Result, filled through the helpers below. */
	int changed;
	int failed;
	int skipped;
	int rc;                      /* -1 = not applicable */
	struct strbuf msg;
	struct strbuf diffs;         /* unified diffs, appended */
	struct val *data;            /* module-specific return values (map) */
};

/* Results.  mod_fail() records a failure and returns 0, so that helpers
 * inside a module can `return mod_fail(...)`; .run ends with mod_done(). */
int mod_fail(struct modctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mod_msg(struct modctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mod_set(struct modctx *ctx, const char *key, struct val *v); /* takes v */
void mod_changed(struct modctx *ctx);

/* The result of .run from what the module recorded and code, its internal
 * status: 0 or -1 (recorded through the helpers: failed when mod_fail()
 * was called, else skipped, changed or ok), TERR_UNREACHABLE (the
 * connection is lost: MOD_UNREACHABLE), any other TERR_* (a command
 * timeout, a refused probe port...: MOD_FAILED, with the transport's
 * message when the module recorded none). */
enum mod_result mod_done(struct modctx *ctx, int code);

/* Run the registered module `name` as part of this task, on this host,
 * with args (a map of plain values: no templates are rendered).  The
 * arguments are checked and coerced against its table and its .validate;
 * its flags apply (in check mode a module that changes the host without
 * supporting check mode does not run: MOD_SKIPPED).  It reports into ctx
 * (message, changed, failed, data) as if it were the caller.  Returns its
 * result; an unknown module or bad arguments are MOD_FAILED. */
enum mod_result mod_call(struct modctx *ctx, const char *name,
    const struct val *args);

/* Argument access (after the runner's coercion). */
const char *arg_str(const struct val *args, const char *name);  /* or NULL */
int arg_bool(const struct val *args, const char *name);         /* 0 if unset */
long long arg_int(const struct val *args, const char *name, long long def);
const struct val *arg_get(const struct val *args, const char *name);

/* Remote execution through the host's connection, honouring become, the
 * task's environment (exported before cmd, inside become) and the task
 * timeout.  Returns 0 (command ran; see r->rc) or a TERR_* code, with
 * the failure recorded (mod_fail): TERR_TIMEOUT (the command was stopped;
 * the connection is fine), TERR_UNREACHABLE (the connection is lost). */
int mod_exec(struct modctx *ctx, const char *cmd, const void *in, size_t inlen,
    struct exec_res *r);

/* File metadata as seen on the host. */
struct file_meta {
	int exists;
	int is_link;            /* path itself is a symlink */
	char *realpath;         /* symlinks resolved (malloc'ed) */
	unsigned mode;          /* permission bits, e.g. 0640 */
	char *owner, *group;    /* names (malloc'ed) */
	unsigned long long size;
};
void file_meta_release(struct file_meta *m);

/* Read a whole remote file (following symlinks). Returns 0 and fills content
 * and meta (meta->exists = 0 and empty content if it does not exist), or a
 * TERR_* code, or -1 with mod_fail() already called (unreadable...). */
int mod_read_file(struct modctx *ctx, const char *path, struct strbuf *content,
    struct file_meta *meta);

/* Atomically replace a remote file: temp file in the same directory as the
 * symlink-resolved target, fsync, keep mode and owner of the existing file
 * (or use mode/owner/group when given, NULL = keep/default), rename over.
 * Writes through a symlink (the link stays a link).  In check mode it writes
 * nothing.  In diff mode it appends a unified diff of old -> new to
 * ctx->diffs.  It does not decide idempotence: callers compare first. */
int mod_write_file(struct modctx *ctx, const char *path, const struct strbuf *old,
    const void *data, size_t len, const char *mode, const char *owner,
    const char *group);

/* Remove a remote file, journaled (intent before, done/fail after); diff
 * mode shows it as emptied; check mode removes nothing.  cur/meta are what
 * mod_read_file() returned.  Returns 0 or a TERR_* code. */
int mod_remove_file(struct modctx *ctx, const char *path,
    const struct strbuf *cur, const struct file_meta *meta);

/* A controller-side file named in a playbook: absolute paths as they are,
 * else (in a role's task) role_path/files/PATH, role_path/PATH, then
 * playbook_dir/files/PATH, playbook_dir/PATH (as Ansible looks for `src`),
 * else PATH itself.  NULL for NULL.  Malloc'ed. */
char *mod_local_path(struct modctx *ctx, const char *path);

/* What a product folder knows of the secrets in its files: `applies` says
 * whether a file (by path) is one of its configs, `mask` copies the bytes
 * with the passwords replaced by "********" and every other byte kept.
 * Each product exports one (masker_nut in nutproto.c, masker_activemq in
 * amqconf.c); registry.c lists them. */
struct secret_masker {
	int (*applies)(const char *path);
	void (*mask)(const char *buf, size_t len, struct strbuf *out);
};

/* Copy buf to out with the secrets mend knows for a file like `path`
 * masked (the first secret_masker that applies), every other byte kept;
 * other files are copied as they are.  modules/registry.c; the CLI hands
 * it to mod_set_secret_masker(). */
void mod_mask_secrets(const char *path, const char *buf, size_t len,
    struct strbuf *out);

/* Masker applied by mod_add_diff() to both sides of every diff (set once
 * at start-up, before any thread; NULL: none). */
typedef void (*mod_masker_fn)(const char *path, const char *buf, size_t len,
    struct strbuf *out);
void mod_set_secret_masker(mod_masker_fn fn);

/* Append a unified diff of a -> b (labels "before: path", "after: path"),
 * known secrets masked (mod_set_secret_masker), a binary file summarised
 * (sizes and sha256, never its bytes); nothing under no_log. */
void mod_add_diff(struct modctx *ctx, const char *path, const char *a,
    size_t alen, const char *b, size_t blen);

/* Verbose log line (shown with -v at level >= lvl), prefixed host | task. */
void mod_log(struct modctx *ctx, int lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Journal hooks (runner/core/journal.h).  Every change to a host file is
 * journaled: mod_journal_intent() BEFORE the change (it stores the original
 * bytes locally, content-addressed), then mod_journal_done() or
 * mod_journal_fail().  No-ops in check mode or when the run has no journal.
 * mod_write_file() calls them itself; modules that change files by other
 * means (backup, nut_ca...) call them directly. */
long mod_journal_intent(struct modctx *ctx, const char *path,
    const struct file_meta *before, const void *orig, size_t len,
    const void *newdata, size_t newlen, const char *backup);
void mod_journal_done(struct modctx *ctx, long seq, const void *data,
    size_t len, const struct file_meta *after);
void mod_journal_fail(struct modctx *ctx, long seq, const char *msg);
/* A change to something that is not a regular file's bytes: kind "dir"
 * (a directory made, or its mode/owner/group set), "attrs" (the
 * mode/owner/group of an existing path set: file recurse), "link" (a symlink
 * made, re-pointed or removed; was/now are its targets before and after,
 * NULL when there is none), "tree" (a directory removed: data/len is a
 * tar archive of it, stored like a file's bytes), "package" (path
 * "package:NAME"; was/now are its versions, NULL when not installed) or
 * "unit" (path "unit:NAME", a systemd unit's enablement; was/now are
 * enabled, disabled, masked or unmasked: modules/generic/unitstate.h)
 * "home" (a home directory the user module made; now is its uid) or
 * "homemove" (a home it moved to path; was is where it was).
 * before: what was there (mode/owner/group are put back by rollback).
 * Same protocol as mod_journal_intent(): call it before the change, then
 * mod_journal_done(ctx, seq, "", 0, after) or mod_journal_fail(). */
struct fs_change {
	const char *path;
	const char *kind;                  /* "dir", "attrs", "link", "tree", "package",
	                                    * "unit", "home", "homemove" */
	const struct file_meta *before;    /* NULL or !exists: nothing was there */
	const char *was, *now;
	const void *data;                  /* tree only */
	size_t len;
};
long mod_journal_fs(struct modctx *ctx, const struct fs_change *c);
/* A service action that ran (restart, start, stop, reload), or "mismatch":
 * the running service does not serve its configuration files (a rollback
 * restarts it even when no file needs restoring). */
void mod_journal_service(struct modctx *ctx, const char *name,
    const char *action);
/* The same, naming the module that restarts the service (`via`, e.g.
 * rabbitmq_service) and the one that proves its configuration is live
 * (`prove`, e.g. rabbitmq_live, NULL = none): mend rollback uses them
 * instead of the service module. */
void mod_journal_service_via(struct modctx *ctx, const char *name,
    const char *action, const char *via, const char *prove);
/* A backup copy made on the host (path -> backup, sha256 of the bytes). */
void mod_journal_backup(struct modctx *ctx, const char *path,
    const char *backup, const void *data, size_t len);
/* The run id ("" without a journal), e.g. for backup directories. */
const char *mod_run_id(struct modctx *ctx);

/* The host's connection (for probes: conn_tcp_open). */
struct conn *mod_conn(struct modctx *ctx);

#endif
