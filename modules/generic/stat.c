/*
 * stat.c - facts about a file on the host, like ansible.builtin.stat.
 *
 * One remote command: GNU `stat -c` (with -L for follow), access tests as
 * the (become) user, readlink for symlinks, and a checksum of a readable
 * regular file.  Times are whole seconds (mend values have no floats).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "modules/module.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const struct module_arg stat_args[] = {
	{ "path", ARG_PATH, 1, NULL, NULL, "the file or object to look at",
	  "dest|name" },
	{ "follow", ARG_BOOL, 0, "false", NULL,
	  "follow symlinks (report on the target)", NULL },
	{ "get_checksum", ARG_BOOL, 0, "true", NULL,
	  "return the checksum of a readable regular file", NULL },
	{ "checksum_algorithm", ARG_STR, 0, "sha1",
	  "md5|sha1|sha224|sha256|sha384|sha512",
	  "checksum algorithm (Ansible's default: sha1)",
	  "checksum|checksum_algo" },
	{ "get_mime", ARG_BOOL, 0, "false", NULL,
	  "accepted for compatibility; mend returns no mime type",
	  "mime|mime_type|mime-type" },
	{ "get_attributes", ARG_BOOL, 0, "false", NULL,
	  "accepted for compatibility; mend returns no attributes",
	  "attr|attributes" },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static const char stat_script[] =
    "LC_ALL=C; export LC_ALL; p=%q; f=%q\n"
    "if ! s=$(stat $f -c '%%f %%u %%g %%U %%G %%s %%i %%d %%h %%.9X %%.9Y "
    "%%.9Z %%b %%B %%t %%T' -- \"$p\" 2>&1); then\n"
    "  case $s in *'No such file'*|*'Not a directory'*)\n"
    "    echo 'mend 0'; exit 0;; esac\n"
    "  printf '%%s\\n' \"$s\" >&2; exit 2\n"
    "fi\n"
    "printf 'mend 1 %%s\\n' \"$s\"\n"
    "a=; [ -r \"$p\" ] && a=${a}r; [ -w \"$p\" ] && a=${a}w\n"
    "[ -x \"$p\" ] && a=${a}x; printf 'access=%%s\\n' \"$a\"\n"
    "if [ -z \"$f\" ] && [ -L \"$p\" ]; then\n"
    "  printf 'lnk_source=%%s\\n' \"$(readlink -f -- \"$p\")\"\n"
    "  printf 'lnk_target=%%s\\n' \"$(readlink -- \"$p\")\"\n"
    "fi\n";
static const char sum_script[] =
    "if [ -f \"$p\" ] && [ -r \"$p\" ] && { [ -n \"$f\" ] || "
    "[ ! -L \"$p\" ]; }; then\n"
    "  c=$(%s < \"$p\") || exit 2; printf 'checksum=%%s\\n' \"${c%%%% *}\"\n"
    "fi\n";

struct st_raw {
	unsigned mode, uid, gid, major, minor;
	char user[256], group[256];
	unsigned long long size, ino, dev, nlink, blocks, bsize;
	long long atime, mtime, ctime;
};

static int
parse_stat(const char *line, struct st_raw *s)
{
	return sscanf(line, "mend 1 %x %u %u %255s %255s %llu %llu %llu %llu "
	    "%lld.%*u %lld.%*u %lld.%*u %llu %llu %x %x", &s->mode, &s->uid,
	    &s->gid, s->user, s->group, &s->size, &s->ino, &s->dev, &s->nlink,
	    &s->atime, &s->mtime, &s->ctime, &s->blocks, &s->bsize, &s->major,
	    &s->minor) == 16 ? 0 : -1;
}

/* The value after "\nkey=" in out, up to the end of its line, or NULL. */
static struct val *
field(const char *out, const char *key)
{
	char *pat = xasprintf("\n%s=", key);
	const char *p = strstr(out, pat), *e;
	size_t klen = strlen(pat);

	free(pat);
	if (p == NULL)
		return NULL;
	p += klen;
	e = strchr(p, '\n');
	return val_strn(p, e ? (size_t)(e - p) : strlen(p));
}

static void
set_bool(struct val *m, const char *key, int b)
{
	val_map_set(m, key, val_bool(b != 0));
}

static void
add_type_bits(struct val *m, const struct st_raw *s)
{
	unsigned t = s->mode & S_IFMT, pm = s->mode & 07777;

	set_bool(m, "isdir", t == S_IFDIR);
	set_bool(m, "ischr", t == S_IFCHR);
	set_bool(m, "isblk", t == S_IFBLK);
	set_bool(m, "isreg", t == S_IFREG);
	set_bool(m, "isfifo", t == S_IFIFO);
	set_bool(m, "islnk", t == S_IFLNK);
	set_bool(m, "issock", t == S_IFSOCK);
	set_bool(m, "wusr", pm & S_IWUSR);
	set_bool(m, "rusr", pm & S_IRUSR);
	set_bool(m, "xusr", pm & S_IXUSR);
	set_bool(m, "wgrp", pm & S_IWGRP);
	set_bool(m, "rgrp", pm & S_IRGRP);
	set_bool(m, "xgrp", pm & S_IXGRP);
	set_bool(m, "woth", pm & S_IWOTH);
	set_bool(m, "roth", pm & S_IROTH);
	set_bool(m, "xoth", pm & S_IXOTH);
	set_bool(m, "isuid", pm & S_ISUID);
	set_bool(m, "isgid", pm & S_ISGID);
}

static void
add_numbers(struct val *m, const struct st_raw *s)
{
	val_map_set(m, "uid", val_int(s->uid));
	val_map_set(m, "gid", val_int(s->gid));
	val_map_set(m, "size", val_int((int64_t)s->size));
	val_map_set(m, "inode", val_int((int64_t)s->ino));
	val_map_set(m, "dev", val_int((int64_t)s->dev));
	val_map_set(m, "nlink", val_int((int64_t)s->nlink));
	val_map_set(m, "atime", val_int(s->atime));
	val_map_set(m, "mtime", val_int(s->mtime));
	val_map_set(m, "ctime", val_int(s->ctime));
	val_map_set(m, "blocks", val_int((int64_t)s->blocks));
	val_map_set(m, "block_size", val_int((int64_t)s->bsize));
	val_map_set(m, "device_type",
	    val_int((int64_t)makedev(s->major, s->minor)));
}

static struct val *
build_stat(const char *path, const char *out, const struct st_raw *s)
{
	struct val *m = val_map(), *v, *acc = field(out, "access");
	const char *a = acc ? acc->u.str.s : "";
	static const char *const extra[] = { "lnk_source", "lnk_target",
	    "checksum" };
	size_t i;

	val_map_set(m, "exists", val_bool(1));
	val_map_set(m, "path", val_str(path));
	val_map_set(m, "mode", val_str_take(xasprintf("%04o",
	    s->mode & 07777)));
	add_type_bits(m, s);
	add_numbers(m, s);
	set_bool(m, "readable", strchr(a, 'r') != NULL);
	set_bool(m, "writeable", strchr(a, 'w') != NULL);
	set_bool(m, "executable", strchr(a, 'x') != NULL);
	val_map_set(m, "pw_name", val_str(s->user));
	val_map_set(m, "gr_name", val_str(s->group));
	for (i = 0; i < ARRAY_SIZE(extra); i++)
		if ((v = field(out, extra[i])) != NULL)
			val_map_set(m, extra[i], v);
	val_free(acc);
	return m;
}

static struct val *
missing(void)
{
	struct val *m = val_map();

	val_map_set(m, "exists", val_bool(0));
	return m;
}

/* The coreutils command for an algorithm (args already checked choices). */
static const char *
sum_command(const char *algo)
{
	static const char *const names[] = { "md5", "sha1", "sha224",
	    "sha256", "sha384", "sha512" };
	static const char *const cmds[] = { "md5sum", "sha1sum", "sha224sum",
	    "sha256sum", "sha384sum", "sha512sum" };
	size_t i;

	for (i = 0; algo != NULL && i < ARRAY_SIZE(names); i++)
		if (strcmp(algo, names[i]) == 0)
			return cmds[i];
	return "sha1sum";
}

static enum mod_result
stat_run(struct modctx *ctx, const struct val *args)
{
	const char *path = arg_str(args, "path");
	const char *algo = arg_str(args, "checksum_algorithm");
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	struct st_raw s;
	int ret;

	shellcmd_build(&cmd, stat_script, path,
	    arg_bool(args, "follow") ? "-L" : "");
	if (arg_bool(args, "get_checksum"))
		shellcmd_build(&cmd, sum_script, sum_command(algo));
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd.buf, NULL, 0, &r);
	strbuf_rtrim(&r.err);
	if (ret != 0)
		goto out;
	if (r.rc != 0)
		mod_fail(ctx, "cannot stat '%s': %s", path, r.err.len ?
		    r.err.buf : "remote command failed");
	else if (strncmp(r.out.buf, "mend 0", 6) == 0)
		mod_set(ctx, "stat", missing());
	else if (parse_stat(r.out.buf, &s) != 0)
		mod_fail(ctx, "cannot stat '%s': unexpected reply from the "
		    "host", path);
	else
		mod_set(ctx, "stat", build_stat(path, r.out.buf, &s));
out:
	exec_res_release(&r);
	strbuf_release(&cmd);
	return mod_done(ctx, ret);
}

const struct module mod_stat = {
	.name = "stat",
	.summary = "retrieve file or file system status",
	.doc = "Ansible's stat: returns stat.exists and, when it exists, "
	    "path, mode ('0644'), isreg/isdir/islnk/..., uid, gid, pw_name, "
	    "gr_name, size, inode, dev, nlink, atime/mtime/ctime (whole "
	    "seconds), readable/writeable/executable (for the remote user), "
	    "lnk_source/lnk_target for symlinks (follow=false), and checksum "
	    "(checksum_algorithm, default sha1) for readable regular files.",
	.args = stat_args,
	.flags = MOD_SUPPORTS_CHECK,
	.run = stat_run,
};
