/*
 * template_flocal.c - project-local filter plugins (template.h): the
 * registry of filter names defined by Python files mend cannot run, the
 * filter that stands for them (it fails where it is evaluated) and the
 * check-time warning.
 */
#include <stdlib.h>
#include <string.h>

#include "runner/template/template.h"
#include "runner/template/template_int.h"
#include "runner/util/banned.h"

struct lfilter {
	char *name;        /* NULL: any name (a plugin computing its table) */
	char *path;
	int warned;
};

static struct lfilter *reg;
static size_t nreg, regalloc;
static struct strbuf *warnings;
static struct strbuf seen_name = STRBUF_INIT; /* met by the last parse */
static size_t seen_off;
static int seen;

/* A named entry first; else the first plugin that computes its names. */
static struct lfilter *
lookup(const char *name)
{
	struct lfilter *any = NULL;
	size_t i;

	for (i = 0; i < nreg; i++) {
		if (reg[i].name != NULL && strcmp(reg[i].name, name) == 0)
			return &reg[i];
		if (reg[i].name == NULL && any == NULL)
			any = &reg[i];
	}
	return any;
}

static int
f_local(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *args, struct res *out)
{
	const struct lfilter *l = lookup(n->name);

	(void)in;
	(void)args;
	(void)out;
	if (l == NULL || l->name == NULL)
		return terr_set(cx->err, n->off, "unknown filter '%s': mend "
		    "does not have it and the project-local filter plugin %s, "
		    "which mend cannot run, may define it", n->name,
		    l != NULL ? l->path : "?");
	return terr_set(cx->err, n->off, "filter '%s' is defined by the "
	    "project-local filter plugin %s, which mend cannot run", n->name,
	    l->path);
}

static const struct filter local_filter = { "(project-local)", f_local,
	{ NULL }, 1 };

int
tmpl_local_is(const struct filter *f)
{
	return f == &local_filter;
}

void
tmpl_local_filter_add(const char *name, const char *path)
{
	size_t i;

	for (i = 0; i < nreg; i++)
		if ((reg[i].name == NULL ? name == NULL : name != NULL &&
		    strcmp(reg[i].name, name) == 0) &&
		    strcmp(reg[i].path, path) == 0)
			return;
	ALLOC_GROW(reg, nreg + 1, regalloc);
	reg[nreg].name = name != NULL ? xstrdup(name) : NULL;
	reg[nreg].path = xstrdup(path);
	reg[nreg++].warned = 0;
}

void
tmpl_local_filters_reset(void)
{
	size_t i;

	for (i = 0; i < nreg; i++) {
		free(reg[i].name);
		free(reg[i].path);
	}
	free(reg);
	reg = NULL;
	nreg = regalloc = 0;
	seen = 0;
	strbuf_release(&seen_name);
}

void
tmpl_set_warnings(struct strbuf *sb)
{
	size_t i;

	warnings = sb;
	for (i = 0; i < nreg; i++)
		reg[i].warned = 0;
}

const struct filter *
tmpl_local_filter_use(const char *name, size_t off)
{
	if (lookup(name) == NULL)
		return NULL;
	if (!seen) {
		seen = 1;
		seen_off = off;
		strbuf_reset(&seen_name);
		strbuf_addstr(&seen_name, name);
	}
	return &local_filter;
}

int
tmpl_local_seen(size_t *off)
{
	int was = seen;

	*off = seen_off;
	seen = 0;
	return was;
}

void
tmpl_local_warn(const struct pos *at, const char *note)
{
	struct lfilter *l = lookup(seen_name.buf);

	if (l == NULL || l->warned || warnings == NULL)
		return;
	l->warned = 1;
	if (at != NULL && at->file != NULL)
		strbuf_addf(warnings, "%s:%d:%d: ", at->file, at->line,
		    at->col);
	if (l->name != NULL)
		strbuf_addf(warnings, "warning: filter '%s'%s is defined by the "
		    "project-local filter plugin %s, which mend cannot run: "
		    "a task that evaluates it fails on its host\n",
		    seen_name.buf, note, l->path);
	else
		strbuf_addf(warnings, "warning: filter '%s'%s is not one of "
		    "mend's; the project-local filter plugin %s (which mend "
		    "cannot run) may define it: a task that evaluates it fails "
		    "on its host (further such filters are not reported)\n",
		    seen_name.buf, note, l->path);
}

void
tmpl_warn_at(const struct pos *at, const char *msg)
{
	if (warnings == NULL)
		return;
	if (at != NULL && at->file != NULL)
		strbuf_addf(warnings, "%s:%d:%d: ", at->file, at->line,
		    at->col);
	strbuf_addf(warnings, "warning: %s\n", msg);
}
