/*
 * fetch.c - copy a file from the host to the controller, like
 * ansible.builtin.fetch: dest/<inventory_hostname>/<src> (or dest itself
 * with flat: true; a dest ending in "/" gets the source's basename; a
 * relative dest is under the playbook's directory).  The file is read in
 * one round trip (symlinks followed) and written on the controller only
 * when its SHA-1 differs from the local copy's, atomically (temp file in
 * the same directory, fsync, rename: the local file is old or new, never
 * partial), keeping the local file's mode; a new one gets the remote
 * file's mode (plus u+w) less the umask, as OpenSSH's sftp/scp get that
 * ansible's fetch uses.  Ansible's return values
 * (checksum, remote_checksum, md5sum, dest, file) and messages; check mode
 * skips the task, as Ansible's fetch does.  The host is never changed, so
 * nothing is journaled (a rollback leaves fetched files alone).
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "modules/module.h"
#include "modules/files/fspath.h"
#include "runner/core/remotefile.h"
#include "runner/util/fileio.h"
#include "runner/util/banned.h"

static const struct module_arg fetch_args[] = {
	{ "src", ARG_STR, 1, NULL, NULL, "the file to fetch from the host",
	  NULL },
	{ "dest", ARG_STR, 1, NULL, NULL,
	  "directory on the controller (file with flat: true)", NULL },
	{ "flat", ARG_BOOL, 0, "false", NULL,
	  "write to dest itself, not dest/HOST/SRC", NULL },
	{ "fail_on_missing", ARG_BOOL, 0, "true", NULL,
	  "fail when src is missing or a directory", NULL },
	{ "validate_checksum", ARG_BOOL, 0, "true", NULL,
	  "check the written file's SHA-1 against the host's", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static void
md5_hex(const void *data, size_t len, char hex[33])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_Digest(data, len, d, &n, EVP_md5(), NULL) != 1)
		n = 0;
	for (i = 0; i < n && i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	hex[2 * i] = '\0';
}

/* The local file to write (Ansible's rules); -1 after mod_fail(). */
static int
local_dest(struct modctx *ctx, const struct val *args, struct strbuf *out)
{
	const char *src = arg_str(args, "src"), *dest = arg_str(args, "dest");
	const char *dir = val_map_str(ctx->vars, "playbook_dir", ".");
	const char *base = strrchr(src, '/');
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	size_t dl = strlen(dest);

	if (dest[0] != '/')
		strbuf_addf(&sb, "%s/", dir);
	strbuf_addstr(&sb, dest);
	if (arg_bool(args, "flat")) {
		if (dl > 0 && dest[dl - 1] != '/' && stat(sb.buf, &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			strbuf_release(&sb);
			mod_fail(ctx, "dest is an existing directory, use a "
			    "trailing slash if you want to fetch src into that "
			    "directory");
			return -1;
		}
		if (dl > 0 && dest[dl - 1] == '/')
			strbuf_addstr(&sb, base ? base + 1 : src);
	} else {
		strbuf_addf(&sb, "/%s/%s", ctx->host_name, src);
	}
	fspath_normpath(sb.buf, out);
	strbuf_release(&sb);
	return 0;
}

/* mkdir -p of path's directory on the controller. */
static int
make_parents(const char *path)
{
	char *copy = strdup(path), *p;
	int ret = 0;

	if (copy == NULL)
		return -1;
	for (p = copy + 1; ret == 0 && (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(copy, 0777) < 0 && errno != EEXIST)
			ret = -1;
		*p = '/';
	}
	free(copy);
	return ret;
}

/* Missing or a directory: Ansible's result; always returns -1 or 0. */
static int
not_fetched(struct modctx *ctx, const char *src, int isdir, int fail)
{
	if (!fail) {
		if (!isdir)
			mod_set(ctx, "file", val_str(src));
		mod_msg(ctx, isdir ? "remote file is a directory, fetch cannot "
		    "work on directories, not transferring, ignored" : "the "
		    "remote file does not exist, not transferring, ignored");
		return 0;
	}
	mod_fail(ctx, isdir ? "remote file is a directory, fetch cannot work "
	    "on directories" : "the remote file does not exist, not "
	    "transferring, ignored");
	return -1;
}

static int
not_regular(struct modctx *ctx, const char *src)
{
	mod_fail(ctx, "remote file '%s' is not a regular file", src);
	return -1;
}

/* Write data to dest when it differs; sets the return values. */
static int
store(struct modctx *ctx, const struct val *args, const char *dest,
    const struct strbuf *data, unsigned remote_mode)
{
	struct strbuf local = STRBUF_INIT;
	char rsum[41], lsum[41] = "", md5[33];
	int have = strbuf_read_file(&local, dest) == 0, ret = 0;

	rf_sha1_hex(data->buf, data->len, rsum);
	if (have)
		rf_sha1_hex(local.buf, local.len, lsum);
	mod_set(ctx, "dest", val_str(dest));
	if (have && strcmp(lsum, rsum) == 0) {
		md5_hex(local.buf, local.len, md5);
		mod_set(ctx, "file", val_str(arg_str(args, "src")));
		mod_set(ctx, "checksum", val_str(lsum));
		mod_set(ctx, "md5sum", val_str(md5));
	} else if (make_parents(dest) < 0 ||
	    replace_file_atomic(dest, data->buf, data->len,
	    (remote_mode & 0777) | 0200) < 0) {
		mod_fail(ctx, "Failed to fetch the file: %s: %s", dest,
		    strerror(errno));
		ret = -1;
	} else {
		md5_hex(data->buf, data->len, md5);
		mod_changed(ctx);
		mod_set(ctx, "checksum", val_str(rsum));
		mod_set(ctx, "remote_checksum", val_str(rsum));
		mod_set(ctx, "md5sum", val_str(md5));
		mod_set(ctx, "remote_md5sum", val_null());
	}
	strbuf_release(&local);
	return ret;
}

static enum mod_result
fetch_run(struct modctx *ctx, const struct val *args)
{
	struct strbuf data = STRBUF_INIT, dest = STRBUF_INIT;
	const char *src = arg_str(args, "src");
	struct file_meta meta;
	unsigned type = 0;
	int ret;

	if (ctx->check) {
		ctx->skipped = 1;
		mod_msg(ctx, "check mode not (yet) supported for this module");
		return mod_done(ctx, 0);
	}
	ret = rf_read(ctx, src, &data, &meta, &type);
	if (ret == 0 && (!meta.exists || type == S_IFDIR))
		ret = not_fetched(ctx, src, type == S_IFDIR,
		    arg_bool(args, "fail_on_missing"));
	else if (ret == 0 && type != S_IFREG)
		ret = not_regular(ctx, src);
	else if (ret == 0 && (ret = local_dest(ctx, args, &dest)) == 0)
		ret = store(ctx, args, dest.buf, &data, meta.mode);
	strbuf_release(&data);
	strbuf_release(&dest);
	file_meta_release(&meta);
	return mod_done(ctx, ret);
}

const struct module mod_fetch = {
	.name = "fetch",
	.summary = "fetch files from remote nodes",
	.doc = "Ansible's fetch: the host's file src is stored on the "
	    "controller as dest/HOST/SRC (flat: true: dest itself, or "
	    "dest/BASENAME when dest ends in /); a relative dest is under the "
	    "playbook's directory.  Written only when the SHA-1 differs, "
	    "atomically.  fail_on_missing: false turns a missing file or a "
	    "directory into an ok task.  Check mode skips it (as Ansible).  "
	    "Returns dest, checksum, remote_checksum, md5sum, file.",
	.args = fetch_args,
	.flags = MOD_SUPPORTS_CHECK,
	.run = fetch_run,
};
