/*
 * firstfound.h - with_first_found: the first existing controller file of
 * a list, as ansible-core 2.14's first_found lookup finds it for a loop.
 *
 * The raw (unrendered) terms are strings, lists of terms, or mappings
 * {files: ..., paths: ..., skip: bool} (files and paths: lists or
 * strings split on ',;' and ',:;').  A mapping with paths searches every
 * path joined with every file (paths outer); with files only, the files.
 * Each candidate is rendered on its own: one that uses an undefined
 * variable is passed over, as Ansible does.  A relative candidate is
 * looked for, in order, in each search directory D as D/SUBDIR/NAME, then
 * D/NAME (SUBDIR: "vars" for include_vars, "templates" for template,
 * "files" otherwise, as Ansible's loop gives the lookup).
 * The result is a list of one path, or empty when nothing is found and
 * skip is true; otherwise an error, "No file was found when using
 * first_found." (Ansible's words).
 */
#ifndef MEND_FIRSTFOUND_H
#define MEND_FIRSTFOUND_H

#include "runner/util/strbuf.h"
#include "runner/util/value.h"

/* dirs: the search directories, NULL-terminated (NULL entries before the
 * end are not allowed; callers drop unset ones).  Returns 0 with *out a
 * new list, or -1 with msg filled. */
int first_found(const struct val *terms, const struct val *vars,
    const char *subdir, const char *const *dirs, struct val **out,
    struct strbuf *msg);

/* The SUBDIR Ansible gives first_found for a task of module `mod`. */
const char *first_found_subdir(const char *mod);

#endif
