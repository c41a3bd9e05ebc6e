/*
 * lineinfile.c - make sure a line is (or is not) in a file, like
 * ansible.builtin.lineinfile.  The edit itself is modules/files/lineedit.c (pure,
 * unit-tested); this file reads the file in one round trip, applies the
 * edit, and writes it back atomically only when the bytes differ.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "modules/module.h"
#include "modules/files/fileattrs.h"
#include "modules/files/lineedit.h"
#include "runner/core/remotefile.h"
#include "runner/util/banned.h"

static const struct module_arg lineinfile_args[] = {
	{ "path", ARG_PATH, 1, NULL, NULL, "the file to modify",
	  "dest|destfile|name" },
	{ "regexp", ARG_STR, 0, NULL, NULL,
	  "POSIX extended regexp looked for in every line; with "
	  "state=present the last matching line is replaced, with "
	  "state=absent every matching line is removed", "regex" },
	{ "search_string", ARG_STR, 0, NULL, NULL,
	  "literal string looked for in every line (instead of regexp)",
	  NULL },
	{ "line", ARG_STR, 0, NULL, NULL,
	  "the line to insert or replace (required with state=present)",
	  "value" },
	{ "state", ARG_STR, 0, "present", "present|absent",
	  "whether the line should be there", NULL },
	{ "insertafter", ARG_STR, 0, NULL, NULL,
	  "regexp, EOF or BOF: where to add the line when regexp matched "
	  "nothing (default EOF)", NULL },
	{ "insertbefore", ARG_STR, 0, NULL, NULL,
	  "regexp or BOF: add the line before the last matching line", NULL },
	{ "firstmatch", ARG_BOOL, 0, "false", NULL,
	  "use the first line matching regexp/insertafter/insertbefore "
	  "instead of the last", NULL },
	{ "backrefs", ARG_BOOL, 0, "false", NULL,
	  "expand \\1 and \\g<1> in line from the regexp's groups; when the "
	  "regexp matches nothing the file is left alone", NULL },
	{ "create", ARG_BOOL, 0, "false", NULL,
	  "create the file (and its directories) when missing", NULL },
	{ "backup", ARG_BOOL, 0, "false", NULL,
	  "keep a copy <path>.<pid>.<date>~ (same mode and owner) of the "
	  "file before changing it", NULL },
	{ "validate", ARG_STR, 0, NULL, NULL,
	  "command run on the new file's temp copy before it replaces the "
	  "file, %s standing for its path (e.g. 'visudo -cf %s'); if it "
	  "fails, nothing changes", NULL },
	FILEATTRS_ARGS,
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static int
is_literal(const struct val *v)
{
	return v != NULL && !(v->type == V_STR && strstr(v->u.str.s, "{{"));
}

static int
exclusive(const struct val *args, const char *a, const char *b,
    struct err *e)
{
	const struct val *va = val_map_get(args, a);

	if (va == NULL || val_map_get(args, b) == NULL)
		return 0;
	return err_setpos(e, &va->pos, "module 'lineinfile': parameters are "
	    "mutually exclusive: %s|%s", a, b);
}

static int
lineinfile_validate(const struct val *args, struct err *e)
{
	const struct val *validate = val_map_get(args, "validate");
	const struct val *state = val_map_get(args, "state");
	int absent = is_literal(state) && state->type == V_STR &&
	    strcmp(state->u.str.s, "absent") == 0;
	int present = state == NULL || (is_literal(state) && !absent);
	const struct val *backrefs = val_map_get(args, "backrefs");

	if (exclusive(args, "insertbefore", "insertafter", e) != 0 ||
	    exclusive(args, "regexp", "search_string", e) != 0 ||
	    exclusive(args, "backrefs", "search_string", e) != 0)
		return -1;
	if (present && val_map_get(args, "line") == NULL)
		return err_setpos(e, &args->pos, "module 'lineinfile': line is "
		    "required with state=present");
	if (present && is_literal(backrefs) && val_to_bool(backrefs) == 1 &&
	    val_map_get(args, "regexp") == NULL)
		return err_setpos(e, &backrefs->pos, "module 'lineinfile': "
		    "regexp is required with backrefs=true");
	if (absent && val_map_get(args, "line") == NULL &&
	    val_map_get(args, "regexp") == NULL &&
	    val_map_get(args, "search_string") == NULL)
		return err_setpos(e, &state->pos, "module 'lineinfile': one of "
		    "line, search_string, or regexp is required with "
		    "state=absent");
	(void)validate;
	if (fileattrs_validate("lineinfile", args, e) != 0)
		return -1;
	return fileattrs_validate_cmd("lineinfile", args, e);
}

static void
edit_from_args(struct lineedit *le, const struct val *args)
{
	const char *state = arg_str(args, "state");

	memset(le, 0, sizeof(*le));
	le->absent = state != NULL && strcmp(state, "absent") == 0;
	le->regexp = arg_str(args, "regexp");
	le->search_string = arg_str(args, "search_string");
	le->line = arg_str(args, "line");
	le->insertafter = arg_str(args, "insertafter");
	le->insertbefore = arg_str(args, "insertbefore");
	le->firstmatch = arg_bool(args, "firstmatch");
	le->backrefs = arg_bool(args, "backrefs");
	if (!le->absent && le->insertafter == NULL && le->insertbefore == NULL)
		le->insertafter = "EOF";
}

/* The file as it is on the host, and what to do about it. */
struct lif {
	struct modctx *ctx;
	const struct val *args;
	const char *path;
	struct strbuf old, new;
	struct file_meta meta;
	unsigned type;
	struct lineedit_res res;
};

/* Checks on what was read; 1 = stop here (result recorded). */
static int
lif_precheck(struct lif *l, const struct lineedit *le)
{
	if (l->type == S_IFDIR) {
		l->ctx->rc = 256;
		return mod_fail(l->ctx, "Path %s is a directory !", l->path), 1;
	}
	if (l->meta.exists && l->type != S_IFREG)
		return mod_fail(l->ctx, "path '%s' is not a regular file",
		    l->path), 1;
	if (!l->meta.exists && le->absent) {
		mod_msg(l->ctx, "file not present");
		return 1;
	}
	if (!l->meta.exists && !arg_bool(l->args, "create")) {
		l->ctx->rc = 257;
		return mod_fail(l->ctx, "Destination %s does not exist !",
		    l->path), 1;
	}
	return 0;
}

static enum mod_result
lineinfile_run(struct modctx *ctx, const struct val *args)
{
	struct strbuf err = STRBUF_INIT;
	struct lineedit le;
	struct lif l;
	int ret;

	if ((ret = seargs_check(ctx, args)) != 0)
		return mod_done(ctx, ret);
	memset(&l, 0, sizeof(l));
	l.ctx = ctx;
	l.args = args;
	l.path = arg_str(args, "path");
	strbuf_init(&l.old, 0);
	strbuf_init(&l.new, 0);
	edit_from_args(&le, args);
	ret = rf_read(ctx, l.path, &l.old, &l.meta, &l.type);
	if (ret != 0 || lif_precheck(&l, &le))
		goto out;
	if (lineedit_apply(&le, l.old.buf, l.old.len, &l.new, &l.res,
	    &err) != 0) {
		mod_fail(ctx, "%s", err.buf);
		goto out;
	}
	if (le.absent)
		mod_set(ctx, "found", val_int(l.res.found));
	mod_set(ctx, "backup", val_str(""));
	ret = fileattrs_finish(ctx, args, l.path, &l.meta, &l.old, &l.new,
	    l.res.changed, "backup", l.res.msg);
out:
	strbuf_release(&err);
	strbuf_release(&l.old);
	strbuf_release(&l.new);
	file_meta_release(&l.meta);
	return mod_done(ctx, ret);
}

const struct module mod_lineinfile = {
	.name = "lineinfile",
	.summary = "ensure a particular line is in a file, or replace an "
	    "existing line using a regular expression",
	.doc = "Ansible's lineinfile: with state=present the last line "
	    "matching regexp (or search_string) is replaced by line; if none "
	    "matches and line is not already in the file it is added after "
	    "insertafter / before insertbefore (default: at the end).  With "
	    "state=absent every matching line is removed.  Regexps are POSIX "
	    "extended (\\d, \\t, (?:...) and a leading (?i) are translated "
	    "from Python syntax; lookarounds and named groups are not "
	    "supported) and match the line without its line ending.  CRLF "
	    "files keep CRLF endings.  The file is written only when its "
	    "bytes change, atomically (temp file in the same directory, "
	    "fsync, rename), through symlinks, keeping mode and owner.",
	.args = lineinfile_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = lineinfile_validate,
	.run = lineinfile_run,
};
