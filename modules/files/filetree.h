/*
 * filetree.h - the file module's recurse: true (state=directory): mode,
 * owner and group applied to everything under a directory, as Ansible's
 * recursive_set_attributes does (os.walk: every directory and file below
 * the top, the top itself being the caller's).  A symbolic mode is
 * computed per entry as Ansible computes it (basic.py
 * _symbolic_mode_to_octal: X from the entry's mode before the task and
 * whether it is a directory; no "who": "a" under the host's umask), then
 * set as an octal mode.  Each entry that changes is journaled first (kind
 * "attrs": its mode, owner and group before), so `mend rollback` puts
 * them back.  A symbolic link under the top is refused (Ansible follows it
 * and changes its target; mend does not, yet): the task fails naming it,
 * before anything is changed.
 */
#ifndef MEND_FILETREE_H
#define MEND_FILETREE_H

#include "modules/module.h"

struct filetree;

/* What mode/owner/group (NULL: keep) change under dir: everything there
 * listed and planned, nothing changed yet, so that a refusal (a link, a
 * bad mode) comes before the caller changes dir itself.  *out is new
 * (filetree_free); *changed tells whether anything would change.
 * Returns 0, -1 (task failed, recorded) or TERR_*. */
int filetree_plan(struct modctx *ctx, const char *dir, const char *mode,
    const char *owner, const char *group, struct filetree **out,
    int *changed);
/* Make the planned changes (nothing in check mode), each journaled
 * first.  Returns 0, -1 or TERR_*. */
int filetree_apply(struct modctx *ctx, struct filetree *t);
void filetree_free(struct filetree *t);

/* Ansible's symbolic mode on a path of mode `cur` (a directory when
 * isdir) under `umask`: the new permission bits, or -1 when sym is not a
 * valid symbolic mode. */
long filetree_symbolic(const char *sym, unsigned cur, int isdir,
    unsigned umask);

#endif
