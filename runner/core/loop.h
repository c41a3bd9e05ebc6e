/*
 * loop.h - the items of a task's loop, built as Ansible's lookups build
 * them (ansible-core 2.14, checked against it: tests/e2e/t19_flow_diff.sh).
 *
 * loop_items() turns the rendered value of `loop:` or `with_<lookup>:`
 * into the list of items:
 *   loop              the value must be a list (else an error, as Ansible)
 *   items             a scalar is [scalar]; lists inside are flattened one
 *                     level ([[1, 2], [a, [b]]] -> 1, 2, a, [b])
 *   list              a scalar is [scalar]; the list as it is
 *   indexed_items     items' list, each item [index, item]
 *   dict              a mapping -> {key: k, value: v} in mapping order
 *   together          [[1, 2], [a, b, c]] -> [1, a], [2, b], [None, c]
 *   nested            the cartesian product: [1, a], [1, b], [2, a], ...
 *                     (sequence and nested: at most 100000 items)
 *   sequence          "start=1 end=3 stride=1 format=h%02d", "count=N",
 *                     or the shortcut "[start-]end[/stride][:format]";
 *                     items are strings (format's one conversion is one
 *                     of d i o x X with optional 0 or - and a width)
 *   fileglob          controller-side: each pattern's regular files,
 *                     relative patterns searched in basedir/files, then
 *                     basedir; absolute paths, sorted per pattern
 *   subelements       [list of mappings, 'key'(, {skip_missing: bool})]
 *                     -> [mapping without 'key', each element of key]
 *   flattened         community.general's (also by that name): lists
 *                     flattened at every depth, a list of one list is its
 *                     item, the string 'None' or 'null' ends its level,
 *                     strings stripped (listify)
 * A name may carry ansible.builtin. or ansible.legacy.
 * Items are new values (caller frees the list).  Errors go to msg, in
 * Ansible's words where it has them, and return -1.
 */
#ifndef MEND_LOOP_H
#define MEND_LOOP_H

#include "runner/util/strbuf.h"
#include "runner/util/value.h"

/* Is `with_<lookup>` (or "loop") one that loop_items() builds? */
int loop_lookup_known(const char *lookup);

int loop_items(const char *lookup, const struct val *v, const char *basedir,
    struct val **out, struct strbuf *msg);

/* One sequence spec ("start=1 end=3" or "1-3/1:%d") into its items. */
int loop_sequence(const char *spec, struct val *out, struct strbuf *msg);

#endif
