/*
 * fuzz_inventory.c - libFuzzer harness for the inventory parsers and host
 * patterns (runner/inventory/inventory*.c, runner/inventory/pattern.c).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *       -o /tmp/fuzz_inventory tests/fuzz/fuzz_inventory.c \
 *       runner/inventory/inventory*.c runner/inventory/pattern.c runner/util/yamlload.c \
 *       runner/util/value.c runner/util/strbuf.c runner/util/err.c -lyaml
 *   mkdir -p /tmp/fuzz_inventory_corpus
 *   find inventory tests/unit/fixtures/inventory -name '*.ini' |
 *   while read -r f; do
 *       { printf 'I'; cat "$f"; } > "/tmp/fuzz_inventory_corpus/${f##*[/]}"
 *   done
 *   /tmp/fuzz_inventory -max_total_time=60 /tmp/fuzz_inventory_corpus
 *
 * The first byte picks the parser: 'I' INI, 'Y' YAML inventory, 'P' a host
 * pattern over a fixed inventory, 'L' a Python literal, 'H' a host entry
 * with ranges.  Besides memory errors it checks the contracts: failure
 * always comes with a message, every error of a parsed file has a line,
 * the model stays consistent (host indexes, group membership both ways),
 * selections are in inventory order without duplicates.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runner/inventory/inventory.h"
#include "runner/inventory/inventory_int.h"
#include "runner/util/yamlload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_model(const struct inventory *inv)
{
	size_t i, j, k;

	for (i = 0; i < inv->nhosts; i++) {
		const struct inv_host *h = inv->hosts[i];

		if (h->index != i || inventory_find_host(inv, h->name) != h)
			abort();
		for (j = 0; j < h->ngroups; j++) {
			const struct inv_group *g = h->groups[j];

			for (k = 0; k < g->nhosts && g->hosts[k] != h; k++)
				;
			if (k == g->nhosts)
				abort();
		}
		if (i < 64)
			val_free(inventory_host_vars_nogroups(inv, h));
	}
	for (i = 0; i < inv->ngroups; i++)
		if (inv->groups[i]->index != i ||
		    inventory_find_group(inv, inv->groups[i]->name) !=
		    inv->groups[i])
			abort();
}

static void
check_errors(int ret, const struct err *e)
{
	const char *p;

	if ((ret < 0) != (e->count > 0))
		abort();
	for (p = e->msg.buf; ret < 0 && *p != '\0'; p = strchr(p, '\n') + 1)
		if (strncmp(p, "fuzz:", 5) == 0 && (p[5] < '1' || p[5] > '9'))
			abort();      /* parse errors carry a line */
}

static void
fuzz_select(const struct inventory *inv, const char *pattern)
{
	struct inv_host **sel = NULL;
	struct err e = ERR_INIT;
	size_t n = 0, i;
	int ret = inventory_select(inv, pattern, NULL, &sel, &n, &e);

	unsigned char *seen = calloc(inv->nhosts + 1, 1);

	check_errors(ret, &e);
	for (i = 0; i < n; i++) {      /* Ansible's order: each host once */
		if (sel[i]->index >= inv->nhosts || seen[sel[i]->index])
			abort();
		seen[sel[i]->index] = 1;
	}
	free(seen);
	free(sel);
	err_release(&e);
}

static void
fuzz_inventory(const char *s, size_t len, int yaml)
{
	struct inventory *inv = inventory_new();
	struct err e = ERR_INIT;
	struct val *root = NULL;
	int ret;

	if (!yaml)
		ret = inv_parse_ini(inv, pos_intern("fuzz"), s, len, &e);
	else if ((ret = yaml_load_string("fuzz", s, len, &root, &e)) == 0)
		ret = inv_parse_yaml(inv, root, &e);
	check_errors(ret, &e);
	if (ret == 0) {
		check_model(inv);
		fuzz_select(inv, "all:!ungrouped:&*");
	}
	val_free(root);
	err_release(&e);
	inventory_free(inv);
}

static void
fuzz_pattern(const char *s)
{
	static const char ini[] = "a\n[g]\nb[1:3]\n[h:children]\ng\n"
	    "[h]\nfe80::1\nc.example.com\n";
	struct inventory *inv = inventory_new();
	struct err e = ERR_INIT;

	if (inv_parse_ini(inv, pos_intern("fixed"), ini, sizeof(ini) - 1,
	    &e) < 0)
		abort();
	check_model(inv);
	if (s[0] != '@')      /* no file reads */
		fuzz_select(inv, s);
	err_release(&e);
	inventory_free(inv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	struct val *v = NULL;
	struct pos p = { "fuzz", 1, 1 };
	struct strlist names = { 0 };
	char *why = NULL;
	size_t off = 0;
	long port;

	if (size < 1 || size > 4096)
		return 0;
	s = xstrndup((const char *)data + 1, size - 1);
	switch (data[0]) {
	case 'I': fuzz_inventory(s, strlen(s), 0); break;
	case 'Y': fuzz_inventory(s, strlen(s), 1); break;
	case 'P': fuzz_pattern(s); break;
	case 'L':
		if (inv_pylit(s, &p, &v) == 0 && v == NULL)
			abort();
		val_free(v);
		break;
	case 'H':
		if (inv_expand_hosts(s, &names, &port, &why, &off) < 0 &&
		    (why == NULL || (*s && off >= strlen(s))))
			abort();
		free(why);
		strlist_clear(&names);
		break;
	default:
		break;
	}
	free(s);
	return 0;
}
