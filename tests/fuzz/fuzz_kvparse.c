/*
 * fuzz_kvparse.c - libFuzzer harness for Ansible's k=v strings
 * (runner/util/kvparse.c) and `-e` arguments (runner/core/extravars.c,
 * inline YAML/JSON and k=v; never @FILE).  Checks: a successful parse gives
 * a map of strings, and every word of split_args() is non-NULL.
 * Build and run: `make fuzz` (see tests/fuzz/README).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runner/core/extravars.h"
#include "runner/util/kvparse.h"
#include "runner/util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	struct val *m = NULL, *ev;
	char *s, **w;
	size_t i;

	if (size > 4096)
		return 0;
	s = xstrndup((const char *)data, size);
	if (kv_parse(s, &m, &e) == 0) {
		if (m == NULL || m->type != V_MAP)
			abort();
		for (i = 0; i < m->u.map.n; i++)
			if (m->u.map.items[i].v->type != V_STR)
				abort();
	}
	val_free(m);
	if (kv_split_args(s, &w, &e) == 0)
		kv_words_free(w);
	if (s[0] != '@') {
		ev = val_map();
		if (extravars_add(ev, s, &e) == 0 && ev->type != V_MAP)
			abort();
		val_free(ev);
	}
	err_release(&e);
	free(s);
	return 0;
}
