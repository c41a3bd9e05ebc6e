/* homepath.c - `~` in path arguments; see homepath.h. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/core/homepath.h"
#include "runner/util/banned.h"

static int
valid_user(const char *s, size_t len)
{
	size_t i;

	if (len > 0 && s[0] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._-", s[i]) == NULL)
			return 0;
	return 1;
}

int
homepath_split(const char *path, char *user, size_t n, const char **rest)
{
	size_t len;

	if (path == NULL || path[0] != '~')
		return 0;
	len = strcspn(path + 1, "/");
	if (len >= n || !valid_user(path + 1, len))
		return 0;
	memcpy(user, path + 1, len);
	user[len] = '\0';
	*rest = path + 1 + len;
	return 1;
}

int
homepath_ok(const char *path)
{
	char user[64];
	const char *rest;

	return path[0] == '/' || homepath_split(path, user, sizeof(user),
	    &rest);
}

/* The home of user ("" = the task's user) on the controller. */
static char *
local_home(const char *user)
{
	struct passwd *pw = user[0] ? getpwnam(user) : getpwuid(getuid());
	const char *h = user[0] ? NULL : getenv("HOME");

	if (h != NULL && h[0] == '/')
		return xstrdup(h);
	return pw != NULL && pw->pw_dir != NULL ? xstrdup(pw->pw_dir) : NULL;
}

/* The home of user ("" = the task's user: become's under become) on the
 * host, or NULL after mod_fail(); *code: a transport error. */
static char *
remote_home(struct modctx *ctx, const char *user, int *code)
{
	const char *who = user[0] ? user : ctx->become ? (ctx->become_user ?
	    ctx->become_user : "root") : "";
	char *cmd, *home = NULL;
	struct exec_res r;

	if (!valid_user(who, strlen(who)))
		return mod_fail(ctx, "cannot expand '~%s'", who), NULL;
	/* "": the login user's passwd entry, as Ansible's ~REMOTE_USER */
	cmd = who[0] ? xasprintf("echo ~%s", who) : xstrdup("h=$(getent "
	    "passwd \"$(id -un)\" | cut -d: -f6); [ -n \"$h\" ] || h=~; "
	    "echo \"$h\"");
	exec_res_init(&r);
	*code = mod_exec(ctx, cmd, NULL, 0, &r);
	strbuf_rtrim(&r.out);
	if (*code == 0 && r.rc == 0 && r.out.buf[0] == '/')
		home = xstrdup(r.out.buf);
	else if (*code == 0)
		mod_fail(ctx, "cannot find the home directory of '%s' on the "
		    "host: %s", who[0] ? who : "the remote user", r.out.buf);
	exec_res_release(&r);
	free(cmd);
	return home;
}

static int
expand_one(struct modctx *ctx, const struct module *m, struct val *args,
    const char *name)
{
	const struct val *v = val_map_get(args, name);
	const char *rest;
	char user[64], *home;
	int code = 0;

	if (v == NULL || v->type != V_STR ||
	    !homepath_split(v->u.str.s, user, sizeof(user), &rest))
		return 0;
	home = (m->flags & MOD_NO_HOST) ? local_home(user) :
	    remote_home(ctx, user, &code);
	if (home == NULL && code == 0 && !ctx->failed)
		mod_fail(ctx, "cannot find the home directory of '~%s'", user);
	if (home == NULL)
		return code ? code : -1;
	val_map_set(args, name, val_str_take(xasprintf("%s%s",
	    strcmp(home, "/") == 0 && rest[0] ? "" : home, rest)));
	free(home);
	return 0;
}

int
homepath_expand(struct modctx *ctx, const struct module *m, struct val *args)
{
	const struct module_arg *a;
	int ret = 0;

	for (a = m->args; a->name != NULL && ret == 0; a++)
		if (a->type == ARG_PATH)
			ret = expand_one(ctx, m, args, a->name);
	return ret;
}
