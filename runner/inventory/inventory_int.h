/*
 * inventory_int.h - internals shared by inventory.c (model, sources,
 * variables), inventory_ini.c, inventory_yaml.c and pattern.c.  Not for use
 * outside the inventory code.
 */
#ifndef MEND_INVENTORY_INT_H
#define MEND_INVENTORY_INT_H

#include <stddef.h>

#include "runner/inventory/inventory.h"

/* String-keyed hash table (open addressing).  Keys are borrowed: they must
 * outlive the table.  No deletion. */
struct strmap_ent {
	const char *key;
	void *val;
};
struct strmap {
	struct strmap_ent *ents;
	size_t n, cap;
};
void *strmap_get(const struct strmap *m, const char *key);
void strmap_put(struct strmap *m, const char *key, void *val);
void strmap_clear(struct strmap *m);

/* A list of malloc'ed strings. */
struct strlist {
	char **v;
	size_t n, alloc;
};
void strlist_push(struct strlist *l, char *s);       /* takes s */
void strlist_clear(struct strlist *l);

/* The private part of struct inventory. */
struct vardir;
struct inv_priv {
	struct strmap hosts, groups;
	struct vardir **vardirs;         /* in precedence order */
	size_t nvardirs, vardirs_alloc;
	struct val *groups_var;          /* magic `groups` */
	char *cur_file, *cur_dir;        /* source being read, absolute */
};

int inv_has_suffix(const char *s, const char *suffix);
/* Sorted entries of dir (without . and ..); -1 with errno if unreadable. */
int inv_list_dir(const char *dir, struct strlist *out);

/* group_vars/ and host_vars/ (inventory_vars.c).  A directory registered
 * again moves last (applying X, Y, X is the same as Y, X). */
void inv_vardir_add(struct inventory *inv, const char *key, const char *path);
void inv_vardirs_free(struct inv_priv *priv);
/* After a source: read the vars files of every group and host not read
 * yet, recompute inv_group.vars and inv_host.vars and the `groups` map. */
int inv_vars_update(struct inventory *inv, struct err *e);

/* Ansible's parse_address(): split an optional port off s ("h:22",
 * "[::1]:22") and check that the rest is an IPv4 address, an IPv6 address
 * or a host name (with [x:y] ranges when ranges != 0).  Returns 0 with the
 * host part s[*hoff..*hoff+*hlen) and *port (-1 when none), or -1 when s is
 * not an address. */
int inv_parse_address(const char *s, int ranges, size_t *hoff, size_t *hlen,
    long *port);

/* A host entry of an inventory source: "web[01:10].example.com:2222".
 * Appends the expanded names to out and sets *port (-1 when none).  On
 * error returns -1 with a malloc'ed message in *why and the offset in s of
 * the offending character in *off. */
int inv_expand_hosts(const char *s, struct strlist *out, long *port,
    char **why, size_t *off);

/* "a list", "an integer"... for messages. */
const char *inv_a_type(enum val_type t);

/* Python literal (ast.literal_eval) to a value; -1 when s is not one. */
int inv_pylit(const char *s, const struct pos *p, struct val **out);

/* Building the model (parsers). */
struct inv_group *inv_group_get(struct inventory *inv, const char *name,
    const struct pos *p);
struct inv_host *inv_host_get(struct inventory *inv, const char *name,
    const struct pos *p);
void inv_add_member(struct inv_group *g, struct inv_host *h);
int inv_add_child(struct inventory *inv, struct inv_group *parent,
    struct inv_group *child, const struct pos *p, struct err *e);
/* Takes v.  ansible_group_priority sets the priority instead. */
int inv_set_group_var(struct inv_group *g, const char *key, struct val *v,
    const struct pos *p, struct err *e);
void inv_set_host_var(struct inv_host *h, const char *key, struct val *v);

/* A child reference to check once the source is read: a group that exists
 * only because a parent names it must not be a host's name. */
struct inv_ref {
	struct inv_group *group;
	char *parent;
	struct pos pos;
};
struct inv_refs {
	struct inv_ref *v;
	size_t n, alloc;
};
void inv_refs_add(struct inv_refs *r, struct inv_group *g,
    const char *parent, const struct pos *p);
int inv_refs_check(struct inventory *inv, struct inv_refs *r,
    struct err *e);
void inv_refs_clear(struct inv_refs *r);

/* Parsers: fill inv from one source.  0 or -1 (all errors in e). */
int inv_parse_ini(struct inventory *inv, const char *file, const char *buf,
    size_t len, struct err *e);
/* 1 if root has the shape of a YAML inventory (see inventory.h). */
int inv_yaml_looks_like_inventory(const struct val *root);
int inv_parse_yaml(struct inventory *inv, const struct val *root,
    struct err *e);

/* The hosts of g in Ansible's Group.get_hosts() order, as a malloc'ed
 * array of inv_host.index values (*n of them). */
size_t *inv_group_host_order(const struct inventory *inv,
    const struct inv_group *g, size_t *n);

/* Marks (mark[host->index] = 1) every host of g and of its descendants. */
void inv_mark_group_hosts(const struct inventory *inv,
    const struct inv_group *g, unsigned char *mark);

#endif
