/*
 * fail.c - fail the task with a message (Ansible's ansible.builtin.fail).
 *
 * Exported as mod_fail_module, not mod_fail: that name is the result
 * helper of module.h.
 */
#include "modules/module.h"
#include "runner/util/banned.h"

static enum mod_result
fail_run(struct modctx *ctx, const struct val *args)
{
	const char *msg = arg_str(args, "msg");

	return mod_done(ctx, mod_fail(ctx, "%s", msg ? msg :
	    "Failed as requested from task"));
}

static const struct module_arg fail_args[] = {
	{ "msg", ARG_STR, 0, "Failed as requested from task", NULL,
	  "the failure message (templated)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_fail_module = {
	.name = "fail",
	.summary = "fail the task with a message",
	.doc = "Always fails, with 'msg', like Ansible's fail module.  Use it "
	    "with `when:` to stop a host when a condition holds.  Runs on the "
	    "controller: the host is not contacted.",
	.args = fail_args,
	.flags = MOD_NO_HOST,
	.run = fail_run,
};
