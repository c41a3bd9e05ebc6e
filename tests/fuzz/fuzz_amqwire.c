/*
 * fuzz_amqwire.c - libFuzzer harness for the ActiveMQ probe's reply
 * classifier (modules/activemq/amqwire.c).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *       -o /tmp/fuzz_amqwire tests/fuzz/fuzz_amqwire.c modules/activemq/amqwire.c
 *   /tmp/fuzz_amqwire -max_total_time=60
 *
 * The first byte picks the protocol.  Checks: the kind is one of the enum,
 * strings are terminated, and a prefix of a complete hello is never
 * garbage (the probe reads replies in pieces).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/activemq/amqwire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct amqw_reply r, q;
	enum amqw_proto p;
	size_t i;

	if (size == 0)
		return 0;
	p = (enum amqw_proto)(data[0] % 4);
	amqw_classify(p, data + 1, size - 1, &r);
	if (r.kind > AMQW_GARBAGE || !memchr(r.detail, 0, sizeof(r.detail)) ||
	    !memchr(r.server, 0, sizeof(r.server)))
		abort();
	if (r.kind == AMQW_HELLO)
		for (i = 0; i < size - 1; i++) {
			amqw_classify(p, data + 1, i, &q);
			if (q.kind == AMQW_GARBAGE)
				abort();
		}
	return 0;
}
