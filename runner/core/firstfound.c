/* firstfound.c - with_first_found; see firstfound.h. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/core/firstfound.h"
#include "runner/template/template.h"
#include "runner/util/banned.h"

struct ff {
	const struct val *vars;
	struct val *cands;      /* candidate names (raw strings) */
	int skip;
	struct strbuf *msg;
};

/* A string, rendered; NULL when it cannot be (an undefined variable). */
static char *
ff_render(const struct ff *f, const struct val *v)
{
	struct strbuf sb = STRBUF_INIT;
	struct err e = ERR_INIT;

	if (v->type != V_STR) {
		val_to_str(v, &sb);
		return strbuf_detach(&sb, NULL);
	}
	if (tmpl_render(v->u.str.s, f->vars, &v->pos, &sb, &e) < 0) {
		err_release(&e);
		strbuf_release(&sb);
		return NULL;
	}
	err_release(&e);
	return strbuf_detach(&sb, NULL);
}

/* Split s on any of seps into out (empty parts dropped). */
static void
split_into(const char *s, const char *seps, struct val *out)
{
	while (*s) {
		size_t n = strcspn(s, seps);

		if (n > 0)
			val_list_push(out, val_strn(s, n));
		s += n;
		if (*s)
			s++;
	}
}

/* files/paths of a rendered mapping term: a list (each element split)
 * or a string (split). */
static struct val *
ff_list(const struct val *v, const char *seps)
{
	struct val *out = val_list();
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; v != NULL && i < (v->type == V_LIST ? v->u.list.n : 1);
	    i++) {
		strbuf_setlen(&sb, 0);
		val_to_str(v->type == V_LIST ? v->u.list.items[i] : v, &sb);
		split_into(sb.buf, seps, out);
	}
	strbuf_release(&sb);
	return out;
}

/* A mapping term, rendered as a whole first: one that uses an undefined
 * variable anywhere gives no candidates and no skip (ansible-core 2.14:
 * such a term is not searched at all). */
static int
ff_map(struct ff *f, const struct val *raw)
{
	struct val *m = NULL, *files, *paths;
	struct err e = ERR_INIT;
	const struct val *skip;
	size_t i, j;

	if (tmpl_render_val(raw, f->vars, &m, &e) < 0 || m->type != V_MAP) {
		err_release(&e);
		val_free(m);
		return 0;
	}
	err_release(&e);
	files = ff_list(val_map_get(m, "files"), ",;");
	paths = ff_list(val_map_get(m, "paths"), ",:;");
	skip = val_map_get(m, "skip");
	if (skip != NULL)
		f->skip = val_truthy(skip);
	if (paths->u.list.n == 0 && files->u.list.n > 0) {
		/* Ansible replaces what earlier terms gave */
		val_free(f->cands);
		f->cands = files;
		files = NULL;
	}
	for (i = 0; i < paths->u.list.n; i++)
		for (j = 0; j < files->u.list.n; j++)
			val_list_push(f->cands, val_str_take(xasprintf("%s/%s",
			    paths->u.list.items[i]->u.str.s,
			    files->u.list.items[j]->u.str.s)));
	val_free(files);
	val_free(paths);
	val_free(m);
	return 0;
}

static int
ff_terms(struct ff *f, const struct val *t)
{
	size_t i;

	switch (t->type) {
	case V_MAP:
		return ff_map(f, t);
	case V_LIST:
		for (i = 0; i < t->u.list.n; i++)
			if (ff_terms(f, t->u.list.items[i]) < 0)
				return -1;
		return 0;
	case V_STR:
		val_list_push(f->cands, val_copy(t));
		return 0;
	default:
		strbuf_addf(f->msg, "Invalid term supplied, can handle string, "
		    "mapping or list of strings but got: %s",
		    val_type_name(t->type));
		return -1;
	}
}

/* p made absolute (the current directory before a relative one) with
 * its "." segments and repeated slashes dropped, as Ansible's paths are
 * (symbolic links are not resolved).  Takes p. */
static char *
absolute(char *p)
{
	char cwd[4096], *full, *r, *w;

	if (p[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL) {
		full = xasprintf("%s/%s", cwd, p);
		free(p);
		p = full;
	}
	for (r = w = p; *r != '\0';) {
		if (r[0] == '/' && (r[1] == '/' || (r[1] == '.' &&
		    (r[2] == '/' || r[2] == '\0')))) {
			r += r[1] == '/' ? 1 : 2;
			continue;
		}
		*w++ = *r++;
	}
	if (w == p)            /* "/." was all: there are 2 bytes */
		*w++ = '/';
	*w = '\0';
	return p;
}

static char *
ff_find(const char *name, const char *subdir, const char *const *dirs)
{
	struct stat st;
	char *p;
	size_t i;
	int k;

	if (name[0] == '/')
		return stat(name, &st) == 0 ? xstrdup(name) : NULL;
	for (i = 0; dirs[i] != NULL; i++)
		for (k = 0; k < 2; k++) {
			p = k == 0 ? xasprintf("%s/%s/%s", dirs[i], subdir,
			    name) : xasprintf("%s/%s", dirs[i], name);
			if (stat(p, &st) == 0)
				return absolute(p);
			free(p);
		}
	return NULL;
}

int
first_found(const struct val *terms, const struct val *vars,
    const char *subdir, const char *const *dirs, struct val **out,
    struct strbuf *msg)
{
	struct ff f = { vars, val_list(), 0, msg };
	char *hit = NULL, *name;
	size_t i;

	*out = NULL;
	if (ff_terms(&f, terms) < 0) {
		val_free(f.cands);
		return -1;
	}
	for (i = 0; i < f.cands->u.list.n && hit == NULL; i++) {
		name = ff_render(&f, f.cands->u.list.items[i]);
		if (name != NULL && name[0] != '\0')
			hit = ff_find(name, subdir, dirs);
		free(name);
	}
	val_free(f.cands);
	if (hit == NULL && !f.skip) {
		strbuf_addstr(msg, "No file was found when using first_found.");
		return -1;
	}
	*out = val_list();
	if (hit != NULL)
		val_list_push(*out, val_str_take(hit));
	return 0;
}

const char *
first_found_subdir(const char *mod)
{
	/* Ansible: the first of template, var, file within the action */
	if (strstr(mod, "template") != NULL)
		return "templates";
	if (strstr(mod, "var") != NULL)
		return "vars";
	return "files";
}
