/* modctx.c - the helpers modules use to report and reach the host; see
 * modules/module.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/module.h"
#include "runner/core/args.h"
#include "runner/core/executor.h"
#include "runner/core/homepath.h"
#include "runner/core/journal.h"
#include "runner/util/hash.h"
#include "runner/core/rfsftp.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

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

enum mod_result
mod_done(struct modctx *ctx, int code)
{
	if (code == TERR_UNREACHABLE)
		return MOD_UNREACHABLE;
	if (code < -1 && !ctx->failed)
		mod_fail(ctx, "%s", ctx->msg.len ? ctx->msg.buf :
		    "transport error");
	if (ctx->failed || code < -1)
		return MOD_FAILED;
	if (ctx->skipped)
		return MOD_SKIPPED;
	return ctx->changed ? MOD_CHANGED : MOD_OK;
}

/* m's arguments from plain values, as the loader and the executor would
 * check and coerce a task's; NULL after mod_fail(). */
static struct val *
call_args(struct modctx *ctx, const struct module *m, const struct val *args)
{
	struct val *raw = val_copy(args), *out = NULL;
	struct err e = ERR_INIT;

	if (args_normalize(m, raw, &e) < 0 ||
	    args_coerce(m, raw, &args->pos, &out, &e) < 0) {
		strbuf_rtrim(&e.msg);
		mod_fail(ctx, "%s", err_text(&e, "bad arguments"));
		val_free(out);
		out = NULL;
	}
	val_free(raw);
	err_release(&e);
	return out;
}

enum mod_result
mod_call(struct modctx *ctx, const char *name, const struct val *args)
{
	const struct module *m = module_find(name);
	enum mod_result res;
	struct val *a;
	int ret;

	if (m == NULL) {
		mod_fail(ctx, "no module '%s'", name);
		return MOD_FAILED;
	}
	if (ctx->check && (m->flags & MOD_CHANGES_HOST) &&
	    !(m->flags & MOD_SUPPORTS_CHECK))
		return MOD_SKIPPED;
	if ((a = call_args(ctx, m, args)) == NULL)
		return MOD_FAILED;
	mod_log(ctx, 2, "calling module '%s'", name);
	if ((ret = homepath_expand(ctx, m, a)) != 0) {
		val_free(a);
		return ret == TERR_UNREACHABLE ? MOD_UNREACHABLE : MOD_FAILED;
	}
	res = m->run(ctx, a);
	val_free(a);
	return res;
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

char *
mod_local_path(struct modctx *ctx, const char *path)
{
	const char *dirs[2] = {
		ctx->vars ? val_map_str(ctx->vars, "role_path", NULL) : NULL,
		ctx->vars ? val_map_str(ctx->vars, "playbook_dir", NULL) : NULL
	};
	size_t i;
	char *p;

	if (path == NULL)
		return NULL;
	if (path[0] == '/')
		return xstrdup(path);
	for (i = 0; i < 2; i++) {
		if (dirs[i] == NULL)
			continue;
		p = xasprintf("%s/files/%s", dirs[i], path);
		if (access(p, R_OK) == 0)
			return p;
		free(p);
		p = xasprintf("%s/%s", dirs[i], path);
		if (access(p, R_OK) == 0)
			return p;
		free(p);
	}
	return xstrdup(path);
}

struct conn *
mod_conn(struct modctx *ctx)
{
	return ctx->host->conn;
}

/* Who remote work runs as: the task's become settings. */
static void
become_opts(const struct modctx *ctx, struct exec_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->become = ctx->become;
	o->become_user = ctx->become_user;
	o->become_pass = ctx->host->opts->become_pass;
}

struct sftpc *
mod_sftp(struct modctx *ctx)
{
	const struct val *v = ctx->vars != NULL ?
	    val_map_get(ctx->vars, "mend_sftp") : NULL;
	struct exec_opts o;
	struct err e = ERR_INIT;
	struct sftpc *sf = NULL;

	if (ctx->host == NULL || ctx->host->conn == NULL ||
	    (v != NULL && val_to_bool(v) == 0))
		return NULL;
	become_opts(ctx, &o);
	if (conn_sftp(ctx->host->conn, &o, &sf, &e) != 0)
		sf = NULL;
	err_release(&e);
	return sf;
}

int
mod_exec(struct modctx *ctx, const char *cmd, const void *in, size_t inlen,
    struct exec_res *r)
{
	struct exec_opts o;
	struct err e = ERR_INIT;
	int ret;

	struct strbuf full = STRBUF_INIT;
	const struct val *env = ctx->environment;
	size_t i;

	become_opts(ctx, &o);
	o.in = in;
	o.inlen = inlen;
	o.timeout = ctx->timeout;
	for (i = 0; env != NULL && env->type == V_MAP && i < env->u.map.n;
	    i++) {
		struct strbuf v = STRBUF_INIT;

		val_to_str_py(env->u.map.items[i].v, &v);
		shellcmd_build(&full, "export %s=%q; ",
		    env->u.map.items[i].key, v.buf);
		strbuf_release(&v);
	}
	strbuf_addstr(&full, cmd);
	mod_log(ctx, 3, "exec: %s", ctx->no_log ? "(no_log)" : full.buf);
	ret = conn_exec(ctx->host->conn, full.buf, &o, r, &e);
	strbuf_release(&full);
	if (ret != 0) {
		strbuf_reset(&ctx->msg);
		/* e.msg holds "error: ..." lines: keep the text only */
		strbuf_addstr(&ctx->msg, err_text(&e, "transport error"));
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

	if (ctx->host == NULL || ctx->verbosity < lvl)
		return;
	strbuf_addf(&ctx->host->out, "%s | %s | ", ctx->host_name,
	    ctx->task_name ? ctx->task_name : "-");
	va_start(ap, fmt);
	strbuf_vaddf(&ctx->host->out, fmt, ap);
	va_end(ap);
	strbuf_addch(&ctx->host->out, '\n');
}

static struct journal *
ctx_journal(struct modctx *ctx)
{
	if (ctx->check || ctx->host == NULL)
		return NULL;
	return ctx->host->opts->journal;
}

static void
meta_fields(struct val *rec, const char *prefix, const struct file_meta *m)
{
	char key[32];

	/* no owner, no group: the caller did not know the file's metadata
	 * (mod_write_file without it); "0000" would make rollback chmod 0 */
	if (m == NULL || (m->owner == NULL && m->group == NULL))
		return;
	snprintf(key, sizeof(key), "%smode", prefix);
	val_map_set(rec, key, val_str_take(xasprintf("%04o", m->mode)));
	snprintf(key, sizeof(key), "%sowner", prefix);
	val_map_set(rec, key, m->owner ? val_str(m->owner) : val_null());
	snprintf(key, sizeof(key), "%sgroup", prefix);
	val_map_set(rec, key, m->group ? val_str(m->group) : val_null());
}

long
mod_journal_intent(struct modctx *ctx, const char *path,
    const struct file_meta *before, const void *orig, size_t len,
    const void *newdata, size_t newlen, const char *backup)
{
	struct journal *j = ctx_journal(ctx);
	struct val *rec;
	char sha[65], sha_new[65];
	long seq;
	int existed = before != NULL && before->exists;

	if (j == NULL)
		return 0;
	if (existed && journal_store(j, orig, len, sha) < 0)
		return -1;
	if (newdata != NULL && journal_store(j, newdata, newlen, sha_new) < 0)
		return -1;
	rec = val_map();
	val_map_set(rec, "host", val_str(ctx->host_name));
	val_map_set(rec, "task", val_str(ctx->task_name ? ctx->task_name : ""));
	val_map_set(rec, "path", val_str(path));
	if (existed && before->realpath != NULL)
		val_map_set(rec, "realpath", val_str(before->realpath));
	val_map_set(rec, "existed", val_bool(existed));
	val_map_set(rec, "sha_before", existed ? val_str(sha) : val_null());
	val_map_set(rec, "sha_new", newdata ? val_str(sha_new) : val_null());
	if (existed)
		meta_fields(rec, "", before);
	val_map_set(rec, "backup", backup ? val_str(backup) : val_null());
	if (ctx->no_log)
		val_map_set(rec, "no_log", val_bool(1));
	seq = journal_append(j, "intent", rec);
	val_free(rec);
	return seq;
}

long
mod_journal_fs(struct modctx *ctx, const struct fs_change *c)
{
	struct journal *j = ctx_journal(ctx);
	int existed = c->before != NULL && c->before->exists;
	struct val *rec;
	char sha[65];
	long seq;

	if (j == NULL)
		return 0;
	if (c->data != NULL && journal_store(j, c->data, c->len, sha) < 0)
		return -1;
	rec = val_map();
	val_map_set(rec, "host", val_str(ctx->host_name));
	val_map_set(rec, "task", val_str(ctx->task_name ? ctx->task_name : ""));
	val_map_set(rec, "path", val_str(c->path));
	val_map_set(rec, "kind", val_str(c->kind));
	val_map_set(rec, "existed", val_bool(existed));
	val_map_set(rec, "sha_before", c->data ? val_str(sha) : val_null());
	val_map_set(rec, "sha_new", val_null());
	if (existed)
		meta_fields(rec, "", c->before);
	if (c->was != NULL)
		val_map_set(rec, "was", val_str(c->was));
	if (c->now != NULL)
		val_map_set(rec, "now", val_str(c->now));
	seq = journal_append(j, "intent", rec);
	val_free(rec);
	return seq;
}

void
mod_journal_done(struct modctx *ctx, long seq, const void *data, size_t len,
    const struct file_meta *after)
{
	struct journal *j = ctx_journal(ctx);
	struct val *rec;
	char sha[65];

	if (j == NULL || seq <= 0)
		return;
	sha256_hex(data, len, sha);
	rec = val_map();
	val_map_set(rec, "ref", val_int(seq));
	val_map_set(rec, "host", val_str(ctx->host_name));
	val_map_set(rec, "sha_after", val_str(sha));
	meta_fields(rec, "", after);
	journal_append(j, "done", rec);
	val_free(rec);
}

void
mod_journal_fail(struct modctx *ctx, long seq, const char *msg)
{
	struct journal *j = ctx_journal(ctx);
	struct val *rec;

	if (j == NULL || seq <= 0)
		return;
	rec = val_map();
	val_map_set(rec, "ref", val_int(seq));
	val_map_set(rec, "host", val_str(ctx->host_name));
	val_map_set(rec, "msg", val_str(ctx->no_log ? "(no_log)" : msg));
	journal_append(j, "fail", rec);
	val_free(rec);
}

void
mod_journal_service_via(struct modctx *ctx, const char *name,
    const char *action, const char *via, const char *prove)
{
	struct journal *j = ctx_journal(ctx);
	struct val *rec;

	if (j == NULL)
		return;
	rec = val_map();
	val_map_set(rec, "host", val_str(ctx->host_name));
	val_map_set(rec, "task", val_str(ctx->task_name ? ctx->task_name : ""));
	val_map_set(rec, "name", val_str(name));
	val_map_set(rec, "action", val_str(action));
	if (via != NULL)
		val_map_set(rec, "via", val_str(via));
	if (prove != NULL)
		val_map_set(rec, "prove", val_str(prove));
	journal_append(j, "service", rec);
	val_free(rec);
}

void
mod_journal_service(struct modctx *ctx, const char *name, const char *action)
{
	mod_journal_service_via(ctx, name, action, NULL, NULL);
}

void
mod_journal_backup(struct modctx *ctx, const char *path, const char *backup,
    const void *data, size_t len)
{
	struct journal *j = ctx_journal(ctx);
	struct val *rec;
	char sha[65];

	if (j == NULL)
		return;
	if (journal_store(j, data, len, sha) < 0)
		return;
	rec = val_map();
	val_map_set(rec, "host", val_str(ctx->host_name));
	val_map_set(rec, "task", val_str(ctx->task_name ? ctx->task_name : ""));
	val_map_set(rec, "path", val_str(path));
	val_map_set(rec, "backup", val_str(backup));
	val_map_set(rec, "sha", val_str(sha));
	journal_append(j, "backup", rec);
	val_free(rec);
}

const char *
mod_run_id(struct modctx *ctx)
{
	struct journal *j = ctx->host ? ctx->host->opts->journal : NULL;

	return j ? journal_run_id(j) : "";
}
