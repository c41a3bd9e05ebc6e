/*
 * inventory_yaml.c - YAML inventories, as Ansible's yaml inventory plugin
 * reads them (plugins/inventory/yaml.py): top-level keys are groups, each a
 * mapping of `hosts`, `children` and `vars`, children nesting at any depth.
 * Where Ansible only warns (a group that is not a mapping, an unknown key)
 * mend refuses: such a mistake silently drops hosts.  See inventory.h.
 */
#include <stdlib.h>
#include <string.h>

#include "runner/inventory/inventory_int.h"
#include "runner/util/banned.h"

struct yinv {
	struct inventory *inv;
	struct err *e;
	struct inv_refs refs;
	int ret;
};

static void parse_group(struct yinv *y, const struct val_pair *kv,
    struct inv_group *parent);

/* Where a key is: its own position, else its value's. */
static const struct pos *
key_pos(const struct val_pair *kv)
{
	return kv->pos.line > 0 ? &kv->pos : &kv->v->pos;
}

int
inv_yaml_looks_like_inventory(const struct val *root)
{
	size_t i;

	if (root == NULL || root->type != V_MAP)
		return 0;
	if (val_map_get(root, "plugin") != NULL)
		return 1;
	for (i = 0; i < root->u.map.n; i++) {
		enum val_type t = root->u.map.items[i].v->type;

		if (t != V_MAP && t != V_NULL)
			return 0;
	}
	return 1;
}

static void
yerr(struct yinv *y)
{
	y->ret = -1;
}

static void
add_host_entry(struct yinv *y, struct inv_group *g, const struct val_pair *kv)
{
	const char *entry = kv->key;
	const struct val *vars = kv->v;
	struct strlist names = { 0 };
	char *why = NULL;
	size_t off, i;
	long port;

	if (vars->type != V_MAP && vars->type != V_NULL) {
		err_setpos(y->e, &vars->pos, "variables of host '%s' must be "
		    "a mapping, not %s", entry, inv_a_type(vars->type));
		yerr(y);
		return;
	}
	if (inv_expand_hosts(entry, &names, &port, &why, &off) < 0) {
		err_setpos(y->e, key_pos(kv), "%s", why);
		yerr(y);
	}
	for (i = 0; i < names.n; i++) {
		struct inv_host *h = inv_host_get(y->inv, names.v[i],
		    key_pos(kv));

		inv_add_member(g, h);
		if (port >= 0)
			inv_set_host_var(h, "ansible_port", val_int(port));
		val_map_merge(h->file_vars, vars);
	}
	free(why);
	strlist_clear(&names);
}

static void
parse_hosts(struct yinv *y, struct inv_group *g, const struct val *node)
{
	size_t i;

	if (node->type == V_STR) {      /* `hosts: name` */
		struct val_pair kv = { node->u.str.s, val_null(), node->pos };

		kv.v->pos = node->pos;
		add_host_entry(y, g, &kv);
		val_free(kv.v);
		return;
	}
	if (node->type != V_MAP) {
		err_setpos(y->e, &node->pos, "'hosts' of group '%s' must be a "
		    "mapping of host names, not %s%s", g->name,
		    inv_a_type(node->type), node->type == V_LIST ?
		    " (write 'name:', not '- name')" : "");
		yerr(y);
		return;
	}
	for (i = 0; i < node->u.map.n; i++)
		add_host_entry(y, g, &node->u.map.items[i]);
}

static void
parse_children(struct yinv *y, struct inv_group *g, const struct val *node)
{
	size_t i;

	if (node->type == V_STR) {      /* `children: name` */
		struct val_pair kv = { node->u.str.s, val_null(), node->pos };

		kv.v->pos = node->pos;
		parse_group(y, &kv, g);
		val_free(kv.v);
		return;
	}
	if (node->type != V_MAP) {
		err_setpos(y->e, &node->pos, "'children' of group '%s' must be "
		    "a mapping of group names, not %s", g->name,
		    inv_a_type(node->type));
		yerr(y);
		return;
	}
	for (i = 0; i < node->u.map.n; i++)
		parse_group(y, &node->u.map.items[i], g);
}

static void
parse_vars(struct yinv *y, struct inv_group *g, const struct val *node)
{
	size_t i;

	if (node->type != V_MAP) {
		err_setpos(y->e, &node->pos, "'vars' of group '%s' must be a "
		    "mapping, not %s", g->name, inv_a_type(node->type));
		yerr(y);
		return;
	}
	for (i = 0; i < node->u.map.n; i++) {
		const struct val *v = node->u.map.items[i].v;

		if (inv_set_group_var(g, node->u.map.items[i].key, val_copy(v),
		    &v->pos, y->e) < 0)
			yerr(y);
	}
}

static void
parse_section(struct yinv *y, struct inv_group *g, const struct val_pair *kv)
{
	const char *key = kv->key;
	const struct val *v = kv->v;

	if (v->type == V_NULL)
		return;
	if (strcmp(key, "hosts") == 0)
		parse_hosts(y, g, v);
	else if (strcmp(key, "children") == 0)
		parse_children(y, g, v);
	else if (strcmp(key, "vars") == 0)
		parse_vars(y, g, v);
	else {
		err_setpos(y->e, key_pos(kv), "unexpected key '%s' in group '%s' "
		    "(expected 'hosts', 'children' or 'vars')", key, g->name);
		yerr(y);
	}
}

static void
parse_group(struct yinv *y, const struct val_pair *kv,
    struct inv_group *parent)
{
	const char *name = kv->key;
	const struct val *node = kv->v;
	struct inv_group *g = inv_group_get(y->inv, name, key_pos(kv));
	size_t i;

	if (parent != NULL) {
		g->referenced = 1;
		if (inv_add_child(y->inv, parent, g, key_pos(kv), y->e) < 0) {
			yerr(y);
			return;
		}
	}
	if (node->type == V_NULL) {
		if (parent != NULL)
			inv_refs_add(&y->refs, g, parent->name, key_pos(kv));
		else
			g->defined = 1;
		return;
	}
	if (node->type != V_MAP) {
		err_setpos(y->e, &node->pos, "group '%s' must be a mapping of "
		    "'hosts', 'children' and 'vars', not %s", name,
		    inv_a_type(node->type));
		yerr(y);
		return;
	}
	g->defined = 1;
	for (i = 0; i < node->u.map.n; i++)
		parse_section(y, g, &node->u.map.items[i]);
}

int
inv_parse_yaml(struct inventory *inv, const struct val *root, struct err *e)
{
	struct yinv y;
	size_t i;

	memset(&y, 0, sizeof(y));
	y.inv = inv;
	y.e = e;
	if (root->type == V_MAP)
		for (i = 0; i < root->u.map.n; i++)
			parse_group(&y, &root->u.map.items[i], NULL);
	if (inv_refs_check(inv, &y.refs, e) < 0)
		y.ret = -1;
	inv_refs_clear(&y.refs);
	return y.ret;
}
