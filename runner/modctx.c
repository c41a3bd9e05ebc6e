/* modctx.c - the helpers modules use to report and reach the host; see
 * modules/module.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../modules/module.h"
#include "executor.h"
#include "banned.h"

int
mod_fail(struct modctx *ctx, const char *fmt, ...)
{
	va_list ap;

	ctx->failed = 1;
	strbuf_reset(&ctx->msg);
	va_start(ap, fmt);
	strbuf_vaddf(&ctx->msg, fmt, ap);
	va_end(ap);
	return 0;
}

void
mod_msg(struct modctx *ctx, const char *fmt, ...)
{
	va_list ap;

	strbuf_reset(&ctx->msg);
	va_start(ap, fmt);
	strbuf_vaddf(&ctx->msg, fmt, ap);
	va_end(ap);
}

void
mod_set(struct modctx *ctx, const char *key, struct val *v)
{
	if (ctx->data == NULL)
		ctx->data = val_map();
	val_map_set(ctx->data, key, v);
}

void
mod_changed(struct modctx *ctx)
{
	ctx->changed = 1;
}

const struct val *
arg_get(const struct val *args, const char *name)
{
	const struct val *v = val_map_get(args, name);

	return (v == NULL || v->type == V_NULL) ? NULL : v;
}

const char *
arg_str(const struct val *args, const char *name)
{
	const struct val *v = arg_get(args, name);

	return (v != NULL && v->type == V_STR) ? v->u.str.s : NULL;
}

int
arg_bool(const struct val *args, const char *name)
{
	const struct val *v = arg_get(args, name);

	return v != NULL && val_to_bool(v) == 1;
}

long long
arg_int(const struct val *args, const char *name, long long def)
{
	const struct val *v = arg_get(args, name);
	int64_t n;

	if (v == NULL || val_to_int(v, &n) != 0)
		return def;
	return n;
}

struct conn *
mod_conn(struct modctx *ctx)
{
	return ctx->host->conn;
}

int
mod_exec(struct modctx *ctx, const char *cmd, const void *in, size_t inlen,
    struct exec_res *r)
{
	struct exec_opts o;
	struct err e = ERR_INIT;
	int ret;

	memset(&o, 0, sizeof(o));
	o.in = in;
	o.inlen = inlen;
	o.timeout = ctx->timeout;
	o.become = ctx->become;
	o.become_user = ctx->become_user;
	o.become_pass = ctx->host->opts->become_pass;
	mod_log(ctx, 3, "exec: %s", ctx->no_log ? "(no_log)" : cmd);
	ret = conn_exec(ctx->host->conn, cmd, &o, r, &e);
	if (ret != 0) {
		strbuf_reset(&ctx->msg);
		/* e.msg holds "error: ..." lines: keep the text only */
		strbuf_addstr(&ctx->msg, e.msg.len > 7 ? e.msg.buf + 7 : "transport error");
		strbuf_rtrim(&ctx->msg);
		ctx->failed = 1;
	}
	err_release(&e);
	return ret;
}

void
mod_log(struct modctx *ctx, int lvl, const char *fmt, ...)
{
	va_list ap;

	if (ctx->host == NULL || ctx->host->opts->verbose < lvl)
		return;
	strbuf_addf(&ctx->host->out, "%s | %s | ", ctx->host_name,
	    ctx->task_name ? ctx->task_name : "-");
	va_start(ap, fmt);
	strbuf_vaddf(&ctx->host->out, fmt, ap);
	va_end(ap);
	strbuf_addch(&ctx->host->out, '\n');
}
