/*
 * args.h - module arguments against a module's argument table.
 *
 * Two steps, the same rules:
 *   args_normalize()  at load time, on the raw task arguments: resolves
 *                     aliases to the canonical name, rejects unknown and
 *                     duplicate arguments, missing required ones, and values
 *                     of the wrong type or outside `choices` - unless the
 *                     value contains a template, which is checked after
 *                     rendering.  Errors carry the value's file:line:col.
 *   args_coerce()     at run time, on the rendered arguments: converts each
 *                     value to its declared type and adds defaults; returns a
 *                     new map holding exactly the declared arguments that
 *                     are set.
 * Free-form arguments (`command: ls -l`) and Ansible's `k=v` string form
 * (`lineinfile: path=/x line=y`) are turned into maps by args_from_string().
 */
#ifndef MEND_ARGS_H
#define MEND_ARGS_H

#include "modules/module.h"

/* Build an argument map from a string form. For MOD_FREE_FORM modules the
 * text becomes _raw_params, after leading/trailing `k=v` words naming known
 * arguments (chdir=/tmp) are taken out. */
int args_from_string(const struct module *m, const struct val *s,
    struct val **out, struct err *e);
int args_normalize(const struct module *m, struct val *args, struct err *e);
int args_coerce(const struct module *m, const struct val *rendered,
    const struct pos *taskpos, struct val **out, struct err *e);
/* Human text of an argument type ("string", "integer", ...). */
const char *arg_type_name(enum arg_type t);

#endif
