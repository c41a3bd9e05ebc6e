/* startat.c - --start-at-task; see startat.h. */
#include <fnmatch.h>
#include <string.h>

#include "modules/module.h"
#include "runner/core/startat.h"
#include "runner/util/strbuf.h"
#include "runner/util/banned.h"

static int
pat_eq(const char *s, const char *pattern)
{
	return strcmp(s, pattern) == 0 ||
	    fnmatch(pattern, s, FNM_NOESCAPE) == 0;
}

/* Ansible's Task.get_name(): "role : name", "name", "role : action" or
 * "action" */
static void
ansible_name(const struct task *t, struct strbuf *sb)
{
	const struct task *a;

	for (a = t->parent; a != NULL && a->role == NULL; a = a->parent)
		;
	if (a != NULL)
		strbuf_addf(sb, "%s : ", a->role);
	if (t->name != NULL)
		strbuf_addstr(sb, t->name);
	else if (t->kind == TASK_META)
		strbuf_addstr(sb, "meta");
	else if (t->kind == TASK_INCLUDE)
		strbuf_addstr(sb, t->role_task ? "include_role" :
		    "include_tasks");
	else if (t->mod != NULL)
		strbuf_addstr(sb, t->mod->name);
}

int
start_at_match(const struct task *t, const char *pattern)
{
	struct strbuf sb = STRBUF_INIT;
	int m;

	if (t->kind == TASK_BLOCK)
		return 0;         /* blocks are not tasks to Ansible */
	if (t->name != NULL && pat_eq(t->name, pattern))
		return 1;
	ansible_name(t, &sb);
	m = pat_eq(sb.buf, pattern);
	strbuf_release(&sb);
	return m;
}

static const struct task *
find_in(const struct task *ts, size_t n, const char *pattern)
{
	const struct task *f;
	size_t i;

	for (i = 0; i < n; i++) {
		if (ts[i].kind == TASK_BLOCK) {
			if ((f = find_in(ts[i].block, ts[i].nblock,
			    pattern)) != NULL ||
			    (f = find_in(ts[i].always, ts[i].nalways,
			    pattern)) != NULL)
				return f;
		} else if (start_at_match(&ts[i], pattern)) {
			return &ts[i];
		}
	}
	return NULL;
}

const struct task *
start_at_find(const struct play *p, const char *pattern)
{
	const struct task *f;

	if ((f = find_in(p->pre_tasks, p->npre_tasks, pattern)) != NULL ||
	    (f = find_in(p->roles, p->nroles, pattern)) != NULL ||
	    (f = find_in(p->tasks, p->ntasks, pattern)) != NULL)
		return f;
	return find_in(p->post_tasks, p->npost_tasks, pattern);
}
