/*
 * backup.c - copy a file to a backup place on the host and keep the same
 * bytes on the controller (the run journal's objects/, with their sha256).
 *
 * Default place: /var/backups/mend/<run-id>/<absolute path of the file>.
 * Directories are created 0700; the copy keeps the original's owner and
 * mode (cp -p), so it is never more readable than the original; it is
 * written to a temp name and renamed, so a half copy never exists under the
 * final name.  The journal gets a `backup` record (path, backup, sha) that
 * rollback uses when the host copy is gone.
 */
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/util/hash.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const struct module_arg backup_args[] = {
	{ "path", ARG_PATH, 1, NULL, NULL, "file to back up", "src" },
	{ "backup_dir", ARG_PATH, 0, NULL, NULL,
	  "directory for the copy (default /var/backups/mend/<run-id>); the "
	  "file's absolute path is kept below it", NULL },
	{ "missing_ok", ARG_BOOL, 0, "false", NULL,
	  "succeed (changed=false) when the file does not exist", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static char *
backup_path(struct modctx *ctx, const struct val *args, const char *path)
{
	const char *dir = arg_str(args, "backup_dir");
	const char *id = mod_run_id(ctx);

	if (dir != NULL)
		return xasprintf("%s%s", dir, path);
	return xasprintf("/var/backups/mend/%s%s", *id ? id : "check", path);
}

static int
copy_on_host(struct modctx *ctx, const char *src, const char *dst,
    const char *sha)
{
	struct exec_res r;
	char *cmd;
	int ret;

	cmd = shellcmd("set -e; umask 077; src=%q; dst=%q; "
	    "mkdir -p -- \"${dst%%/*}\"; "
	    "tmp=$(mktemp \"$dst.XXXXXX\"); trap 'rm -f \"$tmp\"' EXIT; "
	    "cp -p -- \"$src\" \"$tmp\"; sync \"$tmp\" 2>/dev/null || sync; "
	    "mv -f -- \"$tmp\" \"$dst\"; trap - EXIT; "
	    "sha256sum -- \"$dst\" | cut -d' ' -f1", src, dst);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd, NULL, 0, &r);
	free(cmd);
	if (ret != 0)
		goto out;
	strbuf_rtrim(&r.out);
	if (r.rc != 0)
		mod_fail(ctx, "backup of %s failed: %s", src, r.err.buf);
	else if (strcmp(r.out.buf, sha) != 0)
		mod_fail(ctx, "backup of %s does not match what was read "
		    "(sha256 %s, copy %s): the file changed while it was "
		    "copied", src, sha, r.out.buf);
out:
	exec_res_release(&r);
	return ret;
}

static enum mod_result
backup_run(struct modctx *ctx, const struct val *args)
{
	const char *path = arg_str(args, "path");
	struct strbuf content = STRBUF_INIT;
	struct file_meta meta;
	char sha[65], *dst = NULL;
	int ret;

	memset(&meta, 0, sizeof(meta));
	ret = mod_read_file(ctx, path, &content, &meta);
	if (ret != 0 || ctx->failed)
		goto out;
	if (!meta.exists) {
		if (!arg_bool(args, "missing_ok"))
			mod_fail(ctx, "%s does not exist", path);
		else
			mod_msg(ctx, "%s does not exist: nothing to back up",
			    path);
		goto out;
	}
	sha256_hex(content.buf, content.len, sha);
	dst = backup_path(ctx, args, path);
	mod_set(ctx, "backup_file", val_str(dst));
	mod_set(ctx, "sha256", val_str(sha));
	mod_set(ctx, "mode", val_str_take(xasprintf("%04o", meta.mode)));
	mod_changed(ctx);
	if (ctx->check) {
		mod_msg(ctx, "would back up %s to %s", path, dst);
		goto out;
	}
	ret = copy_on_host(ctx, meta.realpath ? meta.realpath : path, dst,
	    sha);
	if (ret == 0 && !ctx->failed) {
		mod_journal_backup(ctx, path, dst, content.buf, content.len);
		mod_msg(ctx, "%s backed up to %s", path, dst);
	}
out:
	free(dst);
	file_meta_release(&meta);
	strbuf_release(&content);
	return mod_done(ctx, ret);
}

const struct module mod_backup = {
	.name = "backup",
	.summary = "back up a file on the host and in the run journal",
	.doc = "Copies PATH to /var/backups/mend/<run-id>/PATH on the host "
	    "(directories 0700, owner and mode kept, written atomically) and "
	    "keeps the same bytes in the controller's run journal with their "
	    "sha256, so 'mend rollback' can restore them even if the host copy "
	    "is lost.  Returns backup_file and sha256.",
	.args = backup_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.run = backup_run,
};
