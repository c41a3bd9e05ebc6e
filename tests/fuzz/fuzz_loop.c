/*
 * fuzz_loop.c - libFuzzer harness for the loop lookups (runner/core/loop.c):
 * the input as a with_sequence spec, and as a YAML value given to every
 * lookup but fileglob (no file system walks).  Checks: success iff no
 * message, a list on success, NULL on failure, never more than the
 * sequence cap of items.
 * Build and run: `make fuzz` (see tests/fuzz/README).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runner/core/loop.h"
#include "runner/util/yamlload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
	if (!ok)
		abort();
}

static void
one(const char *lookup, const struct val *v)
{
	struct strbuf msg = STRBUF_INIT;
	struct val *out = NULL;
	int rc = loop_items(lookup, v, ".", &out, &msg);

	check((rc == 0) == (msg.len == 0));
	check(rc == 0 ? out != NULL && out->type == V_LIST : out == NULL);
	val_free(out);
	strbuf_release(&msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const lookups[] = { "loop", "items", "list",
	    "indexed_items", "dict", "together", "nested", "sequence",
	    "subelements", "nosuch" };
	struct strbuf msg = STRBUF_INIT;
	struct err e = ERR_INIT;
	struct val *v = NULL, *out;
	char *s;
	size_t i;

	if (size > 2048)
		return 0;
	s = xstrndup((const char *)data, size);
	out = val_list();
	if (loop_sequence(s, out, &msg) == 0)
		check(msg.len == 0 && out->u.list.n <= 100000);
	val_free(out);
	strbuf_release(&msg);
	if (yaml_load_string("fuzz.yml", s, strlen(s), &v, &e) == 0) {
		for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++)
			one(lookups[i], v);
		val_free(v);
	}
	err_release(&e);
	free(s);
	return 0;
}
