/*
 * remotefile.c - reading, writing and comparing files on the host, one
 * remote command per operation, unless the SFTP path (rfsftp.c) did it;
 * see modules/module.h and remotefile.h.
 *
 * Read protocol (stdout of one command): a header then the payload,
 *     "mend 0 L D\0"          missing (L: is a link, D: its directory exists)
 *     "mend 1 L MODE UID GID USER GROUP SIZE\0REALPATH\0" payload
 * MODE is st_mode in hex (stat %f), so the C side gets the file type; the
 * payload (content or "sha256  -") follows only for regular files.
 * REALPATH: for an absolute path that is not itself a symlink, the
 * physical directory (cd -P, a builtin: no readlink process on the host)
 * plus the name; otherwise readlink -f.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "runner/util/shlex.h"
#include "modules/module.h"
#include "runner/util/diff.h"
#include "runner/core/journal.h"
#include "runner/core/remotefile.h"
#include "runner/core/rfsftp.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const char probe_script[] =
    "LC_ALL=C; export LC_ALL; p=%q; l=0; [ -L \"$p\" ] && l=1\n"
    "if ! m=$(stat -L -c '%%f %%u %%g %%U %%G %%s' -- \"$p\" 2>&1); then\n"
    "  case $m in *'No such file'*|*'Not a directory'*)\n"
    "    d=0; [ -d \"$(dirname -- \"$p\")\" ] && d=1\n"
    "    printf 'mend 0 %%s %%s\\0' $l $d; exit 0;; esac\n"
    "  printf '%%s\\n' \"$m\" >&2; exit 2\n"
    "fi\n"
    "r=\n"
    "case $l$p in 0/*)\n"
    "  b=${p##*/}; q=${p%%/*}\n"
    "  case $b in ''|.|..) ;; *)\n"
    "    cd -P -- \"${q:-/}\" 2>/dev/null && r=${PWD%%/}/$b;; esac;;\n"
    "esac\n"
    "[ -n \"$r\" ] || r=$(readlink -f -- \"$p\") || exit 2\n"
    "printf 'mend 1 %%s %%s\\0%%s\\0' $l \"$m\" \"$r\"\n"
    "[ -f \"$p\" ] || exit 0\n"
    "%s";
static const char read_tail[] = "exec cat -- \"$p\"\n";
static const char sum_tail[] = "sha256sum < \"$p\" || exit 2\n";

void
file_meta_release(struct file_meta *m)
{
	free(m->realpath);
	free(m->owner);
	free(m->group);
	memset(m, 0, sizeof(*m));
}

void
file_probe_release(struct file_probe *p)
{
	file_meta_release(&p->meta);
	memset(p, 0, sizeof(*p));
}

/* mod_fail() returns 0 (a recorded result); the functions here return -1
 * for it: `return as_error(mod_fail(ctx, ...));`. */
static int
as_error(int mod_fail_ret)
{
	(void)mod_fail_ret;
	return -1;
}

/* Report a failed remote command: "<what> '<path>': <stderr>". */
static int
fail_cmd(struct modctx *ctx, const char *what, const char *path,
    struct exec_res *r)
{
	strbuf_rtrim(&r->err);
	if (r->err.len > 0)
		mod_fail(ctx, "%s '%s': %s", what, path, r->err.buf);
	else
		mod_fail(ctx, "%s '%s': remote command exited %d", what, path,
		    r->rc);
	return -1;
}

/* Parse the header; *body = offset of the payload.  -1 if malformed. */
static int
parse_header(const struct strbuf *out, struct file_probe *p, size_t *body)
{
	const char *nul = memchr(out->buf, '\0', out->len), *rp;
	char user[256], group[256];
	unsigned mode;
	int ex, lnk;

	memset(p, 0, sizeof(*p));
	if (nul == NULL || sscanf(out->buf, "mend %d %d", &ex, &lnk) != 2)
		return -1;
	p->meta.exists = ex;
	p->meta.is_link = lnk;
	*body = (size_t)(nul - out->buf) + 1;
	if (!ex) {
		p->parent_exists = sscanf(out->buf, "mend 0 %*d %d", &ex) == 1 &&
		    ex == 1;
		return 0;
	}
	p->parent_exists = 1;
	if (sscanf(out->buf, "mend %*d %*d %x %u %u %255s %255s %llu", &mode,
	    &p->uid, &p->gid, user, group, &p->meta.size) != 6)
		return -1;
	rp = out->buf + *body;
	nul = memchr(rp, '\0', out->len - *body);
	if (nul == NULL)
		return -1;
	p->type = mode & S_IFMT;
	p->meta.mode = mode & 07777;
	p->meta.realpath = xstrndup(rp, (size_t)(nul - rp));
	p->meta.owner = strcmp(user, "UNKNOWN") == 0 ?
	    xasprintf("%u", p->uid) : xstrdup(user);
	p->meta.group = strcmp(group, "UNKNOWN") == 0 ?
	    xasprintf("%u", p->gid) : xstrdup(group);
	*body = (size_t)(nul - out->buf) + 1;
	return 0;
}

/* Run the probe script with `tail`; fills p, and the payload into r->out
 * from offset *body. */
static int
probe_exec(struct modctx *ctx, const char *path, const char *tail,
    struct file_probe *p, struct exec_res *r, size_t *body)
{
	struct strbuf cmd = STRBUF_INIT;
	int ret;

	shellcmd_build(&cmd, probe_script, path, tail);
	ret = mod_exec(ctx, cmd.buf, NULL, 0, r);
	strbuf_release(&cmd);
	if (ret != 0)
		return ret;
	if (r->rc != 0)
		return fail_cmd(ctx, "cannot read", path, r);
	if (r->out.truncated)
		return as_error(mod_fail(ctx, "cannot read '%s': larger than the %zu "
		    "bytes mend reads", path, r->out.len));
	if (parse_header(&r->out, p, body) != 0) {
		file_probe_release(p);
		return as_error(mod_fail(ctx, "cannot read '%s': unexpected reply from "
		    "the host", path));
	}
	return 0;
}

int
rf_probe(struct modctx *ctx, const char *path, int want_sha256,
    struct file_probe *p)
{
	struct strbuf content = STRBUF_INIT;
	struct exec_res r;
	size_t body, i;
	int ret;

	ret = rf_sftp_probe(ctx, path, want_sha256 ? RF_SHA256 : RF_META,
	    &content, p);
	strbuf_release(&content);
	if (ret != RF_SHELL)
		return ret;
	exec_res_init(&r);
	ret = probe_exec(ctx, path, want_sha256 ? sum_tail : "", p, &r, &body);
	if (ret == 0 && want_sha256 && p->type == S_IFREG) {
		for (i = 0; i < 64 && body + i < r.out.len &&
		    isxdigit((unsigned char)r.out.buf[body + i]); i++)
			p->sha256[i] = r.out.buf[body + i];
		p->sha256[i] = '\0';
		if (i != 64) {
			file_probe_release(p);
			ret = as_error(mod_fail(ctx, "cannot checksum '%s': unexpected "
			    "reply from the host", path));
		}
	}
	exec_res_release(&r);
	return ret;
}

int
rf_read(struct modctx *ctx, const char *path, struct strbuf *content,
    struct file_meta *meta, unsigned *type)
{
	struct file_probe p;
	struct exec_res r;
	size_t body;
	int ret;

	memset(meta, 0, sizeof(*meta));
	*type = 0;
	strbuf_reset(content);
	ret = rf_sftp_probe(ctx, path, RF_CONTENT, content, &p);
	if (ret == 0) {
		*meta = p.meta;          /* transferred */
		*type = p.type;
	}
	if (ret != RF_SHELL)
		return ret;
	exec_res_init(&r);
	ret = probe_exec(ctx, path, read_tail, &p, &r, &body);
	if (ret == 0) {
		strbuf_add(content, r.out.buf + body, r.out.len - body);
		*meta = p.meta;          /* transferred */
		*type = p.type;
	}
	exec_res_release(&r);
	return ret;
}

int
mod_read_file(struct modctx *ctx, const char *path, struct strbuf *content,
    struct file_meta *meta)
{
	unsigned type;
	int ret = rf_read(ctx, path, content, meta, &type);

	if (ret != 0 || !meta->exists || type == S_IFREG)
		return ret;
	file_meta_release(meta);
	if (type == S_IFDIR)
		return as_error(mod_fail(ctx, "'%s' is a directory", path));
	return as_error(mod_fail(ctx, "'%s' is not a regular file", path));
}

static mod_masker_fn secret_masker;

void
mod_set_secret_masker(mod_masker_fn fn)
{
	secret_masker = fn;
}

void
mod_add_diff(struct modctx *ctx, const char *path, const char *a,
    size_t alen, const char *b, size_t blen)
{
	struct strbuf ma = STRBUF_INIT, mb = STRBUF_INIT;

	if (ctx->no_log)
		return;
	if (secret_masker != NULL && !diff_is_binary(a, alen) &&
	    !diff_is_binary(b, blen)) {
		secret_masker(path, a, alen, &ma);
		secret_masker(path, b, blen, &mb);
		a = ma.buf, alen = ma.len, b = mb.buf, blen = mb.len;
	}
	diff_file(&ctx->diffs, path, a, alen, b, blen);
	strbuf_release(&ma);
	strbuf_release(&mb);
}

/* ---- writing ---- */

/* One validate word: quoted, with every "%s" replaced by "$tmp". */
static void
add_validate_word(struct strbuf *cmd, const char *w)
{
	const char *hit;

	if (*w == '\0')
		strbuf_addstr(cmd, "''");
	while (*w != '\0') {
		hit = strstr(w, "%s");
		if (hit != w) {
			char *piece = hit ? xstrndup(w, (size_t)(hit - w)) :
			    xstrdup(w);

			strbuf_addquoted(cmd, piece);
			free(piece);
		}
		if (hit == NULL)
			break;
		strbuf_addstr(cmd, "\"$tmp\"");
		w = hit + 2;
	}
}

/* Run the validate command on the temp file (after mode/owner are set:
 * visudo -c checks them); its output goes to stderr. */
static void
build_validate(struct strbuf *cmd, char *const *argv)
{
	size_t i;

	for (i = 0; argv[i] != NULL; i++) {
		add_validate_word(cmd, argv[i]);
		strbuf_addch(cmd, ' ');
	}
	shellcmd_build(cmd, "</dev/null 1>&2 || { rc=$?; "
	    "printf 'failed to validate: rc:%%s\\n' $rc >&2; exit 1; }\n");
}

/* Every program the script starts costs a fork+exec on the host (~1-2 ms
 * of CPU each), so builtins are used where they are equivalent: ${t%/...}
 * for dirname (t is canonical), the umask saved only for a new file, one
 * stat for both the size check and the metadata reported (the rename keeps
 * the inode), dd conv=fsync writing and syncing the temp file in one
 * program, bash's printf %()T for the backup's date.  Order: write+fsync
 * the temp, its owner/group then mode (chown clears setuid/setgid: the
 * other way round lost them), size check, backup, validate, rename, sync
 * the directory. */
static void
build_write_cmd(struct strbuf *cmd, const char *path, size_t len,
    const struct write_opts *o, char *const *argv)
{
	char n[32];

	snprintf(n, sizeof(n), "%zu", len);
	shellcmd_build(cmd, "LC_ALL=C; export LC_ALL; p=%q; n=%q; b=\n", path,
	    n);
	if (o->mkdirs)
		shellcmd_build(cmd, "mkdir -p -- \"$(dirname -- \"$p\")\" "
		    "|| exit 1\n");
	shellcmd_build(cmd,
	    "t=$(readlink -f -- \"$p\") && [ -n \"$t\" ] || "
	    "{ printf 'its directory does not exist\\n' >&2; exit 1; }\n"
	    "if [ -d \"$t\" ]; then printf 'is a directory\\n' >&2; exit 1; fi\n"
	    "um=; [ -e \"$t\" ] || um=$(umask)\n"
	    "umask 077\n"
	    "d=${t%%/*}; d=${d:-/}\n"
	    "tmp=$(mktemp -- \"$d/.mend.XXXXXX\") || exit 1\n"
	    "trap 'rm -f -- \"$tmp\"' EXIT; trap 'exit 1' HUP INT TERM PIPE\n"
	    "dd of=\"$tmp\" bs=65536 conv=fsync status=none || exit 1\n"
	    "if [ -e \"$t\" ]; then\n"
	    "  chown --reference=\"$t\" -- \"$tmp\" 2>/dev/null ||"
	    " [ \"$(id -u)\" != 0 ] || exit 1\n"
	    "  chmod --reference=\"$t\" -- \"$tmp\" || exit 1\n"
	    "else\n"
	    "  chmod \"$(printf %%o $((0666 & ~0${um:-077})))\" -- \"$tmp\" "
	    "|| exit 1\n"
	    "fi\n");
	/* owner and group before the mode: chown clears setuid/setgid */
	if (o->owner != NULL)
		shellcmd_build(cmd, "chown -- %q \"$tmp\" || exit 1\n", o->owner);
	if (o->group != NULL)
		shellcmd_build(cmd, "chgrp -- %q \"$tmp\" || exit 1\n", o->group);
	if (o->mode != NULL)
		shellcmd_build(cmd, "chmod -- %q \"$tmp\" || exit 1\n", o->mode);
	shellcmd_build(cmd,
	    "st=$(stat -c 'mend 1 0 %%f %%u %%g %%U %%G %%s' -- \"$tmp\") "
	    "|| exit 1\n"
	    "s=${st##* }\n"
	    "[ \"$s\" = \"$n\" ] || { printf 'short write: %%s of %%s bytes\\n'"
	    " \"$s\" \"$n\" >&2; exit 1; }\n");
	if (o->backup)
		shellcmd_build(cmd, "if [ -e \"$t\" ]; then\n"
		    "  case ${BASH_VERSION-} in\n"
		    "  [5-9]*|4.[2-9]*) printf -v ts '%%(%%Y-%%m-%%d@%%H:%%M:%%S)T'"
		    " -1 ;;\n"
		    "  *) ts=$(date +%%Y-%%m-%%d@%%H:%%M:%%S) ;;\n"
		    "  esac\n"
		    "  b=%q.$$.$ts~\n"
		    "  cp -p -- \"$t\" \"$b\" || exit 1\n"
		    "fi\n", path);
	if (argv != NULL)
		build_validate(cmd, argv);
	shellcmd_build(cmd, "mv -f -- \"$tmp\" \"$t\" || exit 1\n"
	    "trap - EXIT\n"
	    "sync -- \"$d\" 2>/dev/null || :\n"
	    "printf '%%s\\n' \"$st\"\n"
	    "[ -z \"$b\" ] || printf 'backup=%%s\\n' \"$b\"\n");
}

/* Stdout of the write command: "mend 1 0 MODE UID GID USER GROUP SIZE\n"
 * (the file as written), then "backup=PATH\n" when a backup was made. */
static void
parse_written(const struct strbuf *out, struct file_probe *after,
    char **backup)
{
	const char *b = strstr(out->buf, "\nbackup=");
	const char *st = strstr(out->buf, "mend 1 0 ");
	char user[256], group[256];
	unsigned mode;

	memset(after, 0, sizeof(*after));
	*backup = NULL;
	if (b != NULL) {
		size_t len = out->len - (size_t)(b + 8 - out->buf);

		if (len > 0 && b[8 + len - 1] == '\n')
			len--;
		*backup = xstrndup(b + 8, len);
	}
	if (st == NULL || sscanf(st, "mend 1 0 %x %u %u %255s %255s %llu", &mode,
	    &after->uid, &after->gid, user, group, &after->meta.size) != 6)
		return;
	after->meta.exists = 1;
	after->type = mode & S_IFMT;
	after->meta.mode = mode & 07777;
	after->meta.owner = xstrdup(user);
	after->meta.group = xstrdup(group);
}

/* Run the write command between the journal's intent and done/fail. */
static int
write_journaled(struct modctx *ctx, const char *path,
    const struct strbuf *old, const void *data, size_t len,
    struct write_opts *o, char *const *argv)
{
	struct file_meta none = { 0, 0, NULL, 0, NULL, NULL, 0 };
	const struct file_meta *before = o->before ? o->before : &none;
	struct strbuf cmd = STRBUF_INIT;
	struct file_probe after;
	struct exec_res r;
	long seq;
	int ret;

	if (o->before == NULL)
		none.exists = old != NULL;
	seq = mod_journal_intent(ctx, path, before, old ? old->buf : "",
	    old ? old->len : 0, data, len, NULL);
	if (seq < 0)
		return as_error(mod_fail(ctx, "cannot write the journal "
		    "entry for '%s': not changing it", path));
	exec_res_init(&r);
	ret = rf_sftp_write(ctx, path, data, len, o, argv != NULL, &after,
	    &o->backup_file);
	if (ret == 0) {
		r.rc = 0;
		goto written;
	}
	if (ret != RF_SHELL)
		goto out;
	build_write_cmd(&cmd, path, len, o, argv);
	ret = mod_exec(ctx, cmd.buf, data, len, &r);
	if (ret == 0 && r.rc != 0) {
		ret = fail_cmd(ctx, "cannot write", path, &r);
		mod_journal_fail(ctx, seq, ctx->msg.buf);
	} else if (ret == 0) {
		parse_written(&r.out, &after, &o->backup_file);
written:
		mod_journal_done(ctx, seq, data, len, &after.meta);
		if (o->backup_file != NULL && old != NULL)
			mod_journal_backup(ctx, path, o->backup_file, old->buf,
			    old->len);
		file_probe_release(&after);
	}
out:
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

/* The validate command as words (shlex), or NULL; -1 after mod_fail(). */
static int
split_validate(struct modctx *ctx, const char *validate, char ***argv)
{
	const char *why;
	size_t n;

	*argv = NULL;
	if (validate == NULL)
		return 0;
	if (strstr(validate, "%s") == NULL)
		return as_error(mod_fail(ctx, "validate must contain %%s: %s",
		    validate));
	if (shlex_split(validate, argv, &n, &why) != 0)
		return as_error(mod_fail(ctx, "validate: %s: %s", why,
		    validate));
	if (n == 0) {
		shlex_free(*argv);
		*argv = NULL;
		return as_error(mod_fail(ctx, "validate is empty"));
	}
	return 0;
}

int
mod_write_file_opts(struct modctx *ctx, const char *path,
    const struct strbuf *old, const void *data, size_t len,
    struct write_opts *o)
{
	char **argv = NULL;
	int ret;

	o->backup_file = NULL;
	if (o->mode != NULL && !rf_mode_valid(o->mode))
		return as_error(mod_fail(ctx, "invalid mode '%s'", o->mode));
	if (split_validate(ctx, o->validate, &argv) != 0)
		return -1;
	ret = ctx->check ? 0 : write_journaled(ctx, path, old, data, len, o,
	    argv);
	if (ret == 0 && ctx->diff)        /* no diff for a failed write */
		mod_add_diff(ctx, path, old ? old->buf : "", old ? old->len : 0,
		    data, len);
	shlex_free(argv);
	return ret;
}

int
mod_write_file(struct modctx *ctx, const char *path, const struct strbuf *old,
    const void *data, size_t len, const char *mode, const char *owner,
    const char *group)
{
	struct write_opts o;

	memset(&o, 0, sizeof(o));
	o.mode = mode;
	o.owner = owner;
	o.group = group;
	return mod_write_file_opts(ctx, path, old, data, len, &o);
}

/* ---- attributes ---- */

int
rf_mode_octal(const char *s)
{
	size_t n = strspn(s, "01234567");

	return n > 0 && n <= 5 && s[n] == '\0';
}

int
rf_mode_valid(const char *mode)
{
	const char *p = mode;

	if (rf_mode_octal(mode))
		return strtoul(mode, NULL, 8) <= 07777;
	for (;;) {     /* [ugoa]*([-+=]([rwxXst]*|[ugo]))+ (,...)* */
		p += strspn(p, "ugoa");
		if (strchr("-+=", *p) == NULL || *p == '\0')
			return 0;
		while (*p != '\0' && strchr("-+=", *p) != NULL) {
			p++;
			if (*p != '\0' && strchr("ugo", *p) != NULL)
				p++;
			else
				p += strspn(p, "rwxXst");
		}
		if (*p == '\0')
			return 1;
		if (*p++ != ',')
			return 0;
	}
}

/* Decide without a command when possible: 1 = differs, 0 = same,
 * -1 = cannot tell locally. */
static int
attrs_differ_local(const struct file_meta *m, const char *mode,
    const char *owner, const char *group)
{
	int differs = 0;

	if (m == NULL || !m->exists)
		return -1;
	if (mode != NULL && !rf_mode_octal(mode))
		return -1;
	if (mode != NULL && strtoul(mode, NULL, 8) != m->mode)
		differs = 1;
	if (owner != NULL && (m->owner == NULL || strcmp(owner, m->owner) != 0))
		return -1;
	if (group != NULL && (m->group == NULL || strcmp(group, m->group) != 0))
		return -1;
	return differs;
}

static void
build_attrs_cmd(struct strbuf *cmd, int check, const char *path,
    const char *mode, const char *owner, const char *group, int created)
{
	shellcmd_build(cmd, "LC_ALL=C; export LC_ALL; p=%q; c=0\n"
	    "t=$(readlink -f -- \"$p\") && [ -e \"$t\" ] || "
	    "{ printf 'no such file\\n' >&2; exit 1; }\n", path);
	if (mode != NULL && check)
		shellcmd_build(cmd, "b=$(stat -c %%a -- \"$t\") || exit 1\n"
		    "s=$(mktemp) || exit 1; trap 'rm -f -- \"$s\"' EXIT\n"
		    "chmod --reference=\"$t\" -- \"$s\" && chmod -- %q \"$s\" "
		    "&& a=$(stat -c %%a -- \"$s\") || exit 1\n"
		    "[ \"$a\" = \"$b\" ] || c=1\n", mode);
	else if (mode != NULL && created)   /* as if made 0666 & ~umask */
		shellcmd_build(cmd, "b=$(printf %%o $((0666 & ~0$(umask))))\n"
		    "chmod -- %q \"$t\" && a=$(stat -c %%a -- \"$t\") || exit 1\n"
		    "[ \"$a\" = \"$b\" ] || c=1\n", mode);
	else if (mode != NULL)
		shellcmd_build(cmd, "b=$(stat -c %%a -- \"$t\") || exit 1\n"
		    "chmod -- %q \"$t\" && a=$(stat -c %%a -- \"$t\") || exit 1\n"
		    "[ \"$a\" = \"$b\" ] || c=1\n", mode);
	if (owner != NULL)
		shellcmd_build(cmd, "o=%q; if [ \"$(stat -c %%U -- \"$t\")\" != "
		    "\"$o\" ] && [ \"$(stat -c %%u -- \"$t\")\" != \"$o\" ]; then "
		    "c=1; %s; fi\n", owner,
		    check ? ":" : "chown -- \"$o\" \"$t\" || exit 1");
	if (group != NULL)
		shellcmd_build(cmd, "g=%q; if [ \"$(stat -c %%G -- \"$t\")\" != "
		    "\"$g\" ] && [ \"$(stat -c %%g -- \"$t\")\" != \"$g\" ]; then "
		    "c=1; %s; fi\n", group,
		    check ? ":" : "chgrp -- \"$g\" \"$t\" || exit 1");
	shellcmd_build(cmd, "printf 'changed=%%s\\n' $c\n"
	    "stat -c 'mend 1 0 %%f %%u %%g %%U %%G %%s' -- \"$t\"\n");
}

/* Run the attribute command between the journal's intent and done/fail. */
static int
attrs_journaled(struct modctx *ctx, const char *path,
    const struct file_meta *meta, const void *content, size_t len,
    const char *mode, const char *owner, const char *group, int created,
    int *changed)
{
	struct file_meta some = { 1, 0, NULL, 0, NULL, NULL, 0 };
	struct strbuf cmd = STRBUF_INIT;
	struct file_probe after;
	struct exec_res r;
	char *nobackup;
	long seq = 0;
	int ret;

	if (!ctx->check && content != NULL)
		seq = mod_journal_intent(ctx, path, meta ? meta : &some,
		    content, len, content, len, NULL);
	if (seq < 0)
		return as_error(mod_fail(ctx, "cannot write the journal "
		    "entry for '%s': not changing it", path));
	build_attrs_cmd(&cmd, ctx->check, path, mode, owner, group, created);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0 && r.rc != 0) {
		ret = fail_cmd(ctx, "cannot set attributes of", path, &r);
		mod_journal_fail(ctx, seq, ctx->msg.buf);
	} else if (ret == 0) {
		*changed = strstr(r.out.buf, "changed=1") != NULL;
		parse_written(&r.out, &after, &nobackup);
		mod_journal_done(ctx, seq, content, len, &after.meta);
		file_probe_release(&after);
		free(nobackup);
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

int
rf_set_attrs(struct modctx *ctx, const char *path,
    const struct file_meta *meta, const void *content, size_t len,
    const char *mode, const char *owner, const char *group, int *changed)
{
	int local;

	*changed = 0;
	if (mode == NULL && owner == NULL && group == NULL)
		return 0;
	if (mode != NULL && !rf_mode_valid(mode))
		return as_error(mod_fail(ctx, "invalid mode '%s'", mode));
	local = attrs_differ_local(meta, mode, owner, group);
	if (local == 0)
		return 0;
	if (local == 1 && ctx->check) {
		*changed = 1;
		return 0;
	}
	return attrs_journaled(ctx, path, meta, content, len, mode, owner,
	    group, 0, changed);
}

int
rf_set_attrs_created(struct modctx *ctx, const char *path,
    const void *content, size_t len, const char *mode, const char *owner,
    const char *group, int *changed)
{
	*changed = 0;
	if (mode == NULL && owner == NULL && group == NULL)
		return 0;
	if (mode != NULL && !rf_mode_octal(mode))
		return rf_set_attrs(ctx, path, NULL, content, len, mode, owner,
		    group, changed);
	return attrs_journaled(ctx, path, NULL, content, len, mode, owner,
	    group, 1, changed);
}

/* ---- checksums ---- */

static void
digest_hex(const EVP_MD *md, const void *data, size_t len, char *hex)
{
	unsigned char buf[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_Digest(data, len, buf, &n, md, NULL) != 1)
		fatal("EVP_Digest failed");
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", buf[i]);
	hex[2 * n] = '\0';
}

void
rf_sha1_hex(const void *data, size_t len, char hex[41])
{
	digest_hex(EVP_sha1(), data, len, hex);
}

int
mod_remove_file(struct modctx *ctx, const char *path, const struct strbuf *cur,
    const struct file_meta *meta)
{
	struct exec_res r;
	char *cmd;
	long seq;
	int ret;

	if (ctx->diff)
		mod_add_diff(ctx, path, cur->buf, cur->len, "", 0);
	if (ctx->check)
		return 0;
	seq = mod_journal_intent(ctx, path, meta, cur->buf, cur->len, NULL, 0,
	    NULL);
	cmd = shellcmd("rm -f -- %q", path);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd, NULL, 0, &r);
	free(cmd);
	if (ret == 0 && r.rc != 0) {
		mod_journal_fail(ctx, seq, r.err.buf);
		mod_fail(ctx, "cannot remove %s: %s", path, r.err.buf);
	} else if (ret == 0) {
		mod_journal_done(ctx, seq, "", 0, NULL);
	}
	exec_res_release(&r);
	return ret;
}
