/*
 * find.c - return a list of files based on criteria, like
 * ansible.builtin.find: paths, patterns (shell globs, or Python regexps
 * with use_regex, matched against the base name), excludes, file_type,
 * recurse/depth, hidden, age/age_stamp, size, contains (a regexp matched
 * at the start of some line, or searched in the whole file with
 * read_whole_file), get_checksum.  One remote command lists every entry
 * (GNU find -printf, NUL-separated, lstat as Ansible's module does); the
 * filters run on the controller, in os.walk's order (a directory's files,
 * then its subdirectories, then what they hold), so `files` comes back in
 * the order Ansible gives; `contains` and `get_checksum` take a second
 * command on the candidates only (grep -P, sha1sum).  Each file has
 * Ansible's stat keys; examined, matched, msg and skipped_paths as Ansible.
 * follow: true is refused by name (find -L would report the targets'
 * types, Ansible's module reports the links').
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/module.h"
#include "modules/files/findlist.h"
#include "modules/files/fspath.h"
#include "runner/util/pyre.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

static const struct module_arg find_args[] = {
	{ "paths", ARG_RAW, 1, NULL, NULL,
	  "directories to search (a list, or a comma-separated string)",
	  "name|path" },
	{ "patterns", ARG_RAW, 0, NULL, NULL,
	  "globs (or regexps with use_regex) one of which the base name must "
	  "match; default all", "pattern" },
	{ "excludes", ARG_RAW, 0, NULL, NULL,
	  "globs (or regexps) a base name matching patterns must not match",
	  "exclude" },
	{ "contains", ARG_STR, 0, NULL, NULL,
	  "regexp a line of the file must match from its start "
	  "(file_type=file only)", NULL },
	{ "read_whole_file", ARG_BOOL, 0, "false", NULL,
	  "search contains in the whole file instead of line by line", NULL },
	{ "file_type", ARG_STR, 0, "file", "any|directory|file|link",
	  "the kind of entry returned", NULL },
	{ "age", ARG_STR, 0, NULL, NULL,
	  "older than (or, negative, younger than) this: 30, 2d, 1w, 5m...",
	  NULL },
	{ "age_stamp", ARG_STR, 0, "mtime", "atime|ctime|mtime",
	  "the time age compares", NULL },
	{ "size", ARG_STR, 0, NULL, NULL,
	  "at least (or, negative, at most) this size: 10k, 1m, -2g...", NULL },
	{ "recurse", ARG_BOOL, 0, "false", NULL, "descend into directories",
	  NULL },
	{ "hidden", ARG_BOOL, 0, "false", NULL,
	  "include names starting with a dot", NULL },
	{ "follow", ARG_BOOL, 0, "false", NULL, "only false is supported",
	  NULL },
	{ "get_checksum", ARG_BOOL, 0, "false", NULL,
	  "SHA-1 of each regular file found (checksum)", NULL },
	{ "use_regex", ARG_BOOL, 0, "false", NULL,
	  "patterns and excludes are Python regexps, not globs", NULL },
	{ "depth", ARG_INT, 0, NULL, NULL,
	  "with recurse: how many levels below each path", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static int
find_validate(const struct val *args, struct err *e)
{
	const struct val *v = val_map_get(args, "follow");

	if (v != NULL && v->type != V_STR && val_truthy(v))
		return err_setpos(e, &v->pos, "module 'find': argument 'follow' "
		    "is not supported by mend (follow: true)");
	return 0;
}

/* ---- arguments ---- */

/* A list argument as Ansible reads it: a list of strings, or a string
 * split at commas.  NULL-terminated, malloc'ed; NULL when unset. */
static char **
str_list(const struct val *v)
{
	struct strbuf sb = STRBUF_INIT;
	char **out, *s, *c;
	size_t i, n = 0;

	if (v == NULL || v->type == V_NULL)
		return NULL;
	if (v->type == V_LIST) {
		out = calloc(v->u.list.n + 1, sizeof(*out));
		for (i = 0; out != NULL && i < v->u.list.n; i++) {
			strbuf_reset(&sb);
			val_to_str(v->u.list.items[i], &sb);
			out[i] = xstrdup(sb.buf);
		}
	} else {
		val_to_str(v, &sb);
		out = calloc(strlen(sb.buf) + 2, sizeof(*out));
		for (s = sb.buf; out != NULL; s = c + 1) {
			if ((c = strchr(s, ',')) != NULL)
				*c = '\0';
			out[n++] = xstrdup(s);
			if (c == NULL)
				break;
		}
	}
	if (out == NULL)
		abort();
	strbuf_release(&sb);
	return out;
}

static void
str_list_free(char **l)
{
	size_t i;

	for (i = 0; l != NULL && l[i] != NULL; i++)
		free(l[i]);
	free(l);
}

/* "-12d" -> seconds (units s m h d w) or bytes (b k m g t); 0 ok. */
static int
parse_amount(const char *s, const char *units, const long long *mult,
    long long *out)
{
	char *end;
	const char *u;
	long long n = strtoll(s, &end, 10);

	if (end == s || (end == s + 1 && *s == '-'))
		return -1;
	if (*end == '\0') {
		*out = n;
		return 0;
	}
	u = strchr(units, (*end >= 'A' && *end <= 'Z') ? *end + 32 : *end);
	if (u == NULL || end[1] != '\0')
		return -1;
	*out = n * mult[u - units];
	return 0;
}

/* ---- the filters (on the controller) ---- */

struct query {
	struct modctx *ctx;
	const struct val *args;
	char **patterns, **excludes;
	struct pyre **pre, **xre;      /* compiled, with use_regex */
	const char *file_type;
	int hidden, regex, has_age, has_size, checksum;
	long long age, size;
	char age_stamp;                /* a, c or m */
	long depth;
};

static const char *
base_name(const char *rel)
{
	const char *s = strrchr(rel, '/');

	return s ? s + 1 : rel;
}

/* Python's re.match (anchored at the start) or fnmatch. */
static int
name_match(const struct query *q, struct pyre *re, const char *glob,
    const char *name)
{
	size_t so, eo;
	struct strbuf err = STRBUF_INIT;
	int rc;

	if (!q->regex)
		return fnmatch(glob, name, FNM_NOESCAPE) == 0;
	rc = pyre_search(re, name, strlen(name), 0, &so, &eo, &err);
	strbuf_release(&err);
	return rc == 1;
}

static int
pfilter(const struct query *q, const char *name)
{
	size_t i, j;

	for (i = 0; q->patterns[i] != NULL; i++) {
		if (!name_match(q, q->regex ? q->pre[i] : NULL, q->patterns[i],
		    name))
			continue;
		for (j = 0; q->excludes != NULL && q->excludes[j] != NULL; j++)
			if (name_match(q, q->regex ? q->xre[j] : NULL,
			    q->excludes[j], name))
				return 0;
		return 1;
	}
	return 0;
}

static int
agefilter(const struct query *q, const struct ent *e, double now)
{
	double t = q->age_stamp == 'a' ? e->atime : q->age_stamp == 'c' ?
	    e->ctime : e->mtime;

	if (!q->has_age)
		return 1;
	if (q->age >= 0)
		return now - t >= (double)q->age;
	return now - t <= (double)-q->age;
}

static int
sizefilter(const struct query *q, const struct ent *e)
{
	if (!q->has_size)
		return 1;
	if (q->size >= 0)
		return e->size >= (unsigned long long)q->size;
	return e->size <= (unsigned long long)-q->size;
}

/* Ansible's choice for one entry (contains is checked later). */
static int
wanted(const struct query *q, const struct ent *e, double now)
{
	const char *name = base_name(e->rel);
	const char *ft = q->file_type;

	if (q->depth != 0 && e->depth > q->depth)
		return 0;
	if (name[0] == '.' && !q->hidden)
		return 0;
	if (strcmp(ft, "any") == 0)
		return pfilter(q, name) && agefilter(q, e, now) &&
		    (e->type != 'f' || sizefilter(q, e));
	if (strcmp(ft, "directory") == 0)
		return e->type == 'd' && pfilter(q, name) &&
		    agefilter(q, e, now);
	if (strcmp(ft, "link") == 0)
		return e->type == 'l' && pfilter(q, name) &&
		    agefilter(q, e, now);
	return e->type == 'f' && pfilter(q, name) && agefilter(q, e, now) &&
	    sizefilter(q, e);
}

/* ---- contains and checksums: one command on the candidates ---- */

static void
full_path(const struct root *r, const struct ent *e, struct strbuf *out)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/%s", r->path, e->rel);
	fspath_normpath(sb.buf, out);
	strbuf_release(&sb);
}

/* Run cmd with the NUL-separated names of `files` on stdin; the output's
 * NUL-separated words into out.  0, -1 (failed) or TERR_*. */
static int
run_on(struct modctx *ctx, const char *cmd, const struct strbuf *files,
    struct strbuf *out)
{
	struct exec_res r;
	int ret;

	exec_res_init(&r);
	ret = mod_exec(ctx, cmd, files->buf, files->len, &r);
	/* xargs exits 123 when grep matched nothing in a batch or a file
	 * could not be read: Ansible's module skips such files too */
	if (ret == 0 && r.rc != 0 && r.rc != 123) {
		mod_fail(ctx, "find: %s", r.err.len ? r.err.buf : "command "
		    "failed");
		ret = -1;
	}
	if (ret == 0)
		strbuf_addbuf(out, &r.out);
	exec_res_release(&r);
	return ret;
}

/* The word of the NUL-separated list that is w after `skip` bytes. */
static const char *
in_list(const struct strbuf *list, const char *w, size_t skip)
{
	const char *p = list->buf, *end = list->buf + list->len;

	for (; p < end; p += strlen(p) + 1)
		if (strlen(p) >= skip && strcmp(p + skip, w) == 0)
			return p;
	return NULL;
}

/* A candidate: an entry kept by wanted(), with its full path. */
struct cand {
	const struct ent *e;
	char *path;
	char sha1[41];
	int drop;
};

static void
names_of(const struct cand *c, size_t n, int regular_only,
    struct strbuf *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!c[i].drop && (!regular_only || c[i].e->type == 'f'))
			strbuf_add(out, c[i].path, strlen(c[i].path) + 1);
}

/* contains: drop the candidates no line of which matches (Python's
 * re.match per line, or re.search on the whole file). */
static int
contains_filter(struct query *q, struct cand *c, size_t n)
{
	struct strbuf files = STRBUF_INIT, hits = STRBUF_INIT,
	    cmd = STRBUF_INIT, pat = STRBUF_INIT;
	int whole = arg_bool(q->args, "read_whole_file"), ret;
	size_t i;

	names_of(c, n, 1, &files);
	strbuf_addf(&pat, whole ? "%s" : "\\A(?:%s)",
	    arg_str(q->args, "contains"));
	shellcmd_build(&cmd, "LC_ALL=C xargs -0 -r grep -sP%s -lZ -e %q --",
	    whole ? "z" : "", pat.buf);
	ret = files.len ? run_on(q->ctx, cmd.buf, &files, &hits) : 0;
	for (i = 0; ret == 0 && i < n; i++)
		if (in_list(&hits, c[i].path, 0) == NULL)
			c[i].drop = 1;
	strbuf_release(&files);
	strbuf_release(&hits);
	strbuf_release(&cmd);
	strbuf_release(&pat);
	return ret;
}

static int
checksums(struct query *q, struct cand *c, size_t n)
{
	struct strbuf files = STRBUF_INIT, out = STRBUF_INIT;
	const char *w;
	size_t i;
	int ret;

	names_of(c, n, 1, &files);
	ret = files.len ? run_on(q->ctx, "xargs -0 -r sha1sum -z --", &files,
	    &out) : 0;
	for (i = 0; ret == 0 && i < n; i++)
		if (!c[i].drop && c[i].e->type == 'f' &&
		    (w = in_list(&out, c[i].path, 42)) != NULL)
			snprintf(c[i].sha1, sizeof(c[i].sha1), "%.40s", w);
	strbuf_release(&files);
	strbuf_release(&out);
	return ret;
}

/* ---- results ---- */

static struct val *
statinfo(const struct cand *c)
{
	static const struct { const char *k; unsigned bit; } bits[] = {
		{ "wusr", 0200 }, { "rusr", 0400 }, { "xusr", 0100 },
		{ "wgrp", 0020 }, { "rgrp", 0040 }, { "xgrp", 0010 },
		{ "woth", 0002 }, { "roth", 0004 }, { "xoth", 0001 },
		{ "isuid", 04000 }, { "isgid", 02000 } };
	const struct ent *e = c->e;
	struct val *m = val_map();
	char mode[16];
	size_t i;

	snprintf(mode, sizeof(mode), "%04o", e->mode & 07777);
	val_map_set(m, "path", val_str(c->path));
	val_map_set(m, "mode", val_str(mode));
	val_map_set(m, "isdir", val_bool(e->type == 'd'));
	val_map_set(m, "ischr", val_bool(e->type == 'c'));
	val_map_set(m, "isblk", val_bool(e->type == 'b'));
	val_map_set(m, "isreg", val_bool(e->type == 'f'));
	val_map_set(m, "isfifo", val_bool(e->type == 'p'));
	val_map_set(m, "islnk", val_bool(e->type == 'l'));
	val_map_set(m, "issock", val_bool(e->type == 's'));
	val_map_set(m, "uid", val_int((int64_t)e->uid));
	val_map_set(m, "gid", val_int((int64_t)e->gid));
	val_map_set(m, "size", val_int((int64_t)e->size));
	val_map_set(m, "inode", val_int((int64_t)e->ino));
	val_map_set(m, "dev", val_int((int64_t)e->dev));
	val_map_set(m, "nlink", val_int((int64_t)e->nlink));
	val_map_set(m, "atime", val_float(e->atime));
	val_map_set(m, "mtime", val_float(e->mtime));
	val_map_set(m, "ctime", val_float(e->ctime));
	val_map_set(m, "gr_name", val_str(e->group));
	val_map_set(m, "pw_name", val_str(e->user));
	for (i = 0; i < ARRAY_SIZE(bits); i++)
		val_map_set(m, bits[i].k, val_bool((e->mode & bits[i].bit) != 0));
	if (c->sha1[0] != '\0')
		val_map_set(m, "checksum", val_str(c->sha1));
	return m;
}

/* The candidates of every root, in os.walk's order. */
static struct cand *
candidates(struct query *q, struct listing *l, size_t *nc, int *examined)
{
	struct strbuf sb = STRBUF_INIT;
	long *order = calloc(l->n + 1, sizeof(*order));
	struct cand *c = calloc(l->n + 1, sizeof(*c));
	size_t r, i, n;

	if (order == NULL || c == NULL)
		abort();
	*nc = 0;
	for (r = 0; r < l->nroots; r++) {
		n = 0;
		findlist_walk(l, &l->roots[r], -1, order, &n);
		*examined += (int)l->roots[r].n;
		for (i = 0; i < n; i++) {
			if (!wanted(q, &l->e[order[i]], l->now))
				continue;
			full_path(&l->roots[r], &l->e[order[i]], &sb);
			c[*nc].e = &l->e[order[i]];
			c[(*nc)++].path = strbuf_detach(&sb, NULL);
		}
	}
	free(order);
	return c;
}

static void
report(struct modctx *ctx, struct listing *l, struct cand *c, size_t n,
    int examined)
{
	struct val *files = val_list(), *skipped = val_map();
	size_t i, matched = 0;
	int partial = 0;

	for (i = 0; i < n; i++)
		if (!c[i].drop) {
			val_list_push(files, statinfo(&c[i]));
			matched++;
		}
	for (i = 0; i < l->nroots; i++)
		if (!l->roots[i].isdir) {
			struct strbuf sb = STRBUF_INIT;

			strbuf_addf(&sb, "'%s' is not a directory",
			    l->roots[i].path);
			val_map_set(skipped, l->roots[i].path, val_str(sb.buf));
			mod_log(ctx, 0, "[WARNING]: Skipped '%s' path due to this "
			    "access issue: %s", l->roots[i].path, sb.buf);
			strbuf_release(&sb);
			partial = 1;
		}
	mod_set(ctx, "files", files);
	mod_set(ctx, "matched", val_int((int64_t)matched));
	mod_set(ctx, "examined", val_int(examined));
	mod_set(ctx, "skipped_paths", skipped);
	mod_msg(ctx, partial ? "Not all paths examined, check warnings for "
	    "details" : "All paths examined");
}

/* ---- the module ---- */

static struct pyre **
compile_all(struct modctx *ctx, char **pats)
{
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT;
	struct pyre **out;
	size_t i, n = 0;

	while (pats != NULL && pats[n] != NULL)
		n++;
	out = calloc(n + 1, sizeof(*out));
	if (out == NULL)
		abort();
	for (i = 0; i < n; i++) {
		strbuf_reset(&p);
		strbuf_addf(&p, "\\A(?:%s)", pats[i]);
		if ((out[i] = pyre_compile(p.buf, 0, &err)) == NULL) {
			mod_fail(ctx, "%s", err.buf);
			break;
		}
	}
	strbuf_release(&p);
	strbuf_release(&err);
	return out;
}

static void
free_res(struct pyre **r)
{
	size_t i;

	for (i = 0; r != NULL && r[i] != NULL; i++)
		pyre_free(r[i]);
	free(r);
}

static int
query_init(struct query *q, struct modctx *ctx, const struct val *args)
{
	static const long long secs[] = { 1, 60, 3600, 86400, 604800 };
	static const long long bytes[] = { 1, 1024, 1024 * 1024,
	    1024LL * 1024 * 1024, 1024LL * 1024 * 1024 * 1024 };
	const char *age = arg_str(args, "age"), *size = arg_str(args, "size");

	memset(q, 0, sizeof(*q));
	q->ctx = ctx;
	q->args = args;
	q->regex = arg_bool(args, "use_regex");
	q->patterns = str_list(arg_get(args, "patterns"));
	if (q->patterns == NULL || q->patterns[0] == NULL) {
		str_list_free(q->patterns);
		struct val *all = val_str(q->regex ? ".*" : "*");

		q->patterns = str_list(all);
		val_free(all);
	}
	q->excludes = str_list(arg_get(args, "excludes"));
	q->file_type = arg_str(args, "file_type");
	q->hidden = arg_bool(args, "hidden");
	q->depth = (long)arg_int(args, "depth", 0);
	q->age_stamp = arg_str(args, "age_stamp")[0];
	if ((q->has_age = age != NULL) &&
	    parse_amount(age, "smhdw", secs, &q->age) != 0) {
		mod_set(ctx, "age", val_str(age));
		return mod_fail(ctx, "failed to process age"), -1;
	}
	if ((q->has_size = size != NULL) &&
	    parse_amount(size, "bkmgt", bytes, &q->size) != 0) {
		mod_set(ctx, "size", val_str(size));
		return mod_fail(ctx, "failed to process size"), -1;
	}
	if (q->regex) {
		q->pre = compile_all(ctx, q->patterns);
		q->xre = compile_all(ctx, q->excludes);
	}
	return ctx->failed ? -1 : 0;
}

static void
query_release(struct query *q)
{
	str_list_free(q->patterns);
	str_list_free(q->excludes);
	free_res(q->pre);
	free_res(q->xre);
}

static long
max_depth(const struct val *args)
{
	long d = (long)arg_int(args, "depth", 0);

	if (!arg_bool(args, "recurse"))
		return 1;
	if (d == 0)
		return 0;
	return d + 1 > 0 ? d + 1 : 1;
}

static int
list_paths(struct modctx *ctx, char **paths, long maxdepth,
    struct listing *l)
{
	struct strbuf cmd = STRBUF_INIT;
	struct exec_res r;
	int ret;

	findlist_cmd(&cmd, paths, maxdepth);
	exec_res_init(&r);
	ret = mod_exec(ctx, cmd.buf, NULL, 0, &r);
	if (ret == 0 && r.rc != 0) {
		mod_fail(ctx, "find: listing failed: %s", r.err.buf);
		ret = -1;
	}
	if (ret == 0) {
		strbuf_addbuf(&l->raw, &r.out);
		if (findlist_parse(l, paths) != 0) {
			mod_fail(ctx, "find: unexpected listing output");
			ret = -1;
		}
	}
	exec_res_release(&r);
	strbuf_release(&cmd);
	return ret;
}

static enum mod_result
find_run(struct modctx *ctx, const struct val *args)
{
	char **paths = str_list(arg_get(args, "paths"));
	struct listing l;
	struct query q;
	struct cand *c = NULL;
	size_t n = 0, i;
	int ret, examined = 0;

	memset(&l, 0, sizeof(l));
	ret = query_init(&q, ctx, args);
	if (ret == 0)
		ret = list_paths(ctx, paths, max_depth(args), &l);
	if (ret == 0)
		c = candidates(&q, &l, &n, &examined);
	if (ret == 0 && arg_str(args, "contains") != NULL &&
	    strcmp(q.file_type, "file") == 0)
		ret = contains_filter(&q, c, n);
	if (ret == 0 && arg_bool(args, "get_checksum"))
		ret = checksums(&q, c, n);
	if (ret == 0)
		report(ctx, &l, c, n, examined);
	for (i = 0; i < n; i++)
		free(c[i].path);
	free(c);
	findlist_release(&l);
	query_release(&q);
	str_list_free(paths);
	return mod_done(ctx, ret);
}

const struct module mod_find = {
	.name = "find",
	.summary = "return a list of files based on specific criteria",
	.doc = "Ansible's find: the entries under paths whose base name "
	    "matches one of patterns (shell globs; Python regexps matched "
	    "from the start with use_regex) and none of excludes, of "
	    "file_type (file, directory, link, any), older/younger than age, "
	    "at least/at most size, holding a line that matches contains, "
	    "hidden ones with hidden: true, below the first level with "
	    "recurse (up to depth).  files lists them in Ansible's order "
	    "with its stat keys (path, mode, isdir, isreg, islnk, uid, gid, "
	    "pw_name, gr_name, size, mtime... and checksum with get_checksum);"
	    " matched, examined, skipped_paths (a path that is not a "
	    "directory).  Read-only: runs in check mode.",
	.args = find_args,
	.flags = MOD_SUPPORTS_CHECK,
	.validate = find_validate,
	.run = find_run,
};
