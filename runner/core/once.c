/* once.c - run_once across a batch's host threads; see once.h. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "runner/core/once.h"
#include "runner/util/strbuf.h"
#include "runner/util/banned.h"

struct once_rec {
	char *key;
	size_t occ;               /* the occ-th time hosts reach key */
	int done;                 /* 0: its host is running it */
	struct once_result res;
};

struct once_seen {            /* how often host idx reached key */
	char *key;
	size_t idx, n;
};

struct once {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t nhosts;
	unsigned char *left;      /* per host: has left the play */
	struct once_rec **recs;   /* pointers: a waiting host holds one */
	size_t nrecs, recs_alloc;
	struct once_seen *seen;
	size_t nseen, seen_alloc;
};

struct once *
once_new(size_t nhosts)
{
	struct once *o = xcalloc(1, sizeof(*o));

	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	o->nhosts = nhosts;
	o->left = xcalloc(nhosts ? nhosts : 1, 1);
	return o;
}

void
once_free(struct once *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nrecs; i++) {
		val_free(o->recs[i]->res.reg);
		val_free(o->recs[i]->res.facts);
		free(o->recs[i]->res.runner);
		free(o->recs[i]->key);
		free(o->recs[i]);
	}
	free(o->recs);
	for (i = 0; i < o->nseen; i++)
		free(o->seen[i].key);
	free(o->seen);
	free(o->left);
	pthread_cond_destroy(&o->cv);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

/* One more arrival of host idx at key: its occurrence number. */
static size_t
arrive(struct once *o, size_t idx, const char *key)
{
	size_t i;

	for (i = 0; i < o->nseen; i++)
		if (strcmp(o->seen[i].key, key) == 0 && o->seen[i].idx == idx)
			return ++o->seen[i].n;
	ALLOC_GROW(o->seen, o->nseen + 1, o->seen_alloc);
	o->seen[o->nseen].key = xstrdup(key);
	o->seen[o->nseen].idx = idx;
	o->seen[o->nseen].n = 1;
	return o->seen[o->nseen++].n;
}

static struct once_rec *
find(struct once *o, const char *key, size_t occ)
{
	size_t i;

	for (i = 0; i < o->nrecs; i++)
		if (strcmp(o->recs[i]->key, key) == 0 && o->recs[i]->occ == occ)
			return o->recs[i];
	return NULL;
}

/* The first host still in the play (the one whose turn it is). */
static size_t
first_in(const struct once *o)
{
	size_t i;

	for (i = 0; i < o->nhosts && o->left[i]; i++)
		;
	return i;
}

enum once_role
once_enter(struct once *o, size_t idx, const char *key,
    const struct once_result **res)
{
	struct once_rec *r;
	size_t occ;

	pthread_mutex_lock(&o->mu);
	occ = arrive(o, idx, key);
	for (;;) {
		r = find(o, key, occ);
		if (r != NULL && r->done) {
			*res = &r->res;
			pthread_mutex_unlock(&o->mu);
			return ONCE_APPLY;
		}
		if (r == NULL && first_in(o) >= idx) {
			r = xcalloc(1, sizeof(*r));
			r->key = xstrdup(key);
			r->occ = occ;
			ALLOC_GROW(o->recs, o->nrecs + 1, o->recs_alloc);
			o->recs[o->nrecs++] = r;
			pthread_mutex_unlock(&o->mu);
			return ONCE_RUN;
		}
		pthread_cond_wait(&o->cv, &o->mu);
	}
}

void
once_done(struct once *o, size_t idx, const char *key,
    struct once_result *res)
{
	struct once_rec *r;
	size_t i, occ = 0;

	pthread_mutex_lock(&o->mu);
	for (i = 0; i < o->nseen; i++)
		if (strcmp(o->seen[i].key, key) == 0 && o->seen[i].idx == idx)
			occ = o->seen[i].n;
	r = find(o, key, occ);
	if (r != NULL) {
		r->res = *res;
		r->done = 1;
	} else {
		val_free(res->reg);
		val_free(res->facts);
		free(res->runner);
	}
	memset(res, 0, sizeof(*res));
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
}

void
once_host_done(struct once *o, size_t idx)
{
	pthread_mutex_lock(&o->mu);
	if (idx < o->nhosts)
		o->left[idx] = 1;
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
}
