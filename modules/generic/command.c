/*
 * command.c - run a command on the host without a shell (Ansible's
 * ansible.builtin.command).  The building blocks shared with shell.c are
 * in cmdexec.h; the words are split by runner/util/shlex.h.
 */
#include <string.h>

#include "modules/generic/cmdexec.h"
#include "runner/util/shlex.h"
#include "runner/util/banned.h"

static int
command_validate(const struct val *args, struct err *e)
{
	return cmd_validate_one("command", args, 1, e);
}

static char **
argv_from_list(const struct val *l, size_t *argc)
{
	char **v = xcalloc(l->u.list.n + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < l->u.list.n; i++) {
		struct strbuf sb = STRBUF_INIT;

		val_to_str(l->u.list.items[i], &sb);
		v[i] = strbuf_detach(&sb, NULL);
	}
	*argc = l->u.list.n;
	return v;
}

static enum mod_result
command_run(struct modctx *ctx, const struct val *args)
{
	const char *raw = arg_str(args, "_raw_params"), *why = NULL;
	const struct val *lst = arg_get(args, "argv");
	struct cmd_spec spec;
	struct val *cmdval;
	char **argv = NULL;
	size_t argc = 0, i;
	int ret;

	if (raw == NULL)
		raw = arg_str(args, "cmd");
	if (lst != NULL && lst->type == V_LIST)
		argv = argv_from_list(lst, &argc);
	else if (raw != NULL && shlex_split(raw, &argv, &argc, &why) < 0)
		return mod_done(ctx, mod_fail(ctx, "cannot split the command "
		    "line: %s", why));
	if (argc == 0) {
		shlex_free(argv);
		return mod_done(ctx, mod_fail(ctx, "no command given"));
	}
	memset(&spec, 0, sizeof(spec));
	spec.argv = (const char *const *)argv;
	spec.argc = argc;
	spec.expand = arg_bool(args, "expand_argument_vars");
	cmdval = val_list();
	for (i = 0; i < argc; i++)
		val_list_push(cmdval, val_str(argv[i]));
	ret = cmd_execute(ctx, args, &spec, cmdval);
	shlex_free(argv);
	return mod_done(ctx, ret);
}

static const struct module_arg command_args[] = {
	{ "cmd", ARG_STR, 0, NULL, NULL,
	  "the command line (instead of the free-form text)", NULL },
	{ "argv", ARG_LIST, 0, NULL, NULL,
	  "the command as a list of words (no splitting, no quoting needed)",
	  NULL },
	{ "chdir", ARG_STR, 0, NULL, NULL,
	  "change into this directory first", NULL },
	{ "creates", ARG_STR, 0, NULL, NULL,
	  "a path or glob: when it matches, the command is not run", NULL },
	{ "removes", ARG_STR, 0, NULL, NULL,
	  "a path or glob: when it matches nothing, the command is not run",
	  NULL },
	{ "stdin", ARG_STR, 0, NULL, NULL,
	  "text to feed to the command's standard input", NULL },
	{ "stdin_add_newline", ARG_BOOL, 0, "yes", NULL,
	  "append a newline to stdin", NULL },
	{ "strip_empty_ends", ARG_BOOL, 0, "yes", NULL,
	  "strip trailing newlines from stdout and stderr", NULL },
	{ "expand_argument_vars", ARG_BOOL, 0, "yes", NULL,
	  "expand ~ and $VAR in the words on the host (unset variables are "
	  "left as written)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_command = {
	.name = "command",
	.summary = "run a command on the host, without a shell",
	.doc = "Runs a program with arguments, like Ansible's command module. "
	    "The free-form text (or 'cmd') is split into words with shell-like "
	    "quoting rules (Python's shlex), and each word reaches the program "
	    "unchanged: no shell sees it, so $(...), backticks, ;, |, > and * "
	    "are ordinary characters.  As in Ansible, ~ and $VAR/${VAR} are "
	    "expanded from the host's environment unless "
	    "expand_argument_vars is false.  'argv' gives the words as a list.  "
	    "With 'creates' (or 'removes'), the command is not run when the "
	    "glob matches (or matches nothing): the result is ok, not changed.  "
	    "Otherwise the task is changed, and failed when the exit status is "
	    "not 0.  Returns rc, stdout, stderr, stdout_lines, stderr_lines, "
	    "cmd, start, end, delta.  Skipped in check mode.",
	.args = command_args,
	.flags = MOD_CHANGES_HOST | MOD_FREE_FORM,
	.validate = command_validate,
	.run = command_run,
};
