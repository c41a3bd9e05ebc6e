/*
 * cli_int.h - shared by the subcommand files (cli.c, cli_runs.c): parsed
 * `run`-style options and the steps every run takes.
 */
#ifndef MEND_CLI_INT_H
#define MEND_CLI_INT_H

#include "executor.h"
#include "inventory.h"
#include "playbook.h"

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
};

/* Parse run-style options; positionals go to c->playbooks. Returns 0 or -1
 * (message printed). */
int parse_cli(struct cli *c, int argc, char **argv);
void cli_free(struct cli *c);
struct inventory *load_inventories(struct cli *c, struct err *e);
/* Journal (unless check mode), run, end record. Returns the exit code. */
int run_journaled(struct cli *c, struct inventory *inv, struct playbook **pbs);

#endif
