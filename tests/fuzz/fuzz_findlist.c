/*
 * fuzz_findlist.c - libFuzzer harness for the find module's listing parser
 * (modules/files/findlist.c): the host's output (date line, path markers,
 * NUL-terminated find -printf records) for two paths.  Checks: the walk
 * of every root lists each of its entries at most once, only its own,
 * and every entry of depth 1 exactly once.
 * Build and run: `make fuzz` (see tests/fuzz/README).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/files/findlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_root(struct listing *l, const struct root *r, long *order,
    unsigned char *seen)
{
	size_t n = 0, i, top = 0;

	findlist_walk(l, r, -1, order, &n);
	if (n > r->n)
		abort();
	for (i = 0; i < n; i++) {
		if (order[i] < (long)r->first ||
		    order[i] >= (long)(r->first + r->n) || seen[order[i]]++)
			abort();
		top += l->e[order[i]].depth == 1;
	}
	for (i = r->first; i < r->first + r->n; i++)
		top -= l->e[i].depth == 1;
	if (top != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *paths[] = { "/a", "/b", NULL };
	struct listing l;
	unsigned char *seen;
	long *order;
	size_t i;

	if (size > 8192)
		return 0;
	memset(&l, 0, sizeof(l));
	strbuf_add(&l.raw, data, size);
	if (findlist_parse(&l, paths) == 0) {
		order = calloc(l.n + 1, sizeof(*order));
		seen = calloc(l.n + 1, 1);
		if (order == NULL || seen == NULL)
			abort();
		for (i = 0; i < l.nroots; i++)
			check_root(&l, &l.roots[i], order, seen);
		free(order);
		free(seen);
	}
	findlist_release(&l);
	return 0;
}
