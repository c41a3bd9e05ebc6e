/*
 * blockinfile.c - insert, update or remove a block of lines between
 * marker lines, like ansible.builtin.blockinfile: block, marker with
 * {mark} (marker_begin/marker_end), insertafter/insertbefore (regexp,
 * EOF, BOF), state present/absent, create.  The edit is
 * modules/files/textedit.c (pure, unit-tested); the file is read in one
 * round trip and written back atomically only when its bytes change
 * (validate, backup, journal and diff through mod_write_file_opts), then
 * mode/owner/group as Ansible's file common arguments.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "modules/module.h"
#include "modules/files/fileattrs.h"
#include "modules/files/textedit.h"
#include "runner/core/remotefile.h"
#include "runner/util/banned.h"

static const struct module_arg blockinfile_args[] = {
	{ "path", ARG_PATH, 1, NULL, NULL, "the file to modify",
	  "dest|destfile|name" },
	{ "state", ARG_STR, 0, "present", "present|absent",
	  "whether the block should be there", NULL },
	{ "block", ARG_STR, 0, "", NULL,
	  "the text between the markers; empty removes the block",
	  "content" },
	{ "marker", ARG_STR, 0, "# {mark} ANSIBLE MANAGED BLOCK", NULL,
	  "marker line template, {mark} becoming marker_begin/marker_end",
	  NULL },
	{ "marker_begin", ARG_STR, 0, "BEGIN", NULL, "{mark} of the first "
	  "marker", NULL },
	{ "marker_end", ARG_STR, 0, "END", NULL, "{mark} of the last marker",
	  NULL },
	{ "insertafter", ARG_STR, 0, NULL, NULL,
	  "regexp or EOF: without markers, put the block after the last "
	  "matching line (default EOF)", NULL },
	{ "insertbefore", ARG_STR, 0, NULL, NULL,
	  "regexp or BOF: without markers, put the block before the last "
	  "matching line", NULL },
	{ "create", ARG_BOOL, 0, "false", NULL,
	  "create the file (and its directory) when missing", NULL },
	{ "backup", ARG_BOOL, 0, "false", NULL,
	  "keep a copy <path>.<pid>.<date>~ (same mode and owner) of the "
	  "file before changing it", NULL },
	{ "validate", ARG_STR, 0, NULL, NULL,
	  "command run on the new content's temp file before it replaces the "
	  "file, %s standing for its path", NULL },
	FILEATTRS_ARGS,
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static int
blockinfile_validate(const struct val *args, struct err *e)
{
	const struct val *v = val_map_get(args, "insertafter");

	if (v != NULL && val_map_get(args, "insertbefore") != NULL)
		return err_setpos(e, &v->pos, "module 'blockinfile': parameters "
		    "are mutually exclusive: insertbefore|insertafter");
	if (fileattrs_validate("blockinfile", args, e) != 0)
		return -1;
	return fileattrs_validate_cmd("blockinfile", args, e);
}

/* The file as it is on the host, and what to do about it. */
struct bif {
	struct modctx *ctx;
	const struct val *args;
	const char *path;
	struct strbuf old, new;
	struct file_meta meta;
	unsigned type;
	struct textedit_res res;
};

/* Checks on what was read; 1 = stop here (result recorded). */
static int
precheck(struct bif *b, int absent)
{
	if (b->type == S_IFDIR) {
		b->ctx->rc = 256;
		return mod_fail(b->ctx, "Path %s is a directory !", b->path), 1;
	}
	if (!b->meta.exists && !arg_bool(b->args, "create")) {
		b->ctx->rc = 257;
		return mod_fail(b->ctx, "Path %s does not exist !", b->path), 1;
	}
	if (!b->meta.exists && absent) {
		mod_msg(b->ctx, "File %s not present", b->path);
		return 1;
	}
	return 0;
}

static int
edit(struct bif *b)
{
	struct strbuf err = STRBUF_INIT;
	const char *state = arg_str(b->args, "state");
	struct block_edit ed = { state != NULL && strcmp(state, "absent") == 0,
	    arg_str(b->args, "block"), arg_str(b->args, "marker"),
	    arg_str(b->args, "marker_begin"), arg_str(b->args, "marker_end"),
	    arg_str(b->args, "insertafter"), arg_str(b->args, "insertbefore") };
	int ret;

	if (precheck(b, ed.absent))
		return -1;
	ret = block_apply(&ed, b->meta.exists ? b->old.buf : NULL,
	    b->old.len, &b->new, &b->res, &err);
	if (ret != 0)
		mod_fail(b->ctx, "%s", err.buf);
	strbuf_release(&err);
	return ret;
}

static enum mod_result
blockinfile_run(struct modctx *ctx, const struct val *args)
{
	struct bif b;
	int ret;

	if ((ret = seargs_check(ctx, args)) != 0)
		return mod_done(ctx, ret);
	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.args = args;
	b.path = arg_str(args, "path");
	strbuf_init(&b.old, 0);
	strbuf_init(&b.new, 0);
	ret = rf_read(ctx, b.path, &b.old, &b.meta, &b.type);
	if (ret == 0 && edit(&b) != 0)
		ret = -1;
	if (ret == 0)
		ret = fileattrs_finish(ctx, args, b.path, &b.meta, &b.old,
		    &b.new, b.res.changed, "backup_file", b.res.msg);
	strbuf_release(&b.old);
	strbuf_release(&b.new);
	file_meta_release(&b.meta);
	return mod_done(ctx, ret);
}

const struct module mod_blockinfile = {
	.name = "blockinfile",
	.summary = "insert/update/remove a text block surrounded by marker "
	    "lines",
	.doc = "Ansible's blockinfile: the lines between the two marker lines "
	    "(marker with {mark} replaced by marker_begin and marker_end) are "
	    "replaced by block; without markers the block goes after the last "
	    "line matching insertafter (default EOF) or before the last line "
	    "matching insertbefore (BOF: the start).  state=absent or an "
	    "empty block removes the markers and what they hold.  Regexps run "
	    "on PCRE2 (Python's syntax for what playbooks use).  The file is "
	    "written only when its bytes change, atomically, through "
	    "symlinks, keeping mode and owner; then mode/owner/group are "
	    "applied.  Returns msg ('Block inserted', 'Block removed', 'File "
	    "created'), backup_file.",
	.args = blockinfile_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = blockinfile_validate,
	.run = blockinfile_run,
};
