/*
 * replace.c - replace every match of a regexp in a file, like
 * ansible.builtin.replace: regexp (Python syntax, re.MULTILINE; PCRE2
 * underneath), replace (a Python template: \1, \g<name>), after/before
 * narrowing the section that is searched.  The edit is
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

static const struct module_arg replace_args[] = {
	{ "path", ARG_PATH, 1, NULL, NULL, "the file to modify",
	  "dest|destfile|name" },
	{ "regexp", ARG_STR, 1, NULL, NULL,
	  "Python regular expression searched with re.MULTILINE", NULL },
	{ "replace", ARG_STR, 0, "", NULL,
	  "replacement for each match (\\1, \\g<name> for groups); empty "
	  "removes the matches", NULL },
	{ "after", ARG_STR, 0, NULL, NULL,
	  "only replace after the first match of this regexp", NULL },
	{ "before", ARG_STR, 0, NULL, NULL,
	  "only replace before the match of this regexp (the last one, or "
	  "the first after `after`)", NULL },
	{ "backup", ARG_BOOL, 0, "false", NULL,
	  "keep a copy <path>.<pid>.<date>~ (same mode and owner) of the "
	  "file before changing it", NULL },
	{ "validate", ARG_STR, 0, NULL, NULL,
	  "command run on the new content's temp file before it replaces the "
	  "file, %s standing for its path", NULL },
	{ "encoding", ARG_STR, 0, "utf-8", "utf-8|utf8|UTF-8|UTF8",
	  "encoding of the file (mend reads and writes UTF-8 only)", NULL },
	FILEATTRS_ARGS,
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static int
replace_validate(const struct val *args, struct err *e)
{
	if (fileattrs_validate("replace", args, e) != 0)
		return -1;
	return fileattrs_validate_cmd("replace", args, e);
}

static int
check_read(struct modctx *ctx, const char *path, const struct file_meta *m,
    unsigned type)
{
	if (type == S_IFDIR) {
		ctx->rc = 256;
		return mod_fail(ctx, "Path %s is a directory !", path), -1;
	}
	if (!m->exists) {
		ctx->rc = 257;
		return mod_fail(ctx, "Path %s does not exist !", path), -1;
	}
	return 0;
}

static enum mod_result
replace_run(struct modctx *ctx, const struct val *args)
{
	struct strbuf old = STRBUF_INIT, new = STRBUF_INIT, err = STRBUF_INIT;
	const char *path = arg_str(args, "path");
	struct replace_edit ed = { arg_str(args, "regexp"),
	    arg_str(args, "replace"), arg_str(args, "after"),
	    arg_str(args, "before") };
	struct textedit_res res;
	struct file_meta meta;
	unsigned type = 0;
	int ret;

	if ((ret = seargs_check(ctx, args)) != 0)
		return mod_done(ctx, ret);
	memset(&meta, 0, sizeof(meta));
	ret = rf_read(ctx, path, &old, &meta, &type);
	if (ret == 0)
		ret = check_read(ctx, path, &meta, type);
	if (ret == 0 && replace_apply(&ed, old.buf, old.len, &new, &res,
	    &err) != 0) {
		mod_fail(ctx, "%s", err.buf);
		ret = -1;
	}
	if (ret == 0)
		ctx->rc = 0;
	if (ret == 0 && res.changed)
		ret = fileattrs_write(ctx, args, path, &meta, &old, &new,
		    "backup_file");
	if (ret == 0)
		ret = fileattrs_apply(ctx, args, path, &meta,
		    res.changed ? new.buf : old.buf,
		    res.changed ? new.len : old.len, res.msg);
	strbuf_release(&old);
	strbuf_release(&new);
	strbuf_release(&err);
	file_meta_release(&meta);
	return mod_done(ctx, ret);
}

const struct module mod_replace = {
	.name = "replace",
	.summary = "replace all instances of a particular string in a file "
	    "using a back-referenced regular expression",
	.doc = "Ansible's replace: every match of regexp (re.MULTILINE) in "
	    "the file, or in the section between the first match of after "
	    "and the next match of before (the pattern AFTER(.*?)BEFORE with "
	    "re.DOTALL, as Ansible builds it), is replaced by the template "
	    "replace.  Regexps run on PCRE2, which matches Python's syntax "
	    "for what playbooks use ((?P<name>), lazy quantifiers, "
	    "lookarounds); \\d \\w \\s are ASCII.  The file is written only "
	    "when its bytes change, atomically (temp file in the same "
	    "directory, fsync, rename), through symlinks, keeping mode and "
	    "owner; then mode/owner/group are applied.  Returns rc (0), msg "
	    "('N replacements made'), backup_file.",
	.args = replace_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = replace_validate,
	.run = replace_run,
};
