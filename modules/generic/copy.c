/*
 * copy.c - put a file on the host, like ansible.builtin.copy (one file;
 * no recursive directory copies).
 *
 * remote_src: src is a file on the host, read over the connection and
 * written like any other content (journal, diff, backup, validate); a
 * directory src is refused (Ansible copies trees).  mode=preserve gives
 * dest src's permission bits (the host's file with remote_src, else the
 * controller's), as Ansible's '0%03o' of st_mode.
 *
 * Round trips: one probe of dest (metadata + sha256, no content) decides;
 * when the bytes differ and dest exists, one read of the old content (for
 * the journal and the diff), then one atomic write (mod_write_file_opts).
 * An unchanged file costs one round trip, or two when mode/owner/group need
 * a remote check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modules/seargs.h"
#include "modules/module.h"
#include "runner/util/hash.h"
#include "runner/core/remotefile.h"
#include "runner/util/banned.h"

static const struct module_arg copy_args[] = {
	{ "dest", ARG_PATH, 1, NULL, NULL,
	  "file to write on the host; an existing directory (or a path "
	  "ending in /) gets the basename of src", NULL },
	{ "src", ARG_STR, 0, NULL, NULL,
	  "file on the controller to copy (relative: to the role's files/ "
	  "and directory, playbook_dir/files, playbook_dir, then the current "
	  "directory)", NULL },
	{ "content", ARG_RAW, 0, NULL, NULL,
	  "the file's content, instead of src (a boolean or number is "
	  "written as Python prints it: False, 3; a list or mapping is "
	  "refused, where Ansible writes it as JSON)", NULL },
	{ "force", ARG_BOOL, 0, "true", NULL,
	  "replace dest when its content differs; false: only create it",
	  "thirsty" },
	{ "backup", ARG_BOOL, 0, "false", NULL,
	  "keep a copy <dest>.<pid>.<date>~ (same mode and owner) of the "
	  "file it replaces", NULL },
	{ "validate", ARG_STR, 0, NULL, NULL,
	  "command run on the new file's temp copy before it replaces the "
	  "file, %s standing for its path (e.g. 'visudo -cf %s'); if it "
	  "fails, nothing changes", NULL },
	{ "remote_src", ARG_BOOL, 0, "false", NULL,
	  "src is a file on the host (a directory is refused: mend copies "
	  "single files)", NULL },
	{ "mode", ARG_STR, 0, NULL, NULL,
	  "permissions of dest: octal ('0644'), symbolic ('u=rw,g=r'), or "
	  "preserve (src's permissions)", NULL },
	{ "owner", ARG_STR, 0, NULL, NULL, "owner of dest", NULL },
	{ "group", ARG_STR, 0, NULL, NULL, "group of dest", NULL },
	SEARGS_ARGS,
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

/* mode is octal, symbolic or preserve (a template: checked at run time) */
static int
copy_mode_check(const struct val *args, const char *mod, struct err *e)
{
	const struct val *m = val_map_get(args, "mode");
	struct strbuf sb = STRBUF_INIT;
	int ok;

	if (m == NULL || (m->type == V_STR && strstr(m->u.str.s, "{{")))
		return 0;
	val_to_str(m, &sb);
	ok = (m->type == V_STR || m->type == V_INT) && (rf_mode_valid(sb.buf)
	    || !strcmp(sb.buf, "preserve"));
	if (!ok)
		err_setpos(e, &m->pos, "module '%s': argument 'mode' must be "
		    "a file mode (octal or symbolic) or preserve, got '%s'",
		    mod, sb.buf);
	strbuf_release(&sb);
	return ok ? 0 : -1;
}

static int
copy_validate(const struct val *args, struct err *e)
{
	const struct val *validate = val_map_get(args, "validate");
	const struct val *src = val_map_get(args, "src");
	const struct val *content = val_map_get(args, "content");

	if (src != NULL && content != NULL)
		return err_setpos(e, &content->pos, "module 'copy': parameters "
		    "are mutually exclusive: content|src");
	if (src == NULL && content == NULL)
		return err_setpos(e, &args->pos, "module 'copy': src (or "
		    "content) is required");
	if (copy_mode_check(args, "copy", e) != 0)
		return -1;
	if (validate != NULL && validate->type == V_STR &&
	    strstr(validate->u.str.s, "%s") == NULL)
		return err_setpos(e, &validate->pos, "module 'copy': validate "
		    "must contain %%s: %s", validate->u.str.s);
	return 0;
}

/* mod_fail() returns 0; the helpers here return -1 for a recorded
 * failure: `return as_error(mod_fail(...));`. */
static int
as_error(int mod_fail_ret)
{
	(void)mod_fail_ret;
	return -1;
}

/* remote_src: the host's file src; its mode goes to *src_mode. */
static int
load_remote(struct modctx *ctx, const char *src, struct strbuf *data,
    unsigned *src_mode)
{
	struct file_meta meta;
	unsigned type = 0;
	int ret;

	memset(&meta, 0, sizeof(meta));
	if (src[0] != '/')
		return as_error(mod_fail(ctx, "remote_src: src must be an "
		    "absolute path on the host, got '%s'", src));
	ret = rf_read(ctx, src, data, &meta, &type);
	if (ret == 0 && type == 0)
		ret = as_error(mod_fail(ctx, "Source %s not found", src));
	else if (ret == 0 && type == S_IFDIR)
		ret = as_error(mod_fail(ctx, "src '%s' is a directory on the "
		    "host: mend's copy with remote_src copies single files "
		    "(Ansible copies the tree)", src));
	else if (ret == 0 && type != S_IFREG)
		ret = as_error(mod_fail(ctx, "Cannot copy invalid source "
		    "'%s': not a file", src));
	*src_mode = meta.mode & 07777;
	file_meta_release(&meta);
	return ret;
}

/* The bytes to install: content, the controller file src, or with
 * remote_src the host's file src.  *src_mode: src's permissions. */
static int
load_source(struct modctx *ctx, const struct val *args, struct strbuf *data,
    unsigned *src_mode)
{
	const struct val *content = arg_get(args, "content");
	const char *src = arg_str(args, "src");
	struct stat st;
	char *path;
	int ret = 0;

	if (content != NULL && (content->type == V_LIST ||
	    content->type == V_MAP))
		return as_error(mod_fail(ctx, "content is a %s: mend writes "
		    "strings, booleans and numbers only (Ansible would write "
		    "it as JSON; use '| to_json')",
		    val_type_name(content->type)));
	if (content != NULL && content->type != V_NULL) {
		/* Ansible's to_bytes(): str() of a boolean or number */
		if (content->type == V_STR)
			strbuf_add(data, content->u.str.s, content->u.str.len);
		else
			val_to_str_py(content, data);
		return 0;
	}
	if (src == NULL)
		return as_error(mod_fail(ctx, "src (or content) is required"));
	if (arg_bool(args, "remote_src"))
		return load_remote(ctx, src, data, src_mode);
	path = mod_local_path(ctx, src);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		ret = as_error(mod_fail(ctx, "src '%s' is a directory: mend's copy "
		    "copies single files", path));
	else if (strbuf_read_file(data, path) != 0)
		ret = as_error(mod_fail(ctx, "could not read src '%s': %s", path,
		    strerror(errno)));
	else
		*src_mode = st.st_mode & 07777;
	free(path);
	return ret;
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* dest, with basename(src) appended when dest names a directory. */
static char *
dest_in_dir(struct modctx *ctx, const struct val *args, const char *dest)
{
	const char *src = arg_str(args, "src");
	size_t len = strlen(dest);

	if (src == NULL) {
		mod_fail(ctx, "can not use content with a dir as dest");
		return NULL;
	}
	return xasprintf("%s%s%s", dest, dest[len - 1] == '/' ? "" : "/",
	    base_name(src));
}

struct cp {
	struct modctx *ctx;
	const struct val *args;
	char *dest;
	struct strbuf data;
	struct file_probe probe;
	unsigned src_mode;       /* src's permissions (mode=preserve) */
	char *mode;              /* mode to set: NULL, or octal/symbolic */
};

/* Probe dest, descending into it once if it is a directory. */
static int
probe_dest(struct cp *c)
{
	const char *d = arg_str(c->args, "dest");
	int ret;

	c->dest = xstrdup(d);
	if (d[strlen(d) - 1] != '/') {
		ret = rf_probe(c->ctx, c->dest, 1, &c->probe);
		if (ret != 0 || c->probe.type != S_IFDIR)
			return ret;
		file_probe_release(&c->probe);
	}
	free(c->dest);
	if ((c->dest = dest_in_dir(c->ctx, c->args, d)) == NULL)
		return -1;
	return rf_probe(c->ctx, c->dest, 1, &c->probe);
}

static int
copy_write(struct cp *c)
{
	struct strbuf old = STRBUF_INIT;
	struct file_meta meta;
	struct write_opts o;
	unsigned type = 0;
	int ret = 0, exists = c->probe.meta.exists;

	memset(&meta, 0, sizeof(meta));
	if (exists)
		ret = rf_read(c->ctx, c->dest, &old, &meta, &type);
	if (ret != 0)
		goto out;
	memset(&o, 0, sizeof(o));
	o.mode = c->mode;
	o.owner = arg_str(c->args, "owner");
	o.group = arg_str(c->args, "group");
	o.backup = arg_bool(c->args, "backup") && exists;
	o.validate = arg_str(c->args, "validate");
	o.before = exists ? &meta : NULL;
	ret = mod_write_file_opts(c->ctx, c->dest, exists ? &old : NULL,
	    c->data.buf, c->data.len, &o);
	if (ret == 0) {
		mod_changed(c->ctx);
		if (o.backup_file != NULL)
			mod_set(c->ctx, "backup_file", val_str_take(o.backup_file));
	}
out:
	strbuf_release(&old);
	file_meta_release(&meta);
	return ret;
}

/* Decide and act on the probed dest. */
static int
copy_apply(struct cp *c)
{
	char sha[65];
	int changed = 0, ret;

	if (c->probe.meta.exists && c->probe.type != S_IFREG)
		return as_error(mod_fail(c->ctx, "dest '%s' is not a regular file",
		    c->dest));
	if (!c->probe.meta.exists && !c->probe.parent_exists)
		return as_error(mod_fail(c->ctx, "destination directory of '%s' does "
		    "not exist", c->dest));
	if (c->probe.meta.exists && !arg_bool(c->args, "force")) {
		mod_msg(c->ctx, "file already exists");
		return 0;
	}
	sha256_hex(c->data.buf, c->data.len, sha);
	if (!c->probe.meta.exists || strcmp(sha, c->probe.sha256) != 0)
		return copy_write(c);
	ret = rf_set_attrs(c->ctx, c->dest, &c->probe.meta, c->data.buf,
	    c->data.len, c->mode, arg_str(c->args, "owner"),
	    arg_str(c->args, "group"), &changed);
	if (ret == 0 && changed)
		mod_changed(c->ctx);
	return ret;
}

static void
set_results(struct cp *c, const struct val *args)
{
	char sha1[41];

	rf_sha1_hex(c->data.buf, c->data.len, sha1);
	mod_set(c->ctx, "dest", val_str(c->dest));
	if (arg_str(args, "src") != NULL)
		mod_set(c->ctx, "src", val_str(arg_str(args, "src")));
	mod_set(c->ctx, "checksum", val_str(sha1));
	mod_set(c->ctx, "size", val_int((int64_t)c->data.len));
	mod_set(c->ctx, "state", val_str("file"));
}

/* The mode to set: preserve as src's, else mode. */
static int
resolve_mode(struct cp *c)
{
	const char *m = arg_str(c->args, "mode");

	if (m == NULL)
		return 0;
	if (strcmp(m, "preserve") != 0 && !rf_mode_valid(m))
		return as_error(mod_fail(c->ctx, "mode must be in octal or "
		    "symbolic form, got '%s'", m));
	if (strcmp(m, "preserve") != 0)
		c->mode = xstrdup(m);
	else if (arg_str(c->args, "src") != NULL)
		c->mode = xasprintf("0%03o", c->src_mode);
	else    /* Ansible's content goes through a mkstemp() file: 0600 */
		c->mode = xstrdup("0600");
	return 0;
}

static enum mod_result
copy_run(struct modctx *ctx, const struct val *args)
{
	struct cp c;
	int ret;

	if ((ret = seargs_check(ctx, args)) != 0)
		return mod_done(ctx, ret);
	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.args = args;
	strbuf_init(&c.data, 0);
	ret = load_source(ctx, args, &c.data, &c.src_mode);
	if (ret == 0)
		ret = resolve_mode(&c);
	if (ret == 0)
		ret = probe_dest(&c);
	if (ret == 0)
		ret = copy_apply(&c);
	if (ret == 0 && !ctx->failed)
		set_results(&c, args);
	file_probe_release(&c.probe);
	strbuf_release(&c.data);
	free(c.dest);
	free(c.mode);
	return mod_done(ctx, ret);
}

const struct module mod_copy = {
	.name = "copy",
	.summary = "copy a controller file or given content to a file on the "
	    "host",
	.doc = "Ansible's copy for single files: content or src (read on "
	    "the controller) is written to dest when its sha256 differs from "
	    "the host's file, atomically (temp file in the same directory, "
	    "fsync, rename), keeping the existing mode and owner unless "
	    "mode/owner/group are given (mode=preserve: src's).  remote_src "
	    "copies a file already on the host (not a directory).  "
	    "force=false only creates missing files.  Returns dest, src, checksum (sha1, as Ansible), size, "
	    "backup_file.",
	.args = copy_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.validate = copy_validate,
	.run = copy_run,
};
