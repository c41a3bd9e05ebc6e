/*
 * cli.h - the engine entry points behind each `mend` subcommand.
 *
 * runner/cli/main.c only dispatches argv to these.  Each turns argv into
 * a request of the engine (runner/core/run.h: mend_check, mend_run,
 * mend_rollback) and prints; each returns mend's exit code, the engine's
 * exit class (EXIT_* in runner/core/run.h: 0 ok, 1 usage or internal error,
 * 2 a host failed, 3 invalid (nothing run), 4 a host unreachable, 5 change
 * window).
 */
#ifndef MEND_CLI_H
#define MEND_CLI_H

#include "runner/core/run.h"

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
