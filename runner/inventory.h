/*
 * inventory.h - Ansible-compatible inventories (INI and YAML).
 *
 * An inventory is built from one or more sources (-i may repeat): an INI
 * file, a YAML file (format auto-detected from content), or a directory
 * (every file in it, skipping *.retry, *.orig, *~, hidden files, and the
 * group_vars/ and host_vars/ subdirectories), plus group_vars/ and host_vars/
 * beside each source (NAME, NAME.yml, NAME.yaml, or a directory NAME/ of
 * YAML files).
 *
 * Implicit groups: `all` holds every host; `ungrouped` holds hosts that are
 * in no group but all.
 *
 * Variable precedence, lowest first (Ansible's order for the sources mend
 * supports; see README):
 *   1. inventory file group vars: all, then parents before children, groups
 *      at the same depth sorted by name (ansible_group_priority is honoured)
 *   2. group_vars/all
 *   3. group_vars/<group> (same ordering as 1)
 *   4. inventory file host vars
 *   5. host_vars/<host>
 * (play vars, vars_files, registered vars and -e extra vars are layered on
 * top by the executor.)  Plus magic variables: inventory_hostname,
 * inventory_hostname_short, group_names (sorted, without all/ungrouped),
 * groups (map group -> list of host names).
 *
 * Patterns (for `hosts:` and -l): `all`, `*`, names, globs (fnmatch),
 * `~regex` (POSIX extended, matched against the name with search semantics),
 * `a:b` and `a,b` union, `a:&b` intersection, `a:!b` exclusion, `@file`
 * (one pattern per line, for -l).  Result order is inventory order.
 * A pattern that names nothing is not an error (empty selection); a
 * malformed regex is.
 */
#ifndef MEND_INVENTORY_H
#define MEND_INVENTORY_H

#include <stddef.h>

#include "err.h"
#include "value.h"

struct inv_host {
	char *name;
	struct val *vars;      /* vars set on the host itself (4 and 5 merged) */
	struct pos pos;        /* where first defined */
	size_t index;          /* inventory order */
};

struct inv_group {
	char *name;
	struct val *vars;      /* group vars (inventory file, then group_vars) */
	char **children;       /* child group names */
	size_t nchildren;
	struct inv_host **hosts;   /* direct members */
	size_t nhosts;
	struct pos pos;
};

struct inventory {
	struct inv_host **hosts;
	size_t nhosts;
	struct inv_group **groups;
	size_t ngroups;
	size_t hosts_alloc, groups_alloc;
};

struct inventory *inventory_new(void);
void inventory_free(struct inventory *inv);
/* Add a source (file or directory). Returns 0 or -1 (errors in e, with
 * file:line:col). */
int inventory_load(struct inventory *inv, const char *path, struct err *e);
/* A comma-separated host list ("h1,h2," as with ansible -i). */
int inventory_add_list(struct inventory *inv, const char *list, struct err *e);

struct inv_host *inventory_find_host(const struct inventory *inv,
    const char *name);
struct inv_group *inventory_find_group(const struct inventory *inv,
    const char *name);

/* Select hosts by pattern. *out is a malloc'ed array of borrowed pointers
 * (free() it), in inventory order. p locates the pattern for errors. */
int inventory_select(const struct inventory *inv, const char *pattern,
    const struct pos *p, struct inv_host ***out, size_t *nout, struct err *e);

/* All variables of a host, merged in precedence order (new map; caller
 * frees), including the magic variables. */
struct val *inventory_host_vars(const struct inventory *inv,
    const struct inv_host *h);

/* Group names the host belongs to, directly or through children (sorted,
 * without all/ungrouped). Malloc'ed array of borrowed strings. */
const char **inventory_host_groups(const struct inventory *inv,
    const struct inv_host *h, size_t *n);

#endif
