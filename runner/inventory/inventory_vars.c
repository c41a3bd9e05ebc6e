/*
 * inventory_vars.c - group_vars/ and host_vars/ beside each source, and a
 * host's variables in Ansible's precedence order with the magic variables;
 * see inventory.h.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runner/inventory/inventory.h"
#include "runner/inventory/inventory_int.h"
#include "runner/util/yamlload.h"
#include "runner/util/banned.h"

/* group_vars/ and host_vars/ beside one source. */
struct vardir {
	char *key;                       /* absolute path, identifies it */
	char *path;                      /* as the user wrote it */
	struct strlist gnames, hnames;   /* directory entries */
	struct strmap gset, hset;        /* the same, for lookups */
	struct strlist gkeys, hkeys;     /* owned keys of gvals, hvals */
	struct strmap gvals, hvals;      /* entity -> its vars, once read */
};

static struct vardir *
vardir_new(const char *key, const char *path)
{
	struct vardir *vd = xcalloc(1, sizeof(*vd));
	char *sub;
	size_t i;

	vd->key = xstrdup(key);
	vd->path = xstrdup(path);
	sub = xasprintf("%s/group_vars", path);
	inv_list_dir(sub, &vd->gnames);
	free(sub);
	sub = xasprintf("%s/host_vars", path);
	inv_list_dir(sub, &vd->hnames);
	free(sub);
	for (i = 0; i < vd->gnames.n; i++)
		strmap_put(&vd->gset, vd->gnames.v[i], vd);
	for (i = 0; i < vd->hnames.n; i++)
		strmap_put(&vd->hset, vd->hnames.v[i], vd);
	return vd;
}

/* Register the vars directory of a source; a directory already registered
 * moves last (applying X, Y, X is the same as Y, X). */
void
inv_vardir_add(struct inventory *inv, const char *key, const char *path)
{
	struct inv_priv *priv = inv->priv;
	struct vardir *vd = NULL;
	size_t i;

	for (i = 0; i < priv->nvardirs; i++) {
		if (strcmp(priv->vardirs[i]->key, key) == 0) {
			vd = priv->vardirs[i];
			memmove(&priv->vardirs[i], &priv->vardirs[i + 1],
			    (priv->nvardirs - i - 1) * sizeof(vd));
			priv->nvardirs--;
			break;
		}
	}
	if (vd == NULL)
		vd = vardir_new(key, path);
	ALLOC_GROW(priv->vardirs, priv->nvardirs + 1, priv->vardirs_alloc);
	priv->vardirs[priv->nvardirs++] = vd;
}

static int
vars_file_merge(struct val *dst, const char *path, struct err *e)
{
	struct val *v = NULL;

	if (yaml_load_file(path, &v, e) < 0)
		return -1;
	if (v->type != V_MAP && v->type != V_NULL) {
		struct pos p = v->pos;

		if (p.line == 0)
			p.file = pos_intern(path);
		err_setpos(e, &p, "variables file must hold a mapping, not %s",
		    inv_a_type(v->type));
		val_free(v);
		return -1;
	}
	val_map_merge(dst, v);
	val_free(v);
	return 0;
}

static int
is_vars_ext(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot == NULL || strcmp(dot, ".yml") == 0 ||
	    strcmp(dot, ".yaml") == 0 || strcmp(dot, ".json") == 0;
}

/* A directory NAME/ of vars files (Ansible's _get_dir_vars_files). */
static int
vars_dir_merge(struct val *dst, const char *dir, struct err *e)
{
	struct strlist names = { 0 };
	size_t i;
	int ret = 0;

	inv_list_dir(dir, &names);
	for (i = 0; i < names.n; i++) {
		const char *n = names.v[i];
		char *path;
		struct stat st;

		if (n[0] == '.' || inv_has_suffix(n, "~"))
			continue;
		path = xasprintf("%s/%s", dir, n);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
		    strchr(n, '.') == NULL)
			ret |= vars_dir_merge(dst, path, e);
		else if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    is_vars_ext(n))
			ret |= vars_file_merge(dst, path, e);
		free(path);
	}
	strlist_clear(&names);
	return ret;
}

/* The file or directory holding the vars of entity `name` in sub/ of vd:
 * the first of NAME, NAME.yml, NAME.yaml, NAME.json that exists. */
static char *
vardir_find(const struct vardir *vd, int hosts, const char *name,
    struct strbuf *scratch, struct stat *st)
{
	static const char *exts[] = { "", ".yml", ".yaml", ".json" };
	const struct strmap *set = hosts ? &vd->hset : &vd->gset;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exts); i++) {
		char *path;

		strbuf_reset(scratch);
		strbuf_addstr(scratch, name);
		strbuf_addstr(scratch, exts[i]);
		if (strmap_get(set, scratch->buf) == NULL)
			continue;
		path = xasprintf("%s/%s/%s", vd->path, hosts ? "host_vars" :
		    "group_vars", scratch->buf);
		if (stat(path, st) == 0)
			return path;
		free(path);
	}
	return NULL;
}

/* Load the vars of one entity (group or host name) from vd, once. */
static int
vardir_load(struct vardir *vd, int hosts, const char *name,
    struct strbuf *scratch, struct err *e)
{
	struct strmap *vals = hosts ? &vd->hvals : &vd->gvals;
	struct val *v;
	struct stat st;
	char *path, *key;
	int ret;

	if ((hosts ? vd->hset.n : vd->gset.n) == 0 ||
	    strmap_get(vals, name) != NULL)
		return 0;
	if ((path = vardir_find(vd, hosts, name, scratch, &st)) == NULL)
		return 0;
	v = val_map();
	ret = S_ISDIR(st.st_mode) ? vars_dir_merge(v, path, e) :
	    vars_file_merge(v, path, e);
	free(path);
	key = xstrdup(name);
	strlist_push(hosts ? &vd->hkeys : &vd->gkeys, key);
	strmap_put(vals, key, v);
	return ret;
}

static const struct val *
vardir_get(const struct vardir *vd, int hosts, const char *name)
{
	return strmap_get(hosts ? &vd->hvals : &vd->gvals, name);
}

static void
vardir_free(struct vardir *vd)
{
	size_t i;

	for (i = 0; i < vd->gkeys.n; i++) {
		struct val *v = strmap_get(&vd->gvals, vd->gkeys.v[i]);

		val_free(v);
	}
	for (i = 0; i < vd->hkeys.n; i++) {
		struct val *v = strmap_get(&vd->hvals, vd->hkeys.v[i]);

		val_free(v);
	}
	strmap_clear(&vd->gvals);
	strmap_clear(&vd->hvals);
	strmap_clear(&vd->gset);
	strmap_clear(&vd->hset);
	strlist_clear(&vd->gkeys);
	strlist_clear(&vd->hkeys);
	strlist_clear(&vd->gnames);
	strlist_clear(&vd->hnames);
	free(vd->key);
	free(vd->path);
	free(vd);
}

static int
load_vardirs(struct inventory *inv, struct err *e)
{
	struct inv_priv *priv = inv->priv;
	struct strbuf scratch = STRBUF_INIT;
	size_t i, j;
	int ret = 0;

	for (i = 0; i < priv->nvardirs; i++) {
		struct vardir *vd = priv->vardirs[i];

		for (j = 0; j < inv->ngroups; j++)
			ret |= vardir_load(vd, 0, inv->groups[j]->name,
			    &scratch, e);
		for (j = 0; j < inv->nhosts; j++)
			ret |= vardir_load(vd, 1, inv->hosts[j]->name,
			    &scratch, e);
	}
	strbuf_release(&scratch);
	return ret;
}

static void
merge_vars(struct inventory *inv)
{
	struct inv_priv *priv = inv->priv;
	size_t i, j;

	for (i = 0; i < inv->ngroups; i++) {
		struct inv_group *g = inv->groups[i];

		val_free(g->vars);
		g->vars = val_copy(g->file_vars);
		for (j = 0; j < priv->nvardirs; j++)
			val_map_merge(g->vars, vardir_get(priv->vardirs[j], 0,
			    g->name));
	}
	for (i = 0; i < inv->nhosts; i++) {
		struct inv_host *h = inv->hosts[i];

		val_free(h->vars);
		h->vars = val_copy(h->file_vars);
		for (j = 0; j < priv->nvardirs; j++)
			val_map_merge(h->vars, vardir_get(priv->vardirs[j], 1,
			    h->name));
	}
}

static void
build_groups_var(struct inventory *inv)
{
	struct val *groups = val_map();
	size_t i, j, n, *idx;

	for (i = 0; i < inv->ngroups; i++) {
		struct val *l = val_list();

		idx = inv_group_host_order(inv, inv->groups[i], &n);
		for (j = 0; j < n; j++)
			val_list_push(l, val_str(inv->hosts[idx[j]]->name));
		free(idx);
		val_map_set(groups, inv->groups[i]->name, l);
	}
	val_free(inv->priv->groups_var);
	inv->priv->groups_var = groups;
}

/* Ansible's Group.get_hosts(): the group's own hosts, then those of its
 * descendants breadth first (children in the order they were added; below
 * the first level Ansible's order depends on object addresses, mend takes
 * each parent's children in order), each host once. */
size_t *
inv_group_host_order(const struct inventory *inv, const struct inv_group *g,
    size_t *n)
{
	const struct inv_group **order = xmalloc((inv->ngroups + 1) *
	    sizeof(*order));
	unsigned char *gseen = xcalloc(inv->ngroups + 1, 1);
	unsigned char *hseen = xcalloc(inv->nhosts + 1, 1);
	size_t *out = xmalloc((inv->nhosts + 1) * sizeof(*out));
	size_t ng = 0, next = 0, i, j;

	order[ng++] = g;
	gseen[g->index] = 1;
	while (next < ng) {
		const struct inv_group *cur = order[next++];

		for (i = 0; i < cur->nchildren; i++) {
			const struct inv_group *c = inventory_find_group(inv,
			    cur->children[i]);

			if (c != NULL && !gseen[c->index]) {
				gseen[c->index] = 1;
				order[ng++] = c;
			}
		}
	}
	for (*n = 0, i = 0; i < ng; i++)
		for (j = 0; j < order[i]->nhosts; j++) {
			size_t h = order[i]->hosts[j]->index;

			if (!hseen[h]) {
				hseen[h] = 1;
				out[(*n)++] = h;
			}
		}
	free(order);
	free(gseen);
	free(hseen);
	return out;
}

/* ---- variables ---- */

void
inv_mark_group_hosts(const struct inventory *inv, const struct inv_group *g,
    unsigned char *mark)
{
	unsigned char *seen;
	const struct inv_group **stack;
	size_t n = 0, i;

	if (strcmp(g->name, "all") == 0) {
		memset(mark, 1, inv->nhosts);
		return;
	}
	seen = xcalloc(inv->ngroups, 1);
	stack = xmalloc(inv->ngroups * sizeof(*stack));
	stack[n++] = g;
	seen[g->index] = 1;
	while (n > 0) {
		const struct inv_group *cur = stack[--n];

		for (i = 0; i < cur->nhosts; i++)
			mark[cur->hosts[i]->index] = 1;
		for (i = 0; i < cur->nchildren; i++) {
			const struct inv_group *c = inventory_find_group(inv,
			    cur->children[i]);

			if (c != NULL && !seen[c->index]) {
				seen[c->index] = 1;
				stack[n++] = c;
			}
		}
	}
	free(stack);
	free(seen);
}

/* Every group of h (direct or ancestor) but all, in no particular order. */
static size_t
host_all_groups(const struct inventory *inv, const struct inv_host *h,
    const struct inv_group ***out)
{
	unsigned char *seen = xcalloc(inv->ngroups, 1);
	const struct inv_group **v = xmalloc((inv->ngroups + 1) * sizeof(*v));
	size_t n = 0, i, j;

	for (i = 0; i < h->ngroups; i++) {
		seen[h->groups[i]->index] = 1;
		v[n++] = h->groups[i];
	}
	for (i = 0; i < n; i++)          /* v grows while we walk it */
		for (j = 0; j < v[i]->nparents; j++)
			if (!seen[v[i]->parents[j]->index]) {
				seen[v[i]->parents[j]->index] = 1;
				v[n++] = v[i]->parents[j];
			}
	for (i = j = 0; i < n; i++)
		if (strcmp(v[i]->name, "all") != 0)
			v[j++] = v[i];
	free(seen);
	*out = v;
	return j;
}

static int
cmp_group_prec(const void *a, const void *b)
{
	const struct inv_group *x = *(const struct inv_group *const *)a;
	const struct inv_group *y = *(const struct inv_group *const *)b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
cmp_group_name(const void *a, const void *b)
{
	const struct inv_group *x = *(const struct inv_group *const *)a;
	const struct inv_group *y = *(const struct inv_group *const *)b;

	return strcmp(x->name, y->name);
}

static int
is_ip_address(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

static void
add_magic_vars(const struct inv_host *h, struct val *vars,
    const struct inv_group **gs, size_t n)
{
	struct val *names = val_list();
	size_t i;

	val_map_set(vars, "inventory_hostname", val_str(h->name));
	if (is_ip_address(h->name))
		val_map_set(vars, "inventory_hostname_short", val_str(h->name));
	else
		val_map_set(vars, "inventory_hostname_short",
		    val_strn(h->name, strcspn(h->name, ".")));
	qsort(gs, n, sizeof(*gs), cmp_group_name);
	for (i = 0; i < n; i++)
		val_list_push(names, val_str(gs[i]->name));
	val_map_set(vars, "group_names", names);
}

const struct val *
inventory_groups_var(const struct inventory *inv)
{
	return inv->priv->groups_var;
}

struct val *
inventory_host_vars(const struct inventory *inv, const struct inv_host *h)
{
	struct val *vars = inventory_host_vars_nogroups(inv, h);

	val_map_set(vars, "groups", val_copy(inv->priv->groups_var));
	return vars;
}

struct val *
inventory_host_vars_nogroups(const struct inventory *inv,
    const struct inv_host *h)
{
	const struct inv_priv *priv = inv->priv;
	const struct inv_group **gs;
	struct val *vars = val_map();
	size_t n, i, j;

	n = host_all_groups(inv, h, &gs);
	if (n > 0)
		qsort(gs, n, sizeof(*gs), cmp_group_prec);
	val_map_merge(vars, inventory_find_group(inv, "all")->file_vars);
	for (i = 0; i < n; i++)
		val_map_merge(vars, gs[i]->file_vars);
	for (j = 0; j < priv->nvardirs; j++)
		val_map_merge(vars, vardir_get(priv->vardirs[j], 0, "all"));
	for (j = 0; j < priv->nvardirs; j++)
		for (i = 0; i < n; i++)
			val_map_merge(vars, vardir_get(priv->vardirs[j], 0,
			    gs[i]->name));
	val_map_merge(vars, h->vars);
	add_magic_vars(h, vars, gs, n);
	free(gs);
	return vars;
}

const char **
inventory_host_groups(const struct inventory *inv, const struct inv_host *h,
    size_t *n)
{
	const struct inv_group **gs;
	const char **names;
	size_t i, m = host_all_groups(inv, h, &gs);

	if (m > 0)
		qsort(gs, m, sizeof(*gs), cmp_group_name);
	names = xmalloc((m + 1) * sizeof(*names));
	*n = 0;
	for (i = 0; i < m; i++)
		if (strcmp(gs[i]->name, "ungrouped") != 0)
			names[(*n)++] = gs[i]->name;
	free(gs);
	return names;
}

void
inv_vardirs_free(struct inv_priv *priv)
{
	size_t i;

	for (i = 0; i < priv->nvardirs; i++)
		vardir_free(priv->vardirs[i]);
	free(priv->vardirs);
}

int
inv_vars_update(struct inventory *inv, struct err *e)
{
	int ret = load_vardirs(inv, e);

	merge_vars(inv);
	build_groups_var(inv);
	return ret;
}
