/*
 * inventory.h - Ansible-compatible inventories (INI and YAML).
 *
 * Sources (-i may repeat; inventory_load() once per source):
 *  - an INI file (Ansible's ini plugin: [group], [group:vars],
 *    [group:children], inline host variables, ranges, host:port);
 *  - a YAML (or JSON) file: all/children/hosts/vars nested at any depth;
 *  - a directory: every file in it, in name order, recursively, skipping
 *    hidden names, group_vars/, host_vars/, vars_plugins/ and names ending in
 *    .pyc .pyo .swp .bak ~ .rpm .md .txt .rst .orig .ini .cfg .retry
 *    (Ansible's INVENTORY_IGNORE_EXTS; a skipped *.ini gets a warning, as
 *    it surprises: `-i dir/hosts.ini` reads it).
 * Format: *.ini is INI; *.yml, *.yaml and *.json are YAML; any other file is
 * YAML when it parses as a YAML mapping whose every value is a mapping or
 * empty (Ansible's yaml plugin accepts it), INI otherwise.  A `plugin:` key
 * (dynamic inventory plugin configuration) is an error.
 * Host entries (INI and YAML): `name`, `name:port`, `[v6addr]:port`, bare
 * IPv6 literals, and ranges as Ansible expands them: `web[01:20]` (zero
 * padding kept), `web[1:20:2]` (step), `db-[a:f]` (letters, a..z then
 * A..Z), `[:3]` (from 0), several ranges in one name (first varies
 * slowest).  mend refuses what Ansible accepts silently or by accident: a
 * range going backwards, an entry expanding to more than 100000 hosts, a
 * port outside 1..65535.
 * INI sections: hosts before any section are in `ungrouped`; a group named
 * under [x:children] must exist already or be defined ([g], [g:children])
 * later in the same file, and is linked to its parents when it is defined
 * (so the parents' child order is definition order, as in Ansible); one
 * never defined is an error, as is [x:vars] for a group this file never
 * defines (Ansible refuses both files).  YAML: a group that is not a
 * mapping and a key other than hosts/children/vars are errors (Ansible
 * only warns and drops them); `hosts: name` and `children: name` are
 * accepted for one entry.  A group cannot be its own descendant, `all`
 * nobody's child.
 * group_vars/ and host_vars/ are read beside each source file (inside a
 * directory source): for an entity NAME the first of NAME, NAME.yml,
 * NAME.yaml, NAME.json that exists; a directory NAME/ holds such files, read
 * in name order (recursively, hidden and *~ skipped) and merged.
 *
 * INI values (inline host variables and :vars lines) are Python literals
 * where possible, as Ansible's ast.literal_eval: 22 -> int, True/False ->
 * bool, None -> null, 'quoted' -> string, [..] (..) -> list, {..} -> map; a
 * Python comment after a literal is ignored (`port=22 # ssh`); anything else
 * is the plain string (`x=bar # c` is "bar # c" in :vars; on host lines
 * shlex already dropped `# c`).  Floats (1.5, .5, 1e3) are floats.
 * `ansible_group_priority` is not stored as a variable: it sets the group's
 * priority (an integer, default 1).  New hosts get inventory_file and
 * inventory_dir (absolute; null for -i host lists) as host variables.
 *
 * Implicit groups: `all` holds every host (its children are the top-level
 * groups); `ungrouped` holds hosts that are in no group but all.
 *
 * Variable precedence, lowest first (Ansible's order for the sources mend
 * supports; see README):
 *   1. inventory file group vars: all, then the host's other groups sorted
 *      by (depth, ansible_group_priority, name), depth being the longest
 *      path from all (top-level groups have depth 1, their children 2...)
 *   2. group_vars/all
 *   3. group_vars/<group> (same ordering as 1)
 *   4. inventory file host vars
 *   5. host_vars/<host>
 * In 2, 3 and 5 the group_vars/host_vars directories are applied in source
 * order (a later -i wins), groups in the order of 1 within each source.
 * (play vars, vars_files, registered vars and -e extra vars are layered on
 * top by the executor.)  Plus magic variables: inventory_hostname,
 * inventory_hostname_short (the whole name for an IP address),
 * group_names (sorted; includes `ungrouped` but never `all`, as Ansible),
 * groups (map group -> list of host names, inventory order).
 *
 * Patterns (for `hosts:` and -l): `all`, `*`, names, globs (fnmatch),
 * `~regex` (POSIX extended, anchored at the start of the name like Python's
 * re.match, not at the end), `a:b` and `a,b` union, `a:&b` intersection,
 * `a:!b` exclusion, `@file` (one pattern per line, for -l).  As Ansible:
 * with a comma the pattern is split on commas only; without one it is split
 * on colons unless it is a single address (an IPv6 literal, host:port);
 * unions apply first, then intersections, then exclusions, whatever their
 * order; only `!`/`&` patterns means `all` first.  A plain name in a union
 * is the host of that name if there is one, else the group (all its hosts,
 * children included); after `&`/`!` the group comes first.  Globs and
 * regexes match group names and host names; a name with a dot is also
 * looked up as a host.  `name[i]`, `name[-1]`, `name[i:j]`,
 * `name[i:]` select by position (inclusive) among the name's matches.
 * Order (Ansible's): a group's hosts are its own hosts, then its
 * children's breadth first (each host once; `all`: hosts put directly in
 * `all`, then `ungrouped`, then the top-level groups in the order they
 * were created); a union lists its patterns' hosts in pattern order, each
 * host at its first place; `&` and `!` keep that order.  The magic
 * `groups` lists each group in the same order.
 * A pattern that names nothing is not an error (empty selection; as
 * Ansible, the caller may warn "could not match supplied host pattern");
 * a malformed regex, an empty pattern, an out-of-range `[i]` subscript
 * and an unreadable @file are.
 *
 * Errors: every parse problem is reported with file:line:col and parsing
 * goes on to report the others (err.h); the inventory is then unusable.
 *
 * Threads: after loading, inventory_select(), inventory_host_vars() and
 * inventory_host_groups() only read the inventory and may run concurrently.
 */
#ifndef MEND_INVENTORY_H
#define MEND_INVENTORY_H

#include <stddef.h>

#include "runner/util/err.h"
#include "runner/util/value.h"

struct inv_group;
struct inv_priv;

struct inv_host {
	char *name;
	struct val *vars;      /* vars set on the host itself (4 and 5 merged) */
	struct pos pos;        /* where first defined */
	size_t index;          /* inventory order */

	/* Maintained by inventory.c; read-only for users. */
	struct val *file_vars;         /* 4 alone */
	struct inv_group **groups;     /* direct groups */
	size_t ngroups, groups_alloc;
};

struct inv_group {
	char *name;
	struct val *vars;      /* group vars (inventory file, then group_vars) */
	char **children;       /* child group names */
	size_t nchildren;
	struct inv_host **hosts;   /* direct members */
	size_t nhosts;
	struct pos pos;

	/* Maintained by inventory.c; read-only for users. */
	struct val *file_vars;         /* inventory file vars alone (1) */
	struct inv_group **parents;
	size_t nparents, parents_alloc, children_alloc, hosts_alloc;
	size_t index;                  /* position in inventory->groups */
	int depth;                     /* longest path from all */
	int priority;                  /* ansible_group_priority, default 1 */
	unsigned defined : 1;          /* has a section/definition of its own */
	unsigned referenced : 1;       /* named as somebody's child */
};

struct inventory {
	struct inv_host **hosts;
	size_t nhosts;
	struct inv_group **groups;
	size_t ngroups;
	size_t hosts_alloc, groups_alloc;
	struct inv_priv *priv;         /* indexes, group_vars/host_vars */
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
 * (free() it), in Ansible's order (above). p locates the pattern for
 * errors. */
int inventory_select(const struct inventory *inv, const char *pattern,
    const struct pos *p, struct inv_host ***out, size_t *nout, struct err *e);
/* The same; *unmatched (when not NULL) gets a NULL-terminated malloc'ed
 * array of the patterns that matched no group and no host (Ansible's
 * "could not match supplied host pattern"), to be freed with its strings. */
int inventory_select_ex(const struct inventory *inv, const char *pattern,
    const struct pos *p, struct inv_host ***out, size_t *nout,
    char ***unmatched, struct err *e);

/* All variables of a host, merged in precedence order (new map; caller
 * frees), including the magic variables. */
struct val *inventory_host_vars(const struct inventory *inv,
    const struct inv_host *h);

/* The same without `groups`: that map is identical for every host and
 * O(hosts) to copy, so a run over N hosts copying it costs O(N^2) (7000
 * hosts: ~40 s).  Callers with many hosts take this and share
 * inventory_groups_var() instead. */
struct val *inventory_host_vars_nogroups(const struct inventory *inv,
    const struct inv_host *h);
/* The magic `groups` map (borrowed, read-only; valid until the next
 * inventory_load()/inventory_add_list()). */
const struct val *inventory_groups_var(const struct inventory *inv);

/* Group names the host belongs to, directly or through children (sorted,
 * without all/ungrouped). Malloc'ed array of borrowed strings. */
const char **inventory_host_groups(const struct inventory *inv,
    const struct inv_host *h, size_t *n);

#endif
