/*
 * template_lookup.c - lookup('NAME', terms...) and query()/q(), on the
 * controller, as Ansible's lookup plugins:
 *   env          value of each environment variable ('' when unset, or
 *                default=)
 *   file         contents of each file, trailing whitespace removed
 *                (rstrip=true; lstrip=false)
 *   vars         value of each variable (default= when undefined, else
 *                an error)
 *   pipe         stdout of each command run by /bin/sh on the controller,
 *                trailing whitespace removed; non-zero exit is an error
 *   template     each file rendered with the current variables
 *   first_found  the first existing file of a list (terms, or files= and
 *                paths=); skip=true gives an empty result instead of an
 *                error
 * Relative file names are searched as Ansible does for a task: in
 * role_path/files, role_path, playbook_dir/files, playbook_dir (for
 * template: templates/ instead of files/), then as given.
 * lookup() joins several results with ',' (one result stays as it is);
 * query() always returns a list.  Files are read up to TMPL_MAX_SIZE bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner/template/template_int.h"
#include "runner/util/banned.h"

struct lk {
	struct ectx *cx;
	const struct node *n;
	const char *const *kn;
	const struct res *kv;
	size_t nk;
};

static const struct val *
lk_kw(const struct lk *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nk; i++)
		if (strcmp(l->kn[i], name) == 0)
			return l->kv[i].v;
	return NULL;
}

static int
read_capped(FILE *f, struct strbuf *sb)
{
	char buf[8192];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		strbuf_add(sb, buf, n);
		if (sb->len > TMPL_MAX_SIZE)
			return -1;
	}
	return 0;
}

static const char *
var_str(const struct lk *l, const char *name)
{
	const struct val *v = l->cx->vars != NULL ?
	    val_map_get(l->cx->vars, name) : NULL;

	return v != NULL && v->type == V_STR ? v->u.str.s : NULL;
}

/* Find a controller file: sub is "files" or "templates". */
static char *
find_file(const struct lk *l, const char *name, const char *sub)
{
	const char *bases[2] = { var_str(l, "role_path"),
	    var_str(l, "playbook_dir") };
	struct stat st;
	char *p;
	size_t i;
	int k;

	if (name[0] == '/')
		return stat(name, &st) == 0 ? xstrdup(name) : NULL;
	for (i = 0; i < 2; i++) {
		for (k = 0; bases[i] != NULL && k < 2; k++) {
			p = k == 0 ? xasprintf("%s/%s/%s", bases[i], sub, name) :
			    xasprintf("%s/%s", bases[i], name);
			if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
				return p;
			free(p);
		}
	}
	return stat(name, &st) == 0 ? xstrdup(name) : NULL;
}

static int
lk_file(struct lk *l, const char *term, int render, struct val **out)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = find_file(l, term, render ? "templates" : "files");
	FILE *f = path != NULL ? fopen(path, "rb") : NULL;
	int r;

	if (f == NULL) {
		free(path);
		return terr_set(l->cx->err, l->n->off, "lookup: could not find "
		    "or read file '%s'", term);
	}
	r = read_capped(f, &sb);
	fclose(f);
	free(path);
	if (r < 0) {
		strbuf_release(&sb);
		return terr_set(l->cx->err, l->n->off, "lookup: file '%s' is "
		    "too large", term);
	}
	if (render) {
		r = tmpl_render_text(l->cx, l->n, sb.buf, sb.len, out);
		strbuf_release(&sb);
		return r;
	}
	strbuf_rtrim(&sb);
	*out = val_strn(sb.buf, sb.len);
	strbuf_release(&sb);
	return 0;
}

static int
lk_pipe(struct lk *l, const char *cmd, struct val **out)
{
	struct strbuf sb = STRBUF_INIT;
	FILE *f = popen(cmd, "r");
	int st, r;

	if (f == NULL)
		return terr_set(l->cx->err, l->n->off, "lookup pipe: cannot run "
		    "'%s': %s", cmd, strerror(errno));
	r = read_capped(f, &sb);
	st = pclose(f);
	if (r < 0 || st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		strbuf_release(&sb);
		return terr_set(l->cx->err, l->n->off, "lookup pipe: '%s' "
		    "returned %d", cmd, st == -1 || !WIFEXITED(st) ? -1 :
		    WEXITSTATUS(st));
	}
	strbuf_rtrim(&sb);
	*out = val_strn(sb.buf, sb.len);
	strbuf_release(&sb);
	return 0;
}

static int
lk_vars(struct lk *l, const char *name, struct val **out)
{
	const struct val *v = tmpl_scope_get(l->cx, name), *d;

	if (v == NULL && l->cx->vars != NULL)
		v = val_map_get(l->cx->vars, name);
	if (v == NULL && (d = lk_kw(l, "default")) != NULL)
		v = d;
	if (v == NULL)
		return terr_set(l->cx->err, l->n->off, "lookup vars: no "
		    "variable named '%s'", name);
	*out = val_copy(v);
	return 0;
}

static int
lk_one(struct lk *l, const char *kind, const char *term, struct val **out)
{
	const char *e;

	if (strcmp(kind, "env") == 0) {
		e = getenv(term);
		if (e == NULL && lk_kw(l, "default") != NULL) {
			*out = val_copy(lk_kw(l, "default"));
			return 0;
		}
		*out = val_str(e != NULL ? e : "");
		return 0;
	}
	if (strcmp(kind, "file") == 0 || strcmp(kind, "template") == 0)
		return lk_file(l, term, kind[0] == 't', out);
	if (strcmp(kind, "pipe") == 0)
		return lk_pipe(l, term, out);
	return lk_vars(l, term, out);
}

/* first_found: terms are names (or one list, or files=/paths=). */
static int
lk_first_found(struct lk *l, const struct val *terms, struct val *res)
{
	const struct val *files = lk_kw(l, "files"), *paths = lk_kw(l, "paths");
	const struct val *skip = lk_kw(l, "skip");
	struct val *names = val_list();
	size_t i, j, np;
	char *p, *hit = NULL;

	for (i = 0; i < terms->u.list.n; i++)
		if (terms->u.list.items[i]->type == V_LIST)
			for (j = 0; j < terms->u.list.items[i]->u.list.n; j++)
				val_list_push(names, val_copy(
				    terms->u.list.items[i]->u.list.items[j]));
		else
			val_list_push(names, val_copy(terms->u.list.items[i]));
	for (i = 0; files != NULL && files->type == V_LIST &&
	    i < files->u.list.n; i++)
		val_list_push(names, val_copy(files->u.list.items[i]));
	np = paths != NULL && paths->type == V_LIST ? paths->u.list.n : 0;
	for (i = 0; i < names->u.list.n && hit == NULL; i++) {
		const struct val *nm = names->u.list.items[i];

		if (nm->type != V_STR)
			continue;
		for (j = 0; j < np && hit == NULL; j++) {
			p = xasprintf("%s/%s", paths->u.list.items[j]->type ==
			    V_STR ? paths->u.list.items[j]->u.str.s : ".",
			    nm->u.str.s);
			hit = find_file(l, p, "files");
			free(p);
		}
		if (hit == NULL && np == 0)
			hit = find_file(l, nm->u.str.s, "files");
	}
	val_free(names);
	if (hit != NULL) {
		val_list_push(res, val_str_take(hit));
		return 0;
	}
	if (skip != NULL && val_truthy(skip))
		return 0;
	return terr_set(l->cx->err, l->n->off, "lookup first_found: no file "
	    "was found");
}

static const char *const kinds[] = {
	"env", "file", "vars", "pipe", "template", "first_found",
};

static int
lk_all(struct lk *l, const char *kind, const struct res *a, size_t na,
    struct val *res)
{
	struct val *terms = val_list(), *one;
	size_t i;
	int ret = 0;

	for (i = 1; i < na; i++)
		val_list_push(terms, val_copy(a[i].v));
	if (strcmp(kind, "first_found") == 0) {
		ret = lk_first_found(l, terms, res);
		val_free(terms);
		return ret;
	}
	for (i = 0; i < terms->u.list.n && ret == 0; i++) {
		if (terms->u.list.items[i]->type != V_STR) {
			ret = terr_set(l->cx->err, l->n->off, "lookup %s: "
			    "terms must be strings", kind);
			break;
		}
		ret = lk_one(l, kind, terms->u.list.items[i]->u.str.s, &one);
		if (ret == 0)
			val_list_push(res, one);
	}
	val_free(terms);
	return ret;
}

/* lookup(): one result as it is, several joined by ','. */
static struct val *
joined(struct val *l)
{
	struct strbuf sb = STRBUF_INIT;
	struct val *v;
	size_t i;

	if (l->u.list.n == 1) {
		v = l->u.list.items[0];
		l->u.list.n = 0;
		val_free(l);
		return v;
	}
	for (i = 0; i < l->u.list.n; i++) {
		if (i)
			strbuf_addch(&sb, ',');
		val_to_str_py(l->u.list.items[i], &sb);
	}
	val_free(l);
	v = val_strn(sb.buf, sb.len);
	strbuf_release(&sb);
	return v;
}

int
tmpl_lookup(struct ectx *cx, const struct node *n, const struct res *a,
    size_t na, const char *const *kn, const struct res *kv, size_t nk,
    int wantlist, struct res *r)
{
	struct lk l = { cx, n, kn, kv, nk };
	const struct val *wl;
	struct val *res;
	size_t i;

	if (na == 0 || a[0].v->type != V_STR)
		return terr_set(cx->err, n->off, "'%s' needs the lookup name "
		    "first", n->name);
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strcmp(kinds[i], a[0].v->u.str.s) == 0)
			break;
	if (i == ARRAY_SIZE(kinds))
		return terr_set(cx->err, n->off, "unknown lookup '%s' (mend "
		    "has env, file, vars, pipe, template, first_found)",
		    a[0].v->u.str.s);
	res = val_list();
	if (lk_all(&l, kinds[i], a, na, res) < 0) {
		val_free(res);
		return -1;
	}
	wl = lk_kw(&l, "wantlist");
	if (!wantlist && (wl == NULL || !val_truthy(wl)))
		res = joined(res);
	res_set(r, res);
	return 0;
}
