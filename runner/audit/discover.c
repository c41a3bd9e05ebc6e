/* discover.c - find configuration files by name and content; see audit.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runner/audit/audit.h"
#include "runner/util/banned.h"

#define AUDIT_MAX_FILE (4u << 20)

const struct audit_type *
audit_classify(const struct audit_run *r, const char *path, const char *buf,
    size_t len, const struct audit_product **product)
{
	const struct audit_type *t;
	size_t i;

	for (i = 0; r->products[i]; i++)
		for (t = r->products[i]->types; t && t->id; t++)
			if (t->by_name && t->by_name(path)) {
				*product = r->products[i];
				return t;
			}
	if (buf == NULL)
		return NULL;
	for (i = 0; r->products[i]; i++)
		for (t = r->products[i]->types; t && t->id; t++)
			if (t->by_content && t->by_content(buf, len)) {
				*product = r->products[i];
				return t;
			}
	return NULL;
}

/* The configuration directory of path: its directory, or the parent of a
 * "conf.d" directory. */
static char *
group_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	char *base = strrchr(dir, '/');
	const char *b = base ? base + 1 : dir;

	if (strcmp(b, "conf.d") == 0) {
		if (base) {
			*base = '\0';
		} else {
			free(dir);
			dir = xstrdup(".");
		}
	}
	return dir;
}

static const char *
display_path(const char *p)
{
	while (p[0] == '.' && p[1] == '/' && p[2])
		p += 2;
	return p;
}

struct audit_input *
audit_add_input(struct audit_run *r, const char *path,
    const struct audit_type *type, const struct audit_product *product,
    const char *buf, size_t len)
{
	struct audit_input *in = xcalloc(1, sizeof(*in));

	in->path = xstrdup(display_path(path));
	in->type = type;
	in->product = product;
	in->buf = xmalloc(len + 1);
	memcpy(in->buf, buf, len);
	in->buf[len] = '\0';
	in->len = len;
	in->group = group_of(in->path);
	ALLOC_GROW(r->in, r->nin + 1, r->in_alloc);
	r->in[r->nin++] = in;
	return in;
}

/* Read a regular file of at most max bytes; -1 with errno (EFBIG). */
static int
read_file(const char *path, size_t max, struct strbuf *sb)
{
	char chunk[65536];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (sb->len + n > max) {
			fclose(fp);
			errno = EFBIG;
			return -1;
		}
		strbuf_add(sb, chunk, n);
	}
	n = (size_t)ferror(fp);
	fclose(fp);
	if (n) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static int
looks_binary(const char *buf, size_t len)
{
	return memchr(buf, '\0', len < 8192 ? len : 8192) != NULL;
}

static void
add_file(struct audit_run *r, const char *path, int named)
{
	const struct audit_product *p = NULL;
	const struct audit_type *t = NULL;
	struct strbuf sb = STRBUF_INIT;

	if (named && r->force_type)
		t = audit_type_find(r, r->force_type, &p);
	if (t == NULL)
		t = audit_classify(r, path, NULL, 0, &p);
	if (read_file(path, AUDIT_MAX_FILE, &sb) < 0) {
		if (named || t)
			audit_input_error(r, display_path(path), 0, 0,
			    "cannot read '%s': %s", display_path(path),
			    strerror(errno));
		strbuf_release(&sb);
		return;
	}
	if (t == NULL && !looks_binary(sb.buf, sb.len))
		t = audit_classify(r, path, sb.buf, sb.len, &p);
	if (t)
		audit_add_input(r, path, t, p, sb.buf, sb.len);
	else if (named)
		audit_input_error(r, display_path(path), 0, 0, "'%s' is not a "
		    "configuration file mend knows (name it with --type)",
		    display_path(path));
	strbuf_release(&sb);
}

static int
skip_dir(const char *name)
{
	return strcmp(name, ".git") == 0 || strcmp(name, ".hg") == 0 ||
	    strcmp(name, ".svn") == 0 || strcmp(name, "node_modules") == 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(struct audit_run *r, const char *dir, int depth);

static void
walk_entry(struct audit_run *r, const char *dir, const char *name, int depth)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct stat st, lst;

	if (lstat(p, &lst) == 0 && stat(p, &st) == 0) {
		if (S_ISDIR(st.st_mode) && !S_ISLNK(lst.st_mode) &&
		    !skip_dir(name))
			walk(r, p, depth + 1);
		else if (S_ISREG(st.st_mode))
			add_file(r, p, 0);
	}
	free(p);
}

static void
walk(struct audit_run *r, const char *dir, int depth)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, alloc = 0, i;
	DIR *d;

	if (depth > 64)
		return;
	d = opendir(dir);
	if (d == NULL) {
		audit_input_error(r, display_path(dir), 0, 0, "cannot read "
		    "directory '%s': %s", display_path(dir), strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		ALLOC_GROW(names, n + 1, alloc);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		walk_entry(r, dir, names[i], depth);
		free(names[i]);
	}
	free(names);
}

void
audit_discover(struct audit_run *r, const char *path)
{
	struct stat st;
	char *p = xstrdup(path);
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	if (stat(p, &st) < 0)
		audit_input_error(r, display_path(p), 0, 0, "cannot read '%s': %s",
		    display_path(p), strerror(errno));
	else if (S_ISDIR(st.st_mode))
		walk(r, p, 0);
	else
		add_file(r, p, 1);
	free(p);
}
