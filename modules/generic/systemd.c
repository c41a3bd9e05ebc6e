/*
 * systemd.c - systemd units, like ansible.builtin.systemd (systemd_service):
 * daemon_reload/daemon_reexec first, then masked (systemctl mask/unmask),
 * then enabled and state through the service module (mod_call: the same
 * start/stop/restart/reload, readiness wait and journal records), and the
 * unit's `systemctl show` properties as `status`, as Ansible returns them.
 *
 * Only the system manager of a host where systemd runs: scope user/global,
 * no_block and force are refused by name, and a host without systemd is a
 * failed task.  Mask and unmask are journaled (kind unit, unitstate.h;
 * enable/disable by the service module the same way): `mend rollback`
 * puts the unit's enablement back.
 */
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "modules/generic/unitstate.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const struct module_arg systemd_args[] = {
	{ "name", ARG_STR, 0, NULL, NULL, "unit name (.service if no suffix)",
	  "service|unit" },
	{ "state", ARG_STR, 0, NULL, "started|stopped|restarted|reloaded",
	  "started/stopped act only when needed; restarted and reloaded "
	  "always act", NULL },
	{ "enabled", ARG_BOOL, 0, NULL, NULL, "start at boot", NULL },
	{ "masked", ARG_BOOL, 0, NULL, NULL,
	  "mask the unit (it cannot be started)", NULL },
	{ "daemon_reload", ARG_BOOL, 0, "false", NULL,
	  "systemctl daemon-reload before anything else", "daemon-reload" },
	{ "daemon_reexec", ARG_BOOL, 0, "false", NULL,
	  "systemctl daemon-reexec before anything else", "daemon-reexec" },
	{ "scope", ARG_STR, 0, "system", "system|user|global",
	  "only system is supported", NULL },
	{ "no_block", ARG_BOOL, 0, "false", NULL, "only false is supported",
	  NULL },
	{ "force", ARG_BOOL, 0, "false", NULL, "only false is supported",
	  NULL },
	{ "wait", ARG_INT, 0, "10", NULL,
	  "seconds to wait, after acting, for the unit to run (or stop)",
	  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static int
refuse(const struct val *args, const char *name, struct err *e)
{
	return err_setpos(e, &val_map_get(args, name)->pos, "module "
	    "'systemd': argument '%s' is not supported by mend (%s: %s)",
	    name, name, val_map_str(args, name, "true"));
}

static int
systemd_validate(const struct val *args, struct err *e)
{
	static const char *const need[] = { "state", "enabled", "masked" };
	const char *scope = val_map_str(args, "scope", NULL);
	const struct val *v;
	size_t i;

	if (scope != NULL && strcmp(scope, "system") != 0 &&
	    strstr(scope, "{{") == NULL)
		return refuse(args, "scope", e);
	if ((v = val_map_get(args, "no_block")) != NULL && val_truthy(v) &&
	    v->type != V_STR)
		return refuse(args, "no_block", e);
	if ((v = val_map_get(args, "force")) != NULL && val_truthy(v) &&
	    v->type != V_STR)
		return refuse(args, "force", e);
	for (i = 0; i < ARRAY_SIZE(need); i++)
		if (val_map_get(args, need[i]) != NULL &&
		    val_map_get(args, "name") == NULL)
			return err_setpos(e, &args->pos, "module 'systemd': "
			    "missing parameter(s) required by '%s': name",
			    need[i]);
	if (val_map_get(args, "name") == NULL &&
	    val_map_get(args, "daemon_reload") == NULL &&
	    val_map_get(args, "daemon_reexec") == NULL)
		return err_setpos(e, &args->pos, "module 'systemd': one of "
		    "the following is required: state, enabled, masked, "
		    "daemon_reload, daemon_reexec");
	return 0;
}

/* Run a systemctl command line; its failure is the task's. */
static int
systemctl(struct modctx *ctx, const char *verb, const char *unit,
    struct strbuf *out)
{
	struct exec_res r;
	char *cmd = unit ? shellcmd("systemctl %s -- %q", verb, unit) :
	    shellcmd("systemctl %s", verb);
	int ret;

	exec_res_init(&r);
	ret = mod_exec(ctx, cmd, NULL, 0, &r);
	strbuf_rtrim(&r.err);
	if (ret == 0 && r.rc != 0 && out == NULL)
		mod_fail(ctx, "systemctl %s %s failed: %s", verb,
		    unit ? unit : "", r.err.buf);
	if (ret == 0 && out != NULL)
		strbuf_add(out, r.out.buf, r.out.len);
	exec_res_release(&r);
	free(cmd);
	return ret;
}

/* `systemctl show` as a map; a value that opens a brace continues on the
 * following lines up to the one ending with '}' (ExecStart=...). */
static struct val *
parse_show(const char *s)
{
	struct val *m = val_map();
	struct strbuf v = STRBUF_INIT;
	const char *e, *eq;
	char *key;

	for (; *s != '\0'; s = *e ? e + 1 : e) {
		e = strchrnul(s, '\n');
		if ((eq = memchr(s, '=', (size_t)(e - s))) == NULL)
			continue;
		strbuf_reset(&v);
		strbuf_add(&v, eq + 1, (size_t)(e - eq - 1));
		while (v.len && v.buf[0] == '{' && v.buf[v.len - 1] != '}' &&
		    *e != '\0') {
			const char *n = strchrnul(e + 1, '\n');

			strbuf_addch(&v, '\n');
			strbuf_add(&v, e + 1, (size_t)(n - e - 1));
			e = n;
		}
		key = xstrndup(s, (size_t)(eq - s));
		val_map_set(m, key, val_strn(v.buf, v.len));
		free(key);
	}
	strbuf_release(&v);
	return m;
}

static int
is_systemd(struct modctx *ctx)
{
	struct exec_res r;
	int ret;

	exec_res_init(&r);
	ret = mod_exec(ctx, "[ -d /run/systemd/system ] && "
	    "command -v systemctl >/dev/null", NULL, 0, &r);
	if (ret == 0 && r.rc != 0)
		mod_fail(ctx, "systemd is not the init system of this host "
		    "(/run/systemd/system is missing): use the service module");
	exec_res_release(&r);
	return ret;
}

/* masked: mask or unmask when the unit is not as asked. */
static int
set_masked(struct modctx *ctx, const char *unit, int want)
{
	struct strbuf out = STRBUF_INIT;
	const char *was;
	int ret, masked;
	long seq;

	ret = systemctl(ctx, "is-enabled", unit, &out);
	strbuf_rtrim(&out);
	was = unitstate_norm(out.buf);
	masked = strcmp(was, "masked") == 0;
	strbuf_release(&out);
	if (ret != 0 || masked == want)
		return ret;
	mod_changed(ctx);
	if (ctx->check)
		return 0;
	seq = unitstate_journal(ctx, unit, was, want ? "masked" : "unmasked");
	if (seq < 0)
		return mod_fail(ctx, "cannot write the journal entry for unit "
		    "'%s': not changing it", unit), -1;
	ret = systemctl(ctx, want ? "mask" : "unmask", unit, NULL);
	if (ret == 0)
		unitstate_done(ctx, seq, ctx->failed ? ctx->msg.buf : NULL);
	if (ret == 0 && !ctx->failed)
		mod_journal_service(ctx, unit, want ? "mask" : "unmask");
	return ret;
}

/* enabled and state through the service module. */
static enum mod_result
call_service(struct modctx *ctx, const struct val *args, const char *unit)
{
	static const char *const pass[] = { "state", "enabled", "wait" };
	struct val *a = val_map();
	const struct val *v;
	enum mod_result res;
	size_t i;

	a->pos = args->pos;
	val_map_set(a, "name", val_str(unit));
	for (i = 0; i < ARRAY_SIZE(pass); i++)
		if ((v = arg_get(args, pass[i])) != NULL)
			val_map_set(a, pass[i], val_copy(v));
	res = mod_call(ctx, "service", a);
	val_free(a);
	return res;
}

/* The unit's properties (before any change, as Ansible returns them). */
static int
get_status(struct modctx *ctx, const char *unit, struct val **status)
{
	struct strbuf out = STRBUF_INIT;
	int ret = systemctl(ctx, "show", unit, &out);

	*status = ret == 0 ? parse_show(out.buf) : NULL;
	strbuf_release(&out);
	return ret;
}

/* What Ansible returns: name, the status from before, and state/enabled
 * only when asked (restarted and reloaded are "started"); the service
 * module's own keys are not the systemd module's. */
static void
report(struct modctx *ctx, const struct val *args, const char *unit,
    struct val *status)
{
	const char *state = arg_str(args, "state");

	if (ctx->data != NULL) {
		val_map_del(ctx->data, "init");
		val_map_del(ctx->data, "unit");
		val_map_del(ctx->data, "state");
		val_map_del(ctx->data, "enabled");
	}
	mod_set(ctx, "name", unit ? val_str(unit) : val_null());
	mod_set(ctx, "status", status ? status : val_map());
	if (state != NULL)
		mod_set(ctx, "state", val_str(strcmp(state, "stopped") ?
		    "started" : "stopped"));
	if (arg_get(args, "enabled") != NULL)
		mod_set(ctx, "enabled", val_bool(arg_bool(args, "enabled")));
}

static int
daemon_steps(struct modctx *ctx, const struct val *args)
{
	int ret = 0;

	if (!ctx->check && arg_bool(args, "daemon_reload"))
		ret = systemctl(ctx, "daemon-reload", NULL, NULL);
	if (ret == 0 && !ctx->failed && !ctx->check &&
	    arg_bool(args, "daemon_reexec"))
		ret = systemctl(ctx, "daemon-reexec", NULL, NULL);
	return ret;
}

static int
unit_steps(struct modctx *ctx, const struct val *args, const char *unit,
    const struct val *status)
{
	int ret = 0;

	if (arg_get(args, "masked"))
		ret = set_masked(ctx, unit, arg_bool(args, "masked"));
	if (ret != 0 || ctx->failed ||
	    (!arg_get(args, "state") && !arg_get(args, "enabled")))
		return ret;
	if (!strcmp(val_map_str(status, "LoadState", ""), "not-found"))
		return mod_fail(ctx, "Could not find the requested service "
		    "%s: host", unit);
	return call_service(ctx, args, unit) == MOD_UNREACHABLE ?
	    TERR_UNREACHABLE : 0;
}

static enum mod_result
systemd_run(struct modctx *ctx, const struct val *args)
{
	const char *unit = arg_str(args, "name");
	struct val *status = NULL;
	int ret;

	if ((ret = is_systemd(ctx)) != 0 || ctx->failed)
		return mod_done(ctx, ret);
	ret = daemon_steps(ctx, args);
	if (ret == 0 && !ctx->failed && unit != NULL)
		ret = get_status(ctx, unit, &status);
	if (ret == 0 && !ctx->failed && unit != NULL)
		ret = unit_steps(ctx, args, unit, status);
	if (ret == 0 && !ctx->failed) {
		report(ctx, args, unit, status);
		status = NULL;   /* transferred */
	}
	val_free(status);
	return mod_done(ctx, ret);
}

const struct module mod_systemd = {
	.name = "systemd",
	.summary = "manage systemd units (state, enabled, masked, "
	    "daemon-reload)",
	.doc = "Ansible's systemd (systemd_service), system scope: "
	    "daemon_reload and daemon_reexec run first (never changed), then "
	    "masked (systemctl mask/unmask), then enabled and state as the "
	    "service module does them (started/stopped only when needed, "
	    "restarted/reloaded always, waiting up to 'wait' seconds for the "
	    "unit).  Returns name, state, enabled and status (the unit's "
	    "systemctl show properties).  Refused: scope user/global, "
	    "no_block, force; a host without systemd fails the task.",
	.args = systemd_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = systemd_validate,
	.run = systemd_run,
};
