/*
 * fsdirs.h - directories a module makes on the host, each journaled before
 * it is made, so that `mend rollback` removes it again (kind "dir", no
 * before state: rollback removes the directory when it is empty).
 * Used by file (state=directory) and by the modules whose `create: true`
 * makes the file's missing parent directories (lineinfile, blockinfile),
 * as Ansible's os.makedirs does.
 */
#ifndef MEND_FSDIRS_H
#define MEND_FSDIRS_H

#include "modules/module.h"

/* Run `cmd` (input in/len) on the host; a non-zero exit fails the task
 * with "cannot WHAT 'PATH': stderr".  Its stdout is appended to out
 * (may be NULL).  Returns 0, -1 (failed, recorded) or TERR_*. */
int fs_run_change(struct modctx *ctx, const char *cmd, const void *in,
    size_t len, const char *what, const char *path, struct strbuf *out);

/* The directories `mkdir -p path` would make, outermost first, as a new
 * list in *out (empty when path exists).  Fails the task when an existing
 * ancestor is not a directory.  Returns 0, -1 or TERR_*. */
int fsdirs_missing(struct modctx *ctx, const char *path, struct val **out);

/* mkdir each of dirs (outermost first), each journaled before it is made,
 * then mode/owner/group on each when not NULL.  Returns 0, -1 or TERR_*. */
int fsdirs_make(struct modctx *ctx, const struct val *dirs, const char *mode,
    const char *owner, const char *group);

/* Make the missing parent directories of path (the remote umask's
 * default mode), journaled; nothing in check mode.  Returns 0, -1 or
 * TERR_*. */
int fsdirs_make_parents(struct modctx *ctx, const char *path);

#endif
