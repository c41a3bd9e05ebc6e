/*
 * cli_list.c - ansible-playbook's --list-hosts, --list-tasks, --list-tags
 * and --syntax-check for `mend run` and `mend check`: the playbooks are
 * loaded and validated in full, nothing is contacted, and the listing has
 * ansible-playbook's layout (hosts in mend's selection order; Ansible's is
 * a set's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/cli/cli.h"
#include "runner/cli/cli_int.h"
#include "runner/util/banned.h"

static int
cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, unique union of two tag lists, as "a, b". */
static void
add_tags(struct strbuf *sb, char **a, size_t na, char **b, size_t nb)
{
	char **all = xcalloc(na + nb + 1, sizeof(*all));
	size_t n = 0, i;

	for (i = 0; i < na; i++)
		all[n++] = a[i];
	for (i = 0; i < nb; i++)
		all[n++] = b[i];
	qsort(all, n, sizeof(*all), cmp_strp);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(all[i], all[i - 1]) != 0)
			strbuf_addf(sb, "%s%s", sb->len ? ", " : "", all[i]);
	free(all);
}

static void
list_hosts(const struct cli *c, struct inventory *inv, const struct play *p)
{
	struct inv_host **sel = NULL, **lim = NULL;
	size_t n = 0, nl = 0, i, j, k = 0;
	struct err e = ERR_INIT;

	if (inventory_select(inv, p->hosts, &p->hosts_pos, &sel, &n, &e) == 0 &&
	    c->o.limit != NULL &&
	    inventory_select(inv, c->o.limit, NULL, &lim, &nl, &e) == 0) {
		for (i = 0; i < n; i++) {
			for (j = 0; j < nl && lim[j] != sel[i]; j++)
				;
			if (j < nl)
				sel[k++] = sel[i];
		}
		n = k;
	}
	for (i = k = 0; i < n; i++)
		if (shard_has(&c->o.shard, sel[i]->name))
			sel[k++] = sel[i];
	n = k;
	printf("    pattern: ['%s']\n    hosts (%zu):\n", p->hosts, n);
	for (i = 0; i < n; i++)
		printf("      %s\n", sel[i]->name);
	free(sel);
	free(lim);
	err_release(&e);
}

static void list_tasks(const struct cli *c, const struct play *p,
    const struct task *ts, size_t n, struct strbuf *tags);

/* A block's tasks as ansible-playbook lists them: those under `block:`
 * only (rescue and always are not listed, their tags not counted). */
static void
list_block(const struct cli *c, const struct play *p, const struct task *b,
    struct strbuf *tags)
{
	list_tasks(c, p, b->block, b->nblock, tags);
}

/* The role whose task t is, or NULL. */
static const char *
role_of(const struct task *t)
{
	for (t = t->parent; t != NULL; t = t->parent)
		if (t->role != NULL)
			return t->role;
	return NULL;
}

/* Every tag of t and its enclosing blocks, sorted, into line. */
static void
task_tags_line(const struct play *p, const struct task *t,
    struct strbuf *line)
{
	char **all = NULL;
	const struct task *a;
	size_t n = 0, alloc = 0, i;

	for (a = t; a != NULL; a = a->parent)
		for (i = 0; i < a->ntags; i++) {
			ALLOC_GROW(all, n + 1, alloc);
			all[n++] = a->tags[i];
		}
	add_tags(line, p->tags, p->ntags, all, n);
	free(all);
}

/* The tasks of p that -t/--skip-tags select; all their tags into tags. */
static void
list_tasks(const struct cli *c, const struct play *p, const struct task *ts,
    size_t n, struct strbuf *tags)
{
	struct strbuf line = STRBUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct task *t = &ts[i];

		if (t->kind == TASK_BLOCK) {
			list_block(c, p, t, tags);
			continue;
		}
		if (!task_tags_match(p, t, c->o.tags, c->o.skip_tags))
			continue;
		strbuf_setlen(&line, 0);
		task_tags_line(p, t, &line);
		if (c->list_tasks)
			printf("      %s%s%s\tTAGS: [%s]\n", role_of(t) ?
			    role_of(t) : "", role_of(t) ? " : " : "",
			    t->name ? t->name : t->mod ? t->mod->name : "meta",
			    line.buf);
		if (tags->len > 0 && line.len > 0)
			strbuf_addch(tags, '\n');
		strbuf_addbuf(tags, &line);
	}
	strbuf_release(&line);
}

/* "a, b\nb, c" (lines of sorted lists) into one sorted unique list. */
static void
print_task_tags(struct strbuf *tags)
{
	char **v = NULL, *p = tags->buf;
	size_t n = 0, alloc = 0, i;

	while (*p != '\0') {
		size_t len = strcspn(p, ",\n");

		ALLOC_GROW(v, n + 1, alloc);
		v[n++] = xstrndup(p, len);
		p += len;
		p += strspn(p, ", \n");
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_strp);
	printf("      TASK TAGS: [");
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
			printf("%s%s", i ? ", " : "", v[i]);
	printf("]\n");
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
list_play(const struct cli *c, struct inventory *inv, const struct play *p,
    size_t idx)
{
	struct strbuf tags = STRBUF_INIT;
	size_t i;

	printf("\n  play #%zu (%s): %s\tTAGS: [", idx + 1, p->hosts,
	    p->name ? p->name : p->hosts);
	for (i = 0; i < p->ntags; i++)
		printf("%s%s", i ? "," : "", p->tags[i]);
	printf("]\n");
	if (c->list_hosts)
		list_hosts(c, inv, p);
	if (c->list_tasks)
		printf("    tasks:\n");
	if (c->list_tasks || c->list_tags) {
		list_tasks(c, p, p->pre_tasks, p->npre_tasks, &tags);
		list_tasks(c, p, p->roles, p->nroles, &tags);
		list_tasks(c, p, p->tasks, p->ntasks, &tags);
		list_tasks(c, p, p->post_tasks, p->npost_tasks, &tags);
	}
	if (c->list_tags)
		print_task_tags(&tags);
	strbuf_release(&tags);
}

int
cli_list(const struct cli *c, struct inventory *inv, struct playbook **pbs)
{
	size_t i, j;

	for (i = 0; i < c->npb; i++) {
		printf("\nplaybook: %s\n", c->playbooks[i]);
		if (c->syntax_check)
			continue;
		for (j = 0; j < pbs[i]->nplays; j++)
			list_play(c, inv, &pbs[i]->plays[j], j);
	}
	fflush(stdout);
	return EXIT_OK;
}
