/*
 * fuzz_facts.c - libFuzzer harness for the setup module's parser
 * (modules/generic/factsparse.c): any bytes as the remote script's output,
 * with section markers of the nonce "F" (the input is cut into sections
 * at each "@@F:" the fuzzer writes).  Checks: the result is a map; every
 * fact name is non-empty; the facts serialise to JSON.
 * Build and run: `make fuzz` (see tests/fuzz/README); seed it with
 * tests/unit/fixtures/facts/bookworm.out after `sed s/FIXTURE/F/g`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "modules/generic/factsparse.h"
#include "runner/util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	struct val *f;
	size_t i;

	if (size > 65536)
		return 0;
	f = facts_parse((const char *)data, size, "F");
	if (f == NULL || f->type != V_MAP)
		abort();
	for (i = 0; i < f->u.map.n; i++)
		if (f->u.map.items[i].key[0] == '\0')
			abort();
	val_to_json(f, &sb, 0);
	strbuf_release(&sb);
	val_free(f);
	return 0;
}
