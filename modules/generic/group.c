/*
 * group.c - local groups, like ansible.builtin.group: state present
 * (groupadd with gid, non_unique, system; groupmod -g when the gid
 * differs) or absent (groupdel).  One probe (getent group), one command
 * that changes the group and prints the group as it is then.  The
 * account databases it changes (/etc/group, /etc/gshadow) are journaled
 * as files (acctdb.h): `mend rollback` puts their bytes back.  Check mode
 * reports the change and makes none, with Ansible's result (only
 * `changed` when the group would be added or removed).  local: true
 * (lgroupadd, libuser) is refused by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "modules/generic/acctdb.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const struct module_arg group_args[] = {
	{ "name", ARG_STR, 1, NULL, NULL, "name of the group", NULL },
	{ "state", ARG_STR, 0, "present", "present|absent",
	  "whether the group should exist", NULL },
	{ "gid", ARG_INT, 0, NULL, NULL, "group id", NULL },
	{ "system", ARG_BOOL, 0, "false", NULL,
	  "create a system group (groupadd -r)", NULL },
	{ "local", ARG_BOOL, 0, "false", NULL, "only false is supported",
	  NULL },
	{ "non_unique", ARG_BOOL, 0, "false", NULL,
	  "allow a gid another group has (needs gid)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static const char *const group_dbs[] = { "/etc/group", "/etc/gshadow",
	NULL };

static int
group_validate(const struct val *args, struct err *e)
{
	const struct val *v = val_map_get(args, "local");

	if (v != NULL && v->type != V_STR && val_truthy(v))
		return err_setpos(e, &v->pos, "module 'group': argument 'local' "
		    "is not supported by mend (local: true)");
	v = val_map_get(args, "non_unique");
	if (v != NULL && v->type != V_STR && val_truthy(v) &&
	    val_map_get(args, "gid") == NULL)
		return err_setpos(e, &v->pos, "module 'group': non_unique is "
		    "True but all of the following are missing: gid");
	return 0;
}

/* The gid in the getent line after the "rc=N" line, or -1. */
static long
gid_of(const char *out, const char *name)
{
	const char *p = strchr(out, '\n');
	size_t n = strlen(name);

	if (p == NULL || strncmp(p + 1, name, n) != 0 || p[1 + n] != ':')
		return -1;
	p = strchr(p + 1 + n + 1, ':');
	return p != NULL ? strtol(p + 1, NULL, 10) : -1;
}

/* Run cmd (already quoted) then print the group; *gid after, -1 gone. */
static int
run_group_cmd(struct modctx *ctx, const char *cmd, const char *name,
    long *gid, int *rc, struct strbuf *err)
{
	struct strbuf sh = STRBUF_INIT;
	struct exec_res r;
	int ret;

	shellcmd_build(&sh, "LC_ALL=C; export LC_ALL\n%s%s >&2; echo \"rc=$?\"; "
	    "getent group -- %q; exit 0\n", cmd, *cmd ? "" : ":", name);
	exec_res_init(&r);
	ret = mod_exec(ctx, sh.buf, NULL, 0, &r);
	if (ret == 0) {
		*rc = strncmp(r.out.buf, "rc=", 3) == 0 ? atoi(r.out.buf + 3)
		    : -1;
		*gid = gid_of(r.out.buf, name);
		strbuf_addbuf(err, &r.err);
	}
	exec_res_release(&r);
	strbuf_release(&sh);
	return ret;
}

/* The command for what is asked, "" when nothing is to change. */
static void
plan(const struct val *args, const char *name, long cur, struct strbuf *cmd)
{
	int absent = strcmp(arg_str(args, "state"), "absent") == 0;
	long gid = arg_int(args, "gid", -1);
	const char *o = arg_bool(args, "non_unique") ? " -o" : "";
	char g[32];

	snprintf(g, sizeof(g), "%ld", gid);
	if (absent && cur >= 0)
		shellcmd_build(cmd, "groupdel -- %q", name);
	else if (!absent && cur < 0 && gid >= 0)
		shellcmd_build(cmd, "groupadd -g %q%s%s -- %q", g, o,
		    arg_bool(args, "system") ? " -r" : "", name);
	else if (!absent && cur < 0)
		shellcmd_build(cmd, "groupadd%s -- %q",
		    arg_bool(args, "system") ? " -r" : "", name);
	else if (!absent && gid >= 0 && gid != cur)
		shellcmd_build(cmd, "groupmod -g %q%s -- %q", g, o, name);
}

static int
apply(struct modctx *ctx, const char *cmd, const char *name, long *gid)
{
	struct strbuf err = STRBUF_INIT;
	struct acctdb db;
	int ret, rc = -1;

	ret = acctdb_before(ctx, &db, group_dbs);
	if (ret == 0)
		ret = run_group_cmd(ctx, cmd, name, gid, &rc, &err);
	if (ret == 0)
		ret = acctdb_after(ctx, &db);
	if (ret == 0 && rc != 0) {     /* Ansible's msg is the raw stderr */
		mod_set(ctx, "name", val_str(name));
		mod_fail(ctx, "%s", err.buf);
		ret = -1;
	} else if (ret == 0) {
		mod_changed(ctx);
		if (err.len > 0)
			mod_set(ctx, "stderr", val_str(err.buf));
	}
	acctdb_release(&db);
	strbuf_release(&err);
	return ret;
}

static enum mod_result
group_run(struct modctx *ctx, const struct val *args)
{
	struct strbuf cmd = STRBUF_INIT, err = STRBUF_INIT;
	const char *name = arg_str(args, "name");
	long gid = -1;
	int ret, rc, adds;

	ret = run_group_cmd(ctx, "", name, &gid, &rc, &err);
	if (ret == 0)
		plan(args, name, gid, &cmd);
	adds = strncmp(cmd.buf, "groupmod", 8) != 0;
	if (ret == 0 && cmd.len > 0 && ctx->check) {
		mod_changed(ctx);
		if (adds)
			goto out;     /* Ansible returns changed only */
	} else if (ret == 0 && cmd.len > 0) {
		ret = apply(ctx, cmd.buf, name, &gid);
	}
	if (ret == 0) {
		mod_set(ctx, "name", val_str(name));
		mod_set(ctx, "state", val_str(arg_str(args, "state")));
	}
	if (ret == 0 && gid >= 0) {
		mod_set(ctx, "system", val_bool(arg_bool(args, "system")));
		mod_set(ctx, "gid", val_int(gid));
	}
out:
	strbuf_release(&cmd);
	strbuf_release(&err);
	return mod_done(ctx, ret);
}

const struct module mod_group = {
	.name = "group",
	.summary = "add or remove groups",
	.doc = "Ansible's group on the host's shadow-utils: state present "
	    "adds the group (groupadd, with gid, non_unique and system) or "
	    "sets its gid (groupmod -g); state absent removes it (groupdel). "
	    "Returns name, state, gid and system (what was asked) when the "
	    "group exists.  /etc/group and /etc/gshadow are journaled as files:"
	    " mend rollback puts them back.  local: true is refused.",
	.args = group_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = group_validate,
	.run = group_run,
};
