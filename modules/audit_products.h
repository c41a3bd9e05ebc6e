/*
 * audit_products.h - the products mend audit and mend scan know (defined
 * in modules/audit_registry.c, the one list).  See runner/audit/audit.h
 * for struct audit_product.
 */
#ifndef MEND_AUDIT_PRODUCTS_H
#define MEND_AUDIT_PRODUCTS_H

#include "runner/audit/audit.h"

extern const struct audit_product *const audit_products[];  /* NULL-ended */

#endif
