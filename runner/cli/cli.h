/*
 * cli.h - the engine entry points behind each `mend` subcommand.
 *
 * runner/cli/main.c only dispatches argv to these; tests can call them
 * directly.  Each returns mend's exit code:
 *   0  all ok
 *   1  usage or internal error
 *   2  at least one host failed
 *   3  playbook or inventory invalid (nothing was run)
 *   4  at least one host unreachable (takes precedence over 2)
 *   5  change window: outside it (nothing was run, nothing contacted), or
 *      hosts not started because it was closing (only when no host failed
 *      or was unreachable: 2 and 4 take precedence)
 */
#ifndef MEND_CLI_H
#define MEND_CLI_H

#define EXIT_OK           0
#define EXIT_USAGE        1
#define EXIT_HOST_FAILED  2
#define EXIT_INVALID      3
#define EXIT_UNREACHABLE  4
#define EXIT_WINDOW       5

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_hosts(int argc, char **argv);
int cmd_modules(int argc, char **argv);
int cmd_runs(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
/* mend audit / mend scan have their own exit codes (cli_audit.c):
 * 0 clean, 1 findings, 2 usage, 3 unreadable or unparsable input */
int cmd_audit(int argc, char **argv);
int cmd_scan(int argc, char **argv);

#endif
