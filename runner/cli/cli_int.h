/*
 * cli_int.h - shared by the subcommand files (cli.c, cli_runs.c): parsed
 * `run`-style options and the steps every run takes.
 */
#ifndef MEND_CLI_INT_H
#define MEND_CLI_INT_H

#include "runner/core/executor.h"
#include "runner/inventory/inventory.h"
#include "runner/core/playbook.h"
#include "runner/core/safety.h"
#include "runner/core/window.h"

struct cli {
	struct run_opts o;
	char **inventories;
	size_t ninv, inv_alloc;
	char **playbooks;
	size_t npb;
	int help;
	const char *state_dir;
	int force;                    /* rollback --force */
	const char *rollback_of;      /* rollback: the run being reversed */
	const char *rollback_reason;  /* meta.json "reason" of a rollback */
	const char *now;              /* --now (tests) */
	struct mend_clock clock;
	struct run_outcome outcome;   /* what the executor reports back */
	char *run_id;                 /* id of the run run_journaled made */
	int list_hosts, list_tasks, list_tags, syntax_check, version;
	const char **evars;           /* -e arguments, read after the vault */
	size_t nevars, evars_alloc;
	int ask_vault_pass;
	char *vault_prompt_id;        /* --vault-id ID@prompt */
};

/* --list-hosts, --list-tasks, --list-tags, --syntax-check (cli_list.c):
 * print what ansible-playbook prints for the loaded, valid playbooks.
 * Contacts nothing.  Returns the exit code. */
int cli_list(const struct cli *c, struct inventory *inv, struct playbook **pbs);

/* Parse run-style options; positionals go to c->playbooks. Returns 0 or -1
 * (message printed). */
int parse_cli(struct cli *c, int argc, char **argv);
void cli_free(struct cli *c);
struct inventory *load_inventories(struct cli *c, struct err *e);
/* Journal (unless check mode), run, end record; with rollback_on_failure
 * tripped, the automatic rollback (a new run) before the end record.
 * Returns the exit code. */
int run_journaled(struct cli *c, struct inventory *inv, struct playbook **pbs);
/* rollback_on_failure: roll back `hosts` of the run in run_dir as a new
 * journaled run (cli_runs.c).  Returns its exit code; *id = its run id. */
int rollback_after_failure(const struct cli *c, struct inventory *inv,
    const char *run_dir, char **hosts, size_t nhosts, char **id);

#endif
