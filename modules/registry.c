/*
 * registry.c - the one list of built-in modules.
 *
 * To add a module: write modules/<name>.c exporting
 *     const struct module mod_<name> = { ... };
 * (see module.h), add `extern const struct module mod_<name>;` and
 * `&mod_<name>,` below, keeping both lists in alphabetical order.
 * tests/unit/test_registry.c checks every entry (name, args table, flags).
 */
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "../runner/banned.h"

/* extern declarations: one line per module, alphabetical */
extern const struct module mod_ping;

const struct module *const module_table[] = {
	&mod_ping,
	NULL
};

const struct module *
module_find(const char *name)
{
	size_t i;

	for (i = 0; module_table[i] != NULL; i++)
		if (strcmp(module_table[i]->name, name) == 0)
			return module_table[i];
	return NULL;
}

/* Damerau-free Levenshtein distance, bounded to short names. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins)
			    : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
	}
	return prev[lb];
}

const char *
module_suggest(const char *name)
{
	const char *best = NULL;
	size_t i, bestd = 3;

	for (i = 0; module_table[i] != NULL; i++) {
		size_t d = edit_distance(name, module_table[i]->name);

		if (d < bestd) {
			bestd = d;
			best = module_table[i]->name;
		}
	}
	return best;
}
