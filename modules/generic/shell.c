/*
 * shell.c - run a script through the host's shell (Ansible's
 * ansible.builtin.shell).  Shares chdir/creates/removes/stdin handling and
 * result recording with command.c (see cmdexec.h).
 */
#include <string.h>

#include "modules/generic/cmdexec.h"
#include "runner/util/banned.h"

static int
shell_validate(const struct val *args, struct err *e)
{
	return cmd_validate_one("shell", args, 0, e);
}

static enum mod_result
shell_run(struct modctx *ctx, const struct val *args)
{
	const char *script = arg_str(args, "_raw_params");
	struct cmd_spec spec;

	if (script == NULL)
		script = arg_str(args, "cmd");
	if (script == NULL || script[strspn(script, " \t\r\n")] == '\0')
		return mod_done(ctx, mod_fail(ctx, "no command given"));
	memset(&spec, 0, sizeof(spec));
	spec.script = script;
	spec.shell_exe = arg_str(args, "executable");
	return mod_done(ctx, cmd_execute(ctx, args, &spec, val_str(script)));
}

static const struct module_arg shell_args[] = {
	{ "cmd", ARG_STR, 0, NULL, NULL,
	  "the script (instead of the free-form text)", NULL },
	{ "executable", ARG_STR, 0, "/bin/sh", NULL,
	  "the shell that runs the script, as `executable -c script`", NULL },
	{ "chdir", ARG_STR, 0, NULL, NULL,
	  "change into this directory first", NULL },
	{ "creates", ARG_STR, 0, NULL, NULL,
	  "a path or glob: when it matches, the script is not run", NULL },
	{ "removes", ARG_STR, 0, NULL, NULL,
	  "a path or glob: when it matches nothing, the script is not run",
	  NULL },
	{ "stdin", ARG_STR, 0, NULL, NULL,
	  "text to feed to the script's standard input", NULL },
	{ "stdin_add_newline", ARG_BOOL, 0, "yes", NULL,
	  "append a newline to stdin", NULL },
	{ "strip_empty_ends", ARG_BOOL, 0, "yes", NULL,
	  "strip trailing newlines from stdout and stderr", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_shell = {
	.name = "shell",
	.summary = "run a shell script on the host",
	.doc = "Runs the free-form text (or 'cmd') as a script with "
	    "`/bin/sh -c` (or `executable -c`) on the host, like Ansible's "
	    "shell module: pipes, redirections, variables and globs work.  The "
	    "script is passed as one quoted word, so it is parsed exactly once, "
	    "by that shell.  chdir, creates, removes, stdin and the returned "
	    "values are as for the command module; the task is changed when "
	    "the script ran, failed when it exited non-zero.  Values from "
	    "variables that reach the script are NOT quoted: use "
	    "{{ x | quote }}.  Skipped in check mode.",
	.args = shell_args,
	.flags = MOD_CHANGES_HOST | MOD_FREE_FORM,
	.validate = shell_validate,
	.run = shell_run,
};
