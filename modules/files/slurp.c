/*
 * slurp.c - read a file from the host, like ansible.builtin.slurp: its
 * bytes come back base64-encoded as `content`, with `source` and
 * `encoding` ("base64"), for `register:` and `| b64decode`.  One read
 * through the connection (SFTP or one command, symlinks followed); the
 * host is never changed, so check mode runs it too.  Ansible's messages
 * for a missing file and a directory.  Files up to SLURP_MAX bytes (the
 * registered value stays in the controller's memory).
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "modules/module.h"
#include "runner/core/remotefile.h"
#include "runner/util/banned.h"

#define SLURP_MAX (64u << 20)

static const struct module_arg slurp_args[] = {
	{ "src", ARG_PATH, 1, NULL, NULL, "the file to read on the host",
	  "path" },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static struct val *
base64(const struct strbuf *data)
{
	size_t n = 4 * ((data->len + 2) / 3);
	unsigned char *out = malloc(n + 1);
	struct val *v;

	if (out == NULL)
		abort();
	EVP_EncodeBlock(out, (const unsigned char *)data->buf, (int)data->len);
	out[n] = '\0';
	v = val_strn((const char *)out, n);
	free(out);
	return v;
}

/* Ansible's refusal for what was read, or 0. */
static int
refuse(struct modctx *ctx, const char *src, const struct file_meta *m,
    unsigned type, size_t len)
{
	if (!m->exists)
		mod_fail(ctx, "file not found: %s", src);
	else if (type == S_IFDIR)
		mod_fail(ctx, "source is a directory and must be a file: %s",
		    src);
	else if (type != S_IFREG)
		mod_fail(ctx, "unable to slurp file: %s is not a regular file",
		    src);
	else if (len > SLURP_MAX)
		mod_fail(ctx, "unable to slurp file: %s is larger than %u "
		    "bytes", src, SLURP_MAX);
	return ctx->failed ? -1 : 0;
}

static enum mod_result
slurp_run(struct modctx *ctx, const struct val *args)
{
	struct strbuf content = STRBUF_INIT;
	const char *src = arg_str(args, "src");
	struct file_meta meta;
	unsigned type = 0;
	int ret;

	ret = rf_read(ctx, src, &content, &meta, &type);
	if (ret == 0)
		ret = refuse(ctx, src, &meta, type, content.len);
	if (ret == 0) {
		mod_set(ctx, "content", base64(&content));
		mod_set(ctx, "source", val_str(src));
		mod_set(ctx, "encoding", val_str("base64"));
	}
	strbuf_release(&content);
	file_meta_release(&meta);
	return mod_done(ctx, ret);
}

const struct module mod_slurp = {
	.name = "slurp",
	.summary = "slurps a file from remote nodes",
	.doc = "Ansible's slurp: returns the file's bytes base64-encoded "
	    "(content), with source and encoding: base64.  Symlinks are "
	    "followed.  A missing file, a directory or another non-regular "
	    "file fail the task with Ansible's messages.",
	.args = slurp_args,
	.flags = MOD_SUPPORTS_CHECK,
	.run = slurp_run,
};
