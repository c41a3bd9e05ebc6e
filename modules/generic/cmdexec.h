/*
 * cmdexec.h - what the command and shell modules share, and what the unit
 * tests drive directly (tests/unit/test_command.c); the words of a command
 * line are split by runner/util/shlex.h.
 *
 * A command task becomes ONE remote shell command:
 *
 *     [cd -- 'DIR' || { echo 'NONCE chdir'; exit 1; }]
 *     [IFS=; <creates/removes glob tests echoing 'NONCE creates'...>]
 *     exec 'word0' 'word1' ...              (command)
 *     exec '/bin/sh' -c 'the script'         (shell)
 *
 * Every value is single-quoted (shellcmd.h).  creates/removes are globs:
 * they are expanded by `for f in $p` with IFS empty, which performs
 * pathname expansion and nothing else (no command substitution, no field
 * splitting), so a hostile pattern cannot run code.  The pre-checks report
 * through stdout lines that start with a per-task random nonce the command
 * cannot know, so the command's own output is never mistaken for them.
 */
#ifndef MEND_MODULES_CMDEXEC_H
#define MEND_MODULES_CMDEXEC_H

#include <stddef.h>

#include "modules/module.h"

/* What to run: argv (command) or script (shell), and the pre-checks. */
struct cmd_spec {
	const char *const *argv; /* command: the words to exec */
	size_t argc;
	int expand;              /* command: ~ and $VAR in words, as Ansible */
	const char *script;      /* shell: run `shell_exe -c script` instead */
	const char *shell_exe;   /* NULL = /bin/sh */
	const char *chdir;       /* each may be NULL */
	const char *creates;
	const char *removes;
	const char *nonce;       /* [0-9a-f]+ marker, see above */
};

/* Append the whole remote command for spec to out.  With expand, a $VAR
 * (or ${VAR}) becomes a reference to a helper variable set up first to the
 * variable's value when it is set and to the reference's own text when it
 * is not (Python's os.path.expandvars), and a leading ~ or ~user is left
 * unquoted for the remote shell to expand; everything else is quoted.
 * Differences from Ansible (expanduser(expandvars(word)) on the target):
 * the tilde is expanded before the variables, so a variable whose value
 * starts with ~ (or "~$USER") is not tilde-expanded; and shell-only
 * variables ($PPID, $IFS...) count as set. */
void cmd_build(struct strbuf *out, const struct cmd_spec *spec);

/* What a pre-check said, from the command's stdout: CMD_RAN (no marker:
 * the command ran), CMD_SKIP_CREATES, CMD_SKIP_REMOVES, CMD_NO_CHDIR. */
enum cmd_outcome { CMD_RAN, CMD_SKIP_CREATES, CMD_SKIP_REMOVES, CMD_NO_CHDIR };
enum cmd_outcome cmd_outcome(const char *out, size_t len, const char *nonce);

/* Split text into lines as Python's str.splitlines() does for \n, \r\n
 * and \r; returns a V_LIST of strings. */
struct val *cmd_lines(const char *s, size_t len);

/* Shared tail of command and shell: build spec (argv or script) with the
 * chdir/creates/removes/stdin arguments of args, run it, and record rc,
 * stdout, stderr, *_lines, start, end, delta, msg and `cmdval` (taken) as
 * Ansible does.  Returns mod_exec()'s code. */
int cmd_execute(struct modctx *ctx, const struct val *args,
    const struct cmd_spec *spec, struct val *cmdval);

/* Validation shared by command and shell: exactly one of the free-form
 * text, 'cmd' (and 'argv' when with_argv). */
int cmd_validate_one(const char *mod, const struct val *args, int with_argv,
    struct err *e);

#endif
