/*
 * inventory.c - the inventory model, its sources (files, directories, host
 * lists), group_vars/host_vars and variable precedence; see inventory.h.
 * Parsers live in inventory_ini.c and inventory_yaml.c, host names and
 * ranges in inventory_range.c, host selection in pattern.c.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inventory.h"
#include "inventory_int.h"
#include "yamlload.h"
#include "banned.h"

/* group_vars/ and host_vars/ beside one source. */
struct vardir {
	char *key;                       /* absolute path, identifies it */
	char *path;                      /* as the user wrote it */
	struct strlist gnames, hnames;   /* directory entries */
	struct strmap gset, hset;        /* the same, for lookups */
	struct strlist gkeys, hkeys;     /* owned keys of gvals, hvals */
	struct strmap gvals, hvals;      /* entity -> its vars, once read */
};

struct inv_priv {
	struct strmap hosts, groups;
	struct vardir **vardirs;         /* in precedence order */
	size_t nvardirs, vardirs_alloc;
	struct val *groups_var;          /* magic `groups` */
	char *cur_file, *cur_dir;        /* source being read, absolute */
};

/* ---- string hash table and list ---- */

static uint64_t
strhash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct strmap_ent *
strmap_slot(const struct strmap *m, const char *key)
{
	size_t i = (size_t)strhash(key) & (m->cap - 1);

	while (m->ents[i].key != NULL && strcmp(m->ents[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->ents[i];
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_ent *ent;

	if (m->cap == 0)
		return NULL;
	ent = strmap_slot(m, key);
	return ent->key != NULL ? ent->val : NULL;
}

static void
strmap_grow(struct strmap *m)
{
	struct strmap_ent *old = m->ents;
	size_t oldcap = m->cap, i;

	m->cap = oldcap ? oldcap * 2 : 16;
	m->ents = xcalloc(m->cap, sizeof(*m->ents));
	for (i = 0; i < oldcap; i++)
		if (old[i].key != NULL)
			*strmap_slot(m, old[i].key) = old[i];
	free(old);
}

void
strmap_put(struct strmap *m, const char *key, void *val)
{
	struct strmap_ent *ent;

	if ((m->n + 1) * 2 > m->cap)
		strmap_grow(m);
	ent = strmap_slot(m, key);
	if (ent->key == NULL) {
		ent->key = key;
		m->n++;
	}
	ent->val = val;
}

void
strmap_clear(struct strmap *m)
{
	free(m->ents);
	memset(m, 0, sizeof(*m));
}

void
strlist_push(struct strlist *l, char *s)
{
	ALLOC_GROW(l->v, l->n + 1, l->alloc);
	l->v[l->n++] = s;
}

void
strlist_clear(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const char *
inv_a_type(enum val_type t)
{
	static const char *names[] = { "null", "a boolean", "an integer",
	    "a string", "a list", "a mapping" };

	return names[t];
}

/* ---- the model ---- */

struct inv_group *
inventory_find_group(const struct inventory *inv, const char *name)
{
	return strmap_get(&inv->priv->groups, name);
}

struct inv_host *
inventory_find_host(const struct inventory *inv, const char *name)
{
	return strmap_get(&inv->priv->hosts, name);
}

struct inv_group *
inv_group_get(struct inventory *inv, const char *name, const struct pos *p)
{
	struct inv_group *g = inventory_find_group(inv, name);

	if (g != NULL)
		return g;
	g = xcalloc(1, sizeof(*g));
	g->name = xstrdup(name);
	g->vars = val_map();
	g->file_vars = val_map();
	g->priority = 1;
	if (p != NULL)
		g->pos = *p;
	g->index = inv->ngroups;
	ALLOC_GROW(inv->groups, inv->ngroups + 1, inv->groups_alloc);
	inv->groups[inv->ngroups++] = g;
	strmap_put(&inv->priv->groups, g->name, g);
	return g;
}

struct inv_host *
inv_host_get(struct inventory *inv, const char *name, const struct pos *p)
{
	struct inv_priv *priv = inv->priv;
	struct inv_host *h = inventory_find_host(inv, name);

	if (h != NULL)
		return h;
	h = xcalloc(1, sizeof(*h));
	h->name = xstrdup(name);
	h->vars = val_map();
	h->file_vars = val_map();
	if (p != NULL)
		h->pos = *p;
	h->index = inv->nhosts;
	ALLOC_GROW(inv->hosts, inv->nhosts + 1, inv->hosts_alloc);
	inv->hosts[inv->nhosts++] = h;
	strmap_put(&priv->hosts, h->name, h);
	val_map_set(h->file_vars, "inventory_file", priv->cur_file ?
	    val_str(priv->cur_file) : val_null());
	val_map_set(h->file_vars, "inventory_dir", priv->cur_dir ?
	    val_str(priv->cur_dir) : val_null());
	return h;
}

void
inv_add_member(struct inv_group *g, struct inv_host *h)
{
	size_t i;

	for (i = 0; i < h->ngroups; i++)
		if (h->groups[i] == g)
			return;
	ALLOC_GROW(h->groups, h->ngroups + 1, h->groups_alloc);
	h->groups[h->ngroups++] = g;
	ALLOC_GROW(g->hosts, g->nhosts + 1, g->hosts_alloc);
	g->hosts[g->nhosts++] = h;
}

static void
remove_member(struct inv_group *g, struct inv_host *h)
{
	size_t i;

	for (i = 0; i < g->nhosts && g->hosts[i] != h; i++)
		;
	if (i < g->nhosts)
		memmove(&g->hosts[i], &g->hosts[i + 1],
		    (--g->nhosts - i) * sizeof(*g->hosts));
	for (i = 0; i < h->ngroups && h->groups[i] != g; i++)
		;
	if (i < h->ngroups)
		memmove(&h->groups[i], &h->groups[i + 1],
		    (--h->ngroups - i) * sizeof(*h->groups));
}

/* Is target g itself or one of its descendants? */
static int
reaches(const struct inventory *inv, const struct inv_group *g,
    const struct inv_group *target, unsigned char *seen)
{
	size_t i;

	if (g == target)
		return 1;
	if (seen[g->index])
		return 0;
	seen[g->index] = 1;
	for (i = 0; i < g->nchildren; i++) {
		const struct inv_group *c = inventory_find_group(inv,
		    g->children[i]);

		if (c != NULL && reaches(inv, c, target, seen))
			return 1;
	}
	return 0;
}

int
inv_add_child(struct inventory *inv, struct inv_group *parent,
    struct inv_group *child, const struct pos *p, struct err *e)
{
	unsigned char *seen;
	size_t i;
	int loop;

	for (i = 0; i < child->nparents; i++)
		if (child->parents[i] == parent)
			return 0;
	if (strcmp(child->name, "all") == 0)
		return err_setpos(e, p, "group 'all' cannot be a child of '%s'",
		    parent->name);
	if (child == parent)
		return err_setpos(e, p, "group '%s' cannot be its own child",
		    child->name);
	seen = xcalloc(inv->ngroups, 1);
	loop = reaches(inv, child, parent, seen);
	free(seen);
	if (loop)
		return err_setpos(e, p, "group '%s' cannot be a child of '%s': "
		    "'%s' is already a descendant of '%s'", child->name,
		    parent->name, parent->name, child->name);
	ALLOC_GROW(parent->children, parent->nchildren + 1,
	    parent->children_alloc);
	parent->children[parent->nchildren++] = xstrdup(child->name);
	ALLOC_GROW(child->parents, child->nparents + 1, child->parents_alloc);
	child->parents[child->nparents++] = parent;
	return 0;
}

int
inv_set_group_var(struct inv_group *g, const char *key, struct val *v,
    const struct pos *p, struct err *e)
{
	int64_t prio;

	if (strcmp(key, "ansible_group_priority") != 0) {
		val_map_set(g->file_vars, key, v);
		return 0;
	}
	if (val_to_int(v, &prio) < 0 || v->type == V_BOOL ||
	    prio < INT32_MIN || prio > INT32_MAX) {
		val_free(v);
		return err_setpos(e, p, "'ansible_group_priority' of group "
		    "'%s' must be an integer", g->name);
	}
	g->priority = (int)prio;
	val_free(v);
	return 0;
}

void
inv_set_host_var(struct inv_host *h, const char *key, struct val *v)
{
	val_map_set(h->file_vars, key, v);
}

/* ---- child references ---- */

void
inv_refs_add(struct inv_refs *r, struct inv_group *g, const char *parent,
    const struct pos *p)
{
	ALLOC_GROW(r->v, r->n + 1, r->alloc);
	r->v[r->n].group = g;
	r->v[r->n].parent = xstrdup(parent);
	r->v[r->n].pos = *p;
	r->n++;
}

int
inv_refs_check(struct inventory *inv, struct inv_refs *r, struct err *e)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < r->n; i++) {
		struct inv_group *g = r->v[i].group;

		if (!g->defined && inventory_find_host(inv, g->name) != NULL)
			ret = err_setpos(e, &r->v[i].pos, "child '%s' of group "
			    "'%s' is a host, not a group", g->name,
			    r->v[i].parent);
	}
	return ret;
}

void
inv_refs_clear(struct inv_refs *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].parent);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* ---- creation and destruction ---- */

struct inventory *
inventory_new(void)
{
	struct inventory *inv = xcalloc(1, sizeof(*inv));
	struct inv_group *all, *ungrouped;

	inv->priv = xcalloc(1, sizeof(*inv->priv));
	all = inv_group_get(inv, "all", NULL);
	ungrouped = inv_group_get(inv, "ungrouped", NULL);
	all->defined = ungrouped->defined = 1;
	inv_add_child(inv, all, ungrouped, NULL, NULL);
	inv->priv->groups_var = val_map();
	return inv;
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

static void
host_free(struct inv_host *h)
{
	free(h->name);
	val_free(h->vars);
	val_free(h->file_vars);
	free(h->groups);
	free(h);
}

static void
group_free(struct inv_group *g)
{
	size_t i;

	free(g->name);
	val_free(g->vars);
	val_free(g->file_vars);
	for (i = 0; i < g->nchildren; i++)
		free(g->children[i]);
	free(g->children);
	free(g->hosts);
	free(g->parents);
	free(g);
}

void
inventory_free(struct inventory *inv)
{
	size_t i;

	if (inv == NULL)
		return;
	for (i = 0; i < inv->nhosts; i++)
		host_free(inv->hosts[i]);
	for (i = 0; i < inv->ngroups; i++)
		group_free(inv->groups[i]);
	free(inv->hosts);
	free(inv->groups);
	for (i = 0; i < inv->priv->nvardirs; i++)
		vardir_free(inv->priv->vardirs[i]);
	free(inv->priv->vardirs);
	strmap_clear(&inv->priv->hosts);
	strmap_clear(&inv->priv->groups);
	val_free(inv->priv->groups_var);
	free(inv->priv->cur_file);
	free(inv->priv->cur_dir);
	free(inv->priv);
	free(inv);
}

/* ---- paths ---- */

/* Absolute, lexically normalised path (Ansible's unfrackpath without
 * following links). */
static char *
abspath(const char *path)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	const char *p;

	if (path[0] != '/') {
		char *cwd = getcwd(NULL, 0);

		strbuf_addstr(&in, cwd ? cwd : ".");
		strbuf_addch(&in, '/');
		free(cwd);
	}
	strbuf_addstr(&in, path);
	for (p = in.buf; *p != '\0';) {
		size_t n = strcspn(p, "/");

		if ((n == 1 && p[0] == '.') || n == 0) {
			/* skip */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(out.buf, '/');

			strbuf_setlen(&out, slash ? (size_t)(slash - out.buf) : 0);
		} else {
			strbuf_addch(&out, '/');
			strbuf_add(&out, p, n);
		}
		p += n + (p[n] == '/');
	}
	if (out.len == 0)
		strbuf_addch(&out, '/');
	strbuf_release(&in);
	return strbuf_detach(&out, NULL);
}

static char *
dirname_of(const char *abs)
{
	const char *slash = strrchr(abs, '/');

	if (slash == NULL || slash == abs)
		return xstrdup("/");
	return xstrndup(abs, (size_t)(slash - abs));
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entries of dir (without . and ..); -1 with errno if unreadable. */
static int
list_dir(const char *dir, struct strlist *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			strlist_push(out, xstrdup(de->d_name));
	closedir(d);
	if (out->n > 0)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	return 0;
}

/* ---- group_vars/ and host_vars/ ---- */

static struct vardir *
vardir_new(const char *key, const char *path)
{
	struct vardir *vd = xcalloc(1, sizeof(*vd));
	char *sub;
	size_t i;

	vd->key = xstrdup(key);
	vd->path = xstrdup(path);
	sub = xasprintf("%s/group_vars", path);
	list_dir(sub, &vd->gnames);
	free(sub);
	sub = xasprintf("%s/host_vars", path);
	list_dir(sub, &vd->hnames);
	free(sub);
	for (i = 0; i < vd->gnames.n; i++)
		strmap_put(&vd->gset, vd->gnames.v[i], vd);
	for (i = 0; i < vd->hnames.n; i++)
		strmap_put(&vd->hset, vd->hnames.v[i], vd);
	return vd;
}

/* Register the vars directory of a source; a directory already registered
 * moves last (applying X, Y, X is the same as Y, X). */
static void
add_vardir(struct inventory *inv, const char *key, const char *path)
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

	list_dir(dir, &names);
	for (i = 0; i < names.n; i++) {
		const char *n = names.v[i];
		char *path;
		struct stat st;

		if (n[0] == '.' || has_suffix(n, "~"))
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

/* ---- reconciliation after each source ---- */

static void
fix_ungrouped(struct inventory *inv)
{
	struct inv_group *all = inventory_find_group(inv, "all");
	struct inv_group *ungrouped = inventory_find_group(inv, "ungrouped");
	size_t i, j;

	for (i = 0; i < inv->nhosts; i++) {
		struct inv_host *h = inv->hosts[i];
		int others = 0, in_ungrouped = 0;

		for (j = 0; j < h->ngroups; j++) {
			if (h->groups[j] == ungrouped)
				in_ungrouped = 1;
			else if (h->groups[j] != all)
				others = 1;
		}
		if (others && in_ungrouped)
			remove_member(ungrouped, h);
		else if (!others && !in_ungrouped)
			inv_add_member(ungrouped, h);
	}
}

static int
group_depth(struct inventory *inv, struct inv_group *g, unsigned char *state)
{
	size_t i;
	int d = 0;

	if (state[g->index])
		return g->depth;
	state[g->index] = 1;
	for (i = 0; i < g->nparents; i++) {
		int pd = group_depth(inv, g->parents[i], state) + 1;

		if (pd > d)
			d = pd;
	}
	g->depth = d;
	return d;
}

/* Top-level groups become children of all; depths from all. */
static void
link_groups(struct inventory *inv)
{
	struct inv_group *all = inventory_find_group(inv, "all");
	unsigned char *state = xcalloc(inv->ngroups, 1);
	size_t i;

	for (i = 0; i < inv->ngroups; i++)
		if (inv->groups[i] != all && inv->groups[i]->nparents == 0)
			inv_add_child(inv, all, inv->groups[i], NULL, NULL);
	for (i = 0; i < inv->ngroups; i++)
		group_depth(inv, inv->groups[i], state);
	free(state);
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
	unsigned char *mark = xmalloc(inv->nhosts + 1);
	struct val *groups = val_map();
	size_t i, j;

	for (i = 0; i < inv->ngroups; i++) {
		struct val *l = val_list();

		memset(mark, 0, inv->nhosts + 1);
		inv_mark_group_hosts(inv, inv->groups[i], mark);
		for (j = 0; j < inv->nhosts; j++)
			if (mark[j])
				val_list_push(l, val_str(inv->hosts[j]->name));
		val_map_set(groups, inv->groups[i]->name, l);
	}
	free(mark);
	val_free(inv->priv->groups_var);
	inv->priv->groups_var = groups;
}

static int
reconcile(struct inventory *inv, struct err *e)
{
	int ret;

	fix_ungrouped(inv);
	link_groups(inv);
	ret = load_vardirs(inv, e);
	merge_vars(inv);
	build_groups_var(inv);
	return ret;
}

/* ---- sources ---- */

static int
read_file(const char *path, struct strbuf *sb, struct err *e)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return err_set(e, "cannot open inventory '%s': %s", path,
		    strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(sb, buf, n);
	if (ferror(f)) {
		fclose(f);
		return err_set(e, "cannot read inventory '%s': %s", path,
		    strerror(errno));
	}
	fclose(f);
	return 0;
}

static int
load_yaml(struct inventory *inv, struct val *root, struct err *e)
{
	struct val *plugin = val_map_get(root, "plugin");

	if (root->type == V_MAP && plugin != NULL && plugin->type != V_MAP)
		return err_setpos(e, &plugin->pos, "inventory plugins are not "
		    "supported (only INI and YAML inventories)");
	if (root->type != V_MAP && root->type != V_NULL)
		return err_setpos(e, &root->pos, "a YAML inventory must be a "
		    "mapping of groups, not %s", inv_a_type(root->type));
	return inv_parse_yaml(inv, root, e);
}

/* Could buf be a YAML inventory?  Not when its first significant line
 * starts an INI section or comment ('[' would be a YAML sequence). */
static int
maybe_yaml(const char *buf)
{
	const char *p = buf;

	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p != '#')
			break;
		p += strcspn(p, "\n");
	}
	return *p != '[' && *p != ';';
}

/* Parse one file; `path` is the name used in messages. */
static int
load_file(struct inventory *inv, const char *path, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	struct err ye = ERR_INIT;
	struct val *root = NULL;
	int yaml = has_suffix(path, ".yml") || has_suffix(path, ".yaml") ||
	    has_suffix(path, ".json");
	int ret = -1;

	free(inv->priv->cur_file);
	free(inv->priv->cur_dir);
	inv->priv->cur_file = abspath(path);
	inv->priv->cur_dir = dirname_of(inv->priv->cur_file);
	if (read_file(path, &sb, e) < 0)
		goto out;
	if (yaml) {
		if (yaml_load_string(path, sb.buf, sb.len, &root, e) == 0)
			ret = load_yaml(inv, root, e);
	} else if (!has_suffix(path, ".ini") && maybe_yaml(sb.buf) &&
	    yaml_load_string(path, sb.buf,
	    sb.len, &root, &ye) == 0 && inv_yaml_looks_like_inventory(root)) {
		ret = load_yaml(inv, root, e);
	} else {
		ret = inv_parse_ini(inv, pos_intern(path), sb.buf, sb.len, e);
	}
out:
	val_free(root);
	err_release(&ye);
	strbuf_release(&sb);
	return ret;
}

static int
ignored_entry(const char *name)
{
	static const char *exts[] = { ".pyc", ".pyo", ".swp", ".bak", "~",
	    ".rpm", ".md", ".txt", ".rst", ".orig", ".cfg", ".retry" };
	size_t i;

	if (name[0] == '.' || strcmp(name, "host_vars") == 0 ||
	    strcmp(name, "group_vars") == 0 ||
	    strcmp(name, "vars_plugins") == 0)
		return 1;
	for (i = 0; i < ARRAY_SIZE(exts); i++)
		if (has_suffix(name, exts[i]))
			return 1;
	return 0;
}

static int
load_dir(struct inventory *inv, const char *dir, struct err *e)
{
	struct strlist names = { 0 };
	size_t i;
	int ret = 0;

	if (list_dir(dir, &names) < 0)
		return err_set(e, "cannot read inventory directory '%s': %s",
		    dir, strerror(errno));
	for (i = 0; i < names.n; i++) {
		char *path;
		struct stat st;

		if (ignored_entry(names.v[i]))
			continue;
		path = xasprintf("%s/%s", dir, names.v[i]);
		if (stat(path, &st) < 0)
			ret = err_set(e, "cannot read inventory '%s': %s", path,
			    strerror(errno));
		else if (S_ISDIR(st.st_mode))
			ret |= load_dir(inv, path, e);
		else
			ret |= load_file(inv, path, e);
		free(path);
	}
	strlist_clear(&names);
	return ret;
}

int
inventory_load(struct inventory *inv, const char *path, struct err *e)
{
	struct stat st;
	char *abs, *key, *dir;
	const char *slash = strrchr(path, '/');
	int ret;

	if (stat(path, &st) < 0)
		return err_set(e, "cannot read inventory '%s': %s", path,
		    strerror(errno));
	abs = abspath(path);
	if (S_ISDIR(st.st_mode)) {
		ret = load_dir(inv, path, e);
		key = xstrdup(abs);
		dir = xstrdup(path);
	} else {
		ret = load_file(inv, path, e);
		key = dirname_of(abs);
		dir = slash == NULL ? xstrdup(".") : slash == path ?
		    xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	}
	add_vardir(inv, key, dir);
	ret |= reconcile(inv, e);
	free(abs);
	free(key);
	free(dir);
	return ret;
}

int
inventory_add_list(struct inventory *inv, const char *list, struct err *e)
{
	struct inv_group *ungrouped = inventory_find_group(inv, "ungrouped");
	struct pos p = { pos_intern("<host list>"), 0, 0 };
	const char *s = list;

	free(inv->priv->cur_file);
	free(inv->priv->cur_dir);
	inv->priv->cur_file = inv->priv->cur_dir = NULL;
	while (*s != '\0') {
		size_t n = strcspn(s, ","), hoff, hlen;
		char *item = xstrndup(s, n), *name = item, *end;
		long port;

		while (*name == ' ' || *name == '\t')
			name++;
		end = name + strlen(name);
		while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*name != '\0' && inventory_find_host(inv, name) == NULL) {
			struct inv_host *h;

			if (inv_parse_address(name, 0, &hoff, &hlen, &port) < 0) {
				hoff = 0;
				hlen = strlen(name);
				port = -1;
			}
			name[hoff + hlen] = '\0';
			h = inv_host_get(inv, name + hoff, &p);
			inv_add_member(ungrouped, h);
			if (port >= 0)
				inv_set_host_var(h, "ansible_port",
				    val_int(port));
		}
		free(item);
		s += n + (s[n] == ',');
	}
	return reconcile(inv, e);
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
