/* main.c - the `mend` command line: a thin front end over the engine. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "modules/module.h"
#include "runner/cli/cli.h"
#include "runner/util/banned.h"

static const char usage[] =
"usage: mend <command> [options]\n"
"\n"
"Agentless fixer: runs Ansible-style playbooks over SSH, in parallel.\n"
"\n"
"commands:\n"
"  run PLAYBOOK... -i INVENTORY   run playbooks against hosts\n"
"  check PLAYBOOK... -i INVENTORY validate everything, contact nothing\n"
"  hosts -i INVENTORY [PATTERN]   list the hosts a pattern selects\n"
"  modules [NAME]                 list built-in modules, or document one\n"
"  runs                           list journaled runs\n"
"  show RUN|last                  what a run changed where, with diffs\n"
"  rollback RUN|last [-i INV]     put back everything a run changed\n"
"  audit PATH...                  check NUT/RabbitMQ/ActiveMQ configuration\n"
"  scan TARGET...                 probe NUT/AMQP/ActiveMQ services from here\n"
"  version                        print the version\n"
"\n"
"Run 'mend <command> --help' for a command's options.\n"
"\n"
"exit codes:\n"
"  0  all ok\n"
"  1  usage or internal error\n"
"  2  at least one host failed\n"
"  3  playbook or inventory invalid (nothing was run)\n"
"  4  at least one host unreachable (takes precedence over 2)\n"
"  5  outside the change window (nothing run), or hosts left out because\n"
"     the window was closing (when no host failed or was unreachable)\n"
"  (audit and scan: 0 clean, 1 findings, 2 usage, 3 unreadable input)\n";

int
main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	/* glibc gives threads their own malloc arenas (up to 8 per core);
	 * with -f 50 worker threads the free space left in each stays
	 * resident: 2,000 hosts peaked at 58.1 MiB RSS with the default,
	 * 51.7 MiB with two arenas, no slower (tests/bench/README.md,
	 * "Many hosts"). */
#ifdef M_ARENA_MAX
	mallopt(M_ARENA_MAX, 2);
#endif
	mod_set_secret_masker(mod_mask_secrets);     /* every diff */
	if (cmd == NULL) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("mend %s\n", MEND_VERSION);
		return EXIT_OK;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "hosts") == 0)
		return cmd_hosts(argc - 1, argv + 1);
	if (strcmp(cmd, "modules") == 0)
		return cmd_modules(argc - 1, argv + 1);
	if (strcmp(cmd, "runs") == 0)
		return cmd_runs(argc - 1, argv + 1);
	if (strcmp(cmd, "show") == 0)
		return cmd_show(argc - 1, argv + 1);
	if (strcmp(cmd, "rollback") == 0)
		return cmd_rollback(argc - 1, argv + 1);
	if (strcmp(cmd, "audit") == 0)
		return cmd_audit(argc - 1, argv + 1);
	if (strcmp(cmd, "scan") == 0)
		return cmd_scan(argc - 1, argv + 1);
	fprintf(stderr, "mend: unknown command '%s'\n\n%s", cmd, usage);
	return EXIT_USAGE;
}
