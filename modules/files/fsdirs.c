/* fsdirs.c - directories a module makes, journaled; see fsdirs.h. */
#include <stdlib.h>
#include <string.h>

#include "modules/files/fsdirs.h"
#include "runner/core/remotefile.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

int
fs_run_change(struct modctx *ctx, const char *cmd, const void *in, size_t len,
    const char *what, const char *path, struct strbuf *out)
{
	struct exec_res r;
	int ret;

	exec_res_init(&r);
	ret = mod_exec(ctx, cmd, in, len, &r);
	strbuf_rtrim(&r.err);
	if (ret == 0 && r.rc != 0) {
		mod_fail(ctx, "cannot %s '%s': %s", what, path, r.err.len ?
		    r.err.buf : "command failed");
		ret = -1;
	} else if (ret == 0 && out != NULL) {
		strbuf_add(out, r.out.buf, r.out.len);
	}
	exec_res_release(&r);
	return ret;
}

/* path is absolute and normalised enough: '//' and '/.' are kept. */
int
fsdirs_missing(struct modctx *ctx, const char *path, struct val **out)
{
	struct strbuf cmd = STRBUF_INIT, o = STRBUF_INIT;
	int ret;

	shellcmd_build(&cmd, "p=%q; l=\n"
	    "while [ -n \"$p\" ] && [ \"$p\" != / ] && ! [ -e \"$p\" ] && "
	    "! [ -L \"$p\" ]; do l=\"$p\n$l\"; p=${p%%/*}; done\n"
	    "if [ -n \"$p\" ] && [ \"$p\" != / ] && ! [ -d \"$p\" ]; then "
	    "echo \"$p is not a directory\" >&2; exit 1; fi\n"
	    "printf '%%s' \"$l\"\n", path);
	ret = fs_run_change(ctx, cmd.buf, NULL, 0, "make the directory", path,
	    &o);
	*out = val_list();
	if (ret == 0) {
		const char *p = o.buf, *e;

		for (; *p != '\0'; p = *e ? e + 1 : e) {
			e = strchrnul(p, '\n');
			if (e > p)
				val_list_push(*out, val_strn(p, e - p));
		}
	}
	strbuf_release(&cmd);
	strbuf_release(&o);
	return ret;
}

/* The attributes go on each directory made, as Ansible's file does. */
int
fsdirs_make(struct modctx *ctx, const struct val *dirs, const char *mode,
    const char *owner, const char *group)
{
	struct fs_change c = { NULL, "dir", NULL, NULL, NULL, NULL, 0 };
	size_t i;
	int ret = 0, ch;

	for (i = 0; i < dirs->u.list.n && ret == 0 && !ctx->failed; i++) {
		const char *d = dirs->u.list.items[i]->u.str.s;
		long seq;
		char *cmd;

		c.path = d;
		if ((seq = mod_journal_fs(ctx, &c)) < 0)
			return mod_fail(ctx, "cannot write the journal entry "
			    "for '%s': not changing it", d);
		cmd = shellcmd("mkdir -- %q", d);
		ret = fs_run_change(ctx, cmd, NULL, 0, "make the directory", d,
		    NULL);
		free(cmd);
		if (ret != 0) {
			mod_journal_fail(ctx, seq, ctx->msg.buf);
			break;
		}
		mod_journal_done(ctx, seq, "", 0, NULL);
		if (mode != NULL || owner != NULL || group != NULL)
			ret = rf_set_attrs(ctx, d, NULL, NULL, 0, mode, owner,
			    group, &ch);
	}
	return ret;
}

int
fsdirs_make_parents(struct modctx *ctx, const char *path)
{
	const char *slash = strrchr(path, '/');
	struct val *dirs = NULL;
	char *parent;
	int ret;

	if (ctx->check || slash == NULL || slash == path)
		return 0;
	parent = xstrndup(path, slash - path);
	ret = fsdirs_missing(ctx, parent, &dirs);
	if (ret == 0)
		ret = fsdirs_make(ctx, dirs, NULL, NULL, NULL);
	val_free(dirs);
	free(parent);
	return ret;
}
