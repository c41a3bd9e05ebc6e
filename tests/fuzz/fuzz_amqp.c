/*
 * fuzz_amqp.c - libFuzzer harness for amqp_parse_reply() (modules/rabbitmq/amqp.c).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *       -o /tmp/fuzz_amqp tests/fuzz/fuzz_amqp.c modules/rabbitmq/amqp.c
 *   mkdir -p /tmp/fuzz_amqp_corpus
 *   cp tests/unit/fixtures/rabbitmq/[a-z]*.bin /tmp/fuzz_amqp_corpus/
 *   /tmp/fuzz_amqp -max_total_time=60 /tmp/fuzz_amqp_corpus
 *
 * Besides memory errors (ASan/UBSan) it checks the contract of amqp.h:
 * the kind is one of the enum, consumed never exceeds the input, an
 * incomplete answer asks for at least one byte, garbage has a reason and a
 * position inside the input, strings are NUL-terminated, and classifying a
 * prefix of a complete answer never yields garbage when the whole did not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/amqp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct amqp_reply *r, size_t size)
{
	if (r->kind > AMQP_GARBAGE || r->consumed > size)
		abort();
	if (r->kind == AMQP_INCOMPLETE && r->need == 0)
		abort();
	if (r->kind == AMQP_GARBAGE && (r->why == NULL || (size && r->where >= size)))
		abort();
	if (!memchr(r->product, 0, sizeof(r->product)) ||
	    !memchr(r->version, 0, sizeof(r->version)) ||
	    !memchr(r->platform, 0, sizeof(r->platform)) ||
	    !memchr(r->cluster_name, 0, sizeof(r->cluster_name)) ||
	    !memchr(r->mechanisms, 0, sizeof(r->mechanisms)) ||
	    !memchr(r->locales, 0, sizeof(r->locales)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct amqp_reply r, p;
	uint8_t *copy = malloc(size ? size : 1);

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);    /* exact-size heap copy: ASan sees over-reads */
	amqp_parse_reply(copy, size, &r);
	check(&r, size);
	if (r.kind == AMQP_CONNECTION_START && size > 1) {
		amqp_parse_reply(copy, r.consumed - 1, &p);
		check(&p, r.consumed - 1);
		if (p.kind != AMQP_INCOMPLETE)
			abort();
	}
	free(copy);
	return 0;
}
