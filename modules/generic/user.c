/*
 * user.c - local user accounts, like ansible.builtin.user on Linux
 * (shadow-utils): state present adds the user (useradd with uid,
 * non_unique, group, groups, comment, home, shell, password, create_home,
 * skeleton, system) or changes what differs (usermod: uid, group, groups
 * with append, comment, home with move_home, shell, password with
 * update_password); state absent removes it (userdel, force).  One probe
 * (getent passwd/shadow/group), one command.  The account databases
 * (/etc/passwd, /etc/shadow, /etc/group, /etc/gshadow, /etc/subuid,
 * /etc/subgid) are journaled as files around the command (acctdb.h) and a
 * home directory useradd makes is journaled as kind home: `mend rollback`
 * puts the databases back byte for byte and removes that home when it
 * still belongs to the uid the run gave it.  Check mode reports the change
 * and makes none, with Ansible's result (only `changed` when the user
 * would be added or removed).  What mend does not do is refused by name
 * at load time: remove: true (the home's content could not be rolled
 * back), ssh keys, expiry and password aging, password_lock, local,
 * SELinux, login_class, hidden, profile/authorization/role, umask.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "modules/generic/acctdb.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const struct module_arg user_args[] = {
	{ "name", ARG_STR, 1, NULL, NULL, "login name", "user" },
	{ "state", ARG_STR, 0, "present", "present|absent",
	  "whether the account should exist", NULL },
	{ "uid", ARG_INT, 0, NULL, NULL, "user id", NULL },
	{ "non_unique", ARG_BOOL, 0, "false", NULL,
	  "allow a uid another user has", NULL },
	{ "group", ARG_STR, 0, NULL, NULL, "primary group (must exist)", NULL },
	{ "groups", ARG_RAW, 0, NULL, NULL,
	  "supplementary groups (list or comma-separated; '' for none)",
	  NULL },
	{ "append", ARG_BOOL, 0, "false", NULL,
	  "add to groups instead of setting exactly them", NULL },
	{ "comment", ARG_STR, 0, NULL, NULL, "GECOS field", NULL },
	{ "home", ARG_PATH, 0, NULL, NULL, "home directory", NULL },
	{ "shell", ARG_STR, 0, NULL, NULL, "login shell", NULL },
	{ "password", ARG_STR, 0, NULL, NULL,
	  "password hash as it goes in /etc/shadow", NULL },
	{ "update_password", ARG_STR, 0, "always", "always|on_create",
	  "always: set password when it differs; on_create: only for a new "
	  "user", NULL },
	{ "create_home", ARG_BOOL, 0, "true", NULL,
	  "make the home directory (useradd -m)", "createhome" },
	{ "skeleton", ARG_STR, 0, NULL, NULL,
	  "skeleton directory copied into a new home (useradd -k)", NULL },
	{ "system", ARG_BOOL, 0, "false", NULL,
	  "a system account (useradd -r)", NULL },
	{ "move_home", ARG_BOOL, 0, "false", NULL,
	  "move the home's content when home changes (usermod -m)", NULL },
	{ "force", ARG_BOOL, 0, "false", NULL,
	  "with state absent: userdel -f", NULL },
	{ "remove", ARG_BOOL, 0, "false", NULL, "only false is supported",
	  NULL },
	{ "generate_ssh_key", ARG_BOOL, 0, NULL, NULL, "refused when true",
	  NULL },
	{ "local", ARG_BOOL, 0, NULL, NULL, "refused when true", NULL },
	{ "password_lock", ARG_BOOL, 0, NULL, NULL, "refused", NULL },
	{ "expires", ARG_RAW, 0, NULL, NULL, "refused", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static const char *const user_dbs[] = { "/etc/passwd", "/etc/shadow",
	"/etc/group", "/etc/gshadow", "/etc/subuid", "/etc/subgid", NULL };

static int
refuse(const struct val *v, const char *name, struct err *e)
{
	return err_setpos(e, &v->pos, "module 'user': argument '%s' is not "
	    "supported by mend", name);
}

static int
user_validate(const struct val *args, struct err *e)
{
	static const char *const truthy[] = { "remove", "generate_ssh_key",
	    "local" };
	static const char *const any[] = { "password_lock", "expires" };
	const struct val *v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(truthy); i++)
		if ((v = val_map_get(args, truthy[i])) != NULL &&
		    v->type != V_STR && val_truthy(v))
			return refuse(v, truthy[i], e);
	for (i = 0; i < ARRAY_SIZE(any); i++)
		if ((v = val_map_get(args, any[i])) != NULL)
			return refuse(v, any[i], e);
	return 0;
}

/* ---- what the host has ---- */

#define USER_MAXG 64

struct uinfo {
	struct strbuf raw;            /* the probe's output, cut in place */
	int exists, name_group, home_exists;
	const char *pw;               /* shadow password field, or NULL */
	long uid, gid;
	const char *comment, *home, *shell, *def_home;
	const char *member[USER_MAXG];     /* groups listing the user */
	size_t nmember;
	const char *gname[USER_MAXG];      /* requested groups that exist */
	long ggid[USER_MAXG];
	size_t ng;
};

/* Python's str.strip() in place. */
static char *
strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

static int
listed(const char *const *l, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i], s) == 0)
			return 1;
	return 0;
}

/* The requested groups (Ansible joins a list with commas and splits it
 * again, a set: no duplicates); "" = none.  Returns the count (up to
 * USER_MAXG), -1 when groups is unset. */
static long
wanted_groups(const struct val *args, struct strbuf *joined,
    struct strbuf *buf, const char **out)
{
	const struct val *v = arg_get(args, "groups");
	size_t i, n = 0;
	char *s, *c;

	if (v == NULL || v->type == V_NULL)
		return -1;
	strbuf_reset(buf);
	for (i = 0; v->type == V_LIST && i < v->u.list.n; i++) {
		if (i > 0)
			strbuf_addch(buf, ',');
		val_to_str(v->u.list.items[i], buf);
	}
	if (v->type != V_LIST)
		val_to_str(v, buf);
	strbuf_addbuf(joined, buf);
	for (s = buf->buf; s != NULL && n < USER_MAXG; s = c ? c + 1 : NULL) {
		if ((c = strchr(s, ',')) != NULL)
			*c = '\0';
		s = strip(s);
		if (*s != '\0' && !listed(out, n, s))
			out[n++] = s;
	}
	return (long)n;
}

static const char probe_script[] =
    "LC_ALL=C; export LC_ALL; n=$1; h=$2; shift 2\n"
    "p=$(getent passwd -- \"$n\") && printf 'P %s\\n' \"$p\"\n"
    "s=$(getent shadow -- \"$n\") && printf 'S %s\\n' \"$s\"\n"
    "getent group | awk -F: -v u=\"$n\" '{k=split($4,m,\",\"); "
    "for(i=1;i<=k;i++) if(m[i]==u) print \"M \" $1}'\n"
    "getent group -- \"$n\" >/dev/null && echo N\n"
    "for g in \"$@\"; do l=$(getent group -- \"$g\") && printf 'G %s\\n' \"$l\"; done\n"
    "d=$(useradd -D 2>/dev/null | sed -n 's/^HOME=//p'); printf 'D %s\\n' \"$d\"\n"
    "if [ -n \"$p\" ]; then [ -n \"$h\" ] || h=$(printf %s \"$p\" | cut -d: -f6)\n"
    "else [ -n \"$h\" ] || h=$d/$n; fi\n"
    "[ -e \"$h\" ] && echo H\n"
    "exit 0\n";

/* Field k (0-based) of a colon-separated line, cut in place. */
static char *
field(char *line, int k, char **rest)
{
	char *p = line, *c;
	int i;

	for (i = 0; i < k && p != NULL; i++)
		p = (c = strchr(p, ':')) ? c + 1 : NULL;
	if (p == NULL)
		return NULL;
	if ((c = strchr(p, ':')) != NULL)
		*c = '\0';
	if (rest != NULL)
		*rest = c ? c + 1 : NULL;
	return p;
}

static void
parse_passwd(struct uinfo *u, char *l)
{
	char *f[7], *p = l, *c;
	int i;

	for (i = 0; i < 7; i++) {
		f[i] = p ? p : (char *)"";
		if (p != NULL && (c = strchr(p, ':')) != NULL && i < 6) {
			*c = '\0';
			p = c + 1;
		} else if (i < 6) {
			p = NULL;
		}
	}
	u->exists = 1;
	u->uid = strtol(f[2], NULL, 10);
	u->gid = strtol(f[3], NULL, 10);
	u->comment = f[4];
	u->home = f[5];
	u->shell = f[6];
}

static void
parse_line(struct uinfo *u, char *l)
{
	char *rest;

	if (l[0] == 'P' && l[1] == ' ')
		parse_passwd(u, l + 2);
	else if (l[0] == 'S' && l[1] == ' ')
		u->pw = field(l + 2, 1, NULL);
	else if (l[0] == 'M' && l[1] == ' ' && u->nmember < USER_MAXG)
		u->member[u->nmember++] = l + 2;
	else if (l[0] == 'N' && l[1] == '\0')
		u->name_group = 1;
	else if (l[0] == 'H' && l[1] == '\0')
		u->home_exists = 1;
	else if (l[0] == 'D' && l[1] == ' ')
		u->def_home = l + 2;
	else if (l[0] == 'G' && l[1] == ' ' && u->ng < USER_MAXG) {
		char *g;

		u->gname[u->ng] = field(l + 2, 0, &rest);
		g = rest ? field(rest, 1, NULL) : NULL;
		u->ggid[u->ng++] = g ? strtol(g, NULL, 10) : -1;
	}
}

static int
probe(struct modctx *ctx, const char *name, const char *home,
    const char *const *groups, size_t ng, struct uinfo *u)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	char *l, *nl;
	size_t i;
	int ret;

	memset(u, 0, sizeof(*u));
	strbuf_init(&u->raw, 0);
	shellcmd_build(&cmd, "sh -c %q sh %q %q", probe_script, name,
	    home ? home : "");
	for (i = 0; i < ng; i++)
		shellcmd_build(&cmd, " %q", groups[i]);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0)
		strbuf_addbuf(&u->raw, &r.out);
	for (l = u->raw.buf; ret == 0 && *l != '\0'; l = nl + 1) {
		if ((nl = strchr(l, '\n')) == NULL)
			break;
		*nl = '\0';
		parse_line(u, l);
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

static long
gid_of(const struct uinfo *u, const char *g)
{
	size_t i;

	for (i = 0; i < u->ng; i++)
		if (strcmp(u->gname[i], g) == 0)
			return u->ggid[i];
	return -1;
}

/* ---- what to run ---- */

struct req {
	const struct val *args;
	const char *name, *group;
	const char *groups[USER_MAXG];
	long ngroups;                 /* -1: groups not given */
	struct strbuf gbuf;           /* groups as Ansible returns them */
	struct strbuf gsplit;         /* cut into groups[] */
};

/* Ansible's "Group X does not exist"; 0 when they all do. */
static int
groups_exist(struct modctx *ctx, const struct req *q, const struct uinfo *u)
{
	long i;

	if (q->group != NULL && gid_of(u, q->group) < 0)
		return mod_fail(ctx, "Group %s does not exist", q->group), -1;
	for (i = 0; i < q->ngroups; i++)
		if (gid_of(u, q->groups[i]) < 0)
			return mod_fail(ctx, "Group %s does not exist",
			    q->groups[i]), -1;
	return 0;
}

static void
add_group_list(struct strbuf *cmd, const struct req *q)
{
	struct strbuf l = STRBUF_INIT;
	long i;

	for (i = 0; i < q->ngroups; i++)
		strbuf_addf(&l, "%s%s", i ? "," : "", q->groups[i]);
	shellcmd_build(cmd, " -G %q", l.buf);
	strbuf_release(&l);
}

static void
create_cmd(const struct req *q, const struct uinfo *u, struct strbuf *cmd)
{
	const struct val *a = q->args;
	const char *opt[][2] = { { "-c", arg_str(a, "comment") },
	    { "-d", arg_str(a, "home") }, { "-s", arg_str(a, "shell") },
	    { "-p", arg_str(a, "password") } };
	char uid[32];
	size_t i;

	snprintf(uid, sizeof(uid), "%lld", arg_int(a, "uid", -1));
	strbuf_addstr(cmd, "useradd");
	if (arg_get(a, "uid") != NULL)
		shellcmd_build(cmd, " -u %q%s", uid,
		    arg_bool(a, "non_unique") ? " -o" : "");
	if (q->group != NULL)
		shellcmd_build(cmd, " -g %q", q->group);
	else if (u->name_group)
		strbuf_addstr(cmd, " -N");
	if (q->ngroups > 0)
		add_group_list(cmd, q);
	for (i = 0; i < ARRAY_SIZE(opt); i++)
		if (opt[i][1] != NULL)
			shellcmd_build(cmd, " %s %q", opt[i][0], opt[i][1]);
	if (arg_bool(a, "create_home")) {
		strbuf_addstr(cmd, " -m");
		if (arg_str(a, "skeleton") != NULL)
			shellcmd_build(cmd, " -k %q", arg_str(a, "skeleton"));
	} else {
		strbuf_addstr(cmd, " -M");
	}
	if (arg_bool(a, "system"))
		strbuf_addstr(cmd, " -r");
	shellcmd_build(cmd, " -- %q", q->name);
}

/* usermod's -a/-G for groups, as Ansible decides them. */
static void
groups_mod(const struct req *q, const struct uinfo *u, struct strbuf *cmd)
{
	int append = arg_bool(q->args, "append"), need = 0;
	long i;
	size_t j;

	if (q->ngroups < 0)
		return;
	if (q->ngroups == 0) {
		need = u->nmember > 0 && !append;
	} else {
		for (i = 0; i < q->ngroups && !need; i++)
			need = !listed(u->member, u->nmember, q->groups[i]);
		for (j = 0; j < u->nmember && !need && !append; j++)
			need = !listed(q->groups, (size_t)q->ngroups,
			    u->member[j]);
	}
	if (!need)
		return;
	if (append && q->ngroups > 0)
		strbuf_addstr(cmd, " -a");
	add_group_list(cmd, q);
}

static int
differs(const char *want, const char *have)
{
	return want != NULL && (have == NULL || strcmp(want, have) != 0);
}

/* The password without leading '!' (Ansible compares them so). */
static const char *
unlocked(const char *pw)
{
	while (pw != NULL && *pw == '!')
		pw++;
	return pw;
}

/* usermod with what differs; cmd stays empty when nothing does. */
static void
modify_cmd(const struct req *q, const struct uinfo *u, struct strbuf *cmd)
{
	const struct val *a = q->args;
	const char *pw = arg_str(a, "password");
	struct strbuf o = STRBUF_INIT;
	char num[32];

	if (arg_get(a, "uid") != NULL && arg_int(a, "uid", -1) != u->uid) {
		snprintf(num, sizeof(num), "%lld", arg_int(a, "uid", -1));
		shellcmd_build(&o, " -u %q%s", num,
		    arg_bool(a, "non_unique") ? " -o" : "");
	}
	if (q->group != NULL && gid_of(u, q->group) != u->gid) {
		snprintf(num, sizeof(num), "%ld", gid_of(u, q->group));
		shellcmd_build(&o, " -g %q", num);
	}
	groups_mod(q, u, &o);
	if (differs(arg_str(a, "comment"), u->comment))
		shellcmd_build(&o, " -c %q", arg_str(a, "comment"));
	if (differs(arg_str(a, "home"), u->home))
		shellcmd_build(&o, " -d %q%s", arg_str(a, "home"),
		    arg_bool(a, "move_home") ? " -m" : "");
	if (differs(arg_str(a, "shell"), u->shell))
		shellcmd_build(&o, " -s %q", arg_str(a, "shell"));
	if (pw != NULL && strcmp(arg_str(a, "update_password"), "always") == 0
	    && differs(unlocked(pw), unlocked(u->pw)))
		shellcmd_build(&o, " -p %q", pw);
	if (o.len > 0)
		shellcmd_build(cmd, "usermod%s -- %q", o.buf, q->name);
	strbuf_release(&o);
}

/* ---- running it ---- */

/* Run cmd (quoted) with the account databases journaled around it. */
static int
apply(struct modctx *ctx, const char *cmd, const char *name)
{
	struct strbuf sh = STRBUF_INIT;
	struct acctdb db;
	struct exec_res r;
	int ret;

	ret = acctdb_before(ctx, &db, user_dbs);
	shellcmd_build(&sh, "LC_ALL=C; export LC_ALL; %s", cmd);
	exec_res_init(&r);
	if (ret == 0)
		ret = mod_exec(ctx, sh.buf, NULL, 0, &r);
	if (ret == 0)
		ret = acctdb_after(ctx, &db);
	if (ret == 0 && r.rc != 0) {
		mod_set(ctx, "name", val_str(name));
		ctx->rc = r.rc;
		mod_fail(ctx, "%s", r.err.buf);    /* raw, as Ansible */
		ret = -1;
	} else if (ret == 0) {
		mod_changed(ctx);
		if (r.out.len > 0)
			mod_set(ctx, "stdout", val_strn(r.out.buf, r.out.len));
		if (r.err.len > 0)
			mod_set(ctx, "stderr", val_strn(r.err.buf, r.err.len));
	}
	exec_res_release(&r);
	strbuf_release(&sh);
	acctdb_release(&db);
	return ret;
}

/* A home useradd made: journaled (kind home, now = its uid), so that
 * rollback removes it while it still belongs to that uid. */
static void
journal_home(struct modctx *ctx, const struct uinfo *after)
{
	struct fs_change c;
	char uid[32];
	long seq;

	if (ctx->check || !after->exists || !after->home_exists ||
	    after->home == NULL || after->home[0] != '/')
		return;
	snprintf(uid, sizeof(uid), "%ld", after->uid);
	memset(&c, 0, sizeof(c));
	c.path = after->home;
	c.kind = "home";
	c.now = uid;
	if ((seq = mod_journal_fs(ctx, &c)) > 0)
		mod_journal_done(ctx, seq, "", 0, NULL);
}

/* usermod -d NEW -m moves the home: journaled before (kind homemove,
 * path NEW, was OLD), so that rollback moves it back.  *seq: the intent
 * (0: none); -1 when it cannot be written. */
static int
journal_move(struct modctx *ctx, const struct req *q, const struct uinfo *u,
    long *seq)
{
	const char *home = arg_str(q->args, "home");
	struct fs_change c;

	*seq = 0;
	if (!arg_bool(q->args, "move_home") || !differs(home, u->home))
		return 0;
	memset(&c, 0, sizeof(c));
	c.path = home;
	c.kind = "homemove";
	c.was = u->home;
	if ((*seq = mod_journal_fs(ctx, &c)) < 0)
		return mod_fail(ctx, "cannot write the journal entry for '%s': "
		    "not changing it", home), -1;
	return 0;
}

/* An existing user without a home (create_home): make it as Ansible's
 * create_homedir (the skeleton copied, owned by the user). */
static int
make_home(struct modctx *ctx, const struct req *q, const struct uinfo *u)
{
	const char *skel = arg_str(q->args, "skeleton");
	char owner[64];
	char *cmd;
	struct exec_res r;
	int ret;

	mod_changed(ctx);
	if (ctx->check)
		return 0;
	snprintf(owner, sizeof(owner), "%ld:%ld", u->uid, u->gid);
	cmd = shellcmd("mkdir -p -- %q && { [ ! -d %q ] || cp -a -- %q/. %q; } "
	    "&& chown -R -- %q %q", u->home, skel ? skel : "/etc/skel",
	    skel ? skel : "/etc/skel", u->home, owner, u->home);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd, NULL, 0, &r);
	if (ret == 0 && r.rc != 0) {
		mod_fail(ctx, "cannot make the home %s: %s", u->home, r.err.buf);
		ret = -1;
	}
	exec_res_release(&r);
	free(cmd);
	return ret;
}

/* Ansible's return values for a user that exists after the task. */
static void
report(struct modctx *ctx, const struct req *q, const struct uinfo *u)
{
	mod_set(ctx, "uid", val_int(u->uid));
	mod_set(ctx, "group", val_int(u->gid));
	mod_set(ctx, "comment", val_str(u->comment));
	mod_set(ctx, "home", val_str(u->home));
	mod_set(ctx, "shell", val_str(u->shell));
	if (q->ngroups >= 0)
		mod_set(ctx, "groups", val_str(q->gbuf.buf));
}

static int
present(struct modctx *ctx, struct req *q, struct uinfo *u)
{
	struct strbuf cmd = STRBUF_INIT;
	int ret, created = !u->exists;
	long seq = 0;

	if (created && ctx->check) {
		mod_changed(ctx);
		return 1;                 /* Ansible returns changed only */
	}
	ret = groups_exist(ctx, q, u);
	if (ret == 0 && created)
		create_cmd(q, u, &cmd);
	else if (ret == 0)
		modify_cmd(q, u, &cmd);
	if (ret == 0 && cmd.len > 0 && ctx->check)
		mod_changed(ctx);
	else if (ret == 0 && cmd.len > 0 &&
	    (ret = journal_move(ctx, q, u, &seq)) == 0)
		ret = apply(ctx, cmd.buf, q->name);
	if (seq > 0 && ret == 0)
		mod_journal_done(ctx, seq, "", 0, NULL);
	else if (seq > 0)
		mod_journal_fail(ctx, seq, ctx->msg.buf);
	if (ret == 0 && created) {
		mod_set(ctx, "system", val_bool(arg_bool(q->args, "system")));
		mod_set(ctx, "create_home",
		    val_bool(arg_bool(q->args, "create_home")));
	} else if (ret == 0) {
		mod_set(ctx, "append", val_bool(arg_bool(q->args, "append")));
		mod_set(ctx, "move_home",
		    val_bool(arg_bool(q->args, "move_home")));
	}
	if (ret == 0 && arg_str(q->args, "password") != NULL)
		mod_set(ctx, "password", val_str("NOT_LOGGING_PASSWORD"));
	strbuf_release(&cmd);
	return ret;
}

static int
absent(struct modctx *ctx, struct req *q, struct uinfo *u)
{
	char *cmd;
	int ret;

	if (!u->exists)
		return 0;
	mod_changed(ctx);
	if (ctx->check)
		return 1;                 /* Ansible returns changed only */
	cmd = shellcmd("userdel%s -- %q", arg_bool(q->args, "force") ? " -f" :
	    "", q->name);
	ret = apply(ctx, cmd, q->name);
	free(cmd);
	if (ret == 0) {
		mod_set(ctx, "force", val_bool(arg_bool(q->args, "force")));
		mod_set(ctx, "remove", val_bool(0));
	}
	return ret;
}

static int
after_change(struct modctx *ctx, struct req *q, int created)
{
	struct uinfo u;
	int ret;

	ret = probe(ctx, q->name, arg_str(q->args, "home"), NULL, 0, &u);
	if (ret == 0 && u.exists && !u.home_exists &&
	    arg_bool(q->args, "create_home")) {
		ret = make_home(ctx, q, &u);
		u.home_exists = ret == 0 && !ctx->check;
		created = 1;
	}
	if (ret == 0 && created)
		journal_home(ctx, &u);
	if (ret == 0 && u.exists)
		report(ctx, q, &u);
	strbuf_release(&u.raw);
	return ret;
}

static enum mod_result
user_run(struct modctx *ctx, const struct val *args)
{
	struct req q = { args, arg_str(args, "name"), arg_str(args, "group"),
	    { NULL }, -1, STRBUF_INIT, STRBUF_INIT };
	const char *look[USER_MAXG + 1];
	int absent_ = strcmp(arg_str(args, "state"), "absent") == 0;
	struct uinfo u;
	size_t n = 0;
	long i;
	int ret, fresh;

	q.ngroups = wanted_groups(args, &q.gbuf, &q.gsplit, q.groups);
	if (q.group != NULL)
		look[n++] = q.group;
	for (i = 0; i < q.ngroups; i++)
		look[n++] = q.groups[i];
	ret = probe(ctx, q.name, arg_str(args, "home"), look, n, &u);
	fresh = ret == 0 && !u.exists && !u.home_exists;
	if (ret == 0)
		ret = absent_ ? absent(ctx, &q, &u) : present(ctx, &q, &u);
	if (ret == 0) {
		mod_set(ctx, "name", val_str(q.name));
		mod_set(ctx, "state", val_str(arg_str(args, "state")));
	}
	if (ret == 0 && !absent_)
		ret = after_change(ctx, &q, fresh && !ctx->check);
	strbuf_release(&u.raw);
	strbuf_release(&q.gbuf);
	strbuf_release(&q.gsplit);
	return mod_done(ctx, ret == 1 ? 0 : ret);
}

const struct module mod_user = {
	.name = "user",
	.summary = "manage user accounts",
	.doc = "Ansible's user on the host's shadow-utils: state present adds "
	    "the user (useradd: uid, non_unique, group, groups, comment, home, "
	    "shell, password hash, create_home, skeleton, system) or changes "
	    "what differs (usermod: uid, group, groups with append, comment, "
	    "home with move_home, shell, password with update_password); "
	    "state absent removes it (userdel, force).  Returns name, state, "
	    "uid, group (gid), comment, home, shell, groups, and system/"
	    "create_home or append/move_home as Ansible.  The account "
	    "databases are journaled as files and a home the run made as kind "
	    "home: mend rollback puts them back.  Refused: remove: true, "
	    "generate_ssh_key, expires, password_lock, local.",
	.args = user_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = user_validate,
	.run = user_run,
};
