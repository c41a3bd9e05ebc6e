/*
 * homepath.h - `~` in a module's path arguments, expanded as Ansible does.
 *
 * Ansible expands a leading `~` in every argument of type path: the copy
 * and template actions on the host before the module runs
 * (_remote_expand_user: `~` is the become user's home under become, else
 * the remote user's), the modules themselves with os.path.expanduser()
 * under the user they run as (the same user).  mend does it once, for
 * every ARG_PATH argument of the module about to run: `~`, `~/rest`,
 * `~NAME` and `~NAME/rest` become HOME/rest with HOME read on the host
 * through the task's connection and become (`echo ~NAME`; `~` is the
 * become user's home under become, else the login user's passwd entry,
 * not $HOME, as Ansible's `~REMOTE_USER`);
 * for a controller-only module (MOD_NO_HOST) from the controller's
 * passwd entry.  Any other value is left as it is.
 */
#ifndef MEND_HOMEPATH_H
#define MEND_HOMEPATH_H

#include <stddef.h>

#include "modules/module.h"

/* Split a path that starts with `~`: the user name (possibly empty) into
 * user[n], *rest to what follows it ("" or "/..."). 1 when path is such a
 * form with a valid user name (letters, digits, '.', '_', '-', not first
 * '-'), else 0. */
int homepath_split(const char *path, char *user, size_t n,
    const char **rest);

/* 1 when path is absolute or a `~` form homepath_split() accepts. */
int homepath_ok(const char *path);

/* Replace, in args (a module's coerced argument map), every ARG_PATH value
 * that starts with `~`.  Returns 0, or a TERR_* code / -1 with the task
 * failed (mod_fail: the home could not be found). */
int homepath_expand(struct modctx *ctx, const struct module *m,
    struct val *args);

#endif
