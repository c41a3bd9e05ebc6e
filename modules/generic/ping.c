/* ping.c - check that a host can be reached and can run a command. */
#include <string.h>

#include "modules/module.h"
#include "runner/util/banned.h"

static const struct module_arg ping_args[] = {
	{ "data", ARG_STR, 0, "pong", NULL,
	  "value to return in 'ping' (the string 'crash' makes the task fail)",
	  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static enum mod_result
ping_run(struct modctx *ctx, const struct val *args)
{
	const char *data = arg_str(args, "data");
	struct exec_res r;
	int ret;

	if (data != NULL && strcmp(data, "crash") == 0)
		return mod_done(ctx, mod_fail(ctx, "boom"));
	exec_res_init(&r);
	ret = mod_exec(ctx, "true", NULL, 0, &r);
	if (ret == 0 && r.rc != 0)
		mod_fail(ctx, "'true' exited %d on the host", r.rc);
	else if (ret == 0)
		mod_set(ctx, "ping", val_str(data ? data : "pong"));
	exec_res_release(&r);
	return mod_done(ctx, ret);
}

const struct module mod_ping = {
	.name = "ping",
	.summary = "check that the host is reachable and runs commands",
	.doc = "Connects (or reuses the host's connection), runs 'true' and "
	    "returns ping: pong.",
	.args = ping_args,
	.flags = MOD_SUPPORTS_CHECK,
	.run = ping_run,
};
