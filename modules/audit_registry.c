/*
 * audit_registry.c - the one list of products for mend audit and mend scan.
 *
 * To add a product: write its rules, file types, check (and scan probes) in
 * its own folder, e.g. modules/activemq/activemq_audit.c exporting
 *     const struct audit_product audit_activemq = { ... };
 * (see runner/audit/audit.h), add `extern const struct audit_product
 * audit_<name>;` and `&audit_<name>,` below.  Rule ids must be unique
 * across products (tests/unit/test_audit.c checks): each product has its
 * own prefix (NUT, RMQ, AMQ).
 */
#include <stddef.h>

#include "modules/audit_products.h"
#include "runner/util/banned.h"

extern const struct audit_product audit_activemq;
extern const struct audit_product audit_nut;
extern const struct audit_product audit_rabbitmq;

const struct audit_product *const audit_products[] = {
	&audit_nut,
	&audit_rabbitmq,
	&audit_activemq,
	NULL
};
