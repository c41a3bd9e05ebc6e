/*
 * localplug.c - project-local modules and filter plugins (localplug.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "runner/core/localplug.h"
#include "runner/template/template.h"
#include "runner/util/strbuf.h"
#include "runner/util/banned.h"

/* ent is name or name.<ext> (one extension, not empty). */
static int
name_matches(const char *ent, const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || strncmp(ent, name, n) != 0)
		return 0;
	return ent[n] == '\0' || (ent[n] == '.' && ent[n + 1] != '\0' &&
	    strchr(ent + n + 1, '.') == NULL);
}

static char *
module_in(const char *dir, const char *name)
{
	char *lib, *found = NULL;
	struct dirent *e;
	DIR *d;

	if (dir == NULL)
		return NULL;
	lib = xasprintf("%s/library", dir);
	d = opendir(lib);
	while (d != NULL && found == NULL && (e = readdir(d)) != NULL)
		if (name_matches(e->d_name, name))
			found = xasprintf("%s/%s", lib, e->d_name);
	if (d != NULL)
		closedir(d);
	free(lib);
	return found;
}

char *
local_role_dir(const char *tdir)
{
	const char *s, *end;

	if (tdir == NULL)
		return NULL;
	end = tdir + strlen(tdir);
	for (s = end; s > tdir; s--) {
		if (s[-1] != '/')
			continue;
		if ((end - s == 5 && strncmp(s, "tasks", 5) == 0) ||
		    (end - s == 8 && strncmp(s, "handlers", 8) == 0))
			return s - 1 > tdir ?
			    xasprintf("%.*s", (int)(s - 1 - tdir), tdir) : NULL;
		end = s - 1;
	}
	return NULL;
}

char *
local_role_project(const char *rdir)
{
	const char *s = rdir == NULL ? NULL : strrchr(rdir, '/');
	const char *p;

	if (s == NULL || s == rdir)
		return NULL;
	for (p = s - 1; p > rdir && p[-1] != '/'; p--)
		;
	if (s - p != 5 || strncmp(p, "roles", 5) != 0)
		return NULL;
	if (p == rdir)
		return xstrdup(".");
	return p - 1 == rdir ? xstrdup("/") :
	    xasprintf("%.*s", (int)(p - 1 - rdir), rdir);
}

char *
local_module_find(const char *pbdir, const char *tdir, const char *name)
{
	char *rdir = local_role_dir(tdir), *proj = local_role_project(rdir);
	char *path = module_in(rdir, name);

	if (path == NULL)
		path = module_in(pbdir, name);
	if (path == NULL)
		path = module_in(proj, name);
	free(rdir);
	free(proj);
	return path;
}

/* ---- filter plugins: the dict literal filters() returns ---- */

/* Skip a Python string literal at *p (quote q); its text into sb. */
static const char *
py_string(const char *p, struct strbuf *sb)
{
	char q = *p++;

	strbuf_reset(sb);
	while (*p != '\0' && *p != q && *p != '\n') {
		if (*p == '\\' && p[1] != '\0')
			p++;
		strbuf_addch(sb, *p++);
	}
	return *p == q ? p + 1 : p;
}

static const char *
skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* The keys at depth 1 of the dict literal starting at p ('{'). */
static int
dict_keys(const char *p, char ***names)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = 0, alloc = 0;
	int depth = 0;

	while (*p != '\0') {
		if (*p == '\'' || *p == '"') {
			p = py_string(p, &sb);
			if (depth == 1 && *skip_space(p) == ':') {
				ALLOC_GROW(*names, n + 1, alloc);
				(*names)[n++] = xstrdup(sb.buf);
			}
			continue;
		}
		if (*p == '#')
			p += strcspn(p, "\n");
		else if (*p == '{' || *p == '[' || *p == '(')
			depth++;
		else if ((*p == '}' || *p == ']' || *p == ')') && --depth == 0)
			break;
		if (*p != '\0')
			p++;
	}
	strbuf_release(&sb);
	return (int)n;
}

int
local_filter_names(const char *src, char ***names)
{
	const char *p = strstr(src, "def filters(");

	*names = NULL;
	if (p == NULL)
		return 0;
	p = strstr(p, "return");
	if (p == NULL)
		return -1;
	p = skip_space(p + 6);
	if (*p != '{')
		return -1;
	return dict_keys(p, names);
}

static void
scan_file(const char *path)
{
	struct strbuf src = STRBUF_INIT;
	char **names = NULL;
	int i, n;

	if (strbuf_read_file(&src, path) < 0) {
		strbuf_release(&src);
		return;
	}
	n = local_filter_names(src.buf, &names);
	if (n < 0)
		tmpl_local_filter_add(NULL, path);
	for (i = 0; i < n; i++) {
		tmpl_local_filter_add(names[i], path);
		free(names[i]);
	}
	free(names);
	strbuf_release(&src);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
local_filters_scan_plugin_dir(const char *pdir)
{
	DIR *d = opendir(pdir);
	struct dirent *e;
	char **files = NULL;
	size_t i, n = 0, alloc = 0, len;

	while (d != NULL && (e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len > 3 && strcmp(e->d_name + len - 3, ".py") == 0 &&
		    e->d_name[0] != '.') {
			ALLOC_GROW(files, n + 1, alloc);
			files[n++] = xasprintf("%s/%s", pdir, e->d_name);
		}
	}
	if (d != NULL)
		closedir(d);
	if (n > 0)
		qsort(files, n, sizeof(*files), cmp_str);
	for (i = 0; i < n; i++) {
		scan_file(files[i]);
		free(files[i]);
	}
	free(files);
}

void
local_filters_scan(const char *dir)
{
	char *p;

	if (dir == NULL)
		return;
	p = xasprintf("%s/filter_plugins", dir);
	local_filters_scan_plugin_dir(p);
	free(p);
}
