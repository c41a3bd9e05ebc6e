/*
 * debug.c - print a message or a variable (Ansible's ansible.builtin.debug).
 * Runs on the controller.  The message is shown in the normal output
 * (ctx->show_msg).
 */
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/template/template.h"
#include "runner/util/banned.h"

#define NOT_DEFINED "VARIABLE IS NOT DEFINED!"

/* Is expr defined?  1, 0, or -1 when it does not even parse. */
static int
is_defined(struct modctx *ctx, const char *expr, const struct pos *p)
{
	struct err e = ERR_INIT;
	char *test = xasprintf("(%s) is defined", expr);
	int ok = 0, ret;

	ret = tmpl_eval_cond(test, ctx->vars, p, &ok, &e);
	free(test);
	err_release(&e);
	return ret < 0 ? -1 : ok;
}

static void
show_var(struct modctx *ctx, const struct val *var)
{
	const char *expr = var->u.str.s;
	struct strbuf sb = STRBUF_INIT;
	struct err e = ERR_INIT;
	struct val *v = NULL;

	if (is_defined(ctx, expr, &var->pos) == 0) {
		v = val_str(NOT_DEFINED);
	} else if (tmpl_eval(expr, ctx->vars, &var->pos, &v, &e) < 0) {
		strbuf_rtrim(&e.msg);
		mod_fail(ctx, "%s", e.msg.buf);
		goto out;
	}
	strbuf_addf(&sb, "%s: ", expr);
	if (v->unsafe)          /* a vault value: never printed (README) */
		strbuf_addstr(&sb, "********");
	else
		val_to_str(v, &sb);
	mod_msg(ctx, "%s", sb.buf);
	mod_set(ctx, expr, v);
	v = NULL;   /* transferred */
out:
	val_free(v);
	strbuf_release(&sb);
	err_release(&e);
}

static enum mod_result
debug_run(struct modctx *ctx, const struct val *args)
{
	const struct val *var = arg_get(args, "var");
	const struct val *msg = arg_get(args, "msg");
	long long level = arg_int(args, "verbosity", 0);
	struct strbuf sb = STRBUF_INIT;

	if (level > ctx->verbosity) {
		ctx->skipped = 1;
		mod_msg(ctx, "Verbosity threshold not met.");
		mod_set(ctx, "skipped_reason", val_str(ctx->msg.buf));
		return mod_done(ctx, 0);
	}
	if (var != NULL && var->type == V_STR) {
		show_var(ctx, var);
	} else {
		if (msg != NULL)
			val_to_str(msg, &sb);
		else
			strbuf_addstr(&sb, "Hello world!");
		mod_msg(ctx, "%s", sb.buf);
	}
	ctx->show_msg = 1;
	strbuf_release(&sb);
	return mod_done(ctx, 0);
}

static int
debug_validate(const struct val *args, struct err *e)
{
	const struct val *var = val_map_get(args, "var");

	if (var != NULL && val_map_get(args, "msg") != NULL)
		return err_setpos(e, &var->pos, "module 'debug': 'msg' and "
		    "'var' are mutually exclusive");
	if (var != NULL && var->type == V_STR && !tmpl_has(var->u.str.s))
		return tmpl_check_expr(var->u.str.s, &var->pos, e);
	return 0;
}

static const struct module_arg debug_args[] = {
	{ "msg", ARG_RAW, 0, "Hello world!", NULL,
	  "the message (templated; a list or mapping prints as JSON)", NULL },
	{ "var", ARG_STR, 0, NULL, NULL,
	  "a variable name or expression to show, e.g. result.stdout_lines",
	  NULL },
	{ "verbosity", ARG_INT, 0, "0", NULL,
	  "show only when mend runs with at least this many -v", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_debug = {
	.name = "debug",
	.summary = "print a message or a variable",
	.doc = "Shows 'msg' (templated before the module runs) or the value "
	    "of the expression 'var' (\"VARIABLE IS NOT DEFINED!\" when it "
	    "is undefined), like Ansible's debug module.  With verbosity N, "
	    "the task is skipped unless mend runs with -v N times or more.  "
	    "Runs on the controller: the host is not contacted.",
	.args = debug_args,
	.flags = MOD_NO_HOST,
	.validate = debug_validate,
	.run = debug_run,
};
