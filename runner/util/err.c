/* err.c - positioned error messages; see err.h. */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "runner/util/err.h"
#include "runner/util/banned.h"

void
err_release(struct err *e)
{
	strbuf_release(&e->msg);
	e->count = 0;
}

static int
err_vset(struct err *e, const struct pos *p, const char *fmt, va_list ap)
{
	e->count++;
	if (e->count > ERR_MAX)
		return -1;
	if (p != NULL && p->file != NULL) {
		strbuf_addstr(&e->msg, p->file);
		if (p->line > 0)
			strbuf_addf(&e->msg, ":%d", p->line);
		if (p->line > 0 && p->col > 0)
			strbuf_addf(&e->msg, ":%d", p->col);
		strbuf_addstr(&e->msg, ": ");
	}
	strbuf_addstr(&e->msg, "error: ");
	strbuf_vaddf(&e->msg, fmt, ap);
	strbuf_addch(&e->msg, '\n');
	return -1;
}

const char *
err_text(struct err *e, const char *fallback)
{
	static const char bare[] = "error: ";

	strbuf_rtrim(&e->msg);
	if (e->msg.len == 0)
		return fallback;
	if (strncmp(e->msg.buf, bare, sizeof(bare) - 1) == 0)
		return e->msg.buf + sizeof(bare) - 1;
	return e->msg.buf;
}

int
err_setpos(struct err *e, const struct pos *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, p, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

void
err_print(const struct err *e, FILE *f)
{
	fwrite(e->msg.buf, 1, e->msg.len, f);
	if (e->count > ERR_MAX)
		fprintf(f, "error: ... and %d more errors\n", e->count - ERR_MAX);
}

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static char **interned;
static size_t ninterned, interned_alloc;

const char *
pos_intern(const char *file)
{
	const char *res = NULL;
	size_t i;

	if (file == NULL)
		return NULL;
	pthread_mutex_lock(&intern_lock);
	for (i = 0; i < ninterned && res == NULL; i++)
		if (strcmp(interned[i], file) == 0)
			res = interned[i];
	if (res == NULL) {
		ALLOC_GROW(interned, ninterned + 1, interned_alloc);
		interned[ninterned] = xstrdup(file);
		res = interned[ninterned++];
	}
	pthread_mutex_unlock(&intern_lock);
	return res;
}
