/* findlist.c - the find module's listing; see findlist.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/files/findlist.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

const char findlist_fmt[] =
    "%y|%Y|%m|%U|%G|%s|%i|%D|%n|%A@|%T@|%C@|%u|%g|%P\\0";

void
findlist_cmd(struct strbuf *cmd, char **paths, long maxdepth)
{
	char depth[32] = "";
	size_t i;

	if (maxdepth > 0)
		snprintf(depth, sizeof(depth), "%ld", maxdepth);
	shellcmd_build(cmd, "LC_ALL=C; export LC_ALL; d=%q; date +%%s.%%N; "
	    "set --", depth);
	for (i = 0; paths[i] != NULL; i++)
		shellcmd_build(cmd, " %q", paths[i]);
	shellcmd_build(cmd, "\nfor p in \"$@\"; do\n"
	    "if [ -d \"$p\" ]; then printf '\\001D\\000'; find \"$p\" "
	    "-mindepth 1 ${d:+-maxdepth \"$d\"} -printf %q 2>/dev/null\n"
	    "else printf '\\001N\\000'; fi\ndone\n", findlist_fmt);
}

/* Split the 15 fields of one record; -1 when malformed. */
static int
parse_ent(char *s, struct ent *e)
{
	char *f[15];
	int i;

	for (i = 0; i < 14; i++) {
		f[i] = s;
		if ((s = strchr(s, '|')) == NULL)
			return -1;
		*s++ = '\0';
	}
	f[14] = s;
	memset(e, 0, sizeof(*e));
	e->type = f[0][0];
	e->ftype = f[1][0];
	e->mode = (unsigned)strtoul(f[2], NULL, 8);
	e->uid = strtoull(f[3], NULL, 10);
	e->gid = strtoull(f[4], NULL, 10);
	e->size = strtoull(f[5], NULL, 10);
	e->ino = strtoull(f[6], NULL, 10);
	e->dev = strtoull(f[7], NULL, 10);
	e->nlink = strtoull(f[8], NULL, 10);
	e->atime = strtod(f[9], NULL);
	e->mtime = strtod(f[10], NULL);
	e->ctime = strtod(f[11], NULL);
	e->user = f[12];
	e->group = f[13];
	e->rel = f[14];
	e->depth = 1;
	for (s = f[14]; *s != '\0'; s++)
		e->depth += *s == '/';
	e->first_child = e->last_child = e->next = -1;
	return 0;
}

static void
add_ent(struct listing *l, const struct ent *e)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 64;
		l->e = realloc(l->e, l->alloc * sizeof(*l->e));
		if (l->e == NULL)
			abort();
	}
	l->e[l->n++] = *e;
}

/* Link each entry to its parent (find prints a tree in pre-order: the
 * parent of an entry at depth k is the last entry seen at depth k-1). */
static void
link_tree(struct listing *l, const struct root *r)
{
	long last[256];
	size_t i;
	struct ent *e, *p;

	for (i = 0; i < ARRAY_SIZE(last); i++)
		last[i] = -1;
	for (i = r->first; i < r->first + r->n; i++) {
		e = &l->e[i];
		if (e->depth >= (int)ARRAY_SIZE(last))
			continue;
		last[e->depth] = (long)i;
		if (e->depth == 1 || last[e->depth - 1] < 0)
			continue;
		p = &l->e[last[e->depth - 1]];
		if (p->first_child < 0)
			p->first_child = (long)i;
		else
			l->e[p->last_child].next = (long)i;
		p->last_child = (long)i;
	}
}

int
findlist_parse(struct listing *l, char **paths)
{
	char *p = l->raw.buf, *end = l->raw.buf + l->raw.len, *z;
	struct root *r = NULL;
	struct ent e;
	size_t np = 0;

	while (np == 0 || paths[np - 1] != NULL)
		np++;
	l->roots = calloc(np, sizeof(*l->roots));
	if (l->roots == NULL || (z = memchr(p, '\n', (size_t)(end - p))) == NULL)
		return -1;
	*z = '\0';
	l->now = strtod(p, NULL);
	for (p = z + 1; p < end && (z = memchr(p, '\0', (size_t)(end - p)));
	    p = z + 1) {
		if (p[0] == '\001' && l->nroots < np - 1) {
			r = &l->roots[l->nroots];
			r->path = paths[l->nroots++];
			r->isdir = p[1] == 'D';
			r->first = l->n;
		} else if (r != NULL && parse_ent(p, &e) == 0) {
			add_ent(l, &e);
			r->n++;
		}
	}
	for (np = 0; np < l->nroots; np++)
		link_tree(l, &l->roots[np]);
	return l->nroots == 0 && paths[0] != NULL ? -1 : 0;
}

/* os.walk's order below entry `dir` (-1: the root): its non-directories,
 * then its directories (a link to a directory counts as one), then each
 * real directory's content.  Appends the kept entries' indices. */
void
findlist_walk(struct listing *l, const struct root *r, long dir, long *order,
    size_t *n)
{
	long c, first = dir < 0 ? -1 : l->e[dir].first_child;
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if (dir < 0) {
			for (i = r->first; i < r->first + r->n; i++)
				if (l->e[i].depth == 1 &&
				    (l->e[i].ftype == 'd') == pass)
					order[(*n)++] = (long)i;
			continue;
		}
		for (c = first; c >= 0; c = l->e[c].next)
			if ((l->e[c].ftype == 'd') == pass)
				order[(*n)++] = c;
	}
	if (dir < 0) {
		for (i = r->first; i < r->first + r->n; i++)
			if (l->e[i].depth == 1 && l->e[i].type == 'd')
				findlist_walk(l, r, (long)i, order, n);
		return;
	}
	for (c = first; c >= 0; c = l->e[c].next)
		if (l->e[c].type == 'd')
			findlist_walk(l, r, c, order, n);
}

void
findlist_release(struct listing *l)
{
	free(l->e);
	free(l->roots);
	strbuf_release(&l->raw);
	memset(l, 0, sizeof(*l));
}
