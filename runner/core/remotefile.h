/*
 * remotefile.h - remote file I/O beyond the basic contract of
 * modules/module.h (mod_read_file, mod_write_file, mod_add_diff,
 * file_meta_release, all implemented in remotefile.c).
 *
 * Two ways to the host, with the same results (rfsftp.c):
 *  - the host's sftp-server (OpenSSH >= 9.1; `sudo -n` for become), kept
 *    open per connection: no program started per operation.  Used for
 *    reads, probes and plain writes (mode octal or kept; backup);
 *  - otherwise, and whenever the SFTP path meets anything unusual (it then
 *    changes nothing and steps aside), one remote command per function,
 *    built with shellcmd_build(), every value quoted.  The remote side then
 *    needs a POSIX sh and GNU coreutils (stat -c, readlink -f, mktemp,
 *    chmod/chown --reference, sync FILE, sha256sum).
 * Host variable mend_sftp: false forces the commands.
 *
 * Return convention (as mod_read_file): 0 = done, a TERR_* code from
 * mod_exec() = the connection broke (return it from .run), -1 = the
 * command ran but failed; mod_fail() has been called with the reason.
 */
#ifndef MEND_REMOTEFILE_H
#define MEND_REMOTEFILE_H

#include <stddef.h>
#include <sys/stat.h>

#include "modules/module.h"

struct write_opts {
	const char *mode;    /* chmod mode (octal or symbolic), NULL = keep
	                      * the existing file's / 0666 & ~umask if new */
	const char *owner;   /* NULL = keep the existing file's / default */
	const char *group;
	int backup;          /* copy the existing target beside `path` as
	                      * <path>.<pid>.<YYYY-mm-dd@HH:MM:SS>~ (cp -p:
	                      * same mode, owner and times), in the same
	                      * command, before the rename */
	int mkdirs;          /* create missing parent directories (mkdir -p) */
	const char *validate;   /* NULL, or a command (split like Ansible's,
	                      * shlex, no shell) run on the temp file before
	                      * the rename; "%s" stands for its path and is
	                      * required.  If it fails nothing changes and the
	                      * task fails with its output */
	const struct file_meta *before;   /* the file as read (journal), or
	                      * NULL: "existed" is then old != NULL */
	char *backup_file;   /* out: malloc'ed backup path, or NULL */
};

/* mod_write_file() with options.  The remote command: umask 077, resolve
 * `path` with readlink -f, mktemp in the target's directory, cat stdin into
 * it, check its size (a cut connection never commits a short file),
 * chmod/chown --reference the old file (or the requested mode/owner/group),
 * optional backup, optional validate, sync the temp, mv -f over the target,
 * sync the directory; a trap removes the temp on any failure (SIGKILL
 * excepted: a stale .mend.XXXXXX may then remain, which
 * mend rollback removes: restore.c).  Parent directories made
 * by `mkdirs` get the remote umask's default mode.
 * Check mode: writes nothing (and makes no backup).  Diff mode: appends
 * the diff of old (NULL = empty) -> data, in check mode or once the write
 * succeeded.  mod_write_file() is this with mode/owner/group only; there
 * old == NULL means "the file did not exist" for the journal.
 * Journal: mod_journal_intent() (with `before` and the old bytes) before
 * the command, mod_journal_done() with the file's stat as written, or
 * mod_journal_fail(); after a backup, mod_journal_backup().  If the intent
 * cannot be written, nothing is changed and the task fails.  A transport
 * error leaves the intent open ("may or may not have happened"). */
int mod_write_file_opts(struct modctx *ctx, const char *path,
    const struct strbuf *old, const void *data, size_t len,
    struct write_opts *o);

/* What rf_probe() found. */
struct file_probe {
	struct file_meta meta;
	unsigned type;       /* S_IFREG, S_IFDIR, ... of the (followed)
	                      * target; 0 when it does not exist */
	unsigned uid, gid;
	int parent_exists;   /* the directory holding `path` exists */
	char sha256[65];     /* hex, regular files when asked, else "" */
};

/* Metadata of `path` (followed through symlinks), its type, and with
 * want_sha256 the SHA-256 of a regular file's content, without
 * transferring the content.  Directories are not an error. */
int rf_probe(struct modctx *ctx, const char *path, int want_sha256,
    struct file_probe *p);
void file_probe_release(struct file_probe *p);

/* Like mod_read_file(), but a directory or other non-regular file is not
 * an error: *type is set (0 = missing) and content stays empty. */
int rf_read(struct modctx *ctx, const char *path, struct strbuf *content,
    struct file_meta *meta, unsigned *type);

/* Make an existing file's mode/owner/group (NULL = leave alone) what is
 * asked, following symlinks; *changed tells whether anything differed.
 * In check mode only compares.  When `meta` is given and the request can
 * be decided from it (octal mode, owner and group names), no command runs.
 * content/len are the file's current bytes, for the journal (intent before
 * the command, done with the resulting mode/owner/group); content NULL:
 * the caller journals the change itself (a directory: mod_journal_fs). */
int rf_set_attrs(struct modctx *ctx, const char *path,
    const struct file_meta *meta, const void *content, size_t len,
    const char *mode, const char *owner, const char *group, int *changed);

/* rf_set_attrs() for a file this task has just created, written with its
 * octal `mode` already (write_opts.mode: the file never shows another
 * mode).  *changed tells, as Ansible reports it, whether `mode` differs
 * from the 0666 & ~umask that Ansible's new file first gets (or whether
 * owner/group differ).  A symbolic mode: rf_set_attrs(). */
int rf_set_attrs_created(struct modctx *ctx, const char *path,
    const void *content, size_t len, const char *mode, const char *owner,
    const char *group, int *changed);

/* 1 when mode is an octal mode ("0644", "644", "2755") or a chmod symbolic
 * mode ("u=rw,g=r,o=", "a+X", "go-w"). */
int rf_mode_valid(const char *mode);

/* Lowercase hex SHA-1 of data into hex[41] (Ansible's `checksum`). */
void rf_sha1_hex(const void *data, size_t len, char hex[41]);

#endif
