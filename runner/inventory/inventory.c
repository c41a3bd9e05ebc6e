/*
 * inventory.c - the inventory model, its sources (files, directories, host
 * lists) and its consistency after each source; see inventory.h.  Parsers
 * live in inventory_ini.c and inventory_yaml.c, host names and ranges in
 * inventory_range.c, group_vars/host_vars and variable precedence in
 * inventory_vars.c, host selection in pattern.c.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/inventory/inventory.h"
#include "runner/inventory/inventory_int.h"
#include "runner/util/input.h"
#include "runner/util/yamlload.h"
#include "runner/util/banned.h"

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
	inv_vardirs_free(inv->priv);
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

int
inv_has_suffix(const char *s, const char *suffix)
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
int
inv_list_dir(const char *dir, struct strlist *out)
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
reconcile(struct inventory *inv, struct err *e)
{
	int ret;

	fix_ungrouped(inv);
	link_groups(inv);
	ret = inv_vars_update(inv, e);
	return ret;
}

/* ---- sources ---- */


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
	int yaml = inv_has_suffix(path, ".yml") || inv_has_suffix(path, ".yaml") ||
	    inv_has_suffix(path, ".json");
	int ret = -1;

	free(inv->priv->cur_file);
	free(inv->priv->cur_dir);
	inv->priv->cur_file = abspath(path);
	inv->priv->cur_dir = dirname_of(inv->priv->cur_file);
	if (input_read_file(path, "inventory", &sb, e) < 0)
		goto out;
	if (yaml) {
		if (yaml_load_string(path, sb.buf, sb.len, &root, e) == 0)
			ret = load_yaml(inv, root, e);
	} else if (!inv_has_suffix(path, ".ini") && maybe_yaml(sb.buf) &&
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
	    ".rpm", ".md", ".txt", ".rst", ".orig", ".ini", ".cfg",
	    ".retry" };
	size_t i;

	if (name[0] == '.' || strcmp(name, "host_vars") == 0 ||
	    strcmp(name, "group_vars") == 0 ||
	    strcmp(name, "vars_plugins") == 0)
		return 1;
	for (i = 0; i < ARRAY_SIZE(exts); i++)
		if (inv_has_suffix(name, exts[i]))
			return 1;
	return 0;
}

static int
load_dir(struct inventory *inv, const char *dir, struct err *e)
{
	struct strlist names = { 0 };
	size_t i;
	int ret = 0;

	if (inv_list_dir(dir, &names) < 0)
		return err_set(e, "cannot read inventory directory '%s': %s",
		    dir, strerror(errno));
	for (i = 0; i < names.n; i++) {
		char *path;
		struct stat st;

		if (ignored_entry(names.v[i])) {
			if (inv_has_suffix(names.v[i], ".ini"))
				fprintf(stderr, "warning: ignoring '%s/%s': "
				    "Ansible skips *.ini files in an inventory "
				    "directory (name it with its own -i)\n",
				    dir, names.v[i]);
			continue;
		}
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
	inv_vardir_add(inv, key, dir);
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

