/*
 * rfsftp.c - the SFTP fast path of remotefile.c: reading, probing and
 * writing files through the host's sftp-server (sftpc.c), with no program
 * started on the host per operation.
 *
 * The shell commands of remotefile.c stay the reference: whenever this
 * path meets anything but the plain case (no SFTP on the host, a missing
 * directory, a permission problem, options it does not do: validate,
 * mkdirs, owner/group names, symbolic modes), it returns RF_SHELL before
 * changing anything and the command runs instead, with its exact error
 * messages.  So the two paths give the same results; the unit tests of
 * remotefile.c exercise the commands (local connections), the e2e tests
 * this path, and t13 both against the same files.
 *
 * The write follows the command step for step: temp file in the target's
 * directory (O_EXCL, 0600), data, fsync, owner/group and mode of the old
 * file (one request unless setuid/setgid: see copy_attrs()), size check,
 * backup (a copy with the old file's mode, owner and times, never more
 * readable than it while being written), atomic posix-rename over the
 * target, fsync of the directory.  The backup's name takes the host's clock (the temp file's
 * mtime), formatted in the controller's time zone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/rand.h>

#include "modules/module.h"
#include "runner/util/hash.h"
#include "runner/core/rfsftp.h"
#include "runner/transport/sftpc.h"
#include "runner/transport/transport.h"
#include "runner/util/banned.h"

#define READ_CAP (16u << 20)     /* as remote command output */

/* An operation failed: a broken session is closed for good. */
static int
sf_trouble(struct modctx *ctx, struct sftpc *sf, int rc)
{
	if (rc < 0)
		conn_sftp_broken(mod_conn(ctx), sf);
	return RF_SHELL;
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* An existing file's probe from its attributes (a regular file's or the
 * one a symlink leads to), with the owner's and group's names. */
static int
probe_from_attr(struct sftpc *sf, const struct sf_attr *a, struct file_probe *p,
    struct err *e)
{
	p->meta.exists = 1;
	p->parent_exists = 1;
	p->type = a->perm & S_IFMT;
	p->meta.mode = a->perm & 07777;
	p->meta.size = a->size;
	p->uid = a->uid;
	p->gid = a->gid;
	return sf_names(sf, a->uid, a->gid, &p->meta.owner, &p->meta.group, e);
}

/* ---- reading ---- */

int
rf_sftp_probe(struct modctx *ctx, const char *path, enum rf_what what,
    struct strbuf *content, struct file_probe *p)
{
	struct sftpc *sf = mod_sftp(ctx);
	struct err e = ERR_INIT;
	struct sf_attr la, a;
	int rc;

	memset(p, 0, sizeof(*p));
	if (sf == NULL)
		return RF_SHELL;
	mod_log(ctx, 3, "sftp: %s %s", what == RF_META ? "stat" : "read", path);
	rc = sf_stat(sf, path, 0, &la, &e);
	if (rc == 0 && S_ISLNK(la.perm)) {
		p->meta.is_link = 1;
		rc = sf_stat(sf, path, 1, &a, &e);
	} else {
		a = la;
	}
	if (rc == SF_NO_SUCH_FILE) {          /* missing (or dangling) */
		char *d = dir_of(path);
		struct sf_attr da;

		rc = sf_stat(sf, d, 1, &da, &e);
		free(d);
		if (rc == 0 || rc == SF_NO_SUCH_FILE) {
			p->parent_exists = rc == 0 && S_ISDIR(da.perm);
			err_release(&e);
			return 0;
		}
	}
	if (rc != 0 || (a.flags & (SF_A_PERM | SF_A_UIDGID | SF_A_SIZE)) !=
	    (SF_A_PERM | SF_A_UIDGID | SF_A_SIZE))
		goto shell;
	if ((rc = sf_realpath(sf, path, &p->meta.realpath, &e)) != 0 ||
	    (rc = probe_from_attr(sf, &a, p, &e)) != 0)
		goto shell;
	if (p->type == S_IFREG && what != RF_META) {
		strbuf_reset(content);
		if ((rc = sf_read_file(sf, path, a.size, READ_CAP, content,
		    &e)) != 0 ||
		    content->truncated)
			goto shell;   /* unreadable or too large: the command says */
		if (what == RF_SHA256) {
			sha256_hex(content->buf, content->len, p->sha256);
			strbuf_reset(content);
		}
	}
	err_release(&e);
	return 0;
shell:
	err_release(&e);
	file_probe_release(p);
	strbuf_reset(content);
	mod_log(ctx, 3, "sftp: %s: %s; asking with a command", path,
	    rc < 0 ? "session lost" : sf_strstatus(rc));
	return sf_trouble(ctx, sf, rc);
}

/* ---- writing ---- */

/* Names for create_excl(): a random temp name in `dir`,
 * dir/.mend.XXXXXX, or the backup's path.NNNNN.<time>~ */
static char *
temp_name(const char *dir, uint32_t unused)
{
	static const char az[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
	    "WXYZ0123456789";
	unsigned char r[6];
	char s[7];
	size_t i;

	(void)unused;
	if (RAND_bytes(r, sizeof(r)) != 1)
		fatal("RAND_bytes failed");
	for (i = 0; i < 6; i++)
		s[i] = az[r[i] % (sizeof(az) - 1)];
	s[6] = '\0';
	return xasprintf("%s/.mend.%s", dir, s);
}

static char *
backup_name(const char *path, uint32_t host_time)
{
	unsigned char r[4];
	char ts[64];
	time_t t = (time_t)host_time;
	struct tm tm;

	if (RAND_bytes(r, sizeof(r)) != 1)
		fatal("RAND_bytes failed");
	localtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d@%H:%M:%S", &tm);
	return xasprintf("%s.%u.%s~", path, (((unsigned)r[0] << 16 |
	    (unsigned)r[1] << 8 | r[2]) % 4194303u) + 1, ts);
}

/* Create `path` exclusively, trying fresh names; *name malloc'ed. */
static int
create_excl(struct sftpc *sf, char *(*namer)(const char *, uint32_t),
    const char *base, uint32_t t, uint32_t perm, char **name,
    struct strbuf *h, struct err *e)
{
	struct sf_attr a;
	int i, rc = SF_FAILURE;

	memset(&a, 0, sizeof(a));
	a.flags = SF_A_PERM;
	a.perm = perm;
	for (i = 0; i < 5 && rc > 0; i++) {
		free(*name);
		*name = namer(base, t);
		rc = sf_open(sf, *name, SF_WRITE | SF_CREAT | SF_EXCL, &a, h, e);
	}
	return rc;
}

/* Is the writer root?  (The owner of a file it just created.) */
static int
writer_is_root(struct sftpc *sf, const struct strbuf *h, int *root,
    struct err *e)
{
	struct sf_attr a;
	int rc = sf_fstat(sf, h, &a, e);

	if (rc == 0 && !(a.flags & SF_A_UIDGID))
		rc = SF_FAILURE;
	*root = rc == 0 && a.uid == 0;
	return rc;
}

/*
 * Owner/group, mode (and with `times` the times) of `ref` onto an open
 * handle, as chown --reference + chmod --reference (+ cp -p's times).  A
 * refused chown is fine for a non-root writer (`|| [ id -u != 0 ]`).
 * sftp-server applies one request's attributes in the order mode, times,
 * owner; a chown clears setuid/setgid, so a mode with those bits goes in a
 * second request after the owner.  Otherwise one request does it all.
 */
static int
copy_attrs(struct sftpc *sf, const struct strbuf *h, const struct sf_attr *ref,
    int times, struct err *e)
{
	uint32_t tflag = times && (ref->flags & SF_A_TIME) ? SF_A_TIME : 0;
	int split = (ref->perm & 06000) != 0, rc, root;
	struct sf_attr a;

	memset(&a, 0, sizeof(a));
	a.uid = ref->uid;
	a.gid = ref->gid;
	a.perm = ref->perm & 07777;
	a.atime = ref->atime;
	a.mtime = ref->mtime;
	a.flags = SF_A_UIDGID | (split ? 0 : SF_A_PERM | tflag);
	rc = sf_fsetstat(sf, h, &a, e);
	if (rc > 0) {          /* which part failed?  only chown may */
		int rc2 = writer_is_root(sf, h, &root, e);

		if (rc2 != 0 || root)
			return rc2 != 0 ? rc2 : rc;
		rc = 0;
		split = 1;     /* mode (and times) again on their own */
	}
	if (rc != 0 || !split)
		return rc;
	a.flags = SF_A_PERM | tflag;
	return sf_fsetstat(sf, h, &a, e);
}

/* The backup: a copy of target t (attributes ta) as path.N.TIME~. */
static int
make_backup(struct sftpc *sf, const char *path, const char *t,
    const struct sf_attr *ta, uint32_t host_time, char **bname,
    struct err *e)
{
	struct strbuf old = STRBUF_INIT, h = STRBUF_INIT;
	int rc, rc2;

	rc = sf_read_file(sf, t, ta->size, READ_CAP, &old, e);
	if (rc == 0 && (old.truncated || old.len != ta->size))
		rc = SF_FAILURE;   /* too large, or changing under us */
	if (rc == 0)
		rc = create_excl(sf, backup_name, path, host_time,
		    ta->perm & 0600, bname, &h, e);
	if (rc == 0) {
		rc = sf_write_all(sf, &h, old.buf, old.len, e);
		if (rc == 0)
			rc = copy_attrs(sf, &h, ta, 1, e);
		rc2 = sf_close(sf, &h, e);
		if (rc == 0)
			rc = rc2;
		if (rc > 0)
			sf_remove(sf, *bname, e);
	}
	strbuf_release(&old);
	strbuf_release(&h);
	return rc;
}

static void
fsync_dir(struct sftpc *sf, const char *dir, struct err *e)
{
	struct strbuf h = STRBUF_INIT;

	if (sf_open(sf, dir, SF_READ, NULL, &h, e) == 0) {
		sf_fsync(sf, &h, e);
		sf_close(sf, &h, e);
	}
	strbuf_release(&h);
}

int
rf_sftp_write(struct modctx *ctx, const char *path, const void *data,
    size_t len, const struct write_opts *o, int has_validate,
    struct file_probe *after, char **backup)
{
	struct sftpc *sf;
	struct err e = ERR_INIT;
	struct strbuf h = STRBUF_INIT;
	struct sf_attr ta, tmpa, a;
	char *t = NULL, *d = NULL, *tmp = NULL, *bname = NULL;
	int rc, exists, committed = 0, created = 0, backed_up = 0, new_default;
	uint32_t default_perm;

	memset(after, 0, sizeof(*after));
	*backup = NULL;
	if (o->mkdirs || has_validate || o->owner != NULL || o->group != NULL ||
	    (o->mode != NULL && !rf_mode_octal(o->mode)))
		return RF_SHELL;
	if ((sf = mod_sftp(ctx)) == NULL)
		return RF_SHELL;
	mod_log(ctx, 3, "sftp: write %s (%zu bytes)", path, len);
	if ((rc = sf_realpath(sf, path, &t, &e)) != 0)
		goto out;
	rc = sf_stat(sf, t, 1, &ta, &e);
	exists = rc == 0;
	if (rc == SF_NO_SUCH_FILE)
		rc = 0;
#define NEED (SF_A_SIZE | SF_A_UIDGID | SF_A_PERM)
	if (rc != 0 || (exists && ((ta.flags & NEED) != NEED ||
	    !S_ISREG(ta.perm))))
		goto out;              /* a directory...: the command says */
	d = dir_of(t);
	/* 0666 for a new file without a mode: the host's umask applies, as
	 * for the command's 0666 & ~umask.  That mode is noted and the file
	 * made 0600 before any data goes in (the command's temp file is
	 * 0600 too), then given it back below. */
	new_default = !exists && o->mode == NULL;
	rc = create_excl(sf, temp_name, d, 0, new_default ? 0666 : 0600, &tmp,
	    &h, &e);
	if (rc != 0)
		goto out;
	created = 1;
	memset(&a, 0, sizeof(a));
	a.flags = SF_A_PERM;
	a.perm = 0600;
	if (new_default && ((rc = sf_fstat(sf, &h, &tmpa, &e)) != 0 ||
	    (rc = (tmpa.flags & SF_A_PERM) ? 0 : SF_FAILURE) != 0 ||
	    (rc = sf_fsetstat(sf, &h, &a, &e)) != 0))
		goto out;
	default_perm = new_default ? tmpa.perm & 07777 : 0;
	if ((rc = sf_write_all(sf, &h, data, len, &e)) != 0 ||
	    (rc = sf_fsync(sf, &h, &e)) != 0)
		goto out;
	if (exists && (rc = copy_attrs(sf, &h, &ta, 0, &e)) != 0)
		goto out;
	if (o->mode != NULL || new_default) {
		a.perm = o->mode != NULL ? (uint32_t)strtoul(o->mode, NULL, 8) :
		    default_perm;
		if ((rc = sf_fsetstat(sf, &h, &a, &e)) != 0)
			goto out;
	}
	if ((rc = sf_fstat(sf, &h, &tmpa, &e)) != 0)
		goto out;
	if ((tmpa.flags & NEED) != NEED || tmpa.size != len) {
		/* a cut stream: never commit */
		rc = SF_FAILURE;
		goto out;
	}
	if ((rc = sf_close(sf, &h, &e)) != 0)
		goto out;
	strbuf_reset(&h);
	if (o->backup && exists && (rc = make_backup(sf, path, t, &ta,
	    tmpa.mtime, &bname, &e)) != 0)
		goto out;
	backed_up = bname != NULL;
	if ((rc = probe_from_attr(sf, &tmpa, after, &e)) != 0)
		goto out;
	rc = sf_rename(sf, tmp, t, &e);
	if (rc < 0) {
		/* sent, answer lost: the file may or may not be replaced */
		committed = -1;
		goto out;
	}
	if (rc == 0) {
		committed = 1;
		fsync_dir(sf, d, &e);
	}
out:
	if (h.len > 0)
		sf_close(sf, &h, &e);
	if (committed == 0 && created)
		sf_remove(sf, tmp, &e);
	if (committed == 0 && backed_up)
		sf_remove(sf, bname, &e);
	if (committed == 1)
		*backup = bname;
	else
		free(bname);
	if (committed != 1)
		file_probe_release(after);
	if (committed == -1) {
		strbuf_reset(&ctx->msg);
		strbuf_addf(&ctx->msg, "cannot write '%s': %s", path,
		    err_text(&e, "sftp failed"));
		strbuf_rtrim(&ctx->msg);
		ctx->failed = 1;
		conn_sftp_broken(mod_conn(ctx), sf);
	}
	err_release(&e);
	strbuf_release(&h);
	free(t);
	free(d);
	free(tmp);
	if (committed == 1)
		return 0;
	if (committed == -1)
		return TERR_UNREACHABLE;
	mod_log(ctx, 3, "sftp: %s: %s; writing with a command", path,
	    rc < 0 ? "session lost" : rc == 0 ? "not a regular file" :
	    sf_strstatus(rc));
	return sf_trouble(ctx, sf, rc);
}
