/* fileattrs.c - Ansible's file common arguments; see fileattrs.h. */
#include <string.h>

#include "modules/files/fileattrs.h"
#include "modules/files/fsdirs.h"
#include "runner/core/remotefile.h"
#include "runner/util/banned.h"

int
fileattrs_validate(const char *module, const struct val *args,
    struct err *e)
{
	static const char *const never[] = { "attributes", "attr" };
	const struct val *v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(never); i++)
		if ((v = val_map_get(args, never[i])) != NULL)
			return err_setpos(e, &v->pos, "module '%s': argument "
			    "'%s' is not supported by mend", module, never[i]);
	return 0;
}

int
fileattrs_validate_cmd(const char *module, const struct val *args,
    struct err *e)
{
	const struct val *v = val_map_get(args, "validate");

	if (v != NULL && v->type == V_STR && strstr(v->u.str.s, "%s") == NULL)
		return err_setpos(e, &v->pos, "module '%s': validate must "
		    "contain %%s: %s", module, v->u.str.s);
	return 0;
}

int
fileattrs_write(struct modctx *ctx, const struct val *args,
    const char *path, const struct file_meta *meta, const struct strbuf *old,
    const struct strbuf *new, const char *backup_key)
{
	struct write_opts o;
	int ret;

	memset(&o, 0, sizeof(o));
	o.backup = arg_bool(args, "backup") && meta->exists;
	o.mkdirs = !meta->exists;
	/* a new file gets an octal mode before its rename: it is never
	 * seen with another (fileattrs_apply reports the change as Ansible) */
	if (!meta->exists && arg_str(args, "mode") != NULL &&
	    rf_mode_valid(arg_str(args, "mode")) &&
	    strspn(arg_str(args, "mode"), "01234567") ==
	    strlen(arg_str(args, "mode")))
		o.mode = arg_str(args, "mode");
	o.validate = arg_str(args, "validate");
	o.before = meta;
	/* parents made here are journaled; mkdir -p in the write then
	 * finds them (and makes none in check mode, where nothing runs) */
	ret = meta->exists ? 0 : fsdirs_make_parents(ctx, path);
	if (ret == 0)
		ret = mod_write_file_opts(ctx, path, meta->exists ? old :
		    NULL, new->buf, new->len, &o);
	if (ret == 0) {
		mod_changed(ctx);
		if (o.backup_file != NULL)
			mod_set(ctx, backup_key, val_str_take(o.backup_file));
	}
	return ret;
}

int
fileattrs_apply(struct modctx *ctx, const struct val *args,
    const char *path, const struct file_meta *meta, const void *content,
    size_t len, const char *msg)
{
	int changed = 0, ret = 0;

	if (arg_str(args, "mode") != NULL || arg_str(args, "owner") != NULL ||
	    arg_str(args, "group") != NULL)
		ret = meta == NULL && ctx->changed && !ctx->check ?
		    rf_set_attrs_created(ctx, path, content, len,
		    arg_str(args, "mode"), arg_str(args, "owner"),
		    arg_str(args, "group"), &changed) :
		    rf_set_attrs(ctx, path, meta, content, len,
		    arg_str(args, "mode"), arg_str(args, "owner"),
		    arg_str(args, "group"), &changed);
	if (ret != 0)
		return ret;
	if (changed)
		mod_msg(ctx, "%s%sownership, perms or SE linux context changed",
		    msg, ctx->changed ? " and " : "");
	else
		mod_msg(ctx, "%s", msg);
	if (changed)
		mod_changed(ctx);
	return 0;
}

int
fileattrs_finish(struct modctx *ctx, const struct val *args,
    const char *path, const struct file_meta *meta, const struct strbuf *old,
    const struct strbuf *new, int changed, const char *backup_key,
    const char *msg)
{
	int ret;

	if (changed && (ret = fileattrs_write(ctx, args, path, meta, old, new,
	    backup_key)) != 0)
		return ret;
	if (!meta->exists && ctx->check) {
		mod_msg(ctx, "%s", msg);
		return 0;
	}
	return fileattrs_apply(ctx, args, path, meta->exists ? meta : NULL,
	    new->buf, new->len, msg);
}
