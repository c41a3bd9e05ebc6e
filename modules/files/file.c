/*
 * file.c - files, directories and symlinks on the host, like
 * ansible.builtin.file: state file (attributes of an existing file),
 * directory (mkdir -p, attributes), link (a symlink to src), absent
 * (rm -rf), touch (create empty or update the times), with mode (octal or
 * symbolic), owner and group.  modification_time/access_time take
 * preserve or now (Ansible's defaults: now for touch, preserve for the
 * others); touch with both preserve creates a missing file and otherwise
 * sets its attributes only (changed only if they change).
 *
 * Every change is journaled before it is made, so `mend rollback` undoes
 * it: a file's bytes (touch, absent) as any file write; directories made
 * (one "dir" entry each, outermost first), a directory's mode and owner,
 * a link made, re-pointed or removed ("link"), a directory removed with its
 * content (a tar archive of it, "tree", up to FILE_TREE_MAX bytes).
 * Check mode reports what would change; diff mode shows the path's state,
 * mode, owner and group (and a link's target) before and after.
 *
 * recurse: true (state=directory): filetree.h.
 *
 * follow: false on a symlink path: state file and directory fail as
 * Ansible's (the link itself is neither), touch is refused.
 *
 * What mend does not do is refused by name: state=hard, a
 * symbolic link under a recurse, a file or directory replaced by a link (Ansible's force),
 * mode/owner/group with state=link, attribute options, a
 * timestamp for modification_time/access_time, `now` with another state
 * than touch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/seargs.h"
#include "modules/files/filetree.h"
#include "modules/files/fsdirs.h"
#include "modules/module.h"
#include "runner/core/remotefile.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

#define FILE_TREE_MAX (32u << 20)   /* bytes of a removed directory kept */

static const struct module_arg file_args[] = {
	{ "path", ARG_PATH, 1, NULL, NULL, "path to manage",
	  "dest|name" },
	{ "state", ARG_STR, 0, NULL, "file|directory|link|absent|touch|hard",
	  "file (default when the path exists: its current kind), "
	  "directory, link, absent, touch; hard is refused", NULL },
	{ "mode", ARG_MODE, 0, NULL, NULL,
	  "permissions, octal ('0644') or symbolic ('u=rw,g=r,o=')", NULL },
	{ "owner", ARG_STR, 0, NULL, NULL, "user name or uid", NULL },
	{ "group", ARG_STR, 0, NULL, NULL, "group name or gid", NULL },
	{ "src", ARG_STR, 0, NULL, NULL,
	  "target of the link (state=link); relative to the link's "
	  "directory when relative", NULL },
	{ "force", ARG_BOOL, 0, "false", NULL,
	  "state=link: make the link even when src does not exist", NULL },
	{ "follow", ARG_BOOL, 0, "true", NULL,
	  "act on a symlink's target; false: on the link itself (state "
	  "file/directory then fail as Ansible's, touch is refused)", NULL },
	{ "recurse", ARG_BOOL, 0, "false", NULL,
	  "state=directory: mode/owner/group also on everything under path "
	  "(a symbolic mode per entry, X as Ansible); a symbolic link under "
	  "it fails the task", NULL },
	{ "modification_time", ARG_STR, 0, NULL, NULL,
	  "preserve or now (default: now for touch, else preserve); a "
	  "timestamp is refused", NULL },
	{ "access_time", ARG_STR, 0, NULL, NULL,
	  "preserve or now, as modification_time", NULL },
	{ "modification_time_format", ARG_STR, 0, "%Y%m%d%H%M.%S", NULL,
	  "accepted (only a timestamp, refused, would use it)", NULL },
	{ "access_time_format", ARG_STR, 0, "%Y%m%d%H%M.%S", NULL,
	  "accepted, as modification_time_format", NULL },
	{ "attributes", ARG_STR, 0, NULL, NULL, "refused", "attr" },
	SEARGS_ARGS,
	{ "unsafe_writes", ARG_BOOL, 0, "false", NULL,
	  "accepted; mend's writes are always atomic", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

/* What is at a path. */
struct fstate {
	char kind[16];      /* absent, file, directory, link, hard, other */
	unsigned mode, uid, gid;
	char owner[64], group[64];
	unsigned long long size;
	char *target;       /* link: readlink (malloc'ed) */
	char *real;         /* readlink -f (malloc'ed) */
};

static void
fstate_release(struct fstate *s)
{
	free(s->target);
	free(s->real);
	memset(s, 0, sizeof(*s));
}

static int
bad_arg(const struct val *args, const char *name, struct err *e,
    const char *why)
{
	const struct val *v = val_map_get(args, name);

	return err_setpos(e, &v->pos, "module 'file': argument '%s' is not "
	    "supported by mend%s", name, why);
}

/* modification_time/access_time: 1 now, 0 preserve, -1 other. */
static int
time_kind(const char *v)
{
	return strcmp(v, "now") == 0 ? 1 : strcmp(v, "preserve") == 0 ? 0 :
	    -1;
}

/* The times to set to now: TOUCH_M|TOUCH_A (Ansible's defaults: now for
 * state=touch, preserve otherwise), or -1 after a failure (a timestamp
 * that a template gave). */
#define TOUCH_M 1
#define TOUCH_A 2
static int
touch_times(struct modctx *ctx, const struct val *args, int touch)
{
	static const char *const names[] = { "modification_time",
	    "access_time" };
	int i, k, out = 0;

	for (i = 0; i < 2; i++) {
		const char *v = arg_str(args, names[i]);

		k = v == NULL ? touch : time_kind(v);
		if (k < 0)
			return mod_fail(ctx, "module 'file': %s '%s' is not "
			    "supported by mend (only preserve and now)",
			    names[i], v), -1;
		out |= k ? (i == 0 ? TOUCH_M : TOUCH_A) : 0;
	}
	return out;
}

static int
file_validate(const struct val *args, struct err *e)
{
	static const char *const never[] = { "attributes", "attr" };
	static const char *const times[] = { "modification_time",
	    "access_time" };
	const char *state = val_map_str(args, "state", NULL);
	const struct val *v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(never); i++)
		if (val_map_get(args, never[i]) != NULL)
			return bad_arg(args, never[i], e, "");
	for (i = 0; i < ARRAY_SIZE(times); i++)
		if ((v = val_map_get(args, times[i])) != NULL &&
		    v->type == V_STR && strstr(v->u.str.s, "{{") == NULL &&
		    time_kind(v->u.str.s) < 0)
			return bad_arg(args, times[i], e, " (a timestamp: "
			    "only preserve and now)");
	if ((v = val_map_get(args, "recurse")) != NULL && val_truthy(v) &&
	    state != NULL && strstr(state, "{{") == NULL &&
	    strcmp(state, "directory") != 0)
		return err_setpos(e, &v->pos, "module 'file': recurse option "
		    "requires state to be 'directory'");
	if (state != NULL && strcmp(state, "hard") == 0)
		return bad_arg(args, "state", e, " (state: hard)");
	if (val_map_get(args, "src") != NULL && (state == NULL ||
	    strcmp(state, "link") != 0))
		return err_setpos(e, &args->pos, "module 'file': src option "
		    "requires state to be 'link' or 'hard'");
	if (state != NULL && strcmp(state, "link") == 0 &&
	    val_map_get(args, "src") == NULL)
		return err_setpos(e, &args->pos, "module 'file': state=link "
		    "needs src");
	return 0;
}

static const char probe_script[] =
    "LC_ALL=C; export LC_ALL; p=%q\n"
    "if [ -L \"$p\" ]; then k=link; s=$(stat -c '%%a %%u %%g %%U %%G %%s' -- \"$p\")\n"
    "elif [ -d \"$p\" ]; then k=directory\n"
    "elif [ -f \"$p\" ]; then k=file\n"
    "elif [ -e \"$p\" ]; then k=other\n"
    "else echo absent; exit 0; fi\n"
    "[ $k = link ] || s=$(stat -c '%%a %%u %%g %%U %%G %%s %%h' -- \"$p\") || exit 2\n"
    "set -- $s; [ $k = file ] && [ \"${7:-1}\" -gt 1 ] && k=hard\n"
    "printf '%%s %%s\\n' $k \"$s\"\n"
    "[ $k = link ] && printf 'target=%%s\\n' \"$(readlink -- \"$p\")\"\n"
    "printf 'real=%%s\\n' \"$(readlink -f -- \"$p\")\"\n"
    "exit 0\n";

static char *
line_after(const char *out, const char *key)
{
	const char *p = strstr(out, key), *e;

	if (p == NULL)
		return NULL;
	p += strlen(key);
	e = strchr(p, '\n');
	return xstrndup(p, e ? (size_t)(e - p) : strlen(p));
}

/* What is at path now.  Returns 0 or a TERR_* code; -1 after mod_fail. */
static int
probe(struct modctx *ctx, const char *path, struct fstate *s)
{
	struct exec_res r;
	char *cmd = shellcmd(probe_script, path);
	int ret;

	memset(s, 0, sizeof(*s));
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd, NULL, 0, &r);
	free(cmd);
	strbuf_rtrim(&r.err);
	if (ret == 0 && r.rc != 0) {
		mod_fail(ctx, "cannot look at '%s': %s", path, r.err.buf);
		ret = -1;
	} else if (ret == 0 && strncmp(r.out.buf, "absent", 6) == 0) {
		snprintf(s->kind, sizeof(s->kind), "absent");
	} else if (ret == 0 && sscanf(r.out.buf, "%15s %o %u %u %63s %63s "
	    "%llu", s->kind, &s->mode, &s->uid, &s->gid, s->owner, s->group,
	    &s->size) != 7) {
		mod_fail(ctx, "cannot look at '%s': unexpected reply", path);
		ret = -1;
	} else if (ret == 0) {
		s->target = line_after(r.out.buf, "\ntarget=");
		s->real = line_after(r.out.buf, "\nreal=");
	}
	exec_res_release(&r);
	return ret;
}

static int
is(const struct fstate *s, const char *kind)
{
	return strcmp(s->kind, kind) == 0;
}

/* Ansible's return values for what is at path now. */
static void
add_path_info(struct modctx *ctx, const char *key, const char *path,
    const struct fstate *s)
{
	mod_set(ctx, key, val_str(path));
	if (is(s, "absent")) {
		mod_set(ctx, "state", val_str("absent"));
		return;
	}
	mod_set(ctx, "uid", val_int(s->uid));
	mod_set(ctx, "gid", val_int(s->gid));
	mod_set(ctx, "owner", val_str(s->owner));
	mod_set(ctx, "group", val_str(s->group));
	mod_set(ctx, "mode", val_str_take(xasprintf("0%03o", s->mode)));
	mod_set(ctx, "state", val_str(s->kind));
	mod_set(ctx, "size", val_int((int64_t)s->size));
}

static void
describe(struct strbuf *sb, const char *path, const struct fstate *s)
{
	strbuf_addf(sb, "path: %s\nstate: %s\n", path, s->kind);
	if (is(s, "absent"))
		return;
	if (s->target != NULL)
		strbuf_addf(sb, "src: %s\n", s->target);
	strbuf_addf(sb, "mode: 0%03o\nowner: %s\ngroup: %s\n", s->mode,
	    s->owner, s->group);
}

/* Diff of the path's description before and after (diff mode). */
static void
add_state_diff(struct modctx *ctx, const char *path, const struct fstate *a,
    const struct fstate *b)
{
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;

	if (!ctx->diff)
		return;
	describe(&x, path, a);
	describe(&y, path, b);
	if (strcmp(x.buf, y.buf) != 0)
		mod_add_diff(ctx, path, x.buf, x.len, y.buf, y.len);
	strbuf_release(&x);
	strbuf_release(&y);
}

static struct file_meta
meta_of(const struct fstate *s)
{
	struct file_meta m;

	memset(&m, 0, sizeof(m));
	m.exists = !is(s, "absent");
	m.is_link = is(s, "link");
	m.mode = s->mode;
	m.owner = (char *)s->owner;
	m.group = (char *)s->group;
	m.size = s->size;
	return m;
}

/* mode/owner/group of a directory, journaled as kind "dir". */
static int
dir_attrs(struct modctx *ctx, const char *path, const struct fstate *s,
    const struct val *args, int *changed)
{
	struct file_meta before = meta_of(s);
	struct fs_change c = { path, "dir", &before, NULL, NULL, NULL, 0 };
	long seq = 0;
	int ret;

	if (!ctx->check && (seq = mod_journal_fs(ctx, &c)) < 0)
		return mod_fail(ctx, "cannot write the journal entry for "
		    "'%s': not changing it", path);
	ret = rf_set_attrs(ctx, path, NULL, NULL, 0, arg_str(args, "mode"),
	    arg_str(args, "owner"), arg_str(args, "group"), changed);
	if (ret != 0)
		mod_journal_fail(ctx, seq, ctx->msg.buf);
	else
		mod_journal_done(ctx, seq, "", 0, NULL);
	return ret;
}

/* mode/owner/group of a regular file, journaled with its bytes. */
static int
file_attrs(struct modctx *ctx, const char *path, const struct val *args,
    int *changed)
{
	struct strbuf cur = STRBUF_INIT;
	struct file_meta m;
	int ret;

	*changed = 0;
	memset(&m, 0, sizeof(m));
	if (!arg_get(args, "mode") && !arg_get(args, "owner") &&
	    !arg_get(args, "group"))
		return 0;
	ret = mod_read_file(ctx, path, &cur, &m);
	if (ret == 0 && !ctx->failed)
		ret = rf_set_attrs(ctx, path, &m, cur.buf, cur.len,
		    arg_str(args, "mode"), arg_str(args, "owner"),
		    arg_str(args, "group"), changed);
	else if (ret == 0)
		ret = -1;
	file_meta_release(&m);
	strbuf_release(&cur);
	return ret;
}

static int
attrs_of(struct modctx *ctx, const char *path, const struct fstate *s,
    const struct val *args, int *changed)
{
	*changed = 0;
	if (is(s, "directory"))
		return dir_attrs(ctx, path, s, args, changed);
	return file_attrs(ctx, path, args, changed);
}

/* ---- state=file ---- */

static int
do_file(struct modctx *ctx, const char *path, const struct val *args,
    const struct fstate *s, int *changed)
{
	const char *p = s->real && is(s, "link") ? s->real : path;

	if (is(s, "absent"))
		return mod_fail(ctx, "file (%s) is absent, cannot continue",
		    path);
	if (is(s, "link") && s->real == NULL)
		return mod_fail(ctx, "file (%s) is link, cannot continue",
		    path);
	if (is(s, "directory") || is(s, "other"))
		return mod_fail(ctx, "file (%s) is %s, cannot continue", path,
		    s->kind);
	return file_attrs(ctx, p, args, changed);
}

/* ---- state=directory ---- */

/* mode/owner/group of the existing directory dir, then of its tree when
 * recurse (filetree.h: planned before dir changes, so that a refusal
 * changes nothing). */
static int
dir_and_tree(struct modctx *ctx, const char *dir, const struct fstate *s,
    const struct val *args, int *changed)
{
	struct filetree *t = NULL;
	int ret = 0, more = 0;

	if (arg_bool(args, "recurse"))
		ret = filetree_plan(ctx, dir, arg_str(args, "mode"),
		    arg_str(args, "owner"), arg_str(args, "group"), &t, &more);
	if (ret == 0 && !ctx->failed)
		ret = dir_attrs(ctx, dir, s, args, changed);
	if (ret == 0 && !ctx->failed && t != NULL)
		ret = filetree_apply(ctx, t);
	*changed |= more;
	filetree_free(t);
	return ret;
}

static int
do_directory(struct modctx *ctx, const char *path, const struct val *args,
    const struct fstate *s, int *changed)
{
	struct val *dirs = NULL;
	int ret;

	if (is(s, "directory") || (is(s, "link") && s->real != NULL &&
	    s->target != NULL)) {
		if (is(s, "link")) {
			struct fstate t;

			if ((ret = probe(ctx, s->real, &t)) != 0)
				return ret;
			if (!is(&t, "directory"))
				ret = mod_fail(ctx, "%s already exists as a "
				    "link", path);
			else
				ret = dir_and_tree(ctx, s->real, &t, args,
				    changed);
			fstate_release(&t);
			return ret;
		}
		return dir_and_tree(ctx, path, s, args, changed);
	}
	if (!is(s, "absent"))
		return mod_fail(ctx, "%s already exists as a %s", path,
		    s->kind);
	*changed = 1;
	if (ctx->check)
		return 0;
	ret = fsdirs_missing(ctx, path, &dirs);
	if (ret == 0)
		ret = fsdirs_make(ctx, dirs, arg_str(args, "mode"),
		    arg_str(args, "owner"), arg_str(args, "group"));
	val_free(dirs);
	return ret;
}

/* ---- state=touch ---- */

static int
do_touch(struct modctx *ctx, const char *path, const struct val *args,
    const struct fstate *s, int *changed)
{
	char *cmd;
	long seq;
	int ret, ch = 0, tm = touch_times(ctx, args, 1);

	if (tm < 0)
		return -1;
	if (!is(s, "absent") && tm == 0)   /* both preserve: attributes only */
		return attrs_of(ctx, path, s, args, changed);
	*changed = 1;          /* Ansible: touch always changes (times) */
	if (ctx->check)
		return 0;
	if (!is(s, "absent")) {
		cmd = shellcmd("touch %s -- %q", tm == TOUCH_M ? "-m" :
		    tm == TOUCH_A ? "-a" : "-am", path);
		ret = fs_run_change(ctx, cmd, NULL, 0, "touch", path, NULL);
		free(cmd);
		return ret != 0 ? ret : attrs_of(ctx, path, s, args, &ch);
	}
	seq = mod_journal_intent(ctx, path, NULL, NULL, 0, "", 0, NULL);
	if (seq < 0)
		return mod_fail(ctx, "cannot write the journal entry for "
		    "'%s': not changing it", path);
	cmd = shellcmd("p=%q; [ -d \"$(dirname -- \"$p\")\" ] || { echo "
	    "\"Error, could not touch target: parent directory does not "
	    "exist\" >&2; exit 1; }; : >>\"$p\"", path);
	ret = fs_run_change(ctx, cmd, NULL, 0, "touch", path, NULL);
	free(cmd);
	if (ret != 0) {
		mod_journal_fail(ctx, seq, ctx->msg.buf);
		return ret;
	}
	mod_journal_done(ctx, seq, "", 0, NULL);
	return file_attrs(ctx, path, args, &ch);
}

/* ---- state=link ---- */

static int
link_checks(struct modctx *ctx, const char *path, const char *src,
    const struct val *args, const struct fstate *s)
{
	struct exec_res r;
	char *cmd;
	int ret;

	if (arg_get(args, "mode") || arg_get(args, "owner") ||
	    arg_get(args, "group"))
		return mod_fail(ctx, "mode, owner and group with state=link "
		    "are not supported by mend");
	if (!is(s, "absent") && !is(s, "link"))
		return mod_fail(ctx, "refusing to convert from %s to symlink "
		    "for %s", s->kind, path);
	if (arg_bool(args, "force"))
		return 0;
	cmd = shellcmd("p=%q; s=%q; case $s in /*) ;; *) s=$(dirname -- "
	    "\"$p\")/$s;; esac; [ -e \"$s\" ] || { printf '%%s' \"$s\"; "
	    "exit 1; }", path, src);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd, NULL, 0, &r);
	free(cmd);
	if (ret == 0 && r.rc != 0)
		ret = mod_fail(ctx, "src file does not exist, use \"force=yes\" "
		    "if you really want to create the link: %s", r.out.buf);
	exec_res_release(&r);
	return ret;
}

static int
do_link(struct modctx *ctx, const char *path, const struct val *args,
    const struct fstate *s, int *changed)
{
	const char *src = arg_str(args, "src");
	struct file_meta before = meta_of(s);
	struct fs_change c = { path, "link", &before, s->target, src, NULL,
	    0 };
	char *cmd;
	long seq;
	int ret;

	ret = link_checks(ctx, path, src, args, s);
	if (ret != 0 || ctx->failed)
		return ret;
	if (is(s, "link") && s->target && strcmp(s->target, src) == 0)
		return 0;
	*changed = 1;
	if (ctx->check)
		return 0;
	if ((seq = mod_journal_fs(ctx, &c)) < 0)
		return mod_fail(ctx, "cannot write the journal entry for "
		    "'%s': not changing it", path);
	cmd = shellcmd("p=%q; t=$(mktemp -u \"$p.mend.XXXXXX\") && "
	    "ln -s -- %q \"$t\" && mv -Tf -- \"$t\" \"$p\" || "
	    "{ rm -f -- \"$t\"; exit 1; }", path, src);
	ret = fs_run_change(ctx, cmd, NULL, 0, "make the link", path, NULL);
	free(cmd);
	if (ret != 0)
		mod_journal_fail(ctx, seq, ctx->msg.buf);
	else
		mod_journal_done(ctx, seq, "", 0, NULL);
	return ret;
}

/* ---- state=absent ---- */

/* A tar archive of the directory path (for the journal). */
static int
archive_dir(struct modctx *ctx, const char *path, struct strbuf *tar)
{
	char *cmd;
	int ret;

	cmd = shellcmd("p=%q; n=$(du -s --apparent-size -B1 -- \"$p\" | "
	    "cut -f1) || exit 1; [ \"$n\" -le %d ] || { echo \"$n bytes, "
	    "more than the run journal keeps (%d)\" >&2; exit 1; }; "
	    "tar -cpf - -C \"$(dirname -- \"$p\")\" -- "
	    "\"$(basename -- \"$p\")\"", path, (int)FILE_TREE_MAX,
	    (int)FILE_TREE_MAX);
	ret = fs_run_change(ctx, cmd, NULL, 0, "archive (for the journal) the "
	    "directory", path, tar);
	free(cmd);
	return ret;
}

static int
remove_tree(struct modctx *ctx, const char *path, const struct fstate *s)
{
	struct strbuf tar = STRBUF_INIT;
	struct file_meta before = meta_of(s);
	struct fs_change c = { path, "tree", &before, NULL, NULL, NULL, 0 };
	char *cmd;
	long seq;
	int ret;

	if ((ret = archive_dir(ctx, path, &tar)) != 0)
		goto out;
	c.data = tar.buf;
	c.len = tar.len;
	if ((seq = mod_journal_fs(ctx, &c)) < 0) {
		ret = mod_fail(ctx, "cannot write the journal entry for '%s': "
		    "not changing it", path);
		goto out;
	}
	cmd = shellcmd("rm -rf -- %q", path);
	ret = fs_run_change(ctx, cmd, NULL, 0, "remove", path, NULL);
	free(cmd);
	if (ret != 0)
		mod_journal_fail(ctx, seq, ctx->msg.buf);
	else
		mod_journal_done(ctx, seq, "", 0, NULL);
out:
	strbuf_release(&tar);
	return ret;
}

static int
remove_link(struct modctx *ctx, const char *path, const struct fstate *s)
{
	struct file_meta before = meta_of(s);
	struct fs_change c = { path, "link", &before, s->target, NULL, NULL,
	    0 };
	char *cmd;
	long seq;
	int ret;

	if ((seq = mod_journal_fs(ctx, &c)) < 0)
		return mod_fail(ctx, "cannot write the journal entry for "
		    "'%s': not changing it", path);
	cmd = shellcmd("rm -f -- %q", path);
	ret = fs_run_change(ctx, cmd, NULL, 0, "remove", path, NULL);
	free(cmd);
	if (ret != 0)
		mod_journal_fail(ctx, seq, ctx->msg.buf);
	else
		mod_journal_done(ctx, seq, "", 0, NULL);
	return ret;
}

static int
remove_file(struct modctx *ctx, const char *path)
{
	struct strbuf cur = STRBUF_INIT;
	struct file_meta m;
	int ret;

	memset(&m, 0, sizeof(m));
	ret = mod_read_file(ctx, path, &cur, &m);
	if (ret == 0 && ctx->failed)
		ret = -1;
	if (ret == 0)
		ret = mod_remove_file(ctx, path, &cur, &m);
	file_meta_release(&m);
	strbuf_release(&cur);
	return ret;
}

static int
do_absent(struct modctx *ctx, const char *path, const struct fstate *s,
    int *changed)
{
	if (is(s, "absent"))
		return 0;
	*changed = 1;
	if (ctx->check)
		return 0;
	if (is(s, "directory"))
		return remove_tree(ctx, path, s);
	if (is(s, "link"))
		return remove_link(ctx, path, s);
	if (is(s, "file") || is(s, "hard"))
		return remove_file(ctx, path);
	return mod_fail(ctx, "mend does not remove '%s' (not a file, "
	    "directory or link)", path);
}

/* ---- the module ---- */

static const char *
state_of(const struct val *args, const struct fstate *s)
{
	const char *st = arg_str(args, "state");

	if (st != NULL)
		return st;
	if (is(s, "absent"))
		return arg_bool(args, "recurse") ? "directory" : "file";
	return is(s, "directory") ? "directory" : is(s, "link") ? "link" :
	    "file";
}

/* follow=false on a symlink: Ansible works on the link itself, where
 * state file and directory fail as below; touch (times and owner of the
 * link itself) is refused.  Not a link: follow changes nothing. */
static int
no_follow(struct modctx *ctx, const char *path, const char *state)
{
	if (!strcmp(state, "file"))
		return mod_fail(ctx, "file (%s) is link, cannot continue",
		    path), -1;
	if (!strcmp(state, "directory"))
		return mod_fail(ctx, "%s already exists as a link", path), -1;
	if (!strcmp(state, "touch"))
		return mod_fail(ctx, "%s is a symbolic link: mend does not "
		    "touch a link itself (follow: false)", path), -1;
	return 0;
}

static int
apply(struct modctx *ctx, const char *path, const char *state,
    const struct val *args, const struct fstate *s, int *changed)
{
	*changed = 0;
	if (!arg_bool(args, "follow") && is(s, "link") &&
	    no_follow(ctx, path, state) != 0)
		return -1;
	if (strcmp(state, "touch") != 0 && strcmp(state, "absent") != 0 &&
	    touch_times(ctx, args, 0) != 0)
		return ctx->failed ? -1 : mod_fail(ctx, "module 'file': "
		    "modification_time/access_time 'now' is supported with "
		    "state=touch only");
	if (!strcmp(state, "file"))
		return do_file(ctx, path, args, s, changed);
	if (!strcmp(state, "directory"))
		return do_directory(ctx, path, args, s, changed);
	if (!strcmp(state, "touch"))
		return do_touch(ctx, path, args, s, changed);
	if (!strcmp(state, "link"))
		return do_link(ctx, path, args, s, changed);
	return do_absent(ctx, path, s, changed);
}

/* What Ansible returns with a failure: the path and what is there. */
static void
failed_info(struct modctx *ctx, const char *path, const char *state,
    const struct val *args, const struct fstate *before)
{
	if (strcmp(state, "link") == 0) {
		mod_set(ctx, "path", val_str(path));
		mod_set(ctx, "src", val_str(arg_str(args, "src")));
	} else if (before->kind[0] != '\0') {
		add_path_info(ctx, "path", path, before);
	}
}

static enum mod_result
file_run(struct modctx *ctx, const struct val *args)
{
	const char *path = arg_str(args, "path"), *state;
	struct fstate before, after;
	int ret, changed = 0;

	memset(&after, 0, sizeof(after));
	if ((ret = seargs_check(ctx, args)) != 0 ||
	    (ret = probe(ctx, path, &before)) != 0)
		goto out;
	state = state_of(args, &before);
	if (arg_bool(args, "recurse") && strcmp(state, "directory") != 0)
		ret = mod_fail(ctx, "recurse option requires state to be "
		    "'directory'");
	else
		ret = apply(ctx, path, state, args, &before, &changed);
	if (ret == 0 && !ctx->failed && changed) {
		mod_changed(ctx);
		if (ctx->check)
			snprintf(after.kind, sizeof(after.kind), "%s",
			    !strcmp(state, "touch") ? "file" : state);
		else
			ret = probe(ctx, path, &after);
		if (ret == 0)
			add_state_diff(ctx, path, &before, &after);
	}
	if (ret == 0 && !ctx->failed)
		add_path_info(ctx, !strcmp(state, "link") ||
		    !strcmp(state, "touch") ? "dest" : "path", path,
		    changed && !ctx->check ? &after : &before);
	if (ret == 0 && !ctx->failed && !strcmp(state, "link"))
		mod_set(ctx, "src", val_str(arg_str(args, "src")));
	else if (ret >= -1 && ctx->failed)
		failed_info(ctx, path, state, args, &before);
out:
	fstate_release(&before);
	fstate_release(&after);
	return mod_done(ctx, ret < -1 ? ret : 0);
}

const struct module mod_file = {
	.name = "file",
	.summary = "manage files, directories and symlinks and their "
	    "attributes",
	.doc = "Ansible's file: state file (mode/owner/group of an existing "
	    "file), directory (made with its parents, each given "
	    "mode/owner/group), link (symlink to src; relative src is taken "
	    "from the link's directory; force for a missing src), absent "
	    "(file, link or whole directory), touch (created empty or times "
	    "updated: always changed).  mode is octal or symbolic.  recurse "
	    "(state=directory) sets mode/owner/group on everything under "
	    "an existing directory too, a symbolic mode per entry as Ansible "
	    "computes it (X: directories and entries with an x bit).  Every "
	    "change is journaled and undone by 'mend rollback' (a removed "
	    "directory up to 32 MiB is archived in the journal).  Refused: "
	    "state=hard, touch with follow=false on a link, a symbolic link "
	    "under a recurse, replacing a file or directory "
	    "by a link, mode/owner/group with state=link, SELinux options on a "
	    "host with SELinux enabled (ignored without it, as Ansible), "
	    "attributes, access/modification times.  Returns path (dest for "
	    "link and touch), state, mode, owner, group, uid, gid, size; src "
	    "for links.",
	.args = file_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = file_validate,
	.run = file_run,
};
