/*
 * cli_int.h - shared by the subcommand files (cli.c, cli_runs.c,
 * cli_list.c, cli_merge.c): the parsed `run`-style options and the
 * engine request they make; the runs of one run id across state
 * directories (cli_merge.c).
 */
#ifndef MEND_CLI_INT_H
#define MEND_CLI_INT_H

#include "runner/core/run.h"
#include "runner/core/runs.h"
#include "runner/core/window.h"
#include "runner/inventory/inventory.h"

struct cli {
	struct run_opts o;
	char **inventories;
	size_t ninv, inv_alloc;
	char **playbooks;             /* positionals (rollback: the run) */
	size_t npb;
	int help;
	const char *state_dir;
	int force;                    /* rollback --force */
	int merge;                    /* rollback --merge: positionals after
	                               * the run are state directories */
	const char *now;              /* --now (tests) */
	struct mend_clock clock;
	int list_hosts, list_tasks, list_tags, syntax_check, version;
	const char **evars;           /* -e arguments, read after the vault */
	size_t nevars, evars_alloc;
	int ask_vault_pass;
	char *vault_prompt_id;        /* --vault-id ID@prompt */
	size_t ninv_argv;             /* inventories from -i (the others:
	                               * ansible.cfg's, which a rollback does
	                               * not take: it has its run's own) */
	int policy_set;               /* --host-key-policy given */
	int become_method_set;        /* --become-method given */
	char **cfg_strs;              /* strings of the settings (cli_cfg.c) */
	size_t ncfg_strs, cfg_strs_alloc;
};

/* ansible.cfg and the ANSIBLE_* variables, read after argv as
 * ansible-playbook reads them (cli_cfg.c): the file is ANSIBLE_CONFIG (a
 * directory: its ansible.cfg), ./ansible.cfg (not in a world-writable
 * directory: a warning, as Ansible), ~/.ansible.cfg or
 * /etc/ansible/ansible.cfg, the first readable; an ANSIBLE_* variable wins
 * over the file and the command line over both.  Read: [defaults]
 * inventory (when no -i), forks, remote_user, host_key_checking (false:
 * --host-key-policy off), roles_path (as ANSIBLE_ROLES_PATH), timeout,
 * private_key_file, vault_password_file, ask_vault_pass, force_handlers,
 * transport, filter_plugins (their filters are project-local plugins:
 * runner/core/localplug.h); [privilege_escalation] become, become_method (sudo only),
 * become_user, become_ask_pass (sets *ask_pass).  Paths from the file are
 * relative to its directory.  A few keys whose other values mend cannot
 * honour are warned about; other keys are ignored (named with -v).  c's
 * forks and connect_timeout must be 0 when the command line left them.
 * Returns 0, or -1 with file:line and the message on stderr. */
int cli_config(struct cli *c, int *ask_pass);

/* --list-hosts, --list-tasks, --list-tags, --syntax-check (cli_list.c):
 * print what ansible-playbook prints for the loaded, valid playbooks.
 * Contacts nothing.  Returns the exit code. */
int cli_list(const struct cli *c, struct inventory *inv, struct playbook **pbs);

/* Parse run-style options; positionals go to c->playbooks. Returns 0 or -1
 * (message printed). */
int parse_cli(struct cli *c, int argc, char **argv);
void cli_free(struct cli *c);
/* The engine request of the parsed options (points into c). */
void cli_request(const struct cli *c, struct mend_request *req);

/* ---- cli_merge.c: the shards of one run (runner/core/shard.h) ---- */

struct run_ref {
	char *dir;                    /* state directory */
	char *id;                     /* journal id (or, alone in one
	                               * directory, what the user named:
	                               * "last", a prefix, for the engine) */
};
struct run_refs {
	struct run_ref *refs;
	size_t n;
	int group;                    /* found by run id: the shards */
};

/* What `which` names in the state directories dirs: every run whose
 * meta.json run_id is `which` (rollbacks left out) in any of them, its
 * shards (group = 1); else, with one directory, `which` as given (a
 * journal id, prefix or "last": the engine resolves it); else the journal
 * id or unique prefix `which` in the one directory that has it ("last" is
 * refused there).  Returns 0, or -1 with e set.  Release rs whatever it
 * returned. */
int cli_find_runs(char *const *dirs, size_t ndirs, const char *which,
    struct run_refs *rs, struct err *e);
void run_refs_release(struct run_refs *rs);
/* One row of `mend runs` (id NULL: the header). */
void cli_run_row(const char *id, const char *status, long long started,
    long long finished, size_t nhosts, size_t nfiles, const char *text);
/* The PLAYBOOKS column of a run: playbooks, what it rolled back, its
 * shard and run id, its automatic rollback. */
void cli_run_text(const struct run_info *r, struct strbuf *sb);
/* `mend runs --merge DIR...`: the runs of every dir, the shards of one run
 * id folded into one row (status: the worst shard's; start: the first;
 * end: the last, or '-' while one has none; hosts and changes: summed;
 * the shards present and missing named).  Returns the exit code. */
int cli_runs_merged(char *const *dirs, size_t ndirs);

#endif
