/*
 * cli_int.h - shared by the subcommand files (cli.c, cli_runs.c,
 * cli_list.c): the parsed `run`-style options and the engine request they
 * make.
 */
#ifndef MEND_CLI_INT_H
#define MEND_CLI_INT_H

#include "runner/core/run.h"
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
	const char *now;              /* --now (tests) */
	struct mend_clock clock;
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
/* The engine request of the parsed options (points into c). */
void cli_request(const struct cli *c, struct mend_request *req);

#endif
