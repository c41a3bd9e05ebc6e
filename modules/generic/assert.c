/*
 * assert.c - check conditions on the controller with the host's variables
 * (Ansible's ansible.builtin.assert).
 */
#include <string.h>

#include "modules/module.h"
#include "runner/template/template.h"
#include "runner/util/banned.h"

/* 0 and *ok = truth of one `that` item, or -1 (task failed, recorded). */
static int
eval_item(struct modctx *ctx, const struct val *item, int *ok)
{
	struct err e = ERR_INIT;
	int ret = 0;

	if (item->type != V_STR) {
		*ok = val_truthy(item);   /* `that: true`, or a rendered value */
		return 0;
	}
	if (tmpl_eval_cond(item->u.str.s, ctx->vars, &item->pos, ok, &e) < 0) {
		strbuf_rtrim(&e.msg);
		mod_fail(ctx, "%s", e.msg.buf);
		ret = -1;
	}
	err_release(&e);
	return ret;
}

static void
set_failed(struct modctx *ctx, const struct val *args, const struct val *item)
{
	struct strbuf sb = STRBUF_INIT;
	const char *msg = arg_str(args, "fail_msg");

	val_to_str(item, &sb);
	mod_fail(ctx, "%s", msg ? msg : "Assertion failed");
	mod_set(ctx, "assertion", val_str(sb.buf));
	mod_set(ctx, "evaluated_to", val_bool(0));
	if (msg == NULL)
		mod_log(ctx, 1, "assertion failed: %s", sb.buf);
	strbuf_release(&sb);
}

static enum mod_result
assert_run(struct modctx *ctx, const struct val *args)
{
	const struct val *that = arg_get(args, "that");
	const char *ok_msg = arg_str(args, "success_msg");
	size_t i, n = that == NULL ? 0 : that->type == V_LIST ?
	    that->u.list.n : 1;
	int ok;

	for (i = 0; i < n; i++) {
		const struct val *item = that->type == V_LIST ?
		    that->u.list.items[i] : that;

		if (eval_item(ctx, item, &ok) < 0)
			return mod_done(ctx, 0);
		if (!ok) {
			set_failed(ctx, args, item);
			return mod_done(ctx, 0);
		}
	}
	mod_msg(ctx, "%s", ok_msg ? ok_msg : "All assertions passed");
	if (ok_msg != NULL && !arg_bool(args, "quiet"))
		ctx->show_msg = 1;
	return mod_done(ctx, 0);
}

/* Syntax of every literal expression, before any host is contacted. */
static int
assert_validate(const struct val *args, struct err *e)
{
	const struct val *that = val_map_get(args, "that");
	size_t i;
	int ret = 0;

	if (that != NULL && that->type == V_STR && !tmpl_has(that->u.str.s))
		return tmpl_check_expr(that->u.str.s, &that->pos, e);
	if (that == NULL || that->type != V_LIST)
		return 0;
	for (i = 0; i < that->u.list.n; i++) {
		const struct val *it = that->u.list.items[i];

		if (it->type == V_STR && !tmpl_has(it->u.str.s) &&
		    tmpl_check_expr(it->u.str.s, &it->pos, e) < 0)
			ret = -1;
	}
	return ret;
}

static const struct module_arg assert_args[] = {
	/* ARG_RAW, not ARG_LIST: an expression may hold commas */
	{ "that", ARG_RAW, 1, NULL, NULL,
	  "an expression (as in `when:`), or a list of them, that must all "
	  "be true", NULL },
	{ "fail_msg", ARG_STR, 0, NULL, NULL,
	  "message when an expression is false (default 'Assertion failed')",
	  "msg" },
	{ "success_msg", ARG_STR, 0, NULL, NULL,
	  "message when all hold (default 'All assertions passed')", NULL },
	{ "quiet", ARG_BOOL, 0, "no", NULL,
	  "do not show success_msg", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_assert = {
	.name = "assert",
	.summary = "check that expressions hold for the host's variables",
	.doc = "Evaluates each expression of 'that' (the `when:` language, "
	    "with the host's variables and registered results) on the "
	    "controller, in order; the first false one fails the task with "
	    "fail_msg and returns it as 'assertion'.  Expression syntax is "
	    "checked when the playbook is loaded.  The host is not contacted.",
	.args = assert_args,
	.flags = MOD_NO_HOST,
	.validate = assert_validate,
	.run = assert_run,
};
