/* include_vars.c - load variables from YAML/JSON files on the controller
 * (Ansible's include_vars action): the engine stores the answer's
 * ansible_facts at include_vars precedence for the rest of the run
 * (runner/core/executor.c). */
#include <dirent.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modules/module.h"
#include "runner/util/yamlload.h"
#include "runner/util/banned.h"

static const struct module_arg include_vars_args[] = {
	{ "file", ARG_STR, 0, NULL, NULL,
	  "a YAML/JSON file (relative: playbook_dir/vars/FILE, then "
	  "playbook_dir/FILE); the free form is the same", NULL },
	{ "dir", ARG_STR, 0, NULL, NULL,
	  "every file of a directory (relative to the playbook's), sorted, "
	  "subdirectories included", NULL },
	{ "name", ARG_STR, 0, NULL, NULL,
	  "put the variables under this one name", NULL },
	{ "depth", ARG_INT, 0, "0", NULL,
	  "dir: how many directories deep (0: all)", NULL },
	{ "files_matching", ARG_STR, 0, NULL, NULL,
	  "dir: only files whose name matches this regular expression", NULL },
	{ "ignore_files", ARG_LIST, 0, NULL, NULL,
	  "dir: skip files whose name ends matching one of these", NULL },
	{ "extensions", ARG_LIST, 0, NULL, NULL,
	  "dir: the valid extensions (default yaml, yml, json)", NULL },
	{ "ignore_unknown_extensions", ARG_BOOL, 0, "no", NULL,
	  "dir: skip files of other extensions instead of failing", NULL },
	{ "hash_behaviour", ARG_STR, 0, NULL, "replace|merge",
	  "replace (the default); merge is not supported", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

struct iv {
	struct modctx *ctx;
	const struct val *args;
	struct val *vars;          /* what was loaded */
	struct val *files;         /* ansible_included_var_files */
	regex_t match;
	int has_match;
};

static int
load_one(struct iv *iv, const char *path)
{
	struct err e = ERR_INIT;
	struct val *v = NULL;
	int ret = 0;

	if (yaml_load_file(path, &v, &e) < 0) {
		strbuf_rtrim(&e.msg);
		ret = mod_fail(iv->ctx, "%s", err_text(&e, "cannot load")) - 1;
	} else if (v->type != V_MAP && v->type != V_NULL) {
		ret = mod_fail(iv->ctx, "%s must be stored as a "
		    "dictionary/hash", path) - 1;
	} else {
		val_map_merge(iv->vars, v);
		val_list_push(iv->files, val_str(path));
	}
	val_free(v);
	err_release(&e);
	return ret;
}

/* action/include_vars.py _find_needle('vars', file) outside a role. */
static char *
find_file(struct modctx *ctx, const char *f)
{
	const char *pd = val_map_str(ctx->vars, "playbook_dir", ".");
	char *p;

	if (f[0] == '/')
		return xstrdup(f);
	if (strncmp(f, "vars/", 5) != 0) {
		p = xasprintf("%s/vars/%s", pd, f);
		if (access(p, R_OK) == 0)
			return p;
		free(p);
	}
	p = xasprintf("%s/%s", pd, f);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	mod_fail(ctx, "could not find or access '%s' (searched %s/vars/%s "
	    "and %s/%s)", f, pd, f, pd, f);
	return NULL;
}

static int
has_ext(const struct val *exts, const char *name)
{
	static const char *const def[] = { "yaml", "yml", "json" };
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot == NULL)
		return 0;
	if (exts == NULL) {
		for (i = 0; i < ARRAY_SIZE(def); i++)
			if (strcmp(dot + 1, def[i]) == 0)
				return 1;
		return 0;
	}
	for (i = 0; i < exts->u.list.n; i++)
		if (exts->u.list.items[i]->type == V_STR &&
		    strcmp(dot + 1, exts->u.list.items[i]->u.str.s) == 0)
			return 1;
	return 0;
}

/* re.search(PATTERN + '$', name) for ignore_files */
static int
ignored(struct iv *iv, const char *name)
{
	const struct val *l = arg_get(iv->args, "ignore_files");
	size_t i;

	for (i = 0; l != NULL && i < l->u.list.n; i++) {
		char *re = xasprintf("%s$", l->u.list.items[i]->type == V_STR ?
		    l->u.list.items[i]->u.str.s : "");
		regex_t r;
		int hit = 0;

		if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB) == 0) {
			hit = regexec(&r, name, 0, NULL, 0) == 0;
			regfree(&r);
		}
		free(re);
		if (hit)
			return 1;
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct names {
	char **v;
	size_t n, alloc;
};

static void
names_add(struct names *l, char *s)
{
	ALLOC_GROW(l->v, l->n + 1, l->alloc);
	l->v[l->n++] = s;
}

static void
names_free(struct names *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* os.walk(top): every directory under top (top included). */
static void
walk(const char *top, struct names *dirs, int level)
{
	DIR *d = opendir(top);
	struct dirent *de;
	struct stat st;

	if (d == NULL || level > 64) {
		if (d != NULL)
			closedir(d);
		return;
	}
	names_add(dirs, xstrdup(top));
	while ((de = readdir(d)) != NULL) {
		char *p;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", top, de->d_name);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			walk(p, dirs, level + 1);
		free(p);
	}
	closedir(d);
}

static int
load_dir_files(struct iv *iv, const char *dir)
{
	struct names files = { NULL, 0, 0 };
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	size_t i;
	int ret = 0;

	while (d != NULL && (de = readdir(d)) != NULL) {
		char *p = xasprintf("%s/%s", dir, de->d_name);

		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			names_add(&files, xstrdup(de->d_name));
		free(p);
	}
	if (d != NULL)
		closedir(d);
	qsort(files.v, files.n, sizeof(*files.v), cmp_str);
	for (i = 0; i < files.n && ret == 0; i++) {
		char *p;

		if ((iv->has_match && regexec(&iv->match, files.v[i], 0, NULL,
		    0) != 0) || ignored(iv, files.v[i]))
			continue;
		if (!has_ext(arg_get(iv->args, "extensions"), files.v[i])) {
			if (arg_bool(iv->args, "ignore_unknown_extensions"))
				continue;
			ret = mod_fail(iv->ctx, "%s/%s does not have a valid "
			    "extension", dir, files.v[i]) - 1;
			break;
		}
		p = xasprintf("%s/%s", dir, files.v[i]);
		ret = load_one(iv, p);
		free(p);
	}
	names_free(&files);
	return ret;
}

/* _traverse_dir_depth(): directories sorted by path, the first `depth`
 * of them (0: all). */
static int
load_dir(struct iv *iv, const char *dir)
{
	const char *pd = val_map_str(iv->ctx->vars, "playbook_dir", ".");
	char *top = dir[0] == '/' ? xstrdup(dir) : xasprintf("%s/%s", pd, dir);
	struct names dirs = { NULL, 0, 0 };
	long long depth = arg_int(iv->args, "depth", 0);
	struct stat st;
	size_t i;
	int ret = 0;

	if (stat(top, &st) != 0)
		ret = mod_fail(iv->ctx, "%s directory does not exist", top) - 1;
	else if (!S_ISDIR(st.st_mode))
		ret = mod_fail(iv->ctx, "%s is not a directory", top) - 1;
	if (ret == 0)
		walk(top, &dirs, 0);
	qsort(dirs.v, dirs.n, sizeof(*dirs.v), cmp_str);
	for (i = 0; i < dirs.n && ret == 0; i++) {
		if (depth != 0 && (long long)i + 1 > depth)
			break;
		ret = load_dir_files(iv, dirs.v[i]);
	}
	names_free(&dirs);
	free(top);
	return ret;
}

static int
ignore_ok(struct iv *iv)
{
	const struct val *l = arg_get(iv->args, "ignore_files");
	size_t i;

	for (i = 0; l != NULL && i < l->u.list.n; i++)
		if (l->u.list.items[i]->type == V_STR &&
		    strchr(l->u.list.items[i]->u.str.s, '\\') != NULL)
			return mod_fail(iv->ctx, "ignore_files '%s': only POSIX "
			    "extended regular expressions without backslash "
			    "classes are supported",
			    l->u.list.items[i]->u.str.s) - 1;
	return 0;
}

static int
check_args(struct iv *iv)
{
	const char *fm = arg_str(iv->args, "files_matching");
	const char *hb = arg_str(iv->args, "hash_behaviour");
	int dir = arg_get(iv->args, "dir") != NULL;

	if (dir && (arg_get(iv->args, "file") != NULL ||
	    arg_get(iv->args, "_raw_params") != NULL))
		return mod_fail(iv->ctx, "you are mixing file only and dir "
		    "only arguments, these are incompatible") - 1;
	if (!dir && arg_get(iv->args, "file") == NULL &&
	    arg_get(iv->args, "_raw_params") == NULL)
		return mod_fail(iv->ctx, "include_vars needs a file or a "
		    "dir") - 1;
	if (hb != NULL && strcmp(hb, "merge") == 0)
		return mod_fail(iv->ctx, "hash_behaviour: merge is not "
		    "supported by mend") - 1;
	if (fm != NULL && (strchr(fm, '\\') != NULL ||
	    regcomp(&iv->match, fm, REG_EXTENDED | REG_NOSUB) != 0))
		return mod_fail(iv->ctx, "files_matching '%s': only POSIX "
		    "extended regular expressions without backslash classes "
		    "are supported", fm) - 1;
	iv->has_match = fm != NULL;
	return ignore_ok(iv);
}

static enum mod_result
include_vars_run(struct modctx *ctx, const struct val *args)
{
	struct iv iv = { ctx, args, val_map(), val_list(), { 0 }, 0 };
	const char *f = arg_str(args, "file");
	const char *name = arg_str(args, "name");
	char *path = NULL;
	int ret = check_args(&iv);

	if (f == NULL)
		f = arg_str(args, "_raw_params");
	if (ret == 0 && arg_get(args, "dir") != NULL)
		ret = load_dir(&iv, arg_str(args, "dir"));
	else if (ret == 0 && (path = find_file(ctx, f)) == NULL)
		ret = -1;
	else if (ret == 0)
		ret = load_one(&iv, path);
	if (ret == 0 && name != NULL) {
		struct val *scope = val_map();

		val_map_set(scope, name, iv.vars);
		iv.vars = scope;
	}
	if (ret == 0) {
		mod_set(ctx, "ansible_facts", iv.vars);
		mod_set(ctx, "ansible_included_var_files", iv.files);
		iv.vars = iv.files = NULL;
	}
	if (iv.has_match)
		regfree(&iv.match);
	val_free(iv.vars);
	val_free(iv.files);
	free(path);
	return mod_done(ctx, ret);
}

const struct module mod_include_vars = {
	.name = "include_vars",
	.summary = "load variables from YAML/JSON files on the controller",
	.doc = "Loads a file (file, or the free form) or every file of a "
	    "directory (dir, sorted, with depth, files_matching, ignore_files, "
	    "extensions) as Ansible's include_vars; name puts them under one "
	    "variable.  They rank above play vars and vars_files, below "
	    "set_fact/register and -e, for the rest of the run.",
	.args = include_vars_args,
	.flags = MOD_NO_HOST | MOD_FREE_FORM,
	.run = include_vars_run,
};
